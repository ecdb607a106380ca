"""Opening the local store: SQLite in WAL mode, upgraded by Alembic after a backup.

Durability settings (why each):
- WAL lets the window read while a worker writes, without "database is locked".
- synchronous=FULL: a power cut never loses a committed transaction (PRODUCT.md: nothing is lost).
- foreign_keys=ON: SQLite leaves them off unless asked, per connection.
- busy_timeout: another process (the CLI while the window is open) waits instead of failing.
- Writers start with BEGIN IMMEDIATE and go through one lock, so writes are serial and a read
  transaction is never upgraded half-way (which would fail at once with SQLITE_BUSY in WAL mode).

An encrypted store (one opened with its store key) is the same SQLite dialect over SQLCipher 4
(``sqlcipher3.dbapi2``): every page of the database, its WAL and its backups is encrypted.
- ``PRAGMA key`` is each connection's first statement, with the raw 256-bit key derived for the
  database (``key_derivation``): a raw key skips SQLCipher's per-connection PBKDF2, so a new
  connection costs no more than a plain one; the store key is random, so nothing is gained by
  stretching it.
- temp_store=MEMORY: SQLite's temporary files (sorts, big indexes) are not encrypted.
- cache_size: the operating system's file cache now holds only ciphertext, so every page SQLite
  reads again from it is decrypted and authenticated again; a larger page cache per connection
  keeps the decrypted pages (32 MB at most, reached only on a large store). At 10,000 stories a
  search's p95 went from about 2x plain's to plain's (153-197 ms -> 99-118 ms, plain 105-126 ms
  on the same shared machine); the median was equal either way.
- cipher_log_level=NONE: SQLCipher would otherwise print its own errors on stderr (a wrong key
  writes three lines before the exception that is reported properly).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storykeeper.core import clock, faults, pseudonyms
from storykeeper.core.errors import DiskFullError, NewerStoreError, StoreError, StorykeeperError
from storykeeper.core.key_derivation import derive
from storykeeper.core.models import SettingRow, StoryRow, new_uuid
from storykeeper.paths import DataPaths

if TYPE_CHECKING:
    from storykeeper.core.attachments import MediaStore
    from storykeeper.core.keys import KeyStore

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
#: SQLite's page cache of an encrypted store's connection, in KiB (see the module's notes).
ENCRYPTED_CACHE_KIB = 32 * 1024
BACKUPS_KEPT = 5
_BEGIN_OPTION = "storykeeper_begin"
#: How every plain SQLite database file begins; an encrypted one begins with 16 random bytes.
PLAIN_HEADER = b"SQLite format 3\x00"
#: How often a statement asks whether it should stop (``stopped_when``): every this many of
#: SQLite's virtual-machine steps. Stopped within milliseconds (some 30 ms apart in SQLCipher's
#: integrity check on a busy machine); a full scan of 100,000 stories took no longer for it
#: (406 ms against 410 ms; every 100 steps cost 10%).
STOP_ASKED_EVERY = 1000
#: The store keys file (part B's ``store_keys.KEYS_FILE``): beside a database, it says the store
#: is encrypted. Named here too so that opening never depends on the keys module.
KEYS_FILE = "store-keys.json"


def migrations_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", "storykeeper.core:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(migrations_config()).get_heads()
    if len(heads) != 1:  # pragma: no cover - guarded by a test on the shipped migrations
        raise StoreError(f"The program's migrations have {len(heads)} heads; expected one.")
    return heads[0]


def is_plain_database(database: Path) -> bool:
    """Whether ``database`` is a plain SQLite file (its first 16 bytes say so). A missing or
    empty file is neither plain nor encrypted yet: it becomes whatever opens it first."""
    try:
        with database.open("rb") as file:
            return file.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def key_pragma(database_key: bytes) -> str:
    """SQLCipher's raw-key form: the key is used as it is, without a key derivation."""
    return f"PRAGMA key = \"x'{database_key.hex()}'\""


