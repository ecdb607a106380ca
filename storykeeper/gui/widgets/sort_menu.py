"""Sorting the story list from the keyboard: View → Sort the list.

The column headings sort the list, but only a mouse reaches them. This menu offers the same
orders to the keyboard (and to a screen reader, which reads the ticked one), and one more: the
search's own order, best matches first while searching and the newest changed otherwise, which
a heading, once clicked, gives up.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from storykeeper.gui.models.story_table import Column
from storykeeper.gui.pages.story_list import StoryListPage

ASCENDING = Qt.SortOrder.AscendingOrder
DESCENDING = Qt.SortOrder.DescendingOrder

#: (label, column, order); no column: the search's own order.
CHOICES: tuple[tuple[str, Column | None, Qt.SortOrder], ...] = (
    ("&Best matches first when searching, else newest", None, DESCENDING),
    ("&Newest changed first", Column.UPDATED, DESCENDING),
    ("&Oldest changed first", Column.UPDATED, ASCENDING),
    ("Date told, &earliest first", Column.TOLD, ASCENDING),
    ("Date told, &latest first", Column.TOLD, DESCENDING),
    ("T&itle, A to Z", Column.TITLE, ASCENDING),
    ("&Storyteller, A to Z", Column.STORYTELLER, ASCENDING),
)


def add_sort_menu(menu: QMenu, page: StoryListPage, owner: QObject) -> QActionGroup:
    """The submenu, its first choice ticked; a heading clicked ticks its own choice."""
    submenu = menu.addMenu("S&ort the list")
    group = QActionGroup(owner)
    # One ticked at most: a heading's order the menu does not offer (Title, Z to A) ticks none.
    group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
    for label, column, order in CHOICES:
        action = QAction(label, owner, checkable=True)
        action.setData((column, order))
        action.triggered.connect(partial(_sort, page, column, order))
        group.addAction(action)
        submenu.addAction(action)
    group.actions()[0].setChecked(True)

    def heading_clicked(section: int, order: Qt.SortOrder) -> None:
        for action in group.actions():
            if action.data() == (section, order):
                action.setChecked(True)
                return
        if group.checkedAction() is not None:
            group.checkedAction().setChecked(False)

    page.table.horizontalHeader().sortIndicatorChanged.connect(heading_clicked)
    return group


def _sort(page: StoryListPage, column: Column | None, order: Qt.SortOrder) -> None:
    if column is not None:
        page.table.sortByColumn(column, order)  # as a heading clicked: the model refreshes
        return
    # The search's own order, shown under the heading as the newest first. The heading's
    # signal is held back: it would sort as a person's choice and tick "Newest changed first".
    header = page.table.horizontalHeader()
    held = header.blockSignals(True)
    header.setSortIndicator(Column.UPDATED, DESCENDING)
    header.blockSignals(held)
    header.viewport().update()
    page.model.sort_as_searched()
