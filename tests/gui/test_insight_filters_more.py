"""The insight page offers the story list's where-from, setting and how-told filters; its
"from N senders" agrees with them, and a chosen cell carries them into the list (issue 18 §1)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from storykeeper.core.vocabulary import Setting
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.pages.insight_page import InsightPage
from tests.core.filtered_stories import PRIYA, stories_from_everywhere

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_insight(qtbot: QtBot, window: MainWindow) -> InsightPage:
    page = window.insight_page
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    with qtbot.waitSignal(page.counted):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(page.chart.canvas.hasFocus)
    return page


def choose(qtbot: QtBot, page: InsightPage, combo: QComboBox, label: str) -> None:
    """Arrow keys up or down to ``label``; the page counts once the box rests."""
    combo.setFocus()
    wanted = combo.findText(label)
    step = Qt.Key.Key_Down if wanted > combo.currentIndex() else Qt.Key.Key_Up
    with qtbot.waitSignal(page.counted):
        for _ in range(abs(wanted - combo.currentIndex())):
            qtbot.keyClick(combo, step)
    assert combo.currentText() == label


def test_where_from_and_setting_narrow_the_count_and_the_drill_down_keeps_them(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    stories_from_everywhere(window.context.store)
    page = open_insight(qtbot, window)
    assert page.counts_label.text().endswith("from 2 senders and this computer.")
    assert page.sender_filter.accessibleName() == "Filter by where the story came from"
    qtbot.waitUntil(lambda: page.sender_filter.findText("Priya (advocate)") >= 0)

    choose(qtbot, page, page.sender_filter, "Priya (advocate)")
    assert page.counts_label.text().startswith("2 stories from 2 people")
    assert page.counts_label.text().endswith("from 1 sender.")
    choose(qtbot, page, page.setting_filter, Setting.HOME.label)
    assert page.counts_label.text().startswith("1 story from 1 person")

    page.chart.canvas.setFocus()
    list_page = window.list_page
    with qtbot.waitSignal(list_page.model.loaded):
        qtbot.keyClick(page.chart.canvas, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is list_page
    assert list_page.sender_filter.currentData() == PRIYA
    assert list_page.setting_filter.currentData() == Setting.HOME
    qtbot.waitUntil(lambda: list_page.count_label.text() == "1 story")

    choose(qtbot, page, page.sender_filter, "Written here")
    assert page.counts_label.text().startswith("1 story from 1 person")  # Ann's, at home
    assert "sender" not in page.counts_label.text()
    page.clear_filters()
    assert page.current_filter().sender is None and page.current_filter().setting is None
