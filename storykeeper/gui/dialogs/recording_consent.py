"""Asked when someone presses Record and consent does not yet include recording their voice.

Recording only starts once consent says it may (issue 8). The dialog offers the two honest ways
there: go through the consent flow with the person (the caller opens it), or record here that
the person — or whoever decides for them — has just agreed out loud, which becomes a new consent
version through ``ops.consent.record_spoken_recording_consent``. The core has the last word:
after a withdrawal, for an imported story or for a best-interests decision it refuses, and the
dialog shows why without closing.
"""

from __future__ import annotations

import itertools
import textwrap
from functools import partial
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.consent import ConsentRecord
from storykeeper.core.vocabulary import ConsentBasis
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses

#: The bases where the person decides for themselves: the name of who agreed is theirs.
PERSON_DECIDES = (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION)

#: The longest line of the confirmation, in characters: at twice the text size about 1,000 pixels.
CONFIRM_LINE = 64

Choice = Literal["flow", "recorded"]


def _plain(text: str) -> str:
    """A name inside a button's text: its ampersands are letters, not Alt keys."""
    return text.replace("&", "&&")


class RecordingConsentDialog(QDialog):
    """After ``exec``: ``choice`` is "flow" (open the consent flow), "recorded" (the verbal
    agreement is saved in ``result_record``: start recording) or None (cancelled)."""

    def __init__(
        self,
        context: AppContext,
        story_id: str,
        storyteller_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.story_id = story_id
        self.storyteller_name = storyteller_name
        self.choice: Choice | None = None
        self.result_record: ConsentRecord | None = None
        self._saving = False
        self.setWindowTitle(f"Recording needs agreement — {storyteller_name}")

        intro = QLabel(
            f"Recording needs {storyteller_name}’s agreement, and their consent does not "
            "include it yet. Go through consent with them, or record here that they have just "
            "said yes out loud.\n"
            "The recording stays on this computer unless they also agree to sharing recordings."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)  # a name is never read as markup
        intro.setWordWrap(True)
        intro.setAccessibleName("Why recording cannot start yet")

        self.flow_button = QPushButton("&Go through consent…")
        self.flow_button.setAccessibleName("Go through consent with the person")

        spoken = QLabel("Or, if they agreed out loud:")
        bold = spoken.font()
        bold.setBold(True)
        spoken.setFont(bold)
        self.decided_by = QLineEdit(storyteller_name)
        self.decided_by.setAccessibleName("Who agreed")
        self.decided_by.setMaxLength(200)
        self.basis = QComboBox()
        self.basis.setAccessibleName("On what basis")
        for basis in ConsentBasis:
            self.basis.addItem(basis.label, basis.value)
        self.persons_words = QPlainTextEdit()
        self.persons_words.setAccessibleName("Their words, if you wrote them down")
        self.persons_words.setPlaceholderText("For example: “Yes, record me, that’s fine.”")
        self.persons_words.setTabChangesFocus(True)
        # Three lines, at whatever text size: not a fixed height that large text would crowd.
        lines = self.persons_words.fontMetrics().lineSpacing()
        self.persons_words.setFixedHeight(3 * lines + 2 * self.persons_words.frameWidth() + 8)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy_label("&Who agreed:", self.decided_by), self.decided_by)
        form.addRow(buddy_label("On what &basis:", self.basis), self.basis)
        form.addRow(
            buddy_label("&Their words (if you want):", self.persons_words), self.persons_words
        )
        self.confirmed = QCheckBox()
        self.confirmed.setAccessibleName("I confirm they agreed, out loud, to being recorded")

        self.problem = QLabel()
        self.problem.setProperty("role", "problem")
        self.problem.setAccessibleName("What to fix")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.buttons = QDialogButtonBox()
        self.record_button = self.buttons.addButton(
            "&Record their agreement and start", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setAccessibleName("Record their agreement and start recording")
        # Not the standard button: some platforms word it "&Cancel", taking Alt+C from "confirm".
        self.cancel_button = self.buttons.addButton(
            "Cancel", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setAccessibleName("Cancel: do not record")
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        self.flow_button.clicked.connect(self.go_through_consent)
        self.confirmed.toggled.connect(self._update)
        self.decided_by.textChanged.connect(self._details_changed)
        self.basis.currentIndexChanged.connect(self._basis_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.flow_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(self.fontMetrics().lineSpacing())
        layout.addWidget(spoken)
        layout.addLayout(form)
        layout.addWidget(self.confirmed)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        # The page's order: the consent flow first (the fuller way), then the spoken yes.
        order = [
            self.flow_button,
            self.decided_by,
            self.basis,
            self.persons_words,
            self.confirmed,
            self.record_button,
            self.cancel_button,
        ]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)
        # Enter records only once the box is ticked (a disabled default does nothing); it never
        # presses whichever button last had the keyboard.
        enter_presses(self, self.record_button)
        self._details_changed()
        self.flow_button.setFocus()
        screen = self.screen().availableGeometry()
        width = min(int(560 * context.settings.text_scale / 100), int(screen.width() * 0.95))
        # Tall enough for the wrapped words at this width (sizeHint is for another width).
        height = self.heightForWidth(width)
        height = height if height > 0 else self.sizeHint().height()
        self.resize(width, min(height, int(screen.height() * 0.9)))

    # --- what is chosen ---

    def chosen_basis(self) -> ConsentBasis:
        return ConsentBasis(self.basis.currentData())

    def _confirmation(self) -> tuple[str, str]:
        """The sentence the tick confirms, in two parts (a check box's text never wraps)."""
        who = self.decided_by.text().strip() or "the person"
        agreed = f"I confirm that {who} agreed, out loud,"
        if who == self.storyteller_name.strip() or self.chosen_basis() in PERSON_DECIDES:
            return agreed, "to being recorded"
        return agreed, f"to {self.storyteller_name} being recorded"

    def _details_changed(self) -> None:
        # The tick confirms the words beside it: once they change, it must be given again.
        self.confirmed.setChecked(False)
        agreed, recorded = self._confirmation()
        # Lines broken by hand, so that at twice the text size the box still fits the screen.
        lines = [*textwrap.wrap(_plain(agreed), CONFIRM_LINE)]
        lines += textwrap.wrap(_plain(recorded), CONFIRM_LINE)
        lines[0] = lines[0].replace("I confirm", "I &confirm", 1)
        self.confirmed.setText("\n".join(lines))
        self.confirmed.setAccessibleName(f"{agreed} {recorded}")
        self._update()

    def _basis_changed(self) -> None:
        name = self.storyteller_name
        if self.chosen_basis() in PERSON_DECIDES:
            if not self.decided_by.text().strip():
                self.decided_by.setText(name)
        elif self.decided_by.text().strip() == name:
            # Someone else decides for them: their name, not the storyteller's, goes on record.
            self.decided_by.clear()
        self._details_changed()

    def _update(self) -> None:
        best_interests = self.chosen_basis() is ConsentBasis.BEST_INTERESTS
        if best_interests:
            # Said before they tick, not after: the core would refuse it in the same words.
            self._show_problem(
                "A best-interests decision must say who was consulted and why recording is in "
                "the person’s interests: use Go through consent to record it."
            )
        elif not self._saving:
            self.problem.hide()
        self.record_button.setEnabled(
            self.confirmed.isChecked() and not best_interests and not self._saving
        )

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    # --- the choices ---

    def go_through_consent(self) -> None:
        if self._saving:
            return
        self.choice = "flow"
        self.accept()

    def confirm(self) -> None:
        if self._saving or not self.record_button.isEnabled():
            return
        self._saving = True
        self.record_button.setEnabled(False)
        self.problem.hide()
        self.context.tasks.write(
            partial(
                consent_ops.record_spoken_recording_consent,
                story_id=self.story_id,
                decided_by=self.decided_by.text(),
                basis=self.chosen_basis(),
                persons_words=self.persons_words.toPlainText(),
            ),
            on_done=self._recorded,
            on_error=self._failed,
            changes=consent_ops.consent_changes,
        )

    def _recorded(self, record: ConsentRecord) -> None:
        self._saving = False
        self.result_record = record
        self.choice = "recorded"
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self._update()
        message = plain_error(error, self.context.paths)
        self._show_problem(message)
        field = getattr(error, "field", None)
        target: dict[str, QWidget] = {
            "decided_by": self.decided_by,
            "basis": self.basis,
            "persons_words": self.persons_words,
        }
        target.get(field or "", self.flow_button).setFocus()

    def reject(self) -> None:
        """Esc or Cancel: nothing recorded, nothing started."""
        if self._saving:
            return  # the answer is on its way: closing now would hide it
        self.choice = None
        super().reject()
