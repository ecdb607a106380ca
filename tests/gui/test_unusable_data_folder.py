"""A data folder the program cannot use: the window says why and what to do, and exits non-zero.

Someone who starts Storykeeper from a menu never sees the command line's error line, so a folder
that cannot be written (read-only, on a read-only disk, or not creatable) must be explained in a
dialog. Each case runs the real program in a child process on the offscreen platform. The child
is driven from inside (``DRIVER``): it reports the first dialog to appear and closes it, as a
person would, or reports that the main window opened instead and closes that.

Root ignores permission bits, and the tests run as root in CI, so "read-only" is made real with
read-only mounts: a bind mount remounted read-only, or a tmpfs mounted read-only, each in a
private mount namespace (``unshare --mount``; ``--user --map-root-user`` as well when not root),
so nothing outside the child ever sees them.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from storykeeper.core.db import Store
from storykeeper.paths import DATABASE_NAME, resolve_paths

# Runs main() as the installed program would, after making the QApplication itself so that a
# timer can watch for what appears. Whatever shows first is reported on stdout and closed.
DRIVER = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from storykeeper.__main__ import main

app = QApplication(sys.argv[:1])

def look():
    dialog = app.activeModalWidget()
    if isinstance(dialog, QMessageBox):
        shown = {"title": dialog.windowTitle(), "text": dialog.text()}
        print("dialog " + json.dumps(shown), flush=True)
        dialog.done(0)
        return
    if any(w.isVisible() for w in app.topLevelWidgets()):
        print("window opened", flush=True)
        for widget in app.topLevelWidgets():
            widget.close()
        return
    QTimer.singleShot(20, look)

QTimer.singleShot(0, look)
code = main(sys.argv[1:])
print(f"exit {code}", flush=True)
sys.exit(code)
"""

#: A guard against a child that hangs, not a measure of speed.
CHILD_DEADLINE = 120


def private_mounts() -> list[str]:
    """The command prefix that runs a shell in a mount namespace of its own."""
    if os.geteuid() == 0:
        return ["unshare", "--mount", "--"]
    return ["unshare", "--user", "--map-root-user", "--mount", "--"]