def connect_driver(database: Path, database_key: bytes | None) -> sqlite3.Connection:
    """A bare DB-API connection to ``database`` (for backups and conversion), keyed first when
    ``database_key`` is given."""
    if database_key is None:
        return sqlite3.connect(database)
    connection = sqlcipher.connect(str(database))
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(key_pragma(database_key))
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection  # type: ignore[no-any-return]


@contextmanager
def stopped_when(opened: Session | Connection, stop: Callable[[], bool]) -> Iterator[None]:
    """Statements of ``opened`` (a session or connection) inside the block end early, with
    SQLite's "interrupted" error, once ``stop()`` says so: a single statement (the integrity
    check, a count over every story) can take many seconds on a large store, and a window that
    is closing must not wait for it. SQLite's progress handler asks ``stop`` from the thread
    running the statement, so nothing is called on a connection from another thread, and the
    handler is gone again before the connection goes back to the pool."""
    connection = opened.connection() if isinstance(opened, Session) else opened
    dbapi_connection: Any = connection.connection.dbapi_connection
    dbapi_connection.set_progress_handler(lambda: 1 if stop() else 0, STOP_ASKED_EVERY)
    try:
        yield
    finally:
        dbapi_connection.set_progress_handler(None, 0)


def is_interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement ended by ``stopped_when`` (SQLite's SQLITE_INTERRUPT)."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, faults.DRIVER_ERRORS) and "interrupted" in str(orig)


def create_sqlite_engine(
    database: Path, database_key: bytes | None = None, *, pooled: bool = True
) -> Engine:
    """The engine for ``database``: plain SQLite, or SQLCipher keyed with ``database_key``.
    Not ``pooled``, each connection is new and closed after use."""
    # hide_parameters: SQLAlchemy's error text otherwise quotes every value of the failed
    # statement (titles, own words, consent) into messages and logs.
    options: dict[str, Any] = {} if database_key is None else {"module": sqlcipher}
    if not pooled:
        options["poolclass"] = NullPool
    engine = create_engine(f"sqlite:///{database}", future=True, hide_parameters=True, **options)

    # insert=True: before the dialect's first-connect queries, which on an encrypted file
    # would fail ("file is not a database") until the key is given.
    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if database_key is not None:
            cursor.execute("PRAGMA cipher_log_level = NONE")
            cursor.execute(key_pragma(database_key))
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute(f"PRAGMA cache_size = -{ENCRYPTED_CACHE_KIB}")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted content is overwritten, not left in free pages: a purged story is gone.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))

    return engine


def backup_database(
    database: Path, backups_dir: Path, label: str, database_key: bytes | None = None
) -> Path:
    """Copy the live database with SQLite's online backup API, then keep only the newest few.

    The copy is written under a temporary name and renamed, so a half-written backup never
    passes for a good one. An encrypted database (``database_key``) is copied into a backup
    keyed alike, so the backup is encrypted page by page as it is written.
    """
    backups_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"storykeeper-{stamp}-{label}.sqlite3"
    partial = target.with_suffix(".partial")
    # A copy an earlier crash left half-written is no good, and may be keyed differently.
    partial.unlink(missing_ok=True)
    source = connect_driver(database, database_key)
    try:
        copy = connect_driver(partial, database_key)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    partial.chmod(0o600)
    partial.replace(target)
    for old in sorted(backups_dir.glob("storykeeper-*.sqlite3"))[:-BACKUPS_KEPT]:
        old.unlink()
    log.info("backed up the database to %s", target)
    return target


