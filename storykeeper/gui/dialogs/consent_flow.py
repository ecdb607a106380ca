"""The guided consent flow: one short easy-read step at a time, each readable aloud.

The person-facing steps (what the story may be used for, who is deciding) use the organisation's
easy-read wording and a picture for every choice, in large type; the advocate-facing steps (how
consent was given, best interests, review) are plain forms (the steps are built in
``consent_steps.py``). Nothing is written until the last step, "Is this right?", and then only
through ``ops.consent.record_consent``, whose rules are final: if it refuses, the flow goes back
to the step with the field to fix and says why.

Who decides comes first (Mental Capacity Act 2005): the person, with or without support, or
their attorney, their deputy, or a best-interests decision; every question after it is asked of
that person. When the person's capacity to make the decision is in doubt, and always before a
best-interests decision, a capacity assessment for this decision comes next; a best-interests
decision records its working after the questions (``consent_capacity.py``,
``consent_best_interests.py``). "Is this right?" says truthfully who decided
(``consent_copy.basis_wording``): a decision made for the person is never "what you chose".

The first use asked about is whether the person's voice may be recorded while they tell the
story: it is asked whatever they say about sharing, because a recording made here leaves only if
they also agree to sharing recordings. A "no" to sharing with the coordinator skips the other
uses.

Opening the flow when consent is already in force is a review: the answers start as they are, and
saving them (changed or not) adds a new version with a new review date.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.consent import AGREEING, ConsentRecord
from storykeeper.core.consent_copy import basis_wording, consent_copy_html
from storykeeper.core.errors import StorykeeperError, ValidationError
from storykeeper.core.vocabulary import CapacityOutcome, ConsentBasis, ConsentScope
from storykeeper.gui.consent_pdf import save_consent_copy
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.dialogs.consent_errors import not_written
from storykeeper.gui.dialogs.consent_steps import (
    ASKED_FIRST,
    PERSON_DECIDES,
    SHARING,
    ConsentSteps,
)
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.ops.consent import FlowData
from storykeeper.gui.widgets.easy_read_step import Step, easy_read_style, fit_easy_read_dialog
from storykeeper.gui.widgets.read_aloud import ReadAloud, read_or_stop


class ConsentFlowDialog(ConsentSteps, QDialog):
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
        self._build_steps(data.supporters)

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
        self.print_button.clicked.connect(self.print_copy)
        self._apply_fonts()
        self._prefill()
        fit_easy_read_dialog(self, 900, 760, scale)
        self._show(self.intro)

    def _apply_fonts(self) -> None:
        # Easy read: larger than the rest of the program, so it reads comfortably at arm's length.
        base = self.context.app.font().pointSizeF()
        self.setStyleSheet(
            easy_read_style(base, self.context.settings.high_contrast)
            + f"QTextBrowser {{ font-size: {base * 1.4:.1f}pt; }}"
        )

    # --- moving between steps ---

    def _sequence(self) -> list[Step]:
        """The steps in order, for the answers so far: some steps only apply to some answers."""
        order: list[Step] = [self.intro, self.basis_step]
        if self.capacity_assessed():
            order.append(self.capacity_step)
        order += [self.scope_steps[ASKED_FIRST], self.scope_steps[SHARING]]
        if self._shares() or self.answers[SHARING].checkedId() < 0:
            order += [self.scope_steps[s] for s in ConsentScope if s not in (ASKED_FIRST, SHARING)]
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
        if step is self.done_step:
            # "Your choices are saved" only when they were the person's own.
            theirs = self.basis() in PERSON_DECIDES or not self.text.done_for_you
            step.text = self.text.done.text if theirs else self.text.done_for_you
            step.words.setText(step.text)
        for scope, scope_step in self.scope_steps.items():
            if step is scope_step:
                self.address(step, scope)
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
            if self.reference.isVisibleTo(step) and not self.reference.text().strip():
                step.show_problem(
                    "Write the reference of the Lasting Power of Attorney, or the number of the "
                    "court order, as it is on the papers.",
                    self.reference,
                )
                return False
        if step is self.capacity_step:
            missing = self.capacity.missing()
            if missing is not None:
                step.show_problem(*missing)
                return False
            lacks = self.capacity.outcome.currentData() == CapacityOutcome.LACKS_CAPACITY.value
            if lacks and self.basis() in PERSON_DECIDES:
                step.show_problem(
                    "The assessment found they cannot make this decision now, so it cannot be "
                    "their own: go back and choose who decides for them, or assess again when "
                    "they can.",
                    self.capacity.outcome,
                )
                return False
        if step is self.best_interests_step and self.chosen_scopes():
            missing = self.best_interests.missing()
            if missing is not None:
                step.show_problem(*missing)
                return False
        return True

    def _fill_check(self) -> None:
        answers = self.answers_input()
        # Who decided, truthfully: "Here is what you chose" only when the person chose.
        said = basis_wording(answers)  # type: ignore[arg-type]
        lines = self.text.check.text.splitlines()
        words = lines if answers.basis in PERSON_DECIDES else [said, *lines[1:]]
        self.check_step.text = "\n".join(words)
        self.check_step.words.setText(self.check_step.text)
        html = consent_copy_html(self.text, answers, self.story.storyteller.name, "", heading=False)
        if not self._shares():
            html = f"<p>{'<br>'.join(self.text.stays_here.splitlines())}</p>" + html
        self.check_view.setHtml(html)
        details = [
            f"Decision: {answers.decision.label}.",
            f"Basis: {answers.basis.label}, decided by {answers.decided_by.strip()}.",
            f"How: {answers.method.label}.",
        ]
        if answers.representative_reference.strip():
            details.append(f"Reference: {answers.representative_reference.strip()}.")
        if answers.capacity is not None:
            details.append(f"Capacity: {answers.capacity.outcome.label.lower()}.")
        if answers.best_interests is not None:
            details.append(f"People consulted: {len(answers.best_interests.consulted)}.")
        if answers.advocate_name.strip():
            details.append(f"Advocate or IMCA: {answers.advocate_name.strip()}.")
        if self.witness.currentData():
            details.append(f"Witness: {self.witness.currentText()}.")
        self.check_details.setText(" ".join(details))
        self.check_step.spoken_extra = [self.check_view.toPlainText()]

    # --- saving ---

    _FIELD_STEPS: ClassVar[dict[str, str]] = {
        "basis": "basis",
        "decided_by": "basis",
        "representative_reference": "basis",
        "capacity": "capacity",
        "best_interests": "best_interests",
        "advocate_name": "best_interests",
        "persons_words": "how",
        "conditions": "how",
        "review_by": "review",
        "decided_on": "review",
        "witness_id": "review",
    }

    def save(self) -> None:
        if self._saving:
            return
        self._saving = True
        self.next_button.setEnabled(False)
        self.context.tasks.write(
            partial(
                consent_ops.record_consent, story_id=self.story.id, answers=self.answers_input()
            ),
            on_done=self._saved,
            on_error=self._save_failed,
            changes=consent_ops.consent_changes,
        )

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
            # Nothing was saved, and every answer is still here: said on the step, not in a box.
            said = not_written(
                error, self.context.paths, "Press Save again in a moment: the answers are kept."
            )
            self.check_step.show_problem(f"Not saved yet: {said}", self.next_button)
            return
        field = (error.field or "") if isinstance(error, ValidationError) else ""
        # "capacity.assessed_on", "best_interests.why": the part before the dot names the step,
        # except the decision-maker, who is named on "Who is deciding?".
        key = (
            "basis"
            if field == "best_interests.decision_maker"
            else self._FIELD_STEPS.get(field.split(".")[0])
        )
        step = next((s for s in self._sequence() if s.key == key), self.check_step)
        if field == "scopes":
            step = self.scope_steps[SHARING]
        self._show(step)
        step.show_problem(
            f"Not saved yet: {plain_error(error, self.context.paths)}", self._field_widget(field)
        )

    def _field_widget(self, field: str) -> QWidget | None:
        """Where the keyboard goes to put right what the core refused."""
        capacity, best = self.capacity, self.best_interests
        widgets: dict[str, QWidget] = {
            "decided_by": self.decided_by,
            "best_interests.decision_maker": self.decided_by,
            "representative_reference": self.reference,
            "capacity.decision": capacity.decision,
            "capacity.assessed_by": capacity.assessed_by,
            "capacity.assessed_on": capacity.assessed_on,
            "capacity.steps_note": capacity.steps_note,
            "capacity.outcome": capacity.outcome,
            **{f"capacity.{name}": box for name, box in capacity.abilities.items()},
            "best_interests.why": best.why,
            "best_interests.wishes_and_values": best.wishes,
            "best_interests.consulted": best.first,
            "advocate_name": best.advocate_name,
            "persons_words": self.persons_words,
            "conditions": self.conditions,
            "review_by": self.review_by,
            "decided_on": self.decided_on,
        }
        return widgets.get(field)

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
