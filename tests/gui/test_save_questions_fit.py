"""The questions about unsaved words fit a small laptop screen at twice the text size, in high
contrast, with the longest title a story can have."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import db, stories
from storykeeper.core.db import Store
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.failing_store import HeldWriteLock

#: What a dialog gets on a 1280×800 screen, less the window manager's frame and panel.
ROOM = QSize(1240, 740)
LONGEST_TITLE = ("Wrth gwrs, " * 40)[: stories.TITLE_MAX]


@pytest.fixture
def store(paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)  # a held lock fails a save at once
    with Store.open(paths) as opened:
        yield opened


def fits(box: QWidget) -> None:
    needed = box.sizeHint().expandedTo(box.minimumSizeHint())
    assert needed.width() <= ROOM.width() and needed.height() <= ROOM.height(), needed


def test_quitting_and_the_next_starts_offer_fit_at_twice_the_text_size(
    qtbot: QtBot, window: MainWindow, make_window: Callable[[], MainWindow]
) -> None:
    window.context.set_text_scale(200)
    window.context.set_high_contrast(True)
    story = make_story(window.context.store, title=LONGEST_TITLE, teller="Gwenllian Pritchard")
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(window.editor.own_words.hasFocus)
    measured: list[str] = []

    def measure_then_quit(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        fits(box)
        measured.append(box.windowTitle())
        qtbot.keyClick(box, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)

    lock = HeldWriteLock(window.context.paths.database)
    try:
        qtbot.keyClicks(window.editor.own_words, " and then the rain came")
        when_dialog_opens(measure_then_quit, QMessageBox)
        qtbot.keyClick(window.editor.own_words, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    finally:
        lock.release()
    assert measured == ["Your latest words are not saved yet"]

    def measure_then_keep(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        fits(box)
        measured.append(box.windowTitle())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    when_dialog_opens(measure_then_keep, QMessageBox)
    make_window()
    qtbot.waitUntil(lambda: len(measured) == 2, timeout=10_000)
    assert measured[1] == "Words not saved before"
