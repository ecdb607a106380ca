"""The questions asked before the window opens: the passphrase or the recovery key, a new
passphrase, and the offer to encrypt a store made before encryption.

``DialogAsker`` is the window's ``core.unlock.Asker``. After wrong tries the store makes the
next one wait; the Open button stays disabled and counts the seconds down, so nobody is left
pressing a button that does nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.unlock import Secret, SecretRequest
from storykeeper.gui.dialogs.recovery_key import RecoveryKeyDialog
from storykeeper.gui.widgets.modal import enter_presses
from storykeeper.paths import DataPaths

WHAT_TO_DO_IF_LOST = (
    "Lost the passphrase? Use the recovery key that was shown when these stories were first "
    "encrypted (printed or written down). Without the passphrase or the recovery key nobody "
    "can open these stories, not even the people who make Storykeeper."
)
#: How long "Not now" keeps the offer to encrypt a plain store away.
OFFER_AGAIN_AFTER = dt.timedelta(days=14)
_DECLINED_KEY = "security/encryption_declined_on"
_CONVERT_NEXT_START_KEY = "security/encrypt_at_next_start"


class UnlockDialog(QDialog):
    """The passphrase (or, ticked, the recovery key), with Open and Quit."""

    def __init__(self, request: SecretRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open your stories")
        self.secret: Secret | None = None
        self._ready_at = time.monotonic() + max(0.0, request.wait_seconds)
        self.reason = QLabel(request.reason)
        self.reason.setWordWrap(True)
        self.reason.setProperty("role", "heading")
        self.reason.setAccessibleName("Why Storykeeper asks")
        self.field_label = QLabel()
        self.answer = QLineEdit()
        self.answer.setEchoMode(QLineEdit.EchoMode.Password)
        self.field_label.setBuddy(self.answer)
        self.use_recovery = QCheckBox("Use the &recovery key instead")
        self.use_recovery.setAccessibleName("Use the recovery key instead of the passphrase")
        self.use_recovery.setVisible(request.has_passphrase)
        self.use_recovery.setChecked(not request.has_passphrase)
        self.wait_note = QLabel()
        self.wait_note.setWordWrap(True)
        self.wait_note.setAccessibleName("Waiting before the next try")
        lost = QLabel(WHAT_TO_DO_IF_LOST)
        lost.setWordWrap(True)
        lost.setAccessibleName("If the passphrase is lost")
        self.buttons = QDialogButtonBox()
        self.open_button = self.buttons.addButton("&Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setAccessibleName("Open the stories")
        quit_button = self.buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAccessibleName("Quit without opening")
        enter_presses(self, self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addWidget(self.field_label)
        layout.addWidget(self.answer)
        layout.addWidget(self.use_recovery)
        layout.addWidget(self.wait_note)
        layout.addWidget(lost)
        layout.addWidget(self.buttons)
        self.use_recovery.toggled.connect(self._show_kind)
        self.buttons.accepted.connect(self._open)
        self.buttons.rejected.connect(self.reject)
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        self._show_kind(self.use_recovery.isChecked())
        self._tick()
        if self.seconds_left() > 0:
            self._countdown.start()
        self.answer.setFocus()

    def seconds_left(self) -> int:
        return max(0, math.ceil(self._ready_at - time.monotonic()))

    def _show_kind(self, recovery: bool) -> None:
        self.field_label.setText("&Recovery key:" if recovery else "&Passphrase:")
        self.answer.setAccessibleName("Recovery key" if recovery else "Passphrase")
        # A recovery key is read off paper: seeing it typed helps; a passphrase stays hidden.
        self.answer.setEchoMode(
            QLineEdit.EchoMode.Normal if recovery else QLineEdit.EchoMode.Password
        )
        self.answer.setFocus()

    def _tick(self) -> None:
        left = self.seconds_left()
        self.open_button.setEnabled(left == 0)
        if left:
            self.open_button.setText(f"&Open (in {left} s)")
            self.wait_note.setText(
                f"There were several wrong tries: you can try again in {left} seconds."
            )
        else:
            self.open_button.setText("&Open")
            self.wait_note.setText("")
            self._countdown.stop()
        self.wait_note.setVisible(bool(left))

    def _open(self) -> None:
        if self.seconds_left() or not self.answer.text():
            self.answer.setFocus()
            return
        self.secret = Secret(self.answer.text(), is_recovery_key=self.use_recovery.isChecked())
        self.accept()


class NewPassphraseDialog(QDialog):
    """A new passphrase typed twice; "Not now" (when allowed) for none."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a passphrase")
        self.passphrase: str | None = None
        why = QLabel(reason)
        why.setWordWrap(True)
        why.setAccessibleName("Why a passphrase")
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName("New passphrase")
        first_label = QLabel("&New passphrase:")
        first_label.setBuddy(self.first)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName("The same passphrase again")
        again_label = QLabel("The &same again:")
        again_label.setBuddy(self.again)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Passphrase problem")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        buttons = QDialogButtonBox()
        keep = buttons.addButton("&Use this passphrase", QDialogButtonBox.ButtonRole.AcceptRole)
        keep.setAccessibleName("Use this passphrase")
        skip = buttons.addButton("Not &now", QDialogButtonBox.ButtonRole.RejectRole)
        skip.setAccessibleName("No passphrase now")
        enter_presses(self, keep)
        layout = QVBoxLayout(self)
        for widget in (why, first_label, self.first, again_label, self.again, self.problem):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._use)
        buttons.rejected.connect(self.reject)
        self.first.setFocus()

    def _use(self) -> None:
        if not self.first.text():
            self.problem.setText("Type a passphrase first.")
            self.first.setFocus()
        elif self.first.text() != self.again.text():
            self.problem.setText("The two passphrases are not the same: type them again.")
            self.again.clear()
            self.again.setFocus()
        else:
            self.passphrase = self.first.text()
            self.accept()


