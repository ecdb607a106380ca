"""Measuring whether a window fits a small laptop screen (1366×768) with its content whole."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

#: What a dialog gets on a 1366×768 screen, less a desktop's panel (40 px) and the window
#: manager's title bar and borders (30 px, 2×4 px).
LAPTOP_ROOM = QSize(1366 - 8, 768 - 40 - 30)


def misfit(dialog: QWidget, room: QSize = LAPTOP_ROOM) -> str | None:
    """Why ``dialog`` as shown does not fit ``room``, or None.

    Too large: its size, or the least its layout can give its content, is beyond the room.
    Clipped: the layout needs more than the dialog has, so some of it is cut off.
    """
    least = dialog.minimumSizeHint()
    size = dialog.size()
    name = dialog.windowTitle() or type(dialog).__name__
    has = f"{size.width()}×{size.height()}"
    if size.width() > room.width() or size.height() > room.height():
        return f"{name}: {has} is larger than {room.width()}×{room.height()}"
    if least.width() > size.width() or least.height() > size.height():
        return f"{name}: needs {least.width()}×{least.height()} but has {has}"
    for cut in cut_off_words(dialog):
        return f"{name}: “{cut}” is cut off"
    return None


def cut_off_words(dialog: QWidget) -> list[str]:
    """The shown labels and buttons whose words need more height than they were given (a last
    line cut in half), also where a scroll area holds them: scrolling never shows the rest."""
    cut: list[str] = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog) or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            needed = widget.heightForWidth(widget.width())
        elif isinstance(widget, QAbstractButton) and widget.text():
            needed = widget.sizeHint().height()
        else:
            continue
        if widget.height() < needed:
            cut.append(widget.text().replace("&", "")[:60])
    return cut
