"""Deleting stories chosen together while another Storykeeper holds the store's write lock (a
second connection holding BEGIN IMMEDIATE, as a long import does): one line a person can act
on, every story still there, and the same choice works once the lock is gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import db, search
from storykeeper.core.db import Store
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.failing_store import HeldWriteLock

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def store(paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    # Another program's lock is waited for this long before a write fails: short here.
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    with Store.open(paths) as opened:
        yield opened


def _count(window: MainWindow) -> int:
    with window.context.store.read() as session:
        return search.search_stories(session).total


def test_a_held_lock_is_said_in_one_line_and_nothing_is_deleted(
    qtbot: QtBot, window: MainWindow, paths: DataPaths
) -> None:
    for n in range(3):
        make_story(window.context.store, title=f"Story {n}")
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(lambda: page.selection.several())

    lock = HeldWriteLock(paths.database)
    said: list[str] = []

    def warned(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    try:
        when_dialog_opens(lambda box: qtbot.keyClick(box, Qt.Key.Key_D, ALT), QMessageBox)
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)  # returns once the question is answered
        when_dialog_opens(warned, QMessageBox)  # then what went wrong
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    finally:
        lock.release()
    assert said == [
        "The stories were not deleted. Storykeeper is busy in another window (an import, "
        "perhaps). Nothing was deleted: try again in a moment."
    ]
    assert page.selection.chosen_label.text() == "· 3 selected"  # still chosen, to try again
    assert _count(window) == 3
    assert not page.selection.progress.isVisible()

    # Once the other program is done, the same choice deletes them.
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.waitUntil(lambda: page.selection.several())
    when_dialog_opens(lambda box: qtbot.keyClick(box, Qt.Key.Key_D, ALT), QMessageBox)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.selection.chosen_label.text() == "Deleted 3 stories.")
    assert _count(window) == 0
