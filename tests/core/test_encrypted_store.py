"""The encrypted database: SQLCipher under the same store, its keys, its faults and its backups.

Every other core test runs on an encrypted store too (the ``store`` fixture); these are the
things only an encrypted store has: nothing readable in its files, a wrong key or none said
plainly and changing nothing, sqlcipher3's own errors told apart, and backups keyed alike.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from sqlalchemy import text

from storykeeper.core import db, faults
from storykeeper.core.check import Severity, check_store
from storykeeper.core.db import Store, backup_database, head_revision
from storykeeper.core.errors import DiskFullError, StoreError
from storykeeper.core.key_derivation import derive
from storykeeper.core.search import StoryFilter, search_stories
from storykeeper.paths import DataPaths
from tests.factories import make_story

#: Words, names and own words no file of the data folder may hold in the clear.
SECRETS = {
    "title": "Quillonbrae Afternoons",
    "own_words": "Zephyrinthe sang at the Glenmorrow pier every Sunday.",
    "notes": "Ask about Vantablossom the dog.",
    "teller": "Oriandel Pemberwick",
}
#: Only the long made-up words: a short one ("ask") turns up by chance in random bytes.
SEARCHED = sorted(
    {
        word.strip(".").lower().encode()
        for value in SECRETS.values()
        for word in value.split()
        if len(word.strip(".")) >= 8
    }
)


def _story_with_secrets(store: Store) -> None:
    make_story(store, **SECRETS)


def _every_file(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _leaks(folder: Path) -> list[str]:
    found = []
    for path, content in _every_file(folder).items():
        lowered = content.lower()
        found += [f"{path.name}: {word.decode()}" for word in SEARCHED if word in lowered]
    return found


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(content).hexdigest()
        for path, content in _every_file(folder).items()
    }


def test_the_database_is_encrypted_and_still_a_working_store(store: Store) -> None:
    _story_with_secrets(store)
    assert store.encrypted
    assert not db.is_plain_database(store.paths.database)
    with store.read() as session:
        settings = {
            name: session.execute(text(f"PRAGMA {name}")).scalar_one()
            for name in ("journal_mode", "synchronous", "foreign_keys", "secure_delete")
        }
        temp_store = session.execute(text("PRAGMA temp_store")).scalar_one()
        cache_kib = -session.execute(text("PRAGMA cache_size")).scalar_one()
        cipher = session.execute(text("PRAGMA cipher_version")).scalar_one()
        # FTS5 with its prefix index answers a prefix search (the last word is a prefix).
        found = search_stories(session, StoryFilter(text="Zephyr"))
    assert settings == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "secure_delete": 1,
    }
    assert temp_store == 2  # MEMORY: SQLite's temporary files would not be encrypted
    assert cache_kib == db.ENCRYPTED_CACHE_KIB  # decrypted pages kept: the OS caches ciphertext
    assert cipher.startswith("4.")
    assert [story.title for story in found.items] == [SECRETS["title"]]
    with store.write(actor="test") as session:
        db.refresh_planner_statistics(session, force=True)  # ANALYZE
    assert check_store(store).ok


def test_no_file_of_the_data_folder_holds_the_words_names_or_own_words(
    store: Store, store_key: bytes
) -> None:
    """Database, WAL, shared memory and a backup, read byte by byte while the store is open
    (the words are in the WAL then) and after it is closed and checkpointed."""
    _story_with_secrets(store)
    backup_database(
        store.paths.database, store.paths.backups_dir, "test", derive(store_key, "database")
    )
    names = {path.name for path in _every_file(store.paths.data_dir)}
    assert {"storykeeper.sqlite3", "storykeeper.sqlite3-wal", "storykeeper.sqlite3-shm"} <= names
    assert _leaks(store.paths.data_dir) == []
    store.close()
    assert _leaks(store.paths.data_dir) == []


def test_the_same_session_on_a_plain_store_shows_the_words(plain_store: Store) -> None:
    """The search above can find them: on a plain store it does."""
    _story_with_secrets(plain_store)
    assert not plain_store.encrypted and plain_store.sealing_key("media") is None
    assert len(_leaks(plain_store.paths.data_dir)) >= len(SEARCHED)


def test_a_backup_is_encrypted_with_the_same_key_and_opens_with_it(
    store: Store, store_key: bytes
) -> None:
    _story_with_secrets(store)
    made = backup_database(
        store.paths.database, store.paths.backups_dir, "test", derive(store_key, "database")
    )
    assert _leaks(made.parent) == []
    assert not db.is_plain_database(made)
    with closing(db.connect_driver(made, derive(store_key, "database"))) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT title FROM stories").fetchall() == [(SECRETS["title"],)]
    with closing(sqlite3.connect(made)) as without_key, pytest.raises(sqlite3.DatabaseError):
        without_key.execute("SELECT count(*) FROM stories").fetchone()


def test_the_backup_before_an_upgrade_is_encrypted_too(paths: DataPaths) -> None:
    key = secrets.token_bytes(32)
    paths.ensure()
    engine = db.create_sqlite_engine(paths.database, derive(key, "database"))
    with engine.begin() as connection:
        command.upgrade(db.migrations_config(connection), "0001")
    engine.dispose()

    with Store.open(paths, key) as store:
        assert db.current_revision(store.engine) == head_revision()
    (backup,) = paths.backups_dir.glob("*.sqlite3")
    assert not db.is_plain_database(backup)
    with closing(db.connect_driver(backup, derive(key, "database"))) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_a_wrong_key_is_said_as_such_and_changes_nothing(store: Store) -> None:
    _story_with_secrets(store)
    store.close()
    before = _fingerprint(store.paths.data_dir)
    with pytest.raises(StoreError) as refused:
        Store.open(store.paths, secrets.token_bytes(32))
    said = str(refused.value)
    assert said == (
        f"The key given does not open the database {store.paths.database}: it belongs to "
        "another store, or the database was replaced. Nothing was changed. Open it with its "
        "own passphrase or recovery key."
    )
    assert "damaged" not in said and "backup" not in said
    assert _fingerprint(store.paths.data_dir) == before


def test_no_key_for_an_encrypted_store_with_its_keys_file_changes_nothing(store: Store) -> None:
    store.close()
    (store.paths.data_dir / db.KEYS_FILE).write_text("{}")
    before = _fingerprint(store.paths.data_dir)
    with pytest.raises(StoreError) as refused:
        Store.open(store.paths)
    assert str(refused.value) == (
        f"The database {store.paths.database} is encrypted and was opened without its key. "
        "Nothing was changed. Open it with its passphrase or recovery key."
    )
    assert _fingerprint(store.paths.data_dir) == before


def test_no_key_and_no_keys_file_says_to_bring_the_keys_file_back_first(store: Store) -> None:
    """The file may be damaged or encrypted: which cannot be told, so the keys file comes
    first, before any backup is restored over it."""
    store.close()
    (store.paths.data_dir / db.KEYS_FILE).unlink()  # the fixture's store has one, as made
    with pytest.raises(StoreError) as refused:
        Store.open(store.paths)
    said = str(refused.value)
    assert f"put its keys file {db.KEYS_FILE} back beside it" in said
    assert said.index(db.KEYS_FILE) < said.index("Restore a backup")
    assert "Nothing was changed." in said


def test_a_key_given_for_a_store_still_plain_opens_it_plain(paths: DataPaths) -> None:
    """A conversion that stopped before its swap leaves the keys file beside a plain
    database: the store opens, plain, and its other files' keys are at hand."""
    with Store.open(paths) as plain:
        make_story(plain, title="Still plain")
    key = secrets.token_bytes(32)
    with Store.open(paths, key) as reopened:
        assert not reopened.encrypted
        assert reopened.sealing_key("media") == derive(key, "media")
        with reopened.read() as session:
            assert session.execute(text("SELECT title FROM stories")).scalar_one() == (
                "Still plain"
            )
    assert db.is_plain_database(paths.database)


