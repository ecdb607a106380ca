"""Adding a supporter (the advocate themselves, or a witness) from inside another dialog.

On a fresh install there are no supporters, so a list of them offers nothing but "No witness".
Rather than sending the advocate away to the People dialog in the middle of a conversation with
the person, the list carries a small "Add a witness or yourself…" that opens a name and a role
in place; adding writes the supporter through ``ops.people.save_supporter`` and hands the new
supporter to the caller, which selects it.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.people import NAME_MAX, Supporter
from storykeeper.core.vocabulary import SupporterRole
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_errors import not_written
from storykeeper.gui.ops import people as people_ops
from storykeeper.gui.widgets.labels import buddy_label

#: The roles a person added here can have ("not recorded" is for names that came in a bundle).
ROLES = [role for role in SupporterRole if role is not SupporterRole.NOT_RECORDED]


class _NameField(QLineEdit):
    """Enter here adds the person, and goes no further: the dialog's default button (the
    flow's Next) must not take it too."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class AddSupporter(QWidget):
    """A button that opens a name and a role; ``added`` carries the new ``Supporter``."""

    added = Signal(object)

    def __init__(self, context: AppContext, opener: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.open_button = QPushButton(opener)
        self.open_button.setAutoDefault(False)
        self.open_button.setAccessibleName(opener.replace("&", "").rstrip("…"))
        self.name = _NameField()
        self.name.setAccessibleName("New person’s name")
        self.name.setMaxLength(NAME_MAX)
        self.role = QComboBox()
        self.role.setAccessibleName("New person’s role")
        for role in ROLES:
            self.role.addItem(role.label, role.value)
        self.add_button = QPushButton("Add t&his person")
        self.add_button.setAutoDefault(False)
        self.problem = QLabel()
        self.problem.setProperty("role", "problem")
        self.problem.setAccessibleName("What to fix")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.fields = QWidget()
        fields = QHBoxLayout(self.fields)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.addWidget(buddy_label("Na&me:", self.name))
        fields.addWidget(self.name, 2)
        fields.addWidget(self.role, 1)
        fields.addWidget(self.add_button)
        self.fields.hide()
        opener_row = QHBoxLayout()
        opener_row.addWidget(self.open_button)
        opener_row.addStretch()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(opener_row)
        column.addWidget(self.fields)
        column.addWidget(self.problem)
        self.open_button.clicked.connect(self.open)
        self.add_button.clicked.connect(self.add)
        self.name.returnPressed.connect(self.add)
        self._adding = False

    def open(self) -> None:
        self.fields.show()
        self.open_button.hide()
        self.name.setFocus()

    def add(self) -> None:
        if self._adding:
            return
        if not self.name.text().strip():
            self._say("Write the person’s name.")
            return
        self._adding = True
        self.add_button.setEnabled(False)
        details = people_ops.SupporterDetails(
            name=self.name.text(),
            role=SupporterRole(self.role.currentData()),
            organisation="",
            contact="",
        )
        self.context.tasks.write(
            partial(people_ops.save_supporter, supporter_id=None, details=details),
            on_done=self._added,
            on_error=self._failed,
            changes=people_ops.supporter_saved_changes,
        )

    def _added(self, supporter: Supporter) -> None:
        self._adding = False
        self.add_button.setEnabled(True)
        self.problem.hide()
        self.name.clear()
        self.fields.hide()
        self.open_button.show()
        self.added.emit(supporter)

    def _failed(self, error: BaseException) -> None:
        self._adding = False
        self.add_button.setEnabled(True)
        said = not_written(error, self.context.paths, "Try again in a moment.")
        self._say(f"Not added yet: {said}")

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.name.setFocus()
