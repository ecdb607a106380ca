"""``storykeeper backup`` and ``storykeeper restore`` as the installed program runs them, in a
child process: progress on standard error, the result on standard output, one plain line when
something is wrong (a damaged backup, a full disk), and a restore that works when the current
database is the damaged one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storykeeper.core import backups, restore
from storykeeper.core.db import Store
from storykeeper.paths import DATA_DIR_ENV, DATABASE_NAME, DataPaths, resolve_paths
from tests.backup_stores import attach, fill, holdings
from tests.factories import make_story
from tests.full_disk import fill as fill_the_disk
from tests.full_disk import small_disk

#: A guard against a child that hangs, not a measure of speed.
CHILD_DEADLINE = 300
NEVER_SHOWN = ("Traceback", "SELECT ", "sqlalche.me", "Tomatoes every August", "Arthur")


def program(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DATA_DIR_ENV}
    return subprocess.run(
        [sys.executable, "-m", "storykeeper", "--data-dir", str(data_dir), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE,
        check=False,
    )


@pytest.fixture
def filled(tmp_path: Path) -> DataPaths:
    """A plain store with two stories and their files (the window's, or a script's, store)."""
    paths = resolve_paths(tmp_path / "advocate")
    with Store.open(paths) as store:
        fill(store, tmp_path / "files")
    return paths


def test_backup_then_restore_from_the_command_line(filled: DataPaths, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    with Store.open(filled) as store:
        before = holdings(store)  # the backup itself is written in the audit log after it

    made = program(filled.data_dir, "backup", "--to", str(usb))

    assert made.returncode == 0, made.stderr
    (folder,) = backups.list_backups(usb)
    assert f"Backed up to:  {folder}" in made.stdout
    assert "Media files:   2 (2 copied, 0 already in an earlier backup)" in made.stdout
    assert "Copying the media files… 100%" in made.stderr
    assert "not encrypted" in made.stderr  # a plain store's backup says so
    with Store.open(filled) as store:
        make_story(store, title="Written after the backup", teller="Edna Morris")

    # Not a terminal and no --yes: checked, then nothing done.
    asked = program(filled.data_dir, "restore", str(usb))
    assert asked.returncode == 1
    assert "is whole and can be restored: add --yes" in asked.stderr
    with Store.open(filled) as store:
        assert len(holdings(store).stories) == 3

    restored = program(filled.data_dir, "restore", str(usb), "--yes")

    assert restored.returncode == 0, restored.stderr
    assert "Stories:                  2" in restored.stdout
    assert "People:                   4" in restored.stdout
    assert "Earlier stories kept in:" in restored.stdout
    assert "Checking the backup… 100%" in restored.stderr
    with Store.open(filled) as store:
        assert holdings(store) == before
    listed = program(filled.data_dir, "list")
    assert "The allotment" in listed.stdout
    assert "Written after the backup" not in listed.stdout


def test_a_damaged_backup_is_one_line_and_nothing_changes(
    filled: DataPaths, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    assert program(filled.data_dir, "backup", "--to", str(usb)).returncode == 0
    (folder,) = backups.list_backups(usb)
    database = folder / DATABASE_NAME
    data = bytearray(database.read_bytes())
    data[-100] ^= 0x01
    database.write_bytes(bytes(data))
    before = filled.database.read_bytes()

    ran = program(filled.data_dir, "restore", str(folder), "--yes")

    assert ran.returncode == 1
    errors = [line for line in ran.stderr.splitlines() if "error" in line]
    assert errors == [
        f"storykeeper: error: The backup {folder.name} cannot be restored: its database has "
        "changed since the backup was made. Nothing was changed; choose another backup."
    ]
    assert [w for w in NEVER_SHOWN if w in ran.stderr] == []
    assert filled.database.read_bytes() == before
    assert list(restore.iter_aside(filled.data_dir)) == []


def test_restore_when_the_current_database_is_damaged(filled: DataPaths, tmp_path: Path) -> None:
    """The moment a person needs a restore most: the store no longer opens."""
    usb = tmp_path / "usb"
    usb.mkdir()
    assert program(filled.data_dir, "backup", "--to", str(usb)).returncode == 0
    filled.database.write_bytes(b"this is no longer a database " * 1000)
    refused = program(filled.data_dir, "list")
    assert refused.returncode == 1, "the current store no longer opens"

    ran = program(filled.data_dir, "restore", str(usb), "--yes")

    assert ran.returncode == 0, ran.stderr
    assert "Stories:                  2" in ran.stdout
    assert "The allotment" in program(filled.data_dir, "list").stdout
    (aside,) = restore.iter_aside(filled.data_dir)
    assert (aside / DATABASE_NAME).read_bytes().startswith(b"this is no longer a database")


@pytest.mark.parametrize("room", ["none", "some"])
def test_backup_to_a_full_stick(filled: DataPaths, tmp_path: Path, room: str) -> None:
    """A real small disk: full before the database copy ("none"), or filling up during the
    media files (a 1 MB disk, 1.1 MB of files)."""
    with Store.open(filled) as store:
        story_id = sorted(holdings(store).stories)[0]
        attach(store, story_id, tmp_path / "files", "long.flac", os.urandom(1_100_000))
    with small_disk(tmp_path / "usb", "1m") as usb:
        if room == "none":
            fill_the_disk(usb)

        ran = program(filled.data_dir, "backup", "--to", str(usb))

        assert ran.returncode == 1, ran.stdout
        errors = [line for line in ran.stderr.splitlines() if "error" in line]
        assert errors == [
            f"storykeeper: error: The disk holding {usb} is full: free some space on it and try "
            "again. No backup was made, and nothing was left half-made."
        ]
        assert [w for w in NEVER_SHOWN if w in ran.stderr] == []
        assert [p.name for p in usb.iterdir() if p.name.startswith((".", "Storykeeper"))] == []
        assert list(usb.rglob(".*")) == [], "no half-copied media file either"
    with Store.open(filled) as store, store.read() as session:
        assert backups.last_backup_at(session) is None


HOLD_THE_STORE_OPEN = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT count(*) FROM stories").fetchone()
print("open", flush=True)
sys.stdin.readline()
"""


def test_restore_waits_for_another_storykeeper_to_close(filled: DataPaths, tmp_path: Path) -> None:
    """A second process with the store open (as a window would have it): restore refuses in
    one line with nothing changed, and works once it has closed."""
    usb = tmp_path / "usb"
    usb.mkdir()
    assert program(filled.data_dir, "backup", "--to", str(usb)).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_STORE_OPEN, str(filled.database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        before = filled.database.read_bytes()

        ran = program(filled.data_dir, "restore", str(usb), "--yes")

        assert ran.returncode == 1
        assert ran.stderr.splitlines()[-1] == (
            f"storykeeper: error: Storykeeper has the stories in {filled.data_dir} open (the "
            "window, or a command in another terminal): close it, then try again. Nothing was "
            "changed."
        )
        assert filled.database.read_bytes() == before
        assert list(restore.iter_aside(filled.data_dir)) == []
    finally:
        holder.communicate("\n", timeout=CHILD_DEADLINE)

    assert program(filled.data_dir, "restore", str(usb), "--yes").returncode == 0
