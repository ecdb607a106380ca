"""The capacity assessment step of the consent flow: the advocate's form, not the person's.

Mental Capacity Act 2005 ss.1–3 and the Code of Practice, chapter 4: capacity is assessed for
one decision at one time; nobody is treated as unable to decide until all practicable steps to
help them have been tried; and the test is four questions — can the person understand the
information, retain it, use or weigh it, and communicate a decision. Each is answered Yes, No or
Not sure, with a note of what was seen. A plain form, keyboard first: every field has its Alt
key, and Tab goes through them in reading order.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import clock
from storykeeper.core.consent import (
    CAPACITY_DECISION_MAX,
    FUNCTIONAL_QUESTIONS,
    PERSON_NAME_MAX,
    CapacityAssessment,
    FunctionalAnswer,
)
from storykeeper.core.vocabulary import Ability, CapacityOutcome, PracticableStep
from storykeeper.gui.widgets.date_field import DateField
from storykeeper.gui.widgets.labels import buddy_label

#: The four questions as the form asks them, each with its Alt key.
QUESTIONS: dict[str, str] = {
    "understand": "Can they &understand the information?",
    "retain": "Can they reta&in it long enough to decide?",
    "use_or_weigh": "Can they use or wei&gh it?",
    "communicate": "Can they c&ommunicate a decision (in any way)?",
}
#: The practicable steps, each with its Alt key.
STEPS: dict[PracticableStep, str] = {
    PracticableStep.OTHER_FORM: "Information in another &form (easy read, pictures, objects)",
    PracticableStep.BETTER_TIME: "A better ti&me or place",
    PracticableStep.TRUSTED_PERSON: "Someone they t&rust helped",
    PracticableStep.OTHER: "Something e&lse (say what below)",
}
NOTE_MAX = 2_000


def _answers(name: str, words: type[Ability] | type[CapacityOutcome]) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    box.addItem("Choose…", None)
    for answer in words:
        box.addItem(answer.label, answer.value)
    return box


class CapacityForm(QWidget):
    """The assessment's fields; ``assessment()`` reads them, ``missing()`` says what is not
    answered yet (the core checks the rest when the consent is saved)."""

    def __init__(self, assessors: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.decision = QLineEdit()
        self.decision.setAccessibleName("Which decision")
        self.decision.setMaxLength(CAPACITY_DECISION_MAX)
        # Capacity is about one decision at one time: name it as the person would meet it.
        self.decision.setPlaceholderText("For example: sharing her story with the coordinator")
        self.assessed_by = QLineEdit()
        self.assessed_by.setAccessibleName("Who assessed")
        self.assessed_by.setMaxLength(PERSON_NAME_MAX)
        if assessors:
            self.assessed_by.setCompleter(QCompleter(assessors, self.assessed_by))
        self.assessed_on = DateField("Date assessed", "Today")
        self.assessed_on.setDate(QDate(clock.today()))
        self.assessed_on.setMaximumDate(QDate(clock.today()))
        self.steps: dict[PracticableStep, QCheckBox] = {}
        steps = QVBoxLayout()
        for step, words in STEPS.items():
            box = QCheckBox(words)
            box.setAccessibleName(words.replace("&", ""))
            self.steps[step] = box
            steps.addWidget(box)
        self.steps_note = QPlainTextEdit()
        self.steps_note.setAccessibleName("What was done to help them decide")
        self.steps_note.setTabChangesFocus(True)
        self.steps_note.setMaximumHeight(90)
        self.steps_note.setPlaceholderText(
            "For example: used the picture cards; asked again after lunch."
        )

        self.abilities: dict[str, QComboBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        for row, (name, _) in enumerate(FUNCTIONAL_QUESTIONS):
            asked = QUESTIONS[name]
            answer = _answers(asked.replace("&", ""), Ability)
            note = QLineEdit()
            note.setAccessibleName(f"Note: {asked.replace('&', '')}")
            note.setPlaceholderText("What you saw")
            note.setMaxLength(NOTE_MAX)
            label = buddy_label(asked, answer)
            label.setWordWrap(True)
            grid.addWidget(label, row * 2, 0, 1, 2)
            grid.addWidget(answer, row * 2 + 1, 0)
            grid.addWidget(note, row * 2 + 1, 1)
            self.abilities[name] = answer
            self.notes[name] = note
        grid.setColumnStretch(1, 1)
        self.outcome = _answers("Outcome", CapacityOutcome)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(buddy_label("Which &decision:", self.decision), self.decision)
        form.addRow(buddy_label("Assessed b&y:", self.assessed_by), self.assessed_by)
        form.addRow(buddy_label("Assess&ed on:", self.assessed_on), self.assessed_on)
        form.addRow(QLabel("What was done to help them decide:"), steps)
        form.addRow(buddy_label("What was done, in &words:", self.steps_note), self.steps_note)
        form.addRow(grid)
        form.addRow(buddy_label("Ou&tcome:", self.outcome), self.outcome)

    @property
    def first(self) -> QWidget:
        return self.decision

    def missing(self) -> tuple[str, QWidget] | None:
        """The first thing not answered yet, said plainly, and the field to put it in."""
        if not self.decision.text().strip():
            return "Say which decision was assessed.", self.decision
        if not self.assessed_by.text().strip():
            return "Say who assessed their capacity.", self.assessed_by
        for name, words in FUNCTIONAL_QUESTIONS:
            if self.abilities[name].currentData() is None:
                return f"Answer whether they can {words}.", self.abilities[name]
        if self.outcome.currentData() is None:
            return "Choose the outcome of the assessment.", self.outcome
        return None

    def assessment(self) -> CapacityAssessment | None:
        """The assessment as answered, or None while any answer is still missing."""
        if self.missing() is not None:
            return None
        assessed_on = self.assessed_on.date().toPython()
        assert isinstance(assessed_on, dt.date)
        answers = {
            name: FunctionalAnswer(
                Ability(self.abilities[name].currentData()), self.notes[name].text()
            )
            for name, _ in FUNCTIONAL_QUESTIONS
        }
        return CapacityAssessment(
            decision=self.decision.text(),
            assessed_by=self.assessed_by.text(),
            assessed_on=assessed_on,
            steps_taken=frozenset(s for s, box in self.steps.items() if box.isChecked()),
            steps_note=self.steps_note.toPlainText(),
            outcome=CapacityOutcome(self.outcome.currentData()),
            **answers,
        )

    def start_from(self, earlier: CapacityAssessment) -> None:
        """A review starts from the decision and the help given before; capacity is assessed
        afresh (it is about this decision at this time), so the answers start unanswered."""
        self.decision.setText(earlier.decision)
        self.assessed_by.setText(earlier.assessed_by)
        for step, box in self.steps.items():
            box.setChecked(step in earlier.steps_taken)
        self.steps_note.setPlainText(earlier.steps_note)
