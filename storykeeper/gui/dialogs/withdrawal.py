"""Taking consent back, with the same care as giving it: easy-read steps, pictures, read aloud.

The steps: what taking back means (you need not say why); everything, or some things; which
things (each use with its picture, pressed in when taken back); who decided and how (the
advocate's form); and "Is this right?", which says plainly what will stop. The person's "no" is
honoured at once: the last step records it (``ops.consent.withdraw``) and the coordinator is told
in the next bundle. Removing a fully withdrawn story's content from this computer is a separate
step the main window asks about afterwards, because it cannot be undone.

Enter never withdraws: it moves from step to step, and on the last step nothing is the default
button — recording the withdrawal takes its own key (Alt+C) or a click. A stray Enter must not
take back a person's yes for them.
"""

from __future__ import annotations

import textwrap
from functools import partial

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import clock
from storykeeper.core.consent import ConsentRecord, Withdrawal
from storykeeper.core.easy_read import ConsentText, load_consent_text
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, ConsentScope
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_errors import not_written
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.widgets.date_field import DateField
from storykeeper.gui.widgets.easy_read_step import (
    Step,
    choice_button,
    easy_read_style,
    fit_easy_read_dialog,
)
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.read_aloud import ReadAloud, read_or_stop

#: The longest line of a choice's words, in characters: at twice the text size, with its
#: picture, about 1,000 pixels.
CHOICE_LINE = 34


