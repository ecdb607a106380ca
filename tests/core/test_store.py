"""Opening the store: pragmas, permissions, migrations, backups, a newer schema refused."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core import db
from storykeeper.core.db import Store, backup_database, head_revision
from storykeeper.core.errors import NewerStoreError, StoreError
from storykeeper.paths import DataPaths


def test_connection_settings(store: Store) -> None:
    with store.read() as session:
        pragma = lambda name: session.execute(text(f"PRAGMA {name}")).scalar_one()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == db.BUSY_TIMEOUT_MS


def test_new_store_is_private_and_at_head(store: Store, paths: DataPaths) -> None:
    assert stat.S_IMODE(paths.database.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
    assert db.current_revision(store.engine) == head_revision()
    # A brand-new store has nothing to back up.
    assert list(paths.backups_dir.iterdir()) == []


def test_device_id_is_stable(paths: DataPaths) -> None:
    with Store.open(paths) as first:
        device = first.device_id
    with Store.open(paths) as again:
        assert again.device_id == device


def test_store_from_older_schema_is_backed_up_before_upgrade(paths: DataPaths) -> None:
    paths.ensure()
    engine = db.create_sqlite_engine(paths.database)
    with engine.begin() as connection:
        from alembic import command

        command.upgrade(db.migrations_config(connection), "0001")
    engine.dispose()

    with Store.open(paths) as store:
        assert db.current_revision(store.engine) == head_revision()
    backups = sorted(paths.backups_dir.glob("*.sqlite3"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_only_the_newest_backups_are_kept(paths: DataPaths, plain_store: Store) -> None:
    made = [
        backup_database(paths.database, paths.backups_dir, f"n{i}")
        for i in range(db.BACKUPS_KEPT + 3)
    ]
    kept = sorted(paths.backups_dir.glob("*.sqlite3"))
    assert kept == sorted(made[-db.BACKUPS_KEPT :])
    assert not list(paths.backups_dir.glob("*.partial"))


def test_database_from_a_newer_program_is_refused_untouched(paths: DataPaths) -> None:
    with Store.open(paths) as store, store.write(actor="test") as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    before = paths.database.read_bytes()
    with pytest.raises(NewerStoreError, match="newer Storykeeper"):
        Store.open(paths)
    assert paths.database.read_bytes() == before


def test_a_file_that_is_not_a_database_gives_a_clear_error(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.write_bytes(b"this is a shopping list, not a database\n" * 100)
    with pytest.raises(StoreError, match="Cannot open the database") as caught:
        Store.open(paths)
    assert "is damaged or is not a Storykeeper database (SQLite says: file is not a database)" in (
        caught.value.message
    )
    assert "sqlalche.me" not in caught.value.message
    assert str(paths.backups_dir) in caught.value.message
    assert paths.database.read_bytes().startswith(b"this is a shopping list")


def test_writes_are_serial_across_threads(store: Store) -> None:
    """Many threads writing at once never see "database is locked" and lose nothing."""
    from storykeeper.core import people

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                with store.write(actor=f"thread {n}") as session:
                    people.create_storyteller(session, f"Person {n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM storytellers")).scalar_one() == 60


def test_nested_write_is_refused_rather_than_deadlocking(store: Store) -> None:
    with (
        store.write(actor="test"),
        pytest.raises(RuntimeError, match="not re-entrant"),
        store.write(actor="test"),
    ):
        pass


def test_failed_write_rolls_back_everything(store: Store) -> None:
    from storykeeper.core import people

    with pytest.raises(ZeroDivisionError), store.write(actor="test") as session:
        people.create_storyteller(session, "Someone")
        1 / 0  # noqa: B018
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM storytellers")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 0


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    """The first creates and migrates; the others wait for its lock and find the work done."""
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(tmp_path / "shared")}
    code = "from storykeeper.__main__ import main; raise SystemExit(main(['stats', '--json']))"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    # communicate() reads both pipes while it waits: wait() first could block on a full pipe.
    said = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err for _, err in said]
    assert [json.loads(out)["stories"] for out, _ in said] == [0, 0, 0, 0]


def test_planner_statistics_are_gathered_when_the_store_has_grown(paths: DataPaths) -> None:
    """Without them SQLite picks slow plans at 100,000 stories (docs/performance.md)."""
    from sqlalchemy import select

    from storykeeper.core import demo
    from storykeeper.core.db import PLANNER_STATISTICS_KEY
    from storykeeper.core.models import SettingRow

    def counted(store: Store) -> str | None:
        with store.read() as session:
            return session.scalar(
                select(SettingRow.value).where(SettingRow.key == PLANNER_STATISTICS_KEY)
            )

    with Store.open(paths) as store:
        assert counted(store) is None  # nearly empty: statistics would only mislead later
        demo.generate(store, stories=1200, seed=3)
        assert counted(store) == "1200"
        with store.read() as session:
            tables = {row[0] for row in session.execute(text("SELECT tbl FROM sqlite_stat1"))}
        assert "stories" in tables
