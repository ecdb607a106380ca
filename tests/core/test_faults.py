"""The one classifier of machine faults, fed real errors: from SQLite (SQLITE_FULL through
SQLAlchemy, a held lock, a file that is not a database), from Python's file writes and from
pyrage on a real full disk; and ``describe``, which logs an error without its words."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from storykeeper.core import faults
from storykeeper.core.errors import DiskFullError
from tests.full_disk import fill, small_disk


def sqlite_full(database: Path) -> OperationalError:
    """SQLITE_FULL from a database that may not grow (``max_page_count``), through SQLAlchemy."""
    engine = create_engine(f"sqlite:///{database}", hide_parameters=True)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (words TEXT)")
        with pytest.raises(OperationalError) as caught, engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA max_page_count = 3")
            connection.execute(text("INSERT INTO t VALUES (:w)"), {"w": "Her own words " * 9000})
        return caught.value
    finally:
        engine.dispose()


def test_sqlite_full_through_sqlalchemy_is_a_full_disk(tmp_path: Path) -> None:
    error = sqlite_full(tmp_path / "small.sqlite3")
    assert faults.is_disk_full(error)
    assert not faults.is_locked(error) and not faults.is_damaged(error)
    assert faults.disk_full(error, tmp_path) is not None


def test_writing_a_file_on_a_full_disk_is_a_full_disk(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "64k") as disk, pytest.raises(OSError) as caught:
        (disk / "big").write_bytes(bytes(200_000))
    assert faults.is_disk_full(caught.value)


def test_pyrage_on_a_full_disk_is_a_full_disk(tmp_path: Path) -> None:
    """pyrage says it only in words ("No space left on device (os error 28)")."""
    source = tmp_path / "source.zip"
    source.write_bytes(bytes(300_000))
    recipient = x25519.Identity.generate().to_public()
    with (
        small_disk(tmp_path / "stick", "64k") as stick,
        pytest.raises(pyrage.EncryptError) as caught,
    ):
        pyrage.encrypt_file(str(source), str(stick / "sealed.age"), [recipient])
    assert faults.is_disk_full(caught.value)
    made = faults.disk_full(caught.value, stick, "No bundle was written.")
    assert isinstance(made, DiskFullError)
    assert made.message == (
        f"The disk holding {stick} is full: free some space on it and try again. No bundle was "
        "written."
    )


def test_an_io_error_counts_as_a_full_disk_only_where_there_is_no_room(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        database = disk / "store.sqlite3"
        made = sqlite3.connect(database)
        made.execute("PRAGMA journal_mode = WAL")
        made.execute("CREATE TABLE t (x)")
        made.close()
        (disk / "store.sqlite3-shm").unlink(missing_ok=True)
        fill(disk)
        with pytest.raises(sqlite3.OperationalError) as caught:
            opened = sqlite3.connect(database)
            try:
                opened.execute("SELECT count(*) FROM t").fetchall()
            finally:
                opened.close()
        assert caught.value.sqlite_errorcode & 0xFF == sqlite3.SQLITE_IOERR
        assert faults.is_disk_full(caught.value, disk)
        assert not faults.is_disk_full(caught.value, tmp_path)  # that disk has room
        assert not faults.is_disk_full(caught.value)  # and without a folder, no guess


def test_a_held_lock_and_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    database = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(database, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("INSERT INTO t VALUES (1)")
    other.close()
    holder.execute("ROLLBACK")
    holder.close()
    assert faults.is_locked(locked.value) and not faults.is_disk_full(locked.value)

    shopping = tmp_path / "list.sqlite3"
    shopping.write_bytes(b"eggs, milk, bread\n" * 200)
    with pytest.raises(sqlite3.DatabaseError) as damaged:
        sqlite3.connect(shopping).execute("SELECT * FROM sqlite_master").fetchall()
    assert faults.is_damaged(damaged.value) and not faults.is_disk_full(damaged.value)


def test_describe_names_the_kinds_and_never_the_words(tmp_path: Path) -> None:
    error = sqlite_full(tmp_path / "small.sqlite3")
    said = faults.describe(error)
    assert said.startswith("OperationalError caused by OperationalError [SQLITE_FULL]")
    assert "test_faults.py" in said  # where it happened
    assert "Her own words" not in said
    assert "INSERT" not in said