class Store:
    """The open local store: a serial writer and any number of readers."""

    def __init__(self, engine: Engine, paths: DataPaths, store_key: bytes | None = None) -> None:
        self.engine = engine
        self.paths = paths
        # Private: only keys derived from it for one use each ever leave the store.
        self.__store_key = store_key
        self._database_encrypted = engine.dialect.dbapi is sqlcipher
        self._readers = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(
            engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"}),
            expire_on_commit=False,
        )
        self._write_lock = threading.Lock()
        self._writing = threading.local()
        self.device_id = self._ensure_device_id()
        pseudonyms.ensure_secret(self)
        self._refresh_planner_statistics()

    @property
    def encrypted(self) -> bool:
        """Whether the database is encrypted. A store opened with its key whose database is
        still plain (a conversion stopped before its last step) is not, though its other files
        may already be sealed: ``sealing_key`` answers for those."""
        return self._database_encrypted

    def integrity_check(self, stop: Callable[[], bool] | None = None) -> list[str]:
        """SQLite's ``PRAGMA integrity_check``: ``["ok"]``, or what it found. Once ``stop()``
        says so it ends early with SQLite's "interrupted" error (``is_interrupted``).

        On a connection of its own, never a pooled one: FTS5 keeps in each connection the layout
        of the search index it last read, and the integrity check (unlike a search) reads
        through it without asking whether another connection has changed the index since. After
        a story's deletion merged the index, a pooled connection reported "fts5: corruption
        found reading blob" on a healthy store.
        """
        database_key = derive(self.__store_key, "database") if self._database_encrypted else None
        engine = create_sqlite_engine(self.paths.database, database_key, pooled=False)
        try:
            with (
                engine.connect() as connection,
                stopped_when(connection, stop or (lambda: False)),
            ):
                rows = connection.exec_driver_sql("PRAGMA integrity_check")
                return [str(row[0]) for row in rows]
        finally:
            engine.dispose()

    def sealing_key(self, purpose: str) -> bytes | None:
        """The key for one use of the store key (``key_derivation.PURPOSES``: "media",
        "drafts"…), or None for a store opened without a key (a plain store)."""
        if self.__store_key is None:
            return None
        return derive(self.__store_key, purpose)

    @functools.cached_property
    def keys(self) -> KeyStore:
        """This computer's signing key and receiving key, their secret files sealed with the
        store's key for "keys" in an encrypted store (``core.keys``)."""
        from storykeeper.core.keys import KeyStore

        return KeyStore(self.paths.data_dir, self.sealing_key("keys"))

    @functools.cached_property
    def media(self) -> MediaStore:
        """The store's media files, sealed with the media key in an encrypted store."""
        # Imported here: the attachments module is far above the database in the layers.
        from storykeeper.core.attachments import MediaStore

        return MediaStore(self.paths.media_dir, self.sealing_key("media"))

    @classmethod
    def open(cls, paths: DataPaths, store_key: bytes | None = None) -> Store:
        """Open (creating if need be) and upgrade the store. Backs up before any migration.

        With ``store_key`` the database is SQLCipher's, keyed with the key derived for it; a
        database file still plain (a conversion that stopped before its swap leaves the keys
        file beside a plain database) opens plain, so nothing is ever out of reach.
        """
        try:
            paths.ensure()
        except OSError as exc:
            raise StoreError(
                f"Cannot create the data folder {paths.data_dir}: {exc.strerror}. "
                "Choose another folder with --data-dir."
            ) from exc
        try:
            _create_private_file(paths.database)
        except OSError as exc:
            raise _cannot_open(exc, paths, keyed=store_key is not None) from exc
        database_key = None
        if store_key is not None:
            database_key = derive(store_key, "database")
            if is_plain_database(paths.database):
                log.warning("the store has a key but its database is still plain: opened plain")
                database_key = None
        engine = create_sqlite_engine(paths.database, database_key)
        try:
            migrate(engine, paths, database_key)
            return cls(engine, paths, store_key)
        except StoreError:
            engine.dispose()
            raise
        except Exception as exc:
            engine.dispose()
            raise _cannot_open(exc, paths, keyed=database_key is not None) from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; whatever it sees is one consistent snapshot."""
        with self._disk_full_said(), self._readers() as session, session.begin():
            yield session

    @contextmanager
    def _disk_full_said(self) -> Iterator[None]:
        """The database's full disk, whether SQLite says SQLITE_FULL or only an I/O error,
        becomes one ``DiskFullError`` naming the data folder; the transaction was rolled back,
        so nothing was changed. A file written meanwhile elsewhere (a folder the person chose)
        says its own full disk, naming its own folder."""
        try:
            yield
        except DiskFullError:
            raise
        except Exception as exc:
            from_database = any(isinstance(e, faults.DRIVER_ERRORS) for e in faults.causes(exc))
            full = faults.disk_full(exc, self.paths.data_dir) if from_database else None
            if full is None:
                raise
            raise full from exc

    @contextmanager
    def write(self, actor: str) -> Iterator[Session]:
        """A session for changes, committed at the end of the block or rolled back on error.

        ``actor`` is who is doing this, for the audit log. Only one write runs at a time.
        """
        if getattr(self._writing, "active", False):
            raise RuntimeError("Store.write() is not re-entrant: pass the session down instead")
        with self._write_lock:
            self._writing.active = True
            try:
                with self._disk_full_said(), self._writers() as session, session.begin():
                    session.info["actor"] = actor
                    session.info["device_id"] = getattr(self, "device_id", "")
                    yield session
            finally:
                self._writing.active = False

    def _refresh_planner_statistics(self) -> None:
        with self.read() as session:
            due = planner_statistics_due(session)
        if due:
            with self.write(actor="storykeeper") as session:
                refresh_planner_statistics(session)

    def _ensure_device_id(self) -> str:
        with self.read() as session:
            existing = session.scalar(select(SettingRow.value).where(SettingRow.key == "device_id"))
        if existing:
            return existing
        # Look again under the write lock: another process opening a new store at the same
        # moment may have made the id in between.
        with self.write(actor="storykeeper") as session:
            existing = session.scalar(select(SettingRow.value).where(SettingRow.key == "device_id"))
            if existing:
                return existing
            device_id = new_uuid()
            session.add(SettingRow(key="device_id", value=device_id))
        return device_id


#: The number of stories when SQLite's planner statistics (sqlite_stat1) were last gathered.
PLANNER_STATISTICS_KEY = "planner_statistics_stories"
#: Below this many stories every plan is quick, and statistics of near-empty tables mislead
#: SQLite later: a 10,000-story import into a store analysed while empty took 22.6 s, not 10.8.
PLANNER_STATISTICS_FROM = 1000


def planner_statistics_due(session: Session) -> bool:
    """Whether the store has grown or shrunk enough since ``ANALYZE`` last ran to need it.

    Without statistics SQLite prefers any index with an equality match: at 100,000 stories it
    then sorted 84,000 "final" stories to show the 200 most recent (122 ms) instead of walking
    the index by date (1 ms; docs/performance.md). Counting costs a few milliseconds.
    """
    stories = session.scalar(select(func.count()).select_from(StoryRow)) or 0
    if stories < PLANNER_STATISTICS_FROM:
        return False
    last = session.scalar(select(SettingRow.value).where(SettingRow.key == PLANNER_STATISTICS_KEY))
    if last is None or not last.isdigit():
        return True
    return not int(last) // 2 <= stories <= 2 * int(last)


def refresh_planner_statistics(session: Session, *, force: bool = False) -> None:
    """Gather the planner's statistics (ANALYZE; 0.2 s at 100,000 stories) when due."""
    if not force and not planner_statistics_due(session):
        return
    stories = session.scalar(select(func.count()).select_from(StoryRow)) or 0
    session.execute(text("ANALYZE"))
    session.merge(SettingRow(key=PLANNER_STATISTICS_KEY, value=str(stories)))


