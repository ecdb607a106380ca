"""Help → Keyboard shortcuts (F1) fits a 1366×768 screen at normal and twice the text size,
every shortcut reachable by scrolling inside it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.gui.main_window import MainWindow
from tests.gui.answering import when_dialog_opens
from tests.gui.fit_screen import misfit


@pytest.mark.parametrize("scale", [100, 200])
def test_keyboard_shortcuts_fit_the_screen(qtbot: QtBot, window: MainWindow, scale: int) -> None:
    window.context.set_text_scale(scale)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    problems: list[str | None] = []
    scrolled_text: list[str] = []

    def measure_and_close(dialog: QWidget) -> None:
        problems.append(misfit(dialog))
        areas = dialog.findChildren(QAbstractScrollArea)
        scrolled_text.extend(area.toPlainText() for area in areas if hasattr(area, "toPlainText"))
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(measure_and_close, QDialog)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(problems))
    assert problems == [None]
    # The whole list is in a scrolling view, so what does not fit is reached by scrolling.
    assert any("Ctrl+N" in text and "Alt + underlined letter" in text for text in scrolled_text)
