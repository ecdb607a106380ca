"""Ctrl+End in a long list goes to the last story, not the last of the rows loaded so far."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.core import demo, search
from storykeeper.core.search import SortBy, StoryFilter
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.story_table import PAGE_SIZE

STORIES = 2_000


def test_ctrl_end_goes_to_the_last_of_2000_stories(qtbot: QtBot, window: MainWindow) -> None:
    demo.generate(window.context.store, stories=STORIES, seed=20)
    page = window.list_page
    page.model.refresh()
    qtbot.waitUntil(lambda: page.model.total == STORIES and page.model.rowCount() > 0)
    assert page.model.rowCount() < STORIES  # one page so far: the rest come on demand
    with window.context.store.read() as session:
        last = search.search_stories(
            session,
            StoryFilter(),
            sort=SortBy.UPDATED,
            descending=True,
            offset=STORIES - 1,
            limit=PAGE_SIZE,
        ).items[0]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.table.currentIndex().row() == STORIES - 1, timeout=30_000)
    assert page.model.story_id(page.table.currentIndex().row()) == last.id
    assert page.table.selectionModel().isRowSelected(STORIES - 1)
