"""Checking a sender before trusting them: their key's fingerprint, large and grouped, to
compare with the sender by phone; who they are; and an explicit "I have compared" before their
key is trusted (on the writer thread) and their refused files are imported again.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.bundle.report import ImportReport
from storykeeper.core.trust import TrustedSigner
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import keys as key_ops
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses


def spoken_digits(fingerprint: str) -> str:
    """The fingerprint digit by digit, for a screen reader ("1 2 3 4 5, 6 7 …")."""
    return ", ".join(" ".join(group) for group in fingerprint.split())


class CheckSenderDialog(QDialog):
    """The check before trusting an unknown sender: the fingerprint, compared by phone."""

    def __init__(
        self,
        context: AppContext,
        report: ImportReport,
        dry_run: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert report.untrusted_public_key is not None
        self.context = context
        self.report = report
        self.public_key = report.untrusted_public_key
        self.trusted: TrustedSigner | None = None
        self._busy = False
        self.setWindowTitle("Check the sender before you trust them")
        fingerprint = report.signer_fingerprint or ""

        intro = QLabel(
            f"“{Path(report.file).name}” is signed by a key this computer does not know. "
            "Anyone can make a key and put any name on it, so check it first: phone the person "
            "who sent it, on a number you already have (not one given with the bundle), and ask "
            "them to read you their signing key's fingerprint, under Exchange → Keys and "
            "coordinators → Your own keys."
        )
        intro.setWordWrap(True)
        must = QLabel("Their fingerprint must be exactly:")
        must.setProperty("role", "heading")
        self.fingerprint = QLabel("   ".join(fingerprint.split()))
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setAccessibleName(f"Fingerprint: {spoken_digits(fingerprint)}")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key_id = QLabel(f"(Key id {report.signer_key_id}.)")
        warning = QLabel(
            "If even one digit is different, do not trust it: press Cancel, and tell the sender."
        )
        warning.setWordWrap(True)
        warning.setProperty("role", "heading")
        self.label = QLineEdit()
        self.label.setAccessibleName("Who the sender is")
        self.label.setPlaceholderText("Their name and team, e.g. Priya Shah, north team")
        self.label.setMaxLength(200)
        self.compared = QCheckBox("I &have compared the fingerprint with the sender")
        self.compared.setAccessibleName("I have compared the fingerprint with the sender")
        again = "check again" if dry_run else "import again"
        self.trust_button = QPushButton(f"&Trust and {again}")
        self.trust_button.setAccessibleName(f"Trust this sender and {again}")
        self.trust_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel: do not trust this sender")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What happened")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        who = QHBoxLayout()
        who.addWidget(buddy_label("&Who is it:", self.label))
        who.addWidget(self.label, 1)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.trust_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(must)
        layout.addWidget(self.fingerprint)
        layout.addWidget(key_id)
        layout.addWidget(warning)
        layout.addLayout(who)
        layout.addWidget(self.compared)
        layout.addWidget(self.message)
        layout.addStretch()
        layout.addLayout(buttons)
        self.setTabOrder(self.label, self.compared)
        self.setTabOrder(self.compared, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.trust_button)

        enter_presses(self, self.trust_button)
        self.label.textChanged.connect(self._update_button)
        self.compared.toggled.connect(self._update_button)
        self.trust_button.clicked.connect(self._trust)
        self.cancel_button.clicked.connect(self.reject)
        context.appearance_changed.connect(self._apply_fonts)
        self._apply_fonts()
        screen = self.screen().availableGeometry()
        self.resize(
            min(int(640 * context.settings.text_scale / 100), screen.width() - 40),
            self.sizeHint().height(),
        )
        self.label.setFocus()

    def _apply_fonts(self) -> None:
        # Large digits, in a font where each one is plainly itself; set as the label's own style,
        # which the application's style sheet does not reset.
        size = self.context.app.font().pointSizeF() * 1.8
        self.fingerprint.setStyleSheet(
            f"QLabel {{ font-family: 'DejaVu Sans Mono', monospace; font-size: {size:.1f}pt; "
            "font-weight: bold; }"
        )

    def _update_button(self) -> None:
        ready = self.compared.isChecked() and bool(self.label.text().strip())
        self.trust_button.setEnabled(ready and not self._busy)

    def _trust(self) -> None:
        if not self.trust_button.isEnabled():
            return
        self._busy = True
        self._update_button()
        self.message.setText("Trusting the sender…")
        self.context.tasks.write(
            partial(
                key_ops.trust_checked_sender,
                key_id=self.report.signer_key_id,
                public_key=self.public_key,
                label=self.label.text(),
            ),
            on_done=self._trusted,
            on_error=self._refused,
            changes=key_ops.KEYS_CHANGED,
        )

    def _trusted(self, signer: TrustedSigner) -> None:
        self._busy = False
        self.trusted = signer
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self._busy = False
        self._update_button()
        self.message.setText(plain_error(error, self.context.paths))
        self.label.setFocus()

    def reject(self) -> None:
        if self._busy:
            return  # the key is being written: its answer comes in a moment
        super().reject()
