"""The consent flow's steps and the answers on them (``ConsentSteps``), apart from moving
between them and saving, which ``dialogs.consent_flow.ConsentFlowDialog`` does.

A mixin rather than a widget of its own, so that each answer stays an attribute of the dialog
(``dialog.basis_group``, ``dialog.review_by``…), where the flow's rules and its tests find it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
)

from storykeeper.core import clock, consent
from storykeeper.core.consent import (
    AGREEING,
    REFERENCE_MAX,
    REPRESENTATIVES,
    ConsentInput,
    ConsentRecord,
)
from storykeeper.core.easy_read import ConsentText
from storykeeper.core.people import Supporter
from storykeeper.core.stories import Story
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, ConsentScope
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_best_interests import BestInterestsForm
from storykeeper.gui.dialogs.consent_capacity import CapacityForm
from storykeeper.gui.widgets.add_supporter import AddSupporter
from storykeeper.gui.widgets.date_field import DateField
from storykeeper.gui.widgets.easy_read_step import Step, choice_button
from storykeeper.gui.widgets.labels import buddy_label

#: The bases where the person decides: the name of the person deciding is theirs.
PERSON_DECIDES = (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION)
#: Asked first and never skipped: recording is about the telling, now, and is independent of
#: whether the story is shared (a "no" to sharing skips only the other uses of the story).
ASKED_FIRST = ConsentScope.RECORD_AUDIO
SHARING = ConsentScope.SHARE_WITH_COORDINATOR


class ConsentSteps:
    """Builds the steps into ``self.steps`` and reads the answers given on them."""

    context: AppContext
    story: Story
    current: ConsentRecord | None
    text: ConsentText
    picture_size: int

    def _build_steps(self, supporters: list[Supporter]) -> None:
        self.steps = QStackedWidget()
        self.intro = self._step(
            "intro", self.text.intro.title, self.text.intro.text, self.text.intro_picture
        )
        names = [supporter.name for supporter in supporters]
        # Who decides comes first: every question after it is asked of that person.
        self.basis_step = self._basis_step(names)
        self.capacity_step = self._capacity_step(names)
        self.scope_steps: dict[ConsentScope, Step] = {}
        self.answers: dict[ConsentScope, QButtonGroup] = {}
        for scope in ConsentScope:
            self._scope_step(scope)
        self.best_interests_step = self._best_interests_step()
        self.how_step = self._how_step()
        self.review_step = self._review_step(supporters)
        self.check_step = self._check_step()
        self.done_step = self._done_step()

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

    def _basis_step(self, names: list[str]) -> Step:
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
        if names:  # a supporter may be the decision-maker; anyone else is typed
            self.decided_by.setCompleter(QCompleter(names, self.decided_by))
        self.reference = QLineEdit()
        self.reference.setAccessibleName("LPA or court order reference")
        self.reference.setMaxLength(REFERENCE_MAX)
        self.helper = QLineEdit()
        self.helper.setAccessibleName("Who helped them decide")
        self.helper.setMaxLength(200)
        if names:
            self.helper.setCompleter(QCompleter(names, self.helper))
        self.capacity_in_doubt = QCheckBox("&Their capacity to make this decision is in doubt")
        self.capacity_in_doubt.setAccessibleName(
            "Their capacity to make this decision is in doubt: assess it next"
        )
        #: Whether the advocate said capacity is in doubt, apart from a best-interests decision.
        self._doubt_said = False
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(buddy_label("&Who is deciding (their name):", self.decided_by), self.decided_by)
        self.reference_label = buddy_label("&LPA or court order reference:", self.reference)
        form.addRow(self.reference_label, self.reference)
        self.helper_label = buddy_label("Who &helped them decide (their name):", self.helper)
        form.addRow(self.helper_label, self.helper)
        form.addRow(self.capacity_in_doubt)
        step.body.addLayout(form)
        self.basis_group.idToggled.connect(self._basis_changed)
        self._show_for(None)
        return step

    def _show_for(self, basis: ConsentBasis | None) -> None:
        """The LPA or order reference for an attorney or a deputy; the helper's name for a
        supported decision."""
        for widget in (self.reference_label, self.reference):
            widget.setVisible(basis in REPRESENTATIVES)
        for widget in (self.helper_label, self.helper):
            widget.setVisible(basis is ConsentBasis.SUPPORTED_DECISION)

    def _capacity_step(self, names: list[str]) -> Step:
        step = self._step(
            "capacity",
            "Can they make this decision?",
            "For you, the advocate: the capacity assessment for this decision.",
            None,
        )
        self.capacity = CapacityForm(names)
        step.body.addWidget(self.capacity)
        step.first = self.capacity.first
        return step

    def _best_interests_step(self) -> Step:
        page = self.text.best_interests
        step = self._step(
            "best_interests",
            page.title,
            page.text,
            self.text.basis[ConsentBasis.BEST_INTERESTS].picture,
        )
        self.best_interests = BestInterestsForm()
        step.body.addWidget(self.best_interests)
        step.first = self.best_interests.first
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
            self._add_witness(supporter)
        # On a fresh install there is nobody to choose: the advocate adds a witness, or
        # themselves, here.
        self.add_witness = AddSupporter(self.context, "Add a witness or &yourself…")
        self.add_witness.added.connect(self._witness_added)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy_label("&Review by:", self.review_by), self.review_by)
        form.addRow(buddy_label("&Date decided:", self.decided_on), self.decided_on)
        form.addRow(buddy_label("W&itness:", self.witness), self.witness)
        form.addRow("", self.add_witness)
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
        return step

    def _add_witness(self, supporter: Supporter) -> None:
        self.witness.addItem(f"{supporter.name} ({supporter.role.label})", supporter.id)

    def _witness_added(self, supporter: Supporter) -> None:
        self._add_witness(supporter)
        self.witness.setCurrentIndex(self.witness.count() - 1)
        self.witness.setFocus()

    @staticmethod
    def _text_box(name: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setAccessibleName(name)
        box.setTabChangesFocus(True)
        box.setMaximumHeight(160)
        return box

    def _review_date_said(self) -> None:
        day = self.review_by.date().toPython()
        self.review_step.spoken_extra = (
            [day.strftime("%d %B %Y")]
            if self.review_by.isEnabled() and isinstance(day, dt.date)
            else []  # type: ignore[list-item]
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
        self.reference.setText(current.representative_reference)
        if current.basis is ConsentBasis.SUPPORTED_DECISION:
            self.helper.setText(current.advocate_name)
        self.method.setCurrentIndex(max(0, self.method.findData(current.method.value)))
        self.conditions.setPlainText(current.conditions)
        if current.capacity is not None:
            self.capacity_in_doubt.setChecked(True)
            self.capacity.start_from(current.capacity)
        if current.best_interests is not None:
            self.best_interests.start_from(current.best_interests, current.advocate_name)
        elif current.basis is ConsentBasis.BEST_INTERESTS:
            # Recorded before the best-interests record: its reasons carry over to confirm;
            # the people consulted are asked for afresh, one by one.
            self.best_interests.why.setPlainText(current.best_interests_reasons)
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
        self._show_for(basis)
        # A best-interests decision rests on an assessment that the person cannot decide: the
        # box is ticked, and fixed, while it is chosen; choosing another basis after it gives
        # back what the advocate had said.
        doubt = self.capacity_in_doubt
        if basis is ConsentBasis.BEST_INTERESTS:
            if doubt.isEnabled():
                self._doubt_said = doubt.isChecked()
            doubt.setChecked(True)
            doubt.setEnabled(False)
        elif not doubt.isEnabled():
            doubt.setChecked(self._doubt_said)
            doubt.setEnabled(True)

    def capacity_assessed(self) -> bool:
        """Whether the flow includes the capacity step: when in doubt, and always before a
        best-interests decision."""
        return self.capacity_in_doubt.isChecked() or self.basis() is ConsentBasis.BEST_INTERESTS

    def address(self, step: Step, scope: ConsentScope) -> None:
        """Ask the question of whoever decides: the person, in their own easy-read words, or
        their attorney, deputy or best-interests decision-maker, about the person by name."""
        words = self.text.scopes[scope]
        asking = self.text.asking.get(self.basis() or ConsentBasis.OWN_CONSENT)
        if asking and words.about:
            name = self.story.storyteller.name
            title = _fill(asking, name=name, about=_fill(words.about, name=name))
            text = _fill(words.explain_other or words.explain, name=name)
        else:
            title, text = words.question, words.explain
        step.title, step.text = title, text
        step.heading.setText(title)
        step.words.setText(text)

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
        decided_on = self.decided_on.date().toPython()
        assert isinstance(decided_on, dt.date)
        return ConsentInput(
            decision=consent.decision_for(scopes, conditions),
            basis=basis,
            decided_by=self.decided_by.text(),
            method=ConsentMethod(self.method.currentData()),
            scopes=scopes,
            persons_words=self.persons_words.toPlainText(),
            conditions=conditions,
            witness_id=self.witness.currentData(),
            decided_on=decided_on,
            review_by=self.review_by.date().toPython() if scopes else None,  # type: ignore[arg-type]
            capacity=self.capacity.assessment() if self.capacity_assessed() else None,
            best_interests=(
                self.best_interests.best_interests(self.decided_by.text())
                if best_interests
                else None
            ),
            advocate_name=(
                self.best_interests.advocate_name.text()
                if best_interests
                else self.helper.text()
                if basis is ConsentBasis.SUPPORTED_DECISION
                else ""
            ),
            representative_reference=self.reference.text() if basis in REPRESENTATIVES else "",
        )


def _fill(template: str, **values: str) -> str:
    # str.format would choke on a stray brace an organisation typed into its own wording.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template