def test_the_sealing_keys_are_one_per_use_and_never_the_store_key(
    store: Store, store_key: bytes
) -> None:
    keys = {purpose: store.sealing_key(purpose) for purpose in ("media", "drafts", "backups")}
    assert len(set(keys.values())) == 3 and store_key not in keys.values()
    assert keys["media"] == derive(store_key, "media")
    assert store.media.root == store.paths.media_dir


# --- sqlcipher3's own errors -----------------------------------------------------------------


def _keyed(store: Store, store_key: bytes, uri_options: str = "") -> sqlcipher.Connection:
    if uri_options:
        connection = sqlcipher.connect(f"file:{store.paths.database}?{uri_options}", uri=True)
    else:
        connection = sqlcipher.connect(str(store.paths.database))
    connection.execute(db.key_pragma(derive(store_key, "database")))
    return connection


def test_sqlcipher_errors_are_driver_errors_not_sqlite3s() -> None:
    """The reason for DRIVER_ERRORS: sqlcipher3's classes are not sqlite3's."""
    assert not issubclass(sqlcipher.Error, sqlite3.Error)
    assert sqlcipher.Error in faults.DRIVER_ERRORS


def test_a_held_write_lock_is_told_as_locked(store: Store, store_key: bytes) -> None:
    holder = _keyed(store, store_key)
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiting = _keyed(store, store_key)
        waiting.execute("PRAGMA busy_timeout = 0")
        with pytest.raises(sqlcipher.OperationalError) as locked:
            waiting.execute("BEGIN IMMEDIATE")
        waiting.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert faults.is_locked(locked.value)
    assert not faults.is_damaged(locked.value) and not faults.is_disk_full(locked.value)
    assert "SQLITE_BUSY" in faults.describe(locked.value)


