"""Encrypting a plain store's database in place, safe to stop at any point.

The database only (the media are sealed by ``attachments.seal_plain_files``; ``unlock`` runs
both). The steps, and why each is safe to stop after with a kill -9:

1. ``backed-up``: a plain copy with SQLite's backup API in the backups folder, as before an
   upgrade. Nothing else has changed.
2. ``locked``: the WAL is checkpointed into the database file and the database is switched to a
   rollback journal, which SQLite allows only when no other connection is open (another
   Storykeeper using the store is told to close, nothing changed), then its write lock is held
   to the end, so nothing written meanwhile could be left behind in the plain file. Without a
   WAL file, no -wal or -shm of the plain database is left to be read as the new one's. The
   database opens as before (opening switches it back to WAL).
3. ``exported``: ``sqlcipher_export`` copies every table, index, trigger and the search index
   into a new file beside it (``ENCRYPTING_SUFFIX``), keyed with the database key. The plain
   database is untouched; a half-written new file is only ever removed.
4. ``verified``: the new file opens with the key, SQLite's integrity check passes, and every
   table holds as many rows as the plain one does; then it is flushed to the disk.
5. ``swapped``: one rename puts the new file in the database's place (atomic: a kill leaves the
   one or the other, whole), and the folder is flushed so the rename survives a power cut.

The keys file (``store-keys.json``) must be there before the swap, so an encrypted database never
exists without its keys; until the swap a keys file beside a plain database is harmless:
``Store.open`` sees the plain file's first 16 bytes and opens it plain.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from storykeeper.core import faults
from storykeeper.core.db import (
    BUSY_TIMEOUT_MS,
    KEYS_FILE,
    backup_database,
    connect_driver,
    is_plain_database,
)
from storykeeper.core.errors import StoreError
from storykeeper.core.key_derivation import derive
from storykeeper.paths import DataPaths

log = logging.getLogger(__name__)

#: The new, encrypted database is written beside the plain one under this suffix.
ENCRYPTING_SUFFIX = ".encrypting"
#: For tests of a kill -9: the name of the step after which the process kills itself.
STOP_AFTER_ENV = "STORYKEEPER_TEST_CONVERT_KILL_AFTER"
STEPS = ("backed-up", "locked", "exported", "verified", "swapped")


def encrypting_file(paths: DataPaths) -> Path:
    return paths.database.with_name(paths.database.name + ENCRYPTING_SUFFIX)


def convert_to_encrypted(paths: DataPaths, store_key: bytes, *, backup: bool = True) -> bool:
    """Encrypt the plain database of ``paths`` with the database key of ``store_key``.

    Returns whether it converted anything: False when the database is encrypted already (a
    conversion run again after a kill that came after the swap). ``backup=False`` when the
    caller has just made the plain copy itself. Raises ``StoreError`` (nothing changed, the
    plain database opens as before) if the keys file is missing, another program has the store
    open, the copy does not verify, or the disk is full.
    """
    _remove_leftovers(paths)
    if not paths.database.exists() or not is_plain_database(paths.database):
        return False
    if not (paths.data_dir / KEYS_FILE).exists():
        raise StoreError(
            f"The store's keys file {KEYS_FILE} is not in {paths.data_dir}, so the database was "
            "not encrypted: it would not open afterwards. Nothing was changed."
        )
    database_key = derive(store_key, "database")
    try:
        if backup:
            backup_database(paths.database, paths.backups_dir, label="before-encryption")
        _reached("backed-up")
        _encrypt(paths, database_key)
    except StoreError:
        _remove_leftovers(paths)
        raise
    except Exception as exc:
        _remove_leftovers(paths)
        raise _cannot_convert(exc, paths) from exc
    log.info("encrypted the database")
    return True


def _encrypt(paths: DataPaths, database_key: bytes) -> None:
    new = encrypting_file(paths)
    with closing(sqlite3.connect(paths.database, isolation_level=None)) as guard:
        guard.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        guard.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # Refused ("database is locked") while any other connection is open: the one sure way
        # to know no other program is using the store while it is copied.
        guard.execute("PRAGMA journal_mode = DELETE")
        if guard.execute("PRAGMA journal_mode").fetchone()[0] != "delete":
            raise StoreError(_in_use(paths))
        guard.execute("BEGIN IMMEDIATE")
        _reached("locked")
        counts = _row_counts(guard)
        with closing(sqlcipher.connect(str(paths.database), isolation_level=None)) as exporter:
            exporter.execute("PRAGMA cipher_log_level = NONE")
            exporter.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(new), _raw(database_key)))
            exporter.execute("PRAGMA temp_store = MEMORY")
            exporter.execute("SELECT sqlcipher_export('encrypted')")
            exporter.execute("DETACH DATABASE encrypted")
        new.chmod(0o600)
        _reached("exported")
        _verify(new, database_key, counts)
        _fsync(new)
        _reached("verified")
        new.replace(paths.database)
        _fsync(paths.database.parent)
        guard.execute("ROLLBACK")
    _reached("swapped")


def _raw(database_key: bytes) -> str:
    """The KEY of an ATTACH in SQLCipher's raw-key form (as ``db.key_pragma``)."""
    return f"x'{database_key.hex()}'"


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    ]
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }


def _verify(new: Path, database_key: bytes, counts: dict[str, int]) -> None:
    with closing(connect_driver(new, database_key)) as copy:
        checked = copy.execute("PRAGMA integrity_check").fetchall()
        copied = _row_counts(copy)
    if checked != [("ok",)] or copied != counts:
        log.error("the encrypted copy did not verify: integrity %s", checked[:3])
        raise StoreError(
            "The encrypted copy of the database did not match the original, so it was not "
            "used. Nothing was changed: the stories open as before. Try again, or ask for help "
            "with the log file."
        )


def _fsync(path: Path) -> None:
    # Windows opens no folder, and syncs a file only through a handle that may write to it.
    if path.is_dir() and os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY if path.is_dir() else os.O_RDWR)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_leftovers(paths: DataPaths) -> None:
    """An encrypted copy a kill or a failure left unfinished (and its journal): never the
    database, which is always the one at ``paths.database``."""
    new = encrypting_file(paths)
    for leftover in (new, *(new.with_name(new.name + s) for s in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def _reached(step: str) -> None:
    """Where a test's child process kills itself, to show that a kill there loses nothing."""
    if os.environ.get(STOP_AFTER_ENV) == step:
        os.kill(os.getpid(), 9)


def _in_use(paths: DataPaths) -> str:
    return (
        f"The database {paths.database} is in use by another program (another Storykeeper?): "
        "close it and try again. Nothing was changed."
    )


def _cannot_convert(exc: BaseException, paths: DataPaths) -> Exception:
    full = faults.disk_full(exc, paths.data_dir, "Nothing was changed: the stories open as before.")
    if full is not None:
        return full
    if faults.is_locked(exc):
        return StoreError(_in_use(paths))
    log.error("could not encrypt the database: %s", faults.describe(exc))
    return StoreError(
        f"The database {paths.database} could not be encrypted. Nothing was changed: the "
        f"stories open as before. Details are in {paths.log_file}."
    )
