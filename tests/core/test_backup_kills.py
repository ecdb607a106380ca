"""Kill -9 during a restore leaves the current store or the restored one, never neither; kill -9
during a backup leaves nothing under a backup's name.

Each run is a real child process that sends itself SIGKILL just before its n-th rename (every
file the restore or the backup puts in place arrives by a rename), for every n until a run
finishes, so every step between two renames is a place a kill lands once.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from storykeeper.core import backups, restore
from storykeeper.core.db import Store
from storykeeper.paths import DataPaths
from tests.backup_stores import Holdings, fill, holdings
from tests.factories import make_story

#: A guard against a child that hangs, not a measure of speed.
CHILD_DEADLINE = 120

KILLED_AT_THE_NTH_RENAME = """
import os, signal, sys
from pathlib import Path

nth = int(sys.argv[1])
seen = 0


def killing(real):
    def rename(*args, **kwargs):
        global seen
        seen += 1
        if seen == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    return rename


os.replace = killing(os.replace)
os.rename = killing(os.rename)

from storykeeper.core import backups, restore
from storykeeper.core.db import Store
from storykeeper.paths import DataPaths

data_dir, usb = Path(sys.argv[2]), Path(sys.argv[3])
key, what = bytes.fromhex(sys.argv[4]), sys.argv[5]
paths = DataPaths(data_dir, data_dir / "logs")
if what == "restore":
    restore.restore_backup(paths, usb, known_key=key)
else:
    with Store.open(paths, key) as store:
        backups.make_backup(store, usb)
"""


def run_killed_at(nth: int, data_dir: Path, usb: Path, key: bytes, what: str) -> int:
    arguments = (str(nth), str(data_dir), str(usb), key.hex(), what)
    child = subprocess.run(
        [sys.executable, "-c", KILLED_AT_THE_NTH_RENAME, *arguments],
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE,
        check=False,
    )
    assert child.returncode in (0, -signal.SIGKILL), child.stderr[-2000:]
    return child.returncode


def tree(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_kill_during_restore_leaves_one_whole_store(
    store: Store, store_key: bytes, paths: DataPaths, tmp_path: Path
) -> None:
    fill(store, tmp_path / "files")
    restored_holdings = holdings(store)
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)
    make_story(store, title="Written after the backup", teller="Edna Morris")
    current_holdings = holdings(store)
    store.close()
    original = tmp_path / "original"
    shutil.copytree(paths.data_dir, original)
    backup_before = tree(usb)

    finished = False
    nth = 0
    outcomes: list[str] = []
    while not finished:
        nth += 1
        assert nth < 50, "the restore never finished"
        shutil.rmtree(paths.data_dir)
        shutil.copytree(original, paths.data_dir)
        finished = run_killed_at(nth, paths.data_dir, usb, store_key, "restore") == 0

        # What the next start does first, then the store opens whole: one or the other.
        restore.finish_interrupted_restore(paths)
        with Store.open(paths, store_key) as reopened:
            found: Holdings = holdings(reopened)
        assert found in (current_holdings, restored_holdings), f"killed at rename {nth}"
        outcomes.append("restored" if found == restored_holdings else "current")
        assert not (paths.data_dir / backups.STAGED_NAME).exists()
        assert not (paths.data_dir / backups.JOURNAL_NAME).exists()
        # Nothing of the current store is ever lost: here, or kept aside.
        if found == restored_holdings:
            aside = next(restore.iter_aside(paths.data_dir))
            with Store.open(DataPaths(aside, tmp_path / "logs"), store_key) as kept:
                assert holdings(kept) == current_holdings

    assert outcomes[-1] == "restored"
    assert "current" in outcomes and outcomes.count("restored") >= 2, outcomes
    assert tree(usb) == backup_before, "a restore never writes to the backup"


def test_kill_during_backup_leaves_nothing_under_a_backups_name(
    store: Store, store_key: bytes, paths: DataPaths, tmp_path: Path
) -> None:
    fill(store, tmp_path / "files")
    store.close()
    usb = tmp_path / "usb"
    usb.mkdir()

    finished = False
    nth = 0
    while not finished:
        nth += 1
        assert nth < 50, "the backup never finished"
        finished = run_killed_at(nth, paths.data_dir, usb, store_key, "backup") == 0
        for folder in usb.iterdir():
            if folder.name.startswith(backups.BACKUP_PREFIX):
                backups.check_backup(folder)  # whole, or not there under this name

    assert nth > 2, "the kills landed before any file was written"
    # The next backup clears what the killed ones left, and is whole.
    with Store.open(paths, store_key) as reopened:
        made = backups.make_backup(reopened, usb)
    backups.check_backup(made.folder)
    assert list(usb.rglob(".*")) == []