@pytest.fixture(scope="module")
def can_mount(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fail clearly, once, where read-only mounts cannot be made (rather than pass untested)."""
    probe = tmp_path_factory.mktemp("probe")
    made = subprocess.run(
        [*private_mounts(), "sh", "-c", f"mount -t tmpfs -o ro,size=64k tmpfs {probe}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.fail(
            "These tests need a read-only mount in a private mount namespace: run them as root, "
            "or where unprivileged user namespaces are allowed (`unshare --user --map-root-user "
            f"--mount` failed: {made.stderr.strip() or made.returncode})."
        )


def run_in_private_mounts(setup: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Make the mounts ``setup`` describes, then run Storykeeper (``arguments``) under DRIVER."""
    script = f'{setup}\nexec "$@"'
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("STORYKEEPER_DATA_DIR", None)
    return subprocess.run(
        [*private_mounts(), "sh", "-euc", script, "sh", sys.executable, "-c", DRIVER, *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_DEADLINE,
        check=False,
    )


def read_only_bind(path: Path) -> str:
    quoted = shlex.quote(str(path))
    return f"mount --bind {quoted} {quoted}\nmount -o remount,bind,ro {quoted}"


def existing_store(folder: Path) -> Path:
    with Store.open(resolve_paths(folder)):
        pass
    return folder


def assert_explained(
    ran: subprocess.CompletedProcess[str], folder: Path, *reason_words: str
) -> None:
    """A dialog titled and worded for a person, the same one line on stderr, exit status 1."""
    lines = ran.stdout.splitlines()
    assert lines and lines[0].startswith("dialog "), (
        f"no dialog was shown; the child said {ran.stdout!r} and {ran.stderr[-2000:]!r}"
    )
    shown = json.loads(lines[0].removeprefix("dialog "))
    assert shown["title"] == "Storykeeper cannot start"
    text = shown["text"]
    assert str(folder) in text
    for word in reason_words:
        assert word in text
    assert "--data-dir" in text
    assert "Traceback" not in text and "Error" not in text
    assert lines[1:] == ["exit 1"]
    (error_line,) = [line for line in ran.stderr.splitlines() if line.startswith("storykeeper")]
    assert error_line.startswith("storykeeper: error: cannot use the data folder")
    assert "Traceback" not in ran.stderr
    assert ran.returncode == 1


def test_a_folder_that_cannot_be_created(tmp_path: Path, can_mount: None) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "data"
    ran = run_in_private_mounts(":", "--data-dir", str(folder))
    assert_explained(ran, folder, "is a file, not a folder")


def test_a_read_only_folder(tmp_path: Path, can_mount: None) -> None:
    folder = existing_store(tmp_path / "data")
    ran = run_in_private_mounts(read_only_bind(folder), "--data-dir", str(folder))
    assert_explained(ran, folder, "read-only")


def test_a_read_only_database_file(tmp_path: Path, can_mount: None) -> None:
    folder = existing_store(tmp_path / "data")
    database = folder / DATABASE_NAME
    ran = run_in_private_mounts(read_only_bind(database), "--data-dir", str(folder))
    assert_explained(ran, folder, str(database), "read-only")


def test_a_folder_on_a_read_only_disk(tmp_path: Path, can_mount: None) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    folder = disk / "storykeeper"
    quoted = shlex.quote(str(disk))
    # A disk that was written once (the folder is there, empty) and is now mounted read-only.
    setup = (
        f"mount -t tmpfs -o size=1m tmpfs {quoted}\n"
        f"mkdir {shlex.quote(str(folder))}\n"
        f"mount -o remount,ro {quoted}"
    )
    ran = run_in_private_mounts(setup, "--data-dir", str(folder))
    assert_explained(ran, folder, "read-only")


def test_a_folder_this_user_may_not_write() -> None:
    # Somewhere every user can reach (pytest's own folders are its owner's alone).
    with tempfile.TemporaryDirectory() as shared:
        Path(shared).chmod(0o755)
        folder = existing_store(Path(shared) / "data")
        folder.chmod(0o555)
        # Root may write anywhere, so the child runs as nobody when the tests run as root.
        as_another = (
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
            if os.geteuid() == 0
            else []
        )
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": shared}
        env.pop("STORYKEEPER_DATA_DIR", None)
        ran = subprocess.run(
            [*as_another, sys.executable, "-c", DRIVER, "--data-dir", str(folder)],
            capture_output=True,
            text=True,
            env=env,
            cwd=shared,
            timeout=CHILD_DEADLINE,
            check=False,
        )
        folder.chmod(0o700)
    assert_explained(ran, folder, "no permission to write to it")


def test_without_a_screen_the_window_says_it_in_one_line(tmp_path: Path) -> None:
    """Started where there is no screen at all (over ssh, say): the line, and no crash of Qt's
    trying to show the dialog (it aborted, exit status 134, with a page of plugin messages)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "STORYKEEPER_DATA_DIR")
    }
    ran = subprocess.run(
        [sys.executable, "-m", "storykeeper", "--data-dir", str(blocker / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_DEADLINE,
        check=False,
    )
    assert (ran.returncode, ran.stderr.splitlines()) == (
        1,
        [
            f"storykeeper: error: cannot use the data folder {blocker / 'data'}: {blocker} is a "
            "file, not a folder. Choose another folder with --data-dir DIR, or move that file "
            "away."
        ],
    )


def test_the_command_line_says_it_in_one_line(tmp_path: Path, can_mount: None) -> None:
    folder = existing_store(tmp_path / "data")
    database = folder / DATABASE_NAME
    script = f'{read_only_bind(database)}\nexec "$@"'
    ran = subprocess.run(
        [
            *private_mounts(),
            *("sh", "-euc", script, "sh", sys.executable, "-m", "storykeeper"),
            *("--data-dir", str(folder), "demo-data", "--stories", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE,
        check=False,
    )
    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        f"storykeeper: error: cannot use the data folder {folder}: the database {database} is "
        "on a read-only disk. Choose another folder with --data-dir DIR, or make the disk "
        "writable."
    ]
