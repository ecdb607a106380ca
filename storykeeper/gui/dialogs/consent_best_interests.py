"""The best-interests step of the consent flow: the advocate's form (MCA 2005 s.4).

A best-interests decision must show its working: the people consulted (each by name, how they
are related to the person, and what they said), the person's past and present wishes, feelings,
beliefs and values, and why the decision is in their interests; and who the independent
advocate or IMCA was, if one took part. The decision-maker is named on the "Who is deciding?"
step. People consulted are rows: "Add a person consulted" (Alt+P) adds one and puts the
keyboard in it; each row's Remove button takes it away.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.consent import (
    PERSON_NAME_MAX,
    RELATIONSHIP_MAX,
    BestInterests,
    PersonConsulted,
)
from storykeeper.gui.widgets.labels import buddy_label

SAID_MAX = 2_000


class ConsultedRow(QWidget):
    """One person consulted: name, relationship, what they said, and a Remove button."""

    removed = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Name")
        self.name.setMaxLength(PERSON_NAME_MAX)
        self.relationship = QLineEdit()
        self.relationship.setPlaceholderText("Relationship, e.g. her son")
        self.relationship.setMaxLength(RELATIONSHIP_MAX)
        self.said = QLineEdit()
        self.said.setPlaceholderText("What they said")
        self.said.setMaxLength(SAID_MAX)
        self.remove = QPushButton("Remove")
        self.remove.setAutoDefault(False)
        self.remove.clicked.connect(lambda: self.removed.emit(self))
        self.number(number)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.name, 1)
        top.addWidget(self.relationship, 1)
        top.addWidget(self.remove)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 6)
        column.addLayout(top)
        column.addWidget(self.said)
        # Reading order: who, how related, what they said, then Remove.
        QWidget.setTabOrder(self.name, self.relationship)
        QWidget.setTabOrder(self.relationship, self.said)
        QWidget.setTabOrder(self.said, self.remove)

    def number(self, number: int) -> None:
        """Screen readers say which person each field belongs to."""
        self.name.setAccessibleName(f"Person consulted {number}: name")
        self.relationship.setAccessibleName(f"Person consulted {number}: relationship")
        self.said.setAccessibleName(f"Person consulted {number}: what they said")
        self.remove.setAccessibleName(f"Remove person consulted {number}")

    def person(self) -> PersonConsulted:
        return PersonConsulted(self.name.text(), self.relationship.text(), self.said.text())

    def empty(self) -> bool:
        return not any(f.text().strip() for f in (self.name, self.relationship, self.said))


class BestInterestsForm(QWidget):
    """The best-interests fields; ``best_interests(decision_maker)`` reads them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ConsultedRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add a &person consulted")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_row)
        self.wishes = self._text_box(
            "The person’s past and present wishes, feelings, beliefs and values"
        )
        self.wishes.setPlaceholderText(
            "What they have said or shown they want, now and before; what matters to them."
        )
        self.why = self._text_box("Why it is in the person’s interests")
        self.advocate_name = QLineEdit()
        self.advocate_name.setAccessibleName("Independent advocate or IMCA, by name")
        self.advocate_name.setPlaceholderText("Leave empty if none took part")
        self.advocate_name.setMaxLength(PERSON_NAME_MAX)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch()
        consulted = QVBoxLayout()
        consulted.addLayout(self.rows_box)
        consulted.addLayout(add_row)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(QLabel("People consulted (family, carers, others who care about them):"))
        form.addRow(consulted)
        form.addRow(
            buddy_label("Their &wishes, feelings, beliefs and values:", self.wishes), self.wishes
        )
        form.addRow(buddy_label("Why it is in their &interests:", self.why), self.why)
        form.addRow(
            buddy_label("Independent advocate or IMCA (na&me), if any:", self.advocate_name),
            self.advocate_name,
        )

    @staticmethod
    def _text_box(name: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setAccessibleName(name)
        box.setTabChangesFocus(True)
        box.setMaximumHeight(110)
        return box

    @property
    def first(self) -> QWidget:
        return self.rows[0].name if self.rows else self.add_button

    def add_row(self) -> ConsultedRow:
        row = ConsultedRow(len(self.rows) + 1)
        row.removed.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        # Shown now, not at the layout's next turn, so the keyboard can go to it at once.
        row.show()
        row.name.setFocus()
        return row

    def _remove_row(self, row: ConsultedRow) -> None:
        index = self.rows.index(row)
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.deleteLater()
        for number, left in enumerate(self.rows, start=1):
            left.number(number)
        # The keyboard stays nearby: on the next row's name, or on "Add a person consulted".
        following = self.rows[min(index, len(self.rows) - 1)].name if self.rows else None
        (following or self.add_button).setFocus()

    def consulted(self) -> tuple[PersonConsulted, ...]:
        return tuple(row.person() for row in self.rows if not row.empty())

    def missing(self) -> tuple[str, QWidget] | None:
        """The first thing a best-interests decision must say and does not yet."""
        if not self.consulted():
            return "Add at least one person consulted.", self.first
        for row in self.rows:
            if not row.empty() and not row.name.text().strip():
                return "Write the name of each person consulted.", row.name
        if not self.why.toPlainText().strip():
            return "Say why it is in the person’s interests.", self.why
        return None

    def best_interests(self, decision_maker: str) -> BestInterests:
        return BestInterests(
            decision_maker=decision_maker,
            consulted=self.consulted(),
            wishes_and_values=self.wishes.toPlainText(),
            why=self.why.toPlainText(),
        )

    def start_from(self, earlier: BestInterests, advocate_name: str) -> None:
        """A review starts from the earlier decision's record, to confirm or change."""
        for person in earlier.consulted:
            row = self.add_row()
            row.name.setText(person.name)
            row.relationship.setText(person.relationship)
            row.said.setText(person.said)
        self.wishes.setPlainText(earlier.wishes_and_values)
        self.why.setPlainText(earlier.why)
        self.advocate_name.setText(advocate_name)
