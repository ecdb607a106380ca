"""Sorting the list by keys: View → Sort the list, the headings' orders for those who cannot
reach a heading, and back to the search's own order."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.story_table import Column
from tests.factories import make_story

ALT = Qt.KeyboardModifier.AltModifier


def choose(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    """Alt+V opens View, O its "Sort the list", then the choice's own letter."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_V, ALT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    view = QApplication.activePopupWidget()
    qtbot.keyClick(view, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() not in (None, view))
    qtbot.keyClick(QApplication.activePopupWidget(), key)


def titles(window: MainWindow) -> list[str]:
    model = window.list_page.model
    return [model.summary(row).title for row in range(model.rowCount())]  # type: ignore[union-attr]


def test_the_list_is_sorted_from_the_menu_and_back_to_best_matches(
    qtbot: QtBot, window: MainWindow
) -> None:
    store = window.context.store
    make_story(store, title="Bus", own_words="The garden bus.")
    make_story(store, title="All about the garden", own_words="Garden, garden, my garden.")
    make_story(store, title="Cake", own_words="Cake in the garden.")
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: titles(window) == ["Cake", "All about the garden", "Bus"])

    choose(qtbot, window, Qt.Key.Key_I)  # Title, A to Z
    qtbot.waitUntil(lambda: titles(window) == ["All about the garden", "Bus", "Cake"])
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == Column.TITLE
    ticked = [a.text() for a in window.sort_group.actions() if a.isChecked()]
    assert ticked == ["T&itle, A to Z"]

    page.search.setFocus()
    qtbot.keyClicks(page.search, "garden")  # sorted by title, the search keeps that order
    qtbot.waitUntil(lambda: page.model.story_filter.text == "garden")
    qtbot.waitUntil(lambda: titles(window) == ["All about the garden", "Bus", "Cake"])

    choose(qtbot, window, Qt.Key.Key_B)  # best matches first again: "Cake" is newest
    qtbot.waitUntil(lambda: titles(window)[:1] == ["All about the garden"])
    assert set(titles(window)) == {"All about the garden", "Bus", "Cake"}
    assert header.sortIndicatorSection() == Column.UPDATED
    ticked = [a.text() for a in window.sort_group.actions() if a.isChecked()]
    assert ticked == ["&Best matches first when searching, else newest"]


def test_a_heading_clicked_ticks_its_order_in_the_menu(qtbot: QtBot, window: MainWindow) -> None:
    header = window.list_page.table.horizontalHeader()
    at = header.sectionViewportPosition(Column.TITLE) + header.sectionSize(Column.TITLE) // 2

    def ticked() -> list[str]:
        return [a.text() for a in window.sort_group.actions() if a.isChecked()]

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(at, 5))
    qtbot.waitUntil(lambda: header.sortIndicatorSection() == Column.TITLE)
    first = header.sortIndicatorOrder()
    qtbot.waitUntil(lambda: bool(ticked()) == (first == Qt.SortOrder.AscendingOrder))
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(at, 5))
    qtbot.waitUntil(lambda: header.sortIndicatorOrder() != first)
    # Title A to Z is offered, Z to A is not: whichever it is now, the menu says so.
    expected = (
        ["T&itle, A to Z"] if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder else []
    )
    assert ticked() == expected
