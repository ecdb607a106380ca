"""A dialog tall enough for its wrapped words at the width it opens with.

Qt opens a window at its size hint, narrowed to two thirds of the screen when that is wider,
but the height is not worked out again for the narrower width: at large text a wrapped
paragraph's last lines were cut off. This works it out once the dialog is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

#: Room kept for the window's title bar and borders.
FRAME_ALLOWANCE = 60


class _WholeWords(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            fit_height_to_words(watched)
        return False


def fit_height_to_words(dialog: QWidget) -> None:
    """Tall enough for what the layout needs at the dialog's width, within the screen."""
    width = dialog.width()
    needed = dialog.heightForWidth(width) if dialog.hasHeightForWidth() else -1
    room = dialog.screen().availableGeometry().height() - FRAME_ALLOWANCE
    if needed > dialog.height():
        dialog.resize(width, min(needed, room))


def keep_words_whole(dialog: QWidget) -> None:
    """Fit ``dialog``'s height to its wrapped words each time it is shown."""
    dialog.installEventFilter(_WholeWords(dialog))
