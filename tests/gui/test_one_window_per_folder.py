"""One window per data folder (issue 20 §2): a second start on a folder already open hands its
bundles to the first window and ends; a window killed with kill -9 never blocks the next start;
a first window that cannot be reached is said plainly, and no second window opens."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.unlock import open_store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.dialogs.unlock import DialogAsker, UnlockDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.run import run_gui
from storykeeper.gui.single_instance import (
    SingleInstance,
    already_open_words,
    come_forward,
    server_name,
)
from storykeeper.paths import DataPaths
from tests.gui.answering import when_dialog_opens

ROOT = Path(__file__).resolve().parents[2]
#: A session bus that is not there: the keyring cannot be reached.
NO_BUS = "unix:path=/nonexistent/storykeeper-test-no-keyring"
#: Long enough for a loaded machine to start a Python process with Qt, and no longer.
STARTED_WITHIN_MS = 60_000
#: Another program's window on the folder: it claims the folder, says so, then does nothing
#: (no event loop: connections to it are never answered) until it is killed or told to go.
HOLDER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from storykeeper.gui.single_instance import SingleInstance
app = QCoreApplication([])
instance = SingleInstance(Path(sys.argv[1]))
print("claimed" if instance.claim() else "refused", flush=True)
sys.stdin.readline()
"""


def offscreen() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen")


def start_second(bundle: Path) -> subprocess.Popen[str]:
    """Storykeeper started again, as the desktop starts it for a double-clicked ``bundle``
    (from the folder it is in)."""
    return subprocess.Popen(
        [sys.executable, "-m", "storykeeper", "--open-bundle", bundle.name],
        cwd=bundle.parent,
        env=dict(offscreen(), PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def a_bundle(tmp_path: Path) -> Path:
    mail = tmp_path / "e-mail attachments"
    mail.mkdir()
    bundle = mail / "Storykeeper stories from Priya Shah, 7 December 2026.zip.age"
    bundle.write_bytes(b"age-encryption.org/v1\n")
    return bundle


@pytest.fixture
def holder(paths: DataPaths) -> Iterator[subprocess.Popen[str]]:
    """A second process holding the data folder, as a window open elsewhere would."""
    paths.ensure()
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(paths.data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=offscreen(),
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "claimed\n"
    yield process
    process.kill()
    process.wait()


def test_a_second_start_brings_the_first_window_forward_with_its_bundle(
    qtbot: QtBot, context: AppContext, paths: DataPaths, tmp_path: Path
) -> None:
    first = SingleInstance(paths.data_dir)
    assert first.claim()
    window = MainWindow(context)
    qtbot.addWidget(window)
    first.asked.connect(lambda bundles: come_forward(window, bundles))
    window.show()
    qtbot.waitExposed(window)
    bundle = a_bundle(tmp_path)
    seen: list[Path] = []

    def look_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportDialog)
        seen.extend(file.path for file in dialog.files)
        dialog.reject()  # as a person would with Esc: nothing imported

    when_dialog_opens(look_and_close, ImportDialog)
    second = start_second(bundle)
    try:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=STARTED_WITHIN_MS)
        qtbot.waitUntil(lambda: seen != [], timeout=STARTED_WITHIN_MS)
    finally:
        second.kill()
        _out, err = second.communicate()
        first.release()
        if shiboken6.isValid(window):
            window.close()
    assert second.returncode == 0, err
    assert seen == [bundle]


def test_a_second_start_while_the_first_asks_for_the_passphrase_is_answered(
    qtbot: QtBot, paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(paths, DialogAsker(paths, unattended=True)).close()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)  # the keyring lost: it must ask
    ended: list[int | None] = []

    def start_again_then_quit(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        second = start_second(a_bundle(tmp_path))
        try:
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=STARTED_WITHIN_MS)
        finally:
            second.kill()
            second.communicate()
        ended.append(second.returncode)
        assert QApplication.activeModalWidget() is dialog  # still asking, nothing else opened
        qtbot.keyClick(dialog, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)

    when_dialog_opens(start_again_then_quit, UnlockDialog)
    assert run_gui(paths) == 1  # the first start's Quit
    assert ended == [0]  # the second start handed its bundle over and ended


def test_a_window_killed_with_kill_9_never_blocks_the_next_start(
    qapp: QApplication, paths: DataPaths, holder: subprocess.Popen[str]
) -> None:
    assert not SingleInstance(paths.data_dir).claim()  # held while that process lives
    holder.kill()  # SIGKILL: its lock file and (on Linux) its socket file stay behind
    holder.wait()
    assert (paths.data_dir / "window.lock").exists()
    after = SingleInstance(paths.data_dir)
    try:
        assert after.claim()
        # And later starts reach it: it listens under the folder's name again.
        socket = QLocalSocket()
        socket.connectToServer(server_name(paths.data_dir))
        assert socket.waitForConnected(STARTED_WITHIN_MS), socket.errorString()
        socket.abort()
    finally:
        after.release()
    assert SingleInstance(paths.data_dir).claim()  # let go when released


def test_a_lock_left_on_another_computer_never_blocks_this_one(
    qapp: QApplication, paths: DataPaths
) -> None:
    """A data folder on a memory stick, last open on a laptop that crashed: the lock file that
    laptop left names its own process, which this computer cannot check."""
    paths.ensure()
    (paths.data_dir / "window.lock").write_text(
        "4242\npython3.11\nthe-office-laptop\n0123456789abcdef0123456789abcdef\nboot\n",
        encoding="utf-8",
    )
    taken = SingleInstance(paths.data_dir)
    try:
        assert taken.claim()
    finally:
        taken.release()


def test_a_first_window_that_does_not_answer_is_said_plainly(
    qtbot: QtBot, qapp: QApplication, paths: DataPaths, holder: subprocess.Popen[str]
) -> None:
    said: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        box.accept()

    when_dialog_opens(read_and_close, QMessageBox)
    assert run_gui(paths) == 1
    assert said == [already_open_words(paths.data_dir)]
    assert said[0] == (
        f"Storykeeper is already open for this data folder ({paths.data_dir}). Switch to its "
        "window, or close it and start Storykeeper again."
    )
    # No window was opened on the store.
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
