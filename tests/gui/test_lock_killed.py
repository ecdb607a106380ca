"""A locked window killed outright (kill -9: a flat battery, a forced shutdown) leaves a store
that opens with the passphrase, passes its check, and holds what was typed before the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from storykeeper.core import stories
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.core.store_keys import StoreKeys
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.locking import PASSPHRASE, encrypted_store
from tests.pipes import next_line

WORDS = "We walked to the lock-keeper's cottage every Sunday."

# The child types into a real window, locks it by Ctrl+L, says so once the words are in the
# store, and waits to be killed: SIGKILL, so nothing in it gets a chance to tidy up.
LOCKED_TYPIST = f"""
import sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from storykeeper.core.db import Store
from storykeeper.core.store_keys import StoreKeys
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import resolve_paths

app = QApplication([])
paths = resolve_paths()
store = Store.open(paths, store_key=StoreKeys(paths.data_dir).with_passphrase(sys.argv[2]))
context = AppContext(store, paths)
context.settings.open_story = sys.argv[1]
window = MainWindow(context)
window.show()
editor = window.editor

def saved(_story_id):
    if window.app_lock.locked and editor.saver.idle:
        print("locked and saved", flush=True)

def when_open():
    if editor.story is None:
        QTimer.singleShot(20, when_open)
        return
    editor.saved.connect(saved)
    editor.own_words.setFocus()
    QTest.keyClicks(editor.own_words, {WORDS!r})
    QTest.keyClick(editor.own_words, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    print("locked" if window.app_lock.locked else "not locked", flush=True)

QTimer.singleShot(0, when_open)
app.exec()
"""


def test_a_locked_window_killed_leaves_a_store_that_opens_and_passes_its_check(
    paths: DataPaths,
) -> None:
    with encrypted_store(paths) as (store, _made):
        story = make_story(store, title="Sundays", own_words="")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "STORYKEEPER_DATA_DIR": str(paths.data_dir),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", LOCKED_TYPIST, story.id, PASSPHRASE],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert next_line(child.stdout, 60, "the lock").strip() == "locked"
        assert next_line(child.stdout, 30, "the save").strip() == "locked and saved"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    with Store.open(
        paths, store_key=StoreKeys(paths.data_dir).with_passphrase(PASSPHRASE)
    ) as store:
        assert check_store(store).ok
        with store.read() as session:
            assert stories.get_story(session, story.id).own_words == WORDS