def _cannot_open(exc: BaseException, paths: DataPaths, *, keyed: bool = False) -> StorykeeperError:
    """What to tell a person whose database could not be opened, by what really went wrong:
    only a file SQLite finds malformed, or not a database at all, is damage to restore from a
    backup; a full disk, a lock held elsewhere or a read-only file is not. An encrypted file
    opened with the wrong key (``keyed``) or without one reads as "not a database" too: that is
    a key that does not fit, never damage, and restoring a backup would not help."""
    full = faults.disk_full(exc, paths.data_dir)
    if full is not None:
        return full
    if faults.is_locked(exc):
        return StoreError(
            f"The database {paths.database} is busy: another program (another Storykeeper?) "
            "has been writing to it for too long. Close it, or wait for it to finish, and try "
            "again. Nothing was changed."
        )
    if faults.is_read_only(exc):
        return StoreError(
            f"Storykeeper may not write to the database {paths.database}: make it and its "
            "folder writable, or choose another folder with --data-dir. Nothing was changed."
        )
    if faults.is_not_a_database(exc) and keyed:
        return StoreError(
            f"The key given does not open the database {paths.database}: it belongs to another "
            "store, or the database was replaced. Nothing was changed. Open it with its own "
            "passphrase or recovery key."
        )
    if faults.is_not_a_database(exc) and (paths.data_dir / KEYS_FILE).exists():
        return StoreError(
            f"The database {paths.database} is encrypted and was opened without its key. "
            "Nothing was changed. Open it with its passphrase or recovery key."
        )
    if faults.is_damaged(exc):
        # SQLite's own short words ("file is not a database"), without SQLAlchemy's wrapping.
        reason = str(getattr(exc, "orig", None) or exc)
        # A file that does not begin as plain SQLite may be an encrypted store whose keys file
        # was lost or left behind in a copy: restoring a backup over it would be the wrong act.
        keys_first = (
            ""
            if is_plain_database(paths.database)
            else f"If it is an encrypted store, put its keys file {KEYS_FILE} back beside it. "
        )
        return StoreError(
            f"Cannot open the database {paths.database}: it is damaged or is not a Storykeeper "
            f"database (SQLite says: {reason}). Nothing was changed. {keys_first}Restore a "
            f"backup from {paths.backups_dir} (see “To restore a backup” in the README), or "
            "choose another folder with --data-dir."
        )
    log.error("could not open the database: %s", faults.describe(exc))
    return StoreError(
        f"Cannot open the database {paths.database} ({_sqlite_error_name(exc)}). Nothing was "
        f"changed. Details are in {paths.log_file}; try again, or choose another folder with "
        "--data-dir."
    )


