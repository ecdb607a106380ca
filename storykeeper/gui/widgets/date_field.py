"""A date box that Tab leaves in one step.

QDateEdit normally spends Tab on moving between day, month and year, so a keyboard user has to
press Tab three times to get past it. Here Tab moves to the next field; Left and Right move
between the day, month and year; Up and Down change them; Alt+Down opens the calendar.
"""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget

#: The lowest date stands for "no date": the box shows ``empty_text`` instead.
NO_DATE = QDate(1900, 1, 1)


class DateField(QDateEdit):
    def __init__(
        self, accessible_name: str, empty_text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd MMM yyyy")
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText(empty_text)
        self.setDate(NO_DATE)
        self.setAccessibleName(accessible_name)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)
