"""Looking over a window as a screen reader or a keyboard user meets it: names and Alt keys."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QWidget,
)

from storykeeper.gui.main_window import MainWindow


def unnamed_controls(root: QWidget) -> list[str]:
    """Every control a keyboard can reach must tell a screen reader what it is."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if widget.metaObject().className() in ("QScrollArea", "QStackedWidget", "QViewport"):
            continue
        if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):
            continue  # the inner editor of a date or combo box: its owner carries the name
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface else ""
        if not name.strip():
            missing.append(f"{widget.metaObject().className()} {widget.objectName()!r}")
    return missing


def mnemonics(window: MainWindow) -> list[str]:
    """The Alt+letter keys on show: the menus' and the current page's labels and buttons."""
    keys = [a.text() for a in window.menuBar().actions()]
    page = window.pages.currentWidget()
    for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
        if widget.isVisibleTo(window):
            keys.append(widget.text())
    return [m.group(1).lower() for text in keys if (m := re.search(r"&([^&\s])", text))]
