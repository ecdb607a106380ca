"""Field labels that carry the field's Alt key."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose underlined letter (``&``) moves the keyboard to ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
