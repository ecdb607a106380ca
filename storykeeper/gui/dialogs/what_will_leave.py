"""What will leave: one story as it is here, beside exactly what an export would carry.

The right-hand side is ``export_policy``'s answer (through ``gui/ops/mentioned.what_will_leave``),
the same rule every export uses, so what is shown is what leaves: names replaced by the
pseudonym or a role in brackets, photos and recordings left out where consent says so.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.display import neutralised
from storykeeper.gui.ops.mentioned import LeavePreview
from storykeeper.gui.widgets.labels import buddy_label

#: Room left on the screen for the window's frame and the desktop's panels.
SCREEN_MARGIN = 60


def _text_box(text: str, name: str) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setReadOnly(True)
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(120)
    return box


class WhatWillLeaveDialog(QDialog):
    def __init__(self, preview: LeavePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = neutralised(preview.title or "(untitled)")
        self.setWindowTitle(f"What will leave — {title}")
        explain = QLabel(
            "Left: the story on this computer. Right: exactly what an export would send to the "
            "coordinator, as the story’s consent allows it."
        )
        explain.setWordWrap(True)
        self.here = _text_box(preview.here, "The story on this computer")
        self.leaving = _text_box(
            preview.leaving if preview.leaving is not None else preview.reason,
            "What will leave this computer",
        )
        self.reason = QLabel(preview.reason if preview.leaving is not None else "")
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("What stays here")
        self.reason.setVisible(bool(self.reason.text()))
        self.close_button = QPushButton("&Close")
        sides = QGridLayout()
        sides.addWidget(buddy_label("On &this computer:", self.here), 0, 0)
        sides.addWidget(buddy_label("What &will leave:", self.leaving), 0, 1)
        sides.addWidget(self.here, 1, 0)
        sides.addWidget(self.leaving, 1, 1)
        sides.setColumnStretch(0, 1)
        sides.setColumnStretch(1, 1)
        sides.setRowStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(sides, 1)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        self._fit_the_screen()
        self.leaving.setFocus()

    def _fit_the_screen(self) -> None:
        """As large as useful, never larger than the screen (text may be twice the size)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        width = min(room.width() - SCREEN_MARGIN, max(900, self.sizeHint().width()))
        height = min(room.height() - SCREEN_MARGIN, max(600, self.sizeHint().height()))
        self.resize(width, height)