def test_a_full_database_is_a_full_disk_and_nothing_is_changed(store: Store) -> None:
    _story_with_secrets(store)
    with store.read() as session:
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
    with store.write(actor="test") as session:
        session.execute(text(f"PRAGMA max_page_count = {pages + 1}"))
    with pytest.raises(DiskFullError) as full:
        for n in range(50):
            make_story(store, title=f"Story {n}", own_words="words " * 2000)
    assert str(full.value).startswith(f"The disk holding {store.paths.data_dir} is full")


def test_a_read_only_database_is_told_as_read_only(store: Store, store_key: bytes) -> None:
    reader = _keyed(store, store_key, "mode=ro")
    with pytest.raises(sqlcipher.OperationalError) as refused:
        reader.execute("CREATE TABLE t (x)")
    reader.close()
    assert faults.is_read_only(refused.value)
    assert not faults.is_damaged(refused.value)


def _damage_a_stories_page(store: Store, store_key: bytes) -> None:
    with closing(_keyed(store, store_key)) as keyed:
        page_size = int(keyed.execute("PRAGMA page_size").fetchone()[0])
        # Three short stories fit in the table's root page (SQLCipher is built without dbstat).
        (page,) = keyed.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'stories'"
        ).fetchone()
    with store.paths.database.open("r+b") as file:
        file.seek((page - 1) * page_size + 100)
        original = file.read(8)
        file.seek((page - 1) * page_size + 100)
        file.write(bytes(b ^ 0xFF for b in original))


def test_a_damaged_encrypted_page_is_damage_and_check_reports_it(
    store: Store, store_key: bytes
) -> None:
    for n in range(3):
        make_story(store, title=f"Story {n}", teller=f"Teller {n}")
    store.close()
    _damage_a_stories_page(store, store_key)
    with closing(_keyed(store, store_key)) as keyed, pytest.raises(sqlcipher.DatabaseError) as bad:
        keyed.execute("SELECT * FROM stories").fetchall()
    assert faults.is_damaged(bad.value)
    with Store.open(store.paths, store_key) as reopened:
        report = check_store(reopened)
    assert not report.ok
    (problem,) = report.problems
    assert (problem.area, problem.severity) == ("database", Severity.ERROR)
    assert problem.message.startswith("The database file is damaged")


def test_a_change_made_outside_with_the_key_is_found_by_check(
    store: Store, store_key: bytes
) -> None:
    """Someone with the key changing words with SQLCipher itself: the digests still tell."""
    make_story(store, title="The mill", own_words="We walked to the mill every Tuesday.")
    store.close()
    with closing(_keyed(store, store_key)) as keyed, keyed:
        keyed.execute("UPDATE stories SET own_words = 'We walked to the mill every Monday.'")
    with Store.open(store.paths, store_key) as reopened:
        report = check_store(reopened)
    assert [p.area for p in report.problems] == ["stories"]


_KILLED_WHILE_WRITING = """
import os, sys
from pathlib import Path
from sqlalchemy import text
from storykeeper.core.db import Store
from storykeeper.paths import resolve_paths
from tests.factories import make_story
with Store.open(resolve_paths(Path(sys.argv[1])), bytes.fromhex(sys.argv[2])) as store:
    for n in range(3):
        make_story(store, title=f"Kept {n}")
    with store.write(actor="test") as session:
        session.execute(text("UPDATE stories SET title = 'Half done'"))
        session.flush()
        os.kill(os.getpid(), 9)
"""


def test_a_kill_during_a_write_keeps_every_committed_story_and_check_passes(
    paths: DataPaths, store: Store, store_key: bytes
) -> None:
    """A real process killed (SIGKILL) in the middle of a write transaction, its change made
    but not committed: the encrypted store opens, the three committed stories are there, the
    half-done change is not, and check passes."""
    store.close()
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_WRITING, str(paths.data_dir), store_key.hex()],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        check=False,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    with Store.open(paths, store_key) as reopened:
        with reopened.read() as session:
            titles = sorted(session.execute(text("SELECT title FROM stories")).scalars())
        assert titles == ["Kept 0", "Kept 1", "Kept 2"]
        assert check_store(reopened).ok