class WorkingNotice(QDialog):
    """What is being done, while it is done (no buttons: it closes itself)."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.setWindowTitle("Storykeeper is working")
        self.what = QLabel(what)
        self.what.setWordWrap(True)
        self.what.setAccessibleName("What Storykeeper is doing")
        QVBoxLayout(self).addWidget(self.what)


class DialogAsker:
    """The window's ``Asker``: each question a dialog, before the main window exists."""

    def __init__(self, paths: DataPaths, *, unattended: bool = False) -> None:
        self._settings = QSettings(str(paths.data_dir / "settings.ini"), QSettings.Format.IniFormat)
        # A benchmark or a start-up test: nobody is there to answer an offer or keep a key.
        self._unattended = unattended

    def ask_secret(self, request: SecretRequest) -> Secret | None:
        dialog = UnlockDialog(request)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        secret = dialog.secret if accepted else None
        dialog.deleteLater()
        return secret

    def ask_new_passphrase(self, reason: str) -> str | None:
        dialog = NewPassphraseDialog(reason)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        chosen = dialog.passphrase if accepted else None
        dialog.deleteLater()
        return chosen

    def show_recovery_key(self, recovery_key: str) -> None:
        if self._unattended:
            return
        dialog = RecoveryKeyDialog(recovery_key)
        dialog.exec()
        dialog.deleteLater()

    @contextmanager
    def working(self, what: str) -> Iterator[None]:
        """A small window saying what is happening, and the busy pointer, while it runs: no
        other window is open yet, and nothing would show that Storykeeper is at work."""
        notice = WorkingNotice(what)
        notice.show()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        # Drawn before the work starts: the event loop does not turn until it is done.
        QApplication.processEvents()
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()
            notice.close()
            notice.deleteLater()

    def offer_conversion(self) -> bool:
        if self._unattended:
            return False
        if str(self._settings.value(_CONVERT_NEXT_START_KEY, "false")) == "true":
            self._settings.setValue(_CONVERT_NEXT_START_KEY, "false")
            self._settings.sync()
            return True
        if not offer_due(self._settings):
            return False
        answer = QMessageBox(
            QMessageBox.Icon.Question,
            "Encrypt your stories?",
            "The stories on this computer are not encrypted: anyone who copies the data folder "
            "can read them. Storykeeper can encrypt them now (a copy is kept until the "
            "encrypted store is checked). It takes a moment.",
        )
        encrypt = answer.addButton("&Encrypt now", QMessageBox.ButtonRole.AcceptRole)
        answer.addButton("&Not now", QMessageBox.ButtonRole.RejectRole)
        answer.setDefaultButton(encrypt)
        answer.exec()
        chosen = answer.clickedButton() is encrypt
        answer.deleteLater()
        if not chosen:
            self._settings.setValue(_DECLINED_KEY, dt.date.today().isoformat())
            self._settings.sync()
        return chosen


def offer_due(settings: QSettings) -> bool:
    """Whether "Not now" was said long enough ago (or never) to offer encryption again."""
    declined = str(settings.value(_DECLINED_KEY, "") or "")
    try:
        return dt.date.today() - dt.date.fromisoformat(declined) >= OFFER_AGAIN_AFTER
    except ValueError:
        return True


def encrypt_at_next_start(paths: DataPaths) -> None:
    """The security dialog's "Encrypt at next start": the store is open now, so it waits."""
    settings = QSettings(str(paths.data_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(_CONVERT_NEXT_START_KEY, "true")
    settings.sync()
