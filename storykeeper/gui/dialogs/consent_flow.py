"""The guided consent flow: one short easy-read step at a time, each readable aloud.

The person-facing steps (what the story may be used for, who is deciding) use the organisation's
easy-read wording and a picture for every choice, in large type; the advocate-facing steps (how
consent was given, best interests, review) are plain forms. Nothing is written until the last
step, "Is this right?", and then only through ``consent.record_consent``, whose rules are final:
if it refuses, the flow goes back to the step with the field to fix and says why.

The first question is whether the person's voice may be recorded while they tell the story: it
is asked whatever they say about sharing, because a recording made here leaves only if they also
agree to sharing recordings. A "no" to sharing with the coordinator skips the other uses.

Opening the flow when consent is already in force is a review: the answers start as they are, and
saving them (changed or not) adds a new version with a new review date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from storykeeper.core import clock, consent
from storykeeper.core.consent import AGREEING, ConsentInput, ConsentRecord
from storykeeper.core.consent_copy import consent_copy_html
from storykeeper.core.easy_read import ConsentText, load_consent_text
from storykeeper.core.errors import StorykeeperError, ValidationError
from storykeeper.core.people import Supporter, list_supporters
from storykeeper.core.stories import Story, get_story
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, ConsentScope
from storykeeper.gui.consent_pdf import save_consent_copy
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.widgets.date_field import DateField
from storykeeper.gui.widgets.easy_read_step import (
    CALM_CHOICES,
    HIGH_CONTRAST_CHOICES,
    Step,
    choice_button,
)
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.read_aloud import ReadAloud, read_or_stop

#: The bases where the person decides: the name of the person deciding is theirs.
PERSON_DECIDES = (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION)
#: Asked first and never skipped: recording is about the telling, now, and is independent of
#: whether the story is shared (a "no" to sharing skips only the other uses of the story).
ASKED_FIRST = ConsentScope.RECORD_AUDIO
SHARING = ConsentScope.SHARE_WITH_COORDINATOR


@dataclass(frozen=True)
class FlowData:
    """What the flow needs, read off the GUI thread before it opens."""

    story: Story
    current: ConsentRecord | None
    supporters: list[Supporter]
    text: ConsentText


def load_flow_data(context: AppContext, story_id: str) -> object:
    data_dir = context.paths.data_dir

    def work(session: Session) -> FlowData:
        story = get_story(session, story_id)
        return FlowData(
            story=story,
            current=consent.current_consent(session, story_id),
            supporters=list_supporters(session),
            text=load_consent_text(story.language, data_dir),
        )

    return work


class ConsentFlowDialog(QDialog):
    """Takes the person through consent; ``recorded`` carries the new version once saved."""

    recorded = Signal(object)

    def __init__(self, context: AppContext, data: FlowData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.story = data.story
        self.current = data.current
        self.text = data.text
        self.result_record: ConsentRecord | None = None
        self._saving = False
        self.reviewing = data.current is not None and data.current.decision in AGREEING
        self.setWindowTitle(
            f"Consent — {self.story.storyteller.name}" + (" (review)" if self.reviewing else "")
        )
        scale = context.settings.text_scale
        self.picture_size = int(120 * scale / 100)
        self.speech = ReadAloud(self)
        self.steps = QStackedWidget()

        self.intro = self._step(
            "intro", self.text.intro.title, self.text.intro.text, self.text.intro_picture
        )
        self.scope_steps: dict[ConsentScope, Step] = {}
        self.answers: dict[ConsentScope, QButtonGroup] = {}
        for scope in ConsentScope:
            self._scope_step(scope)
        self.basis_step = self._basis_step()
        self.best_interests_step = self._best_interests_step()
        self.how_step = self._how_step()
        self.review_step = self._review_step(data.supporters)
        self.check_step = self._check_step()
        self.done_step = self._done_step()

        self.progress = QLabel()
        self.progress.setAccessibleName("Step")
        self.back_button = QPushButton("← &Back")
        self.back_button.setAccessibleName("Back to the previous step")
        self.read_button = QPushButton("Read &aloud")
        self.read_button.setAccessibleName("Read this step aloud")
        self.next_button = QPushButton("&Next →")
        self.next_button.setAccessibleName("Next step")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Stop without saving")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.read_button)
        buttons.addStretch()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.steps, 1)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.read_button.clicked.connect(self.read_step)
        self.cancel_button.clicked.connect(self.reject)
        self.speech.speaking_changed.connect(self._speaking)
        self._apply_fonts()
        self._prefill()
        screen = self.screen().availableGeometry()
        self.resize(
            min(int(900 * scale / 100), int(screen.width() * 0.95)),
            min(int(760 * scale / 100), int(screen.height() * 0.9)),
        )
        self._show(self.intro)

    # --- building the steps ---

    def _step(self, key: str, title: str, text: str, picture: Path | None) -> Step:
        step = Step(key, title, text, picture, self.picture_size)
        self.steps.addWidget(step)
        return step

    def _yes_no(self, step: Step) -> QButtonGroup:
        group = QButtonGroup(step)
        yes = choice_button(f"&{self.text.yes.text}", self.text.yes.picture, self.picture_size // 2)
        no = choice_button(
            self._second_mnemonic(self.text.no.text), self.text.no.picture, self.picture_size // 2
        )
        group.addButton(yes, 1)
        group.addButton(no, 0)
        # Two equal halves: large targets, and room for the chosen answer's bold words.
        row = QHBoxLayout()
        row.addWidget(yes, 1)
        row.addSpacing(self.picture_size // 4)
        row.addWidget(no, 1)
        step.body.addLayout(row)
        step.first = yes
        step.choices = group
        step.spoken_extra.append(f"{self.text.yes.text}, or {self.text.no.text}?")
        return group

    @staticmethod
    def _second_mnemonic(word: str) -> str:
        """The Alt key on the word's second letter: the first, N, belongs to Next."""
        return word[:1] + "&" + word[1:] if len(word) > 1 else f"&{word}"

    def _scope_step(self, scope: ConsentScope) -> None:
        words = self.text.scopes[scope]
        step = self._step(f"scope:{scope.value}", words.question, words.explain, words.picture)
        self.scope_steps[scope] = step
        self.answers[scope] = self._yes_no(step)

    def _basis_step(self) -> Step:
        step = self._step("basis", self.text.basis_title, "", None)
        self.basis_group = QButtonGroup(step)
        step.choices = self.basis_group
        for n, basis in enumerate(ConsentBasis, start=1):
            choice = self.text.basis[basis]
            button = choice_button(
                f"&{n}  {choice.text}\n     ({basis.label})", choice.picture, self.picture_size // 2
            )
            button.setAccessibleName(f"{choice.text} ({basis.label})")
            self.basis_group.addButton(button, n)
            button.setProperty("basis", basis.value)
            step.body.addWidget(button)
            step.spoken_extra.append(choice.text)
            if n == 1:
                step.first = button
        self.decided_by = QLineEdit()
        self.decided_by.setAccessibleName("Name of the person deciding")
        self.decided_by.setMaxLength(200)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(buddy_label("&Who is deciding (their name):", self.decided_by), self.decided_by)
        step.body.addLayout(form)
        self.basis_group.idToggled.connect(self._basis_changed)
        return step

    def _best_interests_step(self) -> Step:
        page = self.text.best_interests
        step = self._step(
            "best_interests",
            page.title,
            page.text,
            self.text.basis[ConsentBasis.BEST_INTERESTS].picture,
        )
        self.consulted = self._text_box("Who was consulted")
        self.consulted.setPlaceholderText(
            "Family, carers, others interested in the person’s welfare."
        )
        self.advocate_group = QButtonGroup(step)
        advocate_yes = choice_button("&Yes", None, 0)
        advocate_yes.setAccessibleName("An advocate or IMCA was involved")
        advocate_no = choice_button("N&o", None, 0)
        advocate_no.setAccessibleName("No advocate or IMCA was involved")
        self.advocate_group.addButton(advocate_yes, 1)
        self.advocate_group.addButton(advocate_no, 0)
        advocate = QHBoxLayout()
        advocate.addWidget(advocate_yes, 1)
        advocate.addWidget(advocate_no, 1)
        self.interests = self._text_box("Why it is in the person’s interests")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(buddy_label("Who was &consulted:", self.consulted), self.consulted)
        form.addRow(QLabel("Was an advocate or IMCA involved?"), advocate)
        form.addRow(
            buddy_label("Why it is in the person’s &interests:", self.interests), self.interests
        )
        step.body.addLayout(form)
        step.first = self.consulted
        return step

    def _how_step(self) -> Step:
        page = self.text.how
        step = self._step("how", page.title, page.text, None)
        self.method = QComboBox()
        self.method.setAccessibleName("How consent was given")
        for method in ConsentMethod:
            self.method.addItem(method.label, method.value)
        self.persons_words = self._text_box("The person’s own words, or the signs they gave")
        self.persons_words.setPlaceholderText(
            "For example: “Yes, tell them about the bus.” Or: smiled and nodded when asked; "
            "turned away when photos were mentioned."
        )
        self.conditions = self._text_box("Conditions")
        self.conditions.setPlaceholderText(
            "Anything the person asked for, such as “not in the newsletter”."
        )
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(buddy_label("&How it was given:", self.method), self.method)
        form.addRow(
            buddy_label("Their own &words, or the signs you saw:", self.persons_words),
            self.persons_words,
        )
        form.addRow(buddy_label("&Conditions, if any:", self.conditions), self.conditions)
        step.body.addLayout(form)
        step.first = self.method
        return step

    def _review_step(self, supporters: list[Supporter]) -> Step:
        page = self.text.review
        step = self._step("review", page.title, page.text, None)
        self.review_by = DateField("Review by", "No review date")
        self.decided_on = DateField("Date decided", "Today")
        self.decided_on.setMaximumDate(QDate(clock.today()))
        self.witness = QComboBox()
        self.witness.setAccessibleName("Witness")
        self.witness.addItem("No witness", None)
        for supporter in supporters:
            self.witness.addItem(f"{supporter.name} ({supporter.role.label})", supporter.id)
        self.capacity_notes = self._text_box("Capacity notes")
        self.capacity_notes.setPlaceholderText(
            "How the person was helped to decide, and anything about their understanding today."
        )
        form = QFormLayout()
        form.addRow(buddy_label("&Review by:", self.review_by), self.review_by)
        form.addRow(buddy_label("&Date decided:", self.decided_on), self.decided_on)
        form.addRow(buddy_label("W&itness:", self.witness), self.witness)
        form.addRow(buddy_label("Capacit&y notes:", self.capacity_notes), self.capacity_notes)
        step.body.addLayout(form)
        step.first = self.review_by
        self.review_by.dateChanged.connect(self._review_date_said)
        return step

    def _check_step(self) -> Step:
        page = self.text.check
        step = self._step("check", page.title, page.text, None)
        self.check_view = QTextBrowser()
        self.check_view.setAccessibleName("What was chosen")
        self.check_view.setOpenLinks(False)
        self.check_details = QLabel()
        self.check_details.setWordWrap(True)
        self.check_details.setAccessibleName("The record")
        step.body.addWidget(self.check_view, 1)
        step.body.addWidget(self.check_details)
        step.stretch.hide()
        self.check_view.setMinimumHeight(int(300 * self.context.settings.text_scale / 100))
        step.first = self.check_view
        return step

    def _done_step(self) -> Step:
        page = self.text.done
        step = self._step("done", page.title, page.text, self.text.yes.picture)
        self.print_button = QPushButton("&Print a copy to keep…")
        self.print_button.setAccessibleName("Save a copy to print and keep, as a PDF")
        self.print_state = QLabel()
        self.print_state.setWordWrap(True)
        self.print_state.setAccessibleName("Copy")
        self.print_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch()
        step.body.addLayout(row)
        step.body.addWidget(self.print_state)
        step.first = self.print_button
        self.print_button.clicked.connect(self.print_copy)
        return step

    @staticmethod
    def _text_box(name: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setAccessibleName(name)
        box.setTabChangesFocus(True)
        box.setMaximumHeight(160)
        return box

    def _apply_fonts(self) -> None:
        # Easy read: larger than the rest of the program, so it reads comfortably at arm's length.
        base = self.context.app.font().pointSizeF()
        self.setStyleSheet(
            f'QLabel[role="easy-read-heading"] {{ font-size: {base * 2.0:.1f}pt; }}'
            'QLabel[role="easy-read-heading"] { font-weight: bold; }'
            f'QLabel[role="easy-read"] {{ font-size: {base * 1.6:.1f}pt; }}'
            f'QPushButton[choice="true"] {{ font-size: {base * 1.5:.1f}pt; }}'
            + (HIGH_CONTRAST_CHOICES if self.context.settings.high_contrast else CALM_CHOICES)
            + f"QTextBrowser {{ font-size: {base * 1.4:.1f}pt; }}"
            f'QLabel[role="problem"] {{ font-weight: bold; }}'
        )

    # --- answers ---

    def _prefill(self) -> None:
        today = clock.today()
        self.decided_on.setDate(QDate(today))
        self.review_by.setDate(QDate(consent.add_months(today, consent.DEFAULT_REVIEW_MONTHS)))
        self.decided_by.setText(self.story.storyteller.name)
        current = self.current
        if current is None or current.decision not in AGREEING:
            return
        # A review starts from what was agreed; the person confirms or changes each answer.
        for scope, group in self.answers.items():
            group.button(1 if scope in current.scopes else 0).setChecked(True)
        self._choose_basis(current.basis)
        self.decided_by.setText(current.decided_by)
        self.method.setCurrentIndex(max(0, self.method.findData(current.method.value)))
        self.conditions.setPlainText(current.conditions)
        if current.basis is ConsentBasis.BEST_INTERESTS:
            self.consulted.setPlainText(current.consulted)
            self.interests.setPlainText(current.best_interests_reasons)
        index = self.witness.findData(current.witness_id)
        self.witness.setCurrentIndex(max(0, index))

    def _choose_basis(self, basis: ConsentBasis) -> None:
        for button in self.basis_group.buttons():
            if button.property("basis") == basis.value:
                button.setChecked(True)

    def basis(self) -> ConsentBasis | None:
        button = self.basis_group.checkedButton()
        return None if button is None else ConsentBasis(button.property("basis"))

    def _basis_changed(self, _id: int, checked: bool) -> None:
        basis = self.basis()
        if not checked or basis is None:
            return
        name = self.story.storyteller.name
        if basis in PERSON_DECIDES:
            if not self.decided_by.text().strip():
                self.decided_by.setText(name)
        elif self.decided_by.text().strip() == name:
            # Someone else decides: their name, not the storyteller's, goes on the record.
            self.decided_by.clear()

    def chosen_scopes(self) -> frozenset[ConsentScope]:
        chosen = frozenset(s for s, group in self.answers.items() if group.checkedId() == 1)
        if not self._shares():
            # The other uses were skipped (a review may still hold earlier answers to them);
            # recording was asked whatever the answer to sharing.
            return chosen & {ASKED_FIRST}
        return chosen

    def _shares(self) -> bool:
        return self.answers[SHARING].checkedId() == 1

    def answers_input(self) -> ConsentInput:
        scopes = self.chosen_scopes()
        conditions = self.conditions.toPlainText()
        basis = self.basis() or ConsentBasis.OWN_CONSENT
        best_interests = basis is ConsentBasis.BEST_INTERESTS
        advocate = self.advocate_group.checkedId()
        return ConsentInput(
            decision=consent.decision_for(scopes, conditions),
            basis=basis,
            decided_by=self.decided_by.text(),
            method=ConsentMethod(self.method.currentData()),
            scopes=scopes,
            persons_words=self.persons_words.toPlainText(),
            conditions=conditions,
            capacity_notes=self.capacity_notes.toPlainText(),
            witness_id=self.witness.currentData(),
            consulted=self.consulted.toPlainText() if best_interests else "",
            advocate_involved=(None if advocate < 0 else advocate == 1) if best_interests else None,
            best_interests_reasons=self.interests.toPlainText() if best_interests else "",
            decided_on=self.decided_on.date().toPython(),  # type: ignore[arg-type]
            review_by=self.review_by.date().toPython() if scopes else None,  # type: ignore[arg-type]
        )

    # --- moving between steps ---

    def _sequence(self) -> list[Step]:
        """The steps in order, for the answers so far: some steps only apply to some answers."""
        order: list[Step] = [self.intro, self.scope_steps[ASKED_FIRST], self.scope_steps[SHARING]]
        if self._shares() or self.answers[SHARING].checkedId() < 0:
            order += [self.scope_steps[s] for s in ConsentScope if s not in (ASKED_FIRST, SHARING)]
        order.append(self.basis_step)
        if self.basis() is ConsentBasis.BEST_INTERESTS:
            order.append(self.best_interests_step)
        # With nothing agreed there is nothing to review, but the date decided still matters.
        order += [self.how_step, self.review_step, self.check_step]
        return order

    def current_step(self) -> Step:
        widget = self.steps.currentWidget()
        assert isinstance(widget, Step)
        return widget

    def _show(self, step: Step) -> None:
        self.speech.stop()
        step.clear_problem()
        if step is self.check_step:
            self._fill_check()
        if step is self.review_step:
            agreed = bool(self.chosen_scopes())
            self.review_by.setEnabled(agreed)
            step.words.setVisible(agreed)
            self._review_date_said()
        self.steps.setCurrentWidget(step)
        done = step is self.done_step
        sequence = self._sequence()
        if done:
            self.progress.setText("Saved.")
        else:
            self.progress.setText(f"Step {sequence.index(step) + 1} of {len(sequence)}")
        self.back_button.setVisible(not done)
        self.back_button.setEnabled(step is not self.intro)
        self.cancel_button.setVisible(not done)
        self.next_button.setText(
            "&Close" if done else "&Save" if step is self.check_step else "&Next →"
        )
        self.next_button.setAccessibleName(
            "Close" if done else "Save the consent" if step is self.check_step else "Next step"
        )
        # In a set of answers the keyboard starts on the chosen one, as with any radio buttons.
        chosen = step.choices.checkedButton() if step.choices is not None else None
        (chosen or step.first or self.next_button).setFocus()

    def go_back(self) -> None:
        sequence = self._sequence()
        step = self.current_step()
        if step in sequence and sequence.index(step) > 0:
            self._show(sequence[sequence.index(step) - 1])

    def go_next(self) -> None:
        step = self.current_step()
        if step is self.done_step:
            self.accept()
            return
        if step is self.check_step:
            self.save()
            return
        if not self._step_complete(step):
            return
        sequence = self._sequence()
        self._show(sequence[sequence.index(step) + 1])

    def _step_complete(self, step: Step) -> bool:
        """Checks that keep a person from walking past a question; the core has the last word."""
        for scope, scope_step in self.scope_steps.items():
            if step is scope_step and self.answers[scope].checkedId() < 0:
                step.show_problem(f"Choose {self.text.yes.text} or {self.text.no.text}.")
                return False
        if step is self.basis_step:
            if self.basis() is None:
                step.show_problem("Choose who is deciding.")
                return False
            if not self.decided_by.text().strip():
                step.show_problem("Write the name of the person deciding.", self.decided_by)
                return False
        if step is self.best_interests_step and self.chosen_scopes():
            if not self.consulted.toPlainText().strip():
                step.show_problem("Say who was consulted.", self.consulted)
                return False
            if self.advocate_group.checkedId() < 0:
                step.show_problem(
                    "Say whether an advocate or IMCA was involved.", self.advocate_group.button(1)
                )
                return False
            if not self.interests.toPlainText().strip():
                step.show_problem("Say why it is in the person’s interests.", self.interests)
                return False
        return True

    def _review_date_said(self) -> None:
        day = self.review_by.date().toPython()
        self.review_step.spoken_extra = (
            [day.strftime("%d %B %Y")]
            if self.review_by.isEnabled() and isinstance(day, dt.date)
            else []  # type: ignore[list-item]
        )

    def _fill_check(self) -> None:
        answers = self.answers_input()
        html = consent_copy_html(self.text, answers, self.story.storyteller.name, "", heading=False)
        if not self._shares():
            html = f"<p>{'<br>'.join(self.text.stays_here.splitlines())}</p>" + html
        self.check_view.setHtml(html)
        details = [
            f"Decision: {answers.decision.label}.",
            f"Basis: {answers.basis.label}, decided by {answers.decided_by.strip()}.",
            f"How: {answers.method.label}.",
        ]
        if self.witness.currentData():
            details.append(f"Witness: {self.witness.currentText()}.")
        self.check_details.setText(" ".join(details))
        self.check_step.spoken_extra = [self.check_view.toPlainText()]

    # --- saving ---

    _FIELD_STEPS: ClassVar[dict[str, str]] = {
        "decided_by": "basis",
        "consulted": "best_interests",
        "advocate_involved": "best_interests",
        "best_interests_reasons": "best_interests",
        "persons_words": "how",
        "conditions": "how",
        "capacity_notes": "review",
        "review_by": "review",
        "decided_on": "review",
    }

    def save(self) -> None:
        if self._saving:
            return
        self._saving = True
        self.next_button.setEnabled(False)
        answers = self.answers_input()
        story_id = self.story.id

        def work(session: Session) -> ConsentRecord:
            return consent.record_consent(session, story_id, answers)

        self.context.tasks.write(work, on_done=self._saved, on_error=self._save_failed)

    def _saved(self, record: ConsentRecord) -> None:
        self._saving = False
        self.next_button.setEnabled(True)
        self.result_record = record
        self.recorded.emit(record)
        self._show(self.done_step)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.next_button.setEnabled(True)
        if not isinstance(error, StorykeeperError):
            QMessageBox.critical(
                self, "Consent not saved", f"Something unexpected went wrong: {error}"
            )
            return
        key = (
            self._FIELD_STEPS.get(error.field or "") if isinstance(error, ValidationError) else None
        )
        step = next((s for s in self._sequence() if s.key == key), self.check_step)
        if error.field == "scopes":
            step = self.scope_steps[SHARING]
        self._show(step)
        step.show_problem(f"Not saved yet: {error}")

    # --- reading aloud and the copy ---

    def read_step(self) -> None:
        read_or_stop(self.speech, self, self.current_step().speech())

    def _speaking(self, speaking: bool) -> None:
        self.read_button.setText("Stop reading &aloud" if speaking else "Read &aloud")

    def print_copy(self) -> None:
        saved = save_consent_copy(
            self, self.text, self.result_record, self.story.storyteller.name, self.story.title
        )
        if saved is not None:
            self.print_state.setText(f"Saved the copy to {saved}. Open it to print it.")

    # --- leaving ---

    def reject(self) -> None:
        """Esc or Cancel: once saved this is just closing; before, it asks first."""
        self.speech.stop()
        if self.result_record is not None:
            super().accept()
            return
        if self._saving:
            return  # the answer is on its way: closing now would hide it
        if self.current_step() is not self.intro and not confirm_destructive(
            self,
            "Stop without saving?",
            "Stop now? The answers given so far are not saved.",
            act="Stop without saving",
            keep="Keep going",
        ):
            return
        super().reject()