class WithdrawalDialog(QDialog):
    """``result_record`` holds the new consent version once recorded; ``full`` says whether
    everything was taken back."""

    def __init__(
        self,
        context: AppContext,
        story_id: str,
        storyteller_name: str,
        current: ConsentRecord,
        parent: QWidget | None = None,
        *,
        language: str = "en",
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.story_id = story_id
        self.storyteller_name = storyteller_name
        self.current = current
        # The easy-read wording in the story's language, the organisation's own first: a small
        # file, read once as the dialog opens.
        self.text: ConsentText = load_consent_text(language, context.paths.data_dir)
        self.result_record: ConsentRecord | None = None
        self._recording = False
        self.setWindowTitle(f"Take back consent — {storyteller_name}")
        scale = context.settings.text_scale
        self.picture_size = int(120 * scale / 100)
        self.speech = ReadAloud(self)
        self.steps = QStackedWidget()
        words = self.text.withdraw
        self.intro = self._step("intro", words.intro.title, words.intro.text, self.text.no.picture)
        self.which_step = self._which_step()
        self.scopes_step = self._scopes_step()
        self.who_step = self._who_step()
        self.check_step = self._check_step()

        self.progress = QLabel()
        self.progress.setAccessibleName("Step")
        self.back_button = QPushButton("← &Back")
        self.back_button.setAccessibleName("Back to the previous step")
        self.read_button = QPushButton("Read &aloud")
        self.read_button.setAccessibleName("Read this step aloud")
        self.next_button = QPushButton("&Next →")
        self.next_button.setAccessibleName("Next step")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel: take nothing back")
        for button in (self.back_button, self.read_button, self.cancel_button):
            button.setAutoDefault(False)
        self.next_button.setDefault(True)
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
        fit_easy_read_dialog(self, 820, 640, scale)
        self._show(self.intro)

    def _apply_fonts(self) -> None:
        # As in the consent flow: easy read is larger than the rest of the program.
        base = self.context.app.font().pointSizeF()
        self.setStyleSheet(
            easy_read_style(base, self.context.settings.high_contrast)
            + f'QPushButton[role="act"] {{ font-size: {base * 1.5:.1f}pt; padding: 8px 18px; }}'
        )

    # --- the steps ---

    def _step(self, key: str, title: str, text: str, picture: object) -> Step:
        step = Step(key, title, text, picture, self.picture_size)  # type: ignore[arg-type]
        self.steps.addWidget(step)
        return step

    def _which_step(self) -> Step:
        words = self.text.withdraw
        step = self._step("which", words.which.title, words.which.text, None)
        self.which = QButtonGroup(step)
        self.everything = choice_button(
            f"&1  {words.everything}", self.text.no.picture, self.picture_size // 2
        )
        self.some = choice_button(
            f"&2  {words.some}", self.text.intro_picture, self.picture_size // 2
        )
        for number, button in enumerate((self.everything, self.some), start=1):
            self.which.addButton(button, number)
            step.body.addWidget(button)
            step.spoken_extra.append(button.accessibleName().lstrip("12 "))
        step.choices = self.which
        step.first = self.everything
        return step

    def _scopes_step(self) -> Step:
        words = self.text.withdraw.scopes
        step = self._step("scopes", words.title, words.text, None)
        self.scope_buttons: dict[ConsentScope, QPushButton] = {}
        for number, scope in enumerate((s for s in ConsentScope if s in self.current.scopes), 1):
            asked = self.text.scopes[scope]
            # A button's words do not wrap by themselves: at twice the text size a question on
            # one line would be wider than a laptop's screen.
            lines = textwrap.wrap(asked.question, CHOICE_LINE)
            button = choice_button(
                f"&{number}  " + "\n     ".join(lines), asked.picture, self.picture_size // 2
            )
            button.setAccessibleName(f"No longer: {asked.question}")
            self.scope_buttons[scope] = button
            step.body.addWidget(button)
            step.spoken_extra.append(asked.question)
            if number == 1:
                step.first = button
        return step

    def _who_step(self) -> Step:
        words = self.text.withdraw.who
        step = self._step("who", words.title, words.text, None)
        self.decided_by = QLineEdit(self.storyteller_name)
        self.decided_by.setAccessibleName("Who is deciding")
        self.decided_by.setMaxLength(200)
        self.basis = QComboBox()
        self.basis.setAccessibleName("On what basis")
        for basis in ConsentBasis:
            self.basis.addItem(basis.label, basis.value)
        self.method = QComboBox()
        self.method.setAccessibleName("How they said it")
        for method in ConsentMethod:
            self.method.addItem(method.label, method.value)
        self.decided_on = DateField("Date", "Today")
        self.decided_on.setDate(QDate(clock.today()))
        self.decided_on.setMaximumDate(QDate(clock.today()))
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Their reason, in their words")
        self.reason.setPlaceholderText("Only if they gave one. A person need not give a reason.")
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(120)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy_label("&Who is deciding:", self.decided_by), self.decided_by)
        form.addRow(buddy_label("On what ba&sis:", self.basis), self.basis)
        form.addRow(buddy_label("&How they said it:", self.method), self.method)
        form.addRow(buddy_label("&Date:", self.decided_on), self.decided_on)
        form.addRow(buddy_label("Their &reason, if given:", self.reason), self.reason)
        step.body.addLayout(form)
        step.first = self.decided_by
        return step

    def _check_step(self) -> Step:
        words = self.text.withdraw.check
        step = self._step("check", words.title, words.text, self.text.no.picture)
        self.stopping = step.words
        self.stopping.setAccessibleName("What will stop")
        # Not the default button, and never pressed by Enter: taking consent back is its own act.
        self.record_button = QPushButton("Re&cord the withdrawal")
        self.record_button.setAutoDefault(False)
        self.record_button.setAccessibleName("Record the withdrawal")
        self.record_button.setProperty("role", "act")
        self.record_button.clicked.connect(self.record)
        row = QHBoxLayout()
        row.addWidget(self.record_button)
        row.addStretch()
        step.body.addLayout(row)
        return step

    # --- moving between steps ---

    def _sequence(self) -> list[Step]:
        order = [self.intro, self.which_step]
        if self.some.isChecked():
            order.append(self.scopes_step)
        return [*order, self.who_step, self.check_step]

    def current_step(self) -> Step:
        widget = self.steps.currentWidget()
        assert isinstance(widget, Step)
        return widget

    def _show(self, step: Step) -> None:
        self.speech.stop()
        step.clear_problem()
        if step is self.check_step:
            self._fill_check()
        self.steps.setCurrentWidget(step)
        sequence = self._sequence()
        self.progress.setText(f"Step {sequence.index(step) + 1} of {len(sequence)}")
        self.back_button.setEnabled(step is not self.intro)
        last = step is self.check_step
        # Hidden, Next is no default button either: Enter on the last step does nothing.
        self.next_button.setVisible(not last)
        chosen = step.choices.checkedButton() if step.choices is not None else None
        # On the last step the keyboard starts on "Read aloud": no key there takes consent back.
        (chosen or step.first or (self.read_button if last else self.next_button)).setFocus()

    def go_back(self) -> None:
        sequence = self._sequence()
        step = self.current_step()
        if sequence.index(step) > 0:
            self._show(sequence[sequence.index(step) - 1])

    def go_next(self) -> None:
        step = self.current_step()
        if step is self.check_step:
            return  # only "Record the withdrawal" records
        if step is self.which_step and self.which.checkedId() < 0:
            step.show_problem(f"Choose 1 or 2: {self.text.withdraw.which.title}")
            return
        if step is self.scopes_step and not self.taken_back():
            step.show_problem("Choose at least one thing they now say no to.")
            return
        if step is self.who_step and not self.decided_by.text().strip():
            step.show_problem("Write the name of the person deciding.", self.decided_by)
            return
        sequence = self._sequence()
        self._show(sequence[sequence.index(step) + 1])

    def taken_back(self) -> frozenset[ConsentScope]:
        if not self.some.isChecked():
            return frozenset(self.current.scopes)
        return frozenset(s for s, button in self.scope_buttons.items() if button.isChecked())

    def _fill_check(self) -> None:
        words = self.text.withdraw
        if self.some.isChecked() and self.taken_back() != self.current.scopes:
            taken = [self.text.scopes[s].question for s in ConsentScope if s in self.taken_back()]
            said = "\n".join([words.stops, *(f"• {question}" for question in taken)])
        else:
            said = words.all_stops
        # What will stop, then how to change it: the words of "Is this right?" follow.
        self.check_step.text = "\n".join([said, words.check.text])
        self.stopping.setText(self.check_step.text)

    # --- recording ---

    def withdrawal(self) -> Withdrawal:
        return Withdrawal(
            decided_by=self.decided_by.text(),
            basis=ConsentBasis(self.basis.currentData()),
            method=ConsentMethod(self.method.currentData()),
            scopes=self.taken_back() if self.some.isChecked() else None,
            reason=self.reason.toPlainText(),
            decided_on=self.decided_on.date().toPython(),  # type: ignore[arg-type]
        )

    def record(self) -> None:
        if self._recording:
            return
        self._recording = True
        self.record_button.setEnabled(False)
        self.context.tasks.write(
            partial(consent_ops.withdraw, story_id=self.story_id, withdrawal=self.withdrawal()),
            on_done=self._recorded,
            on_error=self._failed,
            changes=consent_ops.consent_changes,
        )

    def _recorded(self, record: ConsentRecord) -> None:
        self._recording = False
        self.result_record = record
        self.speech.stop()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._recording = False
        self.record_button.setEnabled(True)
        said = not_written(
            error, self.context.paths, "Press Record the withdrawal again in a moment."
        )
        if not isinstance(error, StorykeeperError):
            # Not the answers but the store: they stay on "Is this right?", ready to try again.
            self.check_step.show_problem(f"Not recorded yet: {said}", self.record_button)
            return
        field = getattr(error, "field", None)
        step = {"scopes": self.which_step}.get(field or "", self.who_step)
        self._show(step)
        step.show_problem(
            f"Not recorded yet: {said}",
            {"decided_by": self.decided_by, "decided_on": self.decided_on}.get(field or ""),
        )

    # --- reading aloud, leaving ---

    def read_step(self) -> None:
        read_or_stop(self.speech, self, self.current_step().speech())

    def _speaking(self, speaking: bool) -> None:
        self.read_button.setText("Stop reading &aloud" if speaking else "Read &aloud")

    def reject(self) -> None:
        self.speech.stop()
        if self._recording:
            return  # the answer is on its way: closing now would hide it
        super().reject()

    @property
    def full(self) -> bool:
        """Whether the recorded withdrawal took back everything."""
        return self.result_record is not None and not self.result_record.scopes