def _sqlite_error_name(exc: BaseException) -> str:
    """SQLite's name for what failed (SQLITE_IOERR_READ…), which says nothing of the content."""
    for link in faults.causes(exc):
        name = getattr(link, "sqlite_errorname", None)
        if isinstance(name, str):
            return f"SQLite says {name}"
    return type(exc).__name__


def _create_private_file(database: Path) -> None:
    """Create an empty database file readable by the owner only (SQLite's WAL and shared-memory
    files copy these permissions), unless it already exists."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, paths: DataPaths, database_key: bytes | None = None) -> None:
    """Bring the schema to the newest revision, backing up first if there is anything to keep."""
    head = head_revision()
    if current_revision(engine) == head:
        return
    # Take the write lock first, then look again: another Storykeeper process opening the same
    # store at the same moment waits here and then finds the work done. The whole upgrade is one
    # transaction, so a failed migration leaves the database as it was.
    immediate = engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})
    with immediate.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        known = {
            script.revision
            for script in ScriptDirectory.from_config(migrations_config()).walk_revisions()
        }
        if current is not None and current not in known:
            raise NewerStoreError(
                f"The database {paths.database} was written by a newer Storykeeper "
                f"(schema {current}). Install the newer version to open it; nothing was changed."
            )
        if current is not None or _has_tables(connection):
            backup_database(
                paths.database, paths.backups_dir, label=f"before-{head}", database_key=database_key
            )
        log.info("upgrading the database from %s to %s", current or "empty", head)
        command.upgrade(migrations_config(connection), "head")


def _has_tables(connection: Connection) -> bool:
    count = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    ).scalar_one()
    return bool(count)
