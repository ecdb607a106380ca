"""Killed mid-story (a power cut, a crash): what was typed is there, and the draft reopens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from storykeeper.core import stories
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.pipes import next_line

WORDS = "I was a nurse for forty years and now the nurses come to me."

# The child types into a real window as a person would, then reports each save. It is killed
# with SIGKILL, so nothing in it gets a chance to tidy up.
TYPIST = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import resolve_paths

app = QApplication([])
paths = resolve_paths()
store = Store.open(paths)
context = AppContext(store, paths)
context.settings.open_story = sys.argv[1]
window = MainWindow(context)
window.show()
editor = window.editor

def typed_and_saved(_story_id):
    if editor.own_words.toPlainText() == {WORDS!r}:
        print("saved", flush=True)

def start_typing():
    editor.saved.connect(typed_and_saved)
    editor.own_words.setFocus()
    QTest.keyClicks(editor.own_words, {WORDS!r})
    print("typed", flush=True)

def when_open():
    if editor.story is not None:
        start_typing()
    else:
        QTimer.singleShot(20, when_open)

QTimer.singleShot(0, when_open)
app.exec()
"""


@pytest.fixture
def store(plain_store: Store) -> Store:
    """A plain store: the typist is a real second program that opens the data folder as it is,
    without a key (a sealed draft's own crash safety is tested in tests/core/test_drafts.py)."""
    return plain_store


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    return next_line(process.stdout, timeout, "the typist").strip()


def test_killed_right_after_typing_keeps_the_words_and_reopens_the_draft(
    qtbot: QtBot, paths: DataPaths, make_window: Callable[[], MainWindow], context: AppContext
) -> None:
    with Store.open(paths) as store:
        story = make_story(store, title="Forty years", own_words="")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "STORYKEEPER_DATA_DIR": str(paths.data_dir),
    }
    typist = subprocess.Popen(
        [sys.executable, "-c", TYPIST, story.id],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert read_line(typist, timeout=60) == "typed"
        # Autosave runs at most two seconds after the last key: allow for a slow machine.
        assert read_line(typist, timeout=30) == "saved"
    finally:
        typist.send_signal(signal.SIGKILL)
        typist.wait()
    assert typist.returncode == -signal.SIGKILL

    with Store.open(paths) as store:
        with store.read() as session:
            assert stories.get_story(session, story.id).own_words == WORDS
        assert check_store(store).ok

    # Starting again opens the draft where it was left, words and all. (The test's window
    # services were made before the typist ran: read the settings file afresh, as a new start.)
    context.settings.sync()
    window = make_window()
    qtbot.waitUntil(lambda: window.editor.story is not None)
    assert window.pages.currentWidget() is window.editor
    assert window.editor.own_words.toPlainText() == WORDS
    assert window.editor.own_words.hasFocus()
