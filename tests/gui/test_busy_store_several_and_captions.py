"""Deleting stories chosen together, and describing a photo, while another Storykeeper holds the
store's write lock (a second connection holding BEGIN IMMEDIATE, as a long import does): one
line a person can act on, nothing lost, and the same action works once the lock is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import db, search
from storykeeper.core.attachments import add_attachment, list_attachments
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


def test_a_description_not_saved_for_a_held_lock_says_so_and_stays_to_try_again(
    qtbot: QtBot, window: MainWindow, paths: DataPaths, tmp_path: Path
) -> None:
    store = window.context.store
    story = make_story(store)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 a letter from the council")
    with store.write(actor="test") as session:
        add_attachment(session, store.media, story.id, letter)
    panel = window.editor.attachments
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        window.open_story(story.id)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    panel.caption.focus()
    qtbot.waitUntil(panel.caption.edit.hasFocus)
    qtbot.keyClicks(panel.caption.edit, "The council's letter about the bus")

    lock = HeldWriteLock(paths.database)
    try:
        with qtbot.waitSignal(panel.caption.failed, timeout=10_000):
            qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Return)
    finally:
        lock.release()
    assert panel.status.text() == (
        "The description was not saved. Storykeeper is busy in another window (an import, "
        "perhaps). Press Enter in it again in a moment."
    )
    assert panel.caption.edit.text() == "The council's letter about the bus"  # still there

    with qtbot.waitSignal(panel.caption.saved, timeout=10_000):
        qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Return)
    with store.read() as session:
        (stored,) = list_attachments(session, story.id)
    assert stored.caption == "The council's letter about the bus"
