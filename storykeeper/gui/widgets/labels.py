"""Field labels that carry the field's Alt key."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def with_pseudonym(name: str, pseudonym: str, separator: str = "  ") -> str:
    """A storyteller's name with their pseudonym beside it, unless the two are the same.

    A story imported without the name has the pseudonym as its storyteller's name: "Crisp
    Finch 31 (pseudonym: Crisp Finch 31)" said nothing twice.
    """
    if not pseudonym or pseudonym.strip() == name.strip():
        return name
    return f"{name}{separator}(pseudonym: {pseudonym})"


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose underlined letter (``&``) moves the keyboard to ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
