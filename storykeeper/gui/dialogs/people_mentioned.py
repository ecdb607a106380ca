"""Adding or changing a person a story mentions, and confirming the names found in the text.

Nothing is added without the advocate: a name found in the text is only offered, unticked, and
each one ticked needs a role (such as "her daughter"), which is what leaves in its place when
the story's consent does not allow names.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.mentioned import NAME_MAX, ROLE_MAX, PersonMentioned
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses

#: Roles offered; any other can be typed.
COMMON_ROLES = (
    "her daughter",
    "his daughter",
    "her son",
    "his son",
    "her husband",
    "his wife",
    "their partner",
    "a friend",
    "a neighbour",
    "a care worker",
    "a nurse",
    "a doctor",
    "a relative",
)


def _role_box(role: str = "") -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.addItems(COMMON_ROLES)
    box.setCurrentText(role)
    line = box.lineEdit()
    assert line is not None
    line.setMaxLength(ROLE_MAX)
    line.setPlaceholderText("such as “her daughter”")
    return box


class PersonDialog(QDialog):
    """One person mentioned: the name as the story writes it, and the role shown instead."""

    def __init__(
        self, person: PersonMentioned | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change a person mentioned" if person else "Add a person mentioned")
        self.name = QLineEdit(person.name if person else "")
        self.name.setMaxLength(NAME_MAX)
        self.name.setAccessibleName("Name as written in the story")
        self.role = _role_box(person.role if person else "")
        self.role.setAccessibleName("Role, shown instead of the name")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("What to correct")
        explain = QLabel(
            "When the story’s consent does not allow names, the role is what leaves this "
            "computer instead, in brackets: “[her daughter]”."
        )
        explain.setWordWrap(True)
        self.keep_button = QPushButton("&Keep")
        self.keep_button.setAccessibleName("Keep this person in the list")
        cancel = QPushButton("Cancel")
        form = QFormLayout()
        form.addRow(buddy_label("&Name as written:", self.name), self.name)
        form.addRow(buddy_label("&Role:", self.role), self.role)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.keep_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        enter_presses(self, self.keep_button)
        self.keep_button.clicked.connect(self._keep)
        cancel.clicked.connect(self.reject)
        self.name.setFocus()

    def person(self) -> PersonMentioned:
        return PersonMentioned(self.name.text().strip(), self.role.currentText().strip())

    def _keep(self) -> None:
        person = self.person()
        if not person.name:
            self.problem.setText("Type the name as the story writes it.")
            self.name.setFocus()
        elif not person.role:
            self.problem.setText("Give a role, such as “her daughter” or “a neighbour”.")
            self.role.setFocus()
        else:
            self.accept()


class SuggestedNamesDialog(QDialog):
    """Names found in the text, each offered unticked with a role to give it."""

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Names found in the text")
        explain = QLabel(
            "These look like names. Tick each one that is a person, and say who they are. "
            "Leave the rest: nothing is added unless you tick it."
        )
        explain.setWordWrap(True)
        self.ticks: list[QCheckBox] = []
        self.roles: list[QComboBox] = []
        rows = QWidget()
        grid = QGridLayout(rows)
        for number, name in enumerate(names):
            tick = QCheckBox(name)
            tick.setAccessibleName(f"Add {name}")
            role = _role_box()
            role.setAccessibleName(f"Role of {name}")
            grid.addWidget(tick, number, 0)
            grid.addWidget(role, number, 1)
            self.ticks.append(tick)
            self.roles.append(role)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(rows)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("What to correct")
        self.add_button = QPushButton("&Add the ticked people")
        cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        enter_presses(self, self.add_button)
        self.add_button.clicked.connect(self._add)
        cancel.clicked.connect(self.reject)
        if self.ticks:
            self.ticks[0].setFocus()

    def chosen(self) -> list[PersonMentioned]:
        return [
            PersonMentioned(tick.text(), role.currentText().strip())
            for tick, role in zip(self.ticks, self.roles, strict=True)
            if tick.isChecked()
        ]

    def _add(self) -> None:
        for tick, role in zip(self.ticks, self.roles, strict=True):
            if tick.isChecked() and not role.currentText().strip():
                self.problem.setText(
                    "Give each ticked person a role, such as “her daughter” or “a neighbour”."
                )
                role.setFocus()
                return
        self.accept()
