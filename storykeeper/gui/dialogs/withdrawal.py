"""Recording that a person takes back some or all of their consent.

The person's "no" is honoured at once: the dialog records it (``ops.consent.withdraw``) and the
coordinator is told in the next bundle. Removing a fully withdrawn story's content from this
computer is a separate step the main window asks about afterwards, because it cannot be undone.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import clock
from storykeeper.core.consent import ConsentRecord, Withdrawal
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, ConsentScope
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.widgets.date_field import DateField
from storykeeper.gui.widgets.labels import buddy_label


class WithdrawalDialog(QDialog):
    def __init__(
        self,
        context: AppContext,
        story_id: str,
        storyteller_name: str,
        current: ConsentRecord,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.story_id = story_id
        self.current = current
        self.result_record: ConsentRecord | None = None
        self.setWindowTitle(f"Withdraw consent — {storyteller_name}")
        allowed = [s for s in ConsentScope if s in current.scopes]
        intro = QLabel(
            f"Record that {storyteller_name} no longer agrees to some or all of what they agreed "
            f"on {current.decided_on.strftime('%d %B %Y')}. The coordinator is told in the next "
            "bundle you send."
        )
        intro.setWordWrap(True)

        self.everything = QRadioButton("&Everything: they take back all their consent")
        self.everything.setAccessibleName("Withdraw everything")
        self.some = QRadioButton("&Some uses only — they now say no to:")
        self.some.setAccessibleName("Withdraw some uses only")
        choice = QButtonGroup(self)
        choice.addButton(self.everything)
        choice.addButton(self.some)
        self.everything.setChecked(True)
        self.scope_boxes: dict[ConsentScope, QCheckBox] = {}
        scopes = QVBoxLayout()
        scopes.setContentsMargins(32, 0, 0, 0)
        for n, scope in enumerate(allowed, start=1):
            box = QCheckBox(f"&{n}  {scope.label}")
            box.setAccessibleName(f"No longer: {scope.label}")
            box.setEnabled(False)
            self.scope_boxes[scope] = box
            scopes.addWidget(box)
        self.some.toggled.connect(self._some_toggled)

        self.decided_by = QLineEdit(storyteller_name)
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
        form.addRow(buddy_label("&Who is deciding:", self.decided_by), self.decided_by)
        form.addRow(buddy_label("On what &basis:", self.basis), self.basis)
        form.addRow(buddy_label("&How they said it:", self.method), self.method)
        form.addRow(buddy_label("&Date:", self.decided_on), self.decided_on)
        form.addRow(buddy_label("Their &reason, if given:", self.reason), self.reason)

        self.problem = QLabel()
        self.problem.setProperty("role", "problem")
        self.problem.setAccessibleName("What to fix")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record_button = self.buttons.addButton(
            "Re&cord the withdrawal", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setAccessibleName("Record the withdrawal")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.record)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.everything)
        layout.addWidget(self.some)
        layout.addLayout(scopes)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.everything.setFocus()
        screen = self.screen().availableGeometry()
        wide = int(600 * context.settings.text_scale / 100)
        self.resize(min(wide, int(screen.width() * 0.95)), self.sizeHint().height())

    def _some_toggled(self, on: bool) -> None:
        for box in self.scope_boxes.values():
            box.setEnabled(on)

    def withdrawal(self) -> Withdrawal:
        scopes = (
            frozenset(s for s, box in self.scope_boxes.items() if box.isChecked())
            if self.some.isChecked()
            else None
        )
        return Withdrawal(
            decided_by=self.decided_by.text(),
            basis=ConsentBasis(self.basis.currentData()),
            method=ConsentMethod(self.method.currentData()),
            scopes=scopes,
            reason=self.reason.toPlainText(),
            decided_on=self.decided_on.date().toPython(),  # type: ignore[arg-type]
        )

    def record(self) -> None:
        self.record_button.setEnabled(False)
        self.context.tasks.write(
            partial(consent_ops.withdraw, story_id=self.story_id, withdrawal=self.withdrawal()),
            on_done=self._recorded,
            on_error=self._failed,
            changes=consent_ops.consent_changes,
        )

    def _recorded(self, record: ConsentRecord) -> None:
        self.result_record = record
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.record_button.setEnabled(True)
        message = plain_error(error, self.context.paths)
        self.problem.setText(message)
        self.problem.show()
        field = getattr(error, "field", None)
        target = {"decided_by": self.decided_by, "scopes": self.some, "decided_on": self.decided_on}
        target.get(field or "", self.record_button).setFocus()

    @property
    def full(self) -> bool:
        """Whether the recorded withdrawal took back everything."""
        return self.result_record is not None and not self.result_record.scopes
