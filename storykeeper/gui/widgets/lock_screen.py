"""What the window shows while it is locked: no story, name or recording, only how to return.

The screen only asks and tells; ``gui/lock.py`` decides what unlocks the store. It is made anew
at each lock (so nothing typed into it outlives the lock) and follows the window's text size
and contrast like every page. Everything is reachable by keyboard and named for screen readers.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storykeeper import APP_NAME


class UnlockWith(Enum):
    """What the lock screen asks for."""

    #: The store has a passphrase: it (or the recovery key) unlocks.
    PASSPHRASE = "passphrase"  # noqa: S105 (a kind's name)
    #: The store's key is in this computer's keyring and there is no passphrase.
    SYSTEM = "system"
    #: A store kept unencrypted (asked for at its first start): nothing to check.
    NOTHING = "nothing"


class Secret(Enum):
    """What the person gave the lock screen."""

    PASSPHRASE = "passphrase"  # noqa: S105 (a kind's name)
    RECOVERY_KEY = "recovery key"
    SYSTEM = "system"
    NOTHING = "nothing"


HEADING = f"{APP_NAME} is locked"
HIDDEN = "The stories, names and recordings are hidden until it is unlocked."
ASK_PASSPHRASE = "Type the passphrase, then press Enter."  # noqa: S105 (words shown)
ASK_RECOVERY_KEY = (
    "Type the recovery key from the paper you printed when the passphrase was set "
    "(the dashes and spaces do not matter), then press Enter."
)
ASK_SYSTEM = (
    "Press Unlock. Storykeeper takes its key from this computer’s keyring, which may ask you "
    "to sign in again first."
)
ANYONE_CAN_UNLOCK = (
    "Anyone who can use this computer account can unlock Storykeeper, because it has no "
    "passphrase. To make it ask for one, unlock, then choose Security… in the Story menu and "
    "set a passphrase."
)
NOT_ENCRYPTED = (
    "This computer’s stories are not encrypted, and anyone who can use this computer account "
    "can return to them. To protect them, return, then choose Security… in the Story menu."
)
WHEN_FORGOTTEN = (
    "Lost the passphrase? Unlock with the recovery key instead (the paper you printed and "
    "kept). If both are lost, the stories on this computer cannot be opened by anyone: ask "
    "your coordinator for help. Stories you have already sent to them are safe."
)
WHEN_KEYRING_FAILS = (
    "If the keyring will not give the key (after a new computer account, say), unlock with "
    "the recovery key you printed and kept. If that is lost too, ask your coordinator."
)


class LockScreen(QWidget):
    """The locked window's only page."""

    #: The person asks to unlock with a ``Secret`` and what they typed ("" for none).
    unlock_requested = Signal(object, str)

    def __init__(self, unlock_with: UnlockWith, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock-screen")
        self.setAccessibleName(HEADING)
        self.unlock_with = unlock_with
        self._using_recovery_key = False
        self._seconds_left = 0
        self._refusal = ""
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)  # a second, not 950 ms
        self._countdown.timeout.connect(self._tick)

        self.heading = QLabel(HEADING)
        heading_font = QFont(self.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.5)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.heading.setAccessibleName(HEADING)
        self.heading.setWordWrap(True)

        self.explanation = self._words(HIDDEN, "What locking did")
        self.ask = self._words("", "What to do")
        self.secret_label = QLabel()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_label.setBuddy(self.secret)
        self.secret.returnPressed.connect(self._unlock)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock Storykeeper")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        self.switch_button = QPushButton()
        self.switch_button.clicked.connect(self._switch)
        #: What happened at the last try (a wrong passphrase, the wait before the next).
        self.message = self._words("", "Message")
        message_font = QFont(self.message.font())
        message_font.setBold(True)
        self.message.setFont(message_font)
        self.note = self._words("", "Who can unlock")
        self.if_lost = self._words("", "If the passphrase is lost")

        row = QHBoxLayout()
        row.addWidget(self.secret, 1)
        # Its own width, left: without a field beside it (the keyring), not a bar across.
        row.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignLeft)
        column = QVBoxLayout()
        column.addWidget(self.heading)
        column.addWidget(self.explanation)
        column.addSpacing(12)
        column.addWidget(self.ask)
        column.addWidget(self.secret_label)
        column.addLayout(row)
        column.addWidget(self.message)
        column.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addSpacing(12)
        column.addWidget(self.note)
        column.addWidget(self.if_lost)
        column.addStretch(1)
        inner = QWidget()
        inner.setObjectName("lock-screen-words")
        inner.setMaximumWidth(60 * self.fontMetrics().averageCharWidth() * 2)
        inner.setLayout(column)
        # At twice the text size on a small screen the words still fit (a test measures it);
        # scrolling is only the last resort, never the way to hide the unlock button.
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(inner)
        scroller.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        outer = QVBoxLayout(self)
        outer.addWidget(scroller)
        self._show_mode()

    def _words(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    # --- what is asked -----------------------------------------------------------------------

    @property
    def using_recovery_key(self) -> bool:
        return self._using_recovery_key

    def _show_mode(self) -> None:
        recovery = self._using_recovery_key
        asks_secret = recovery or self.unlock_with is UnlockWith.PASSPHRASE
        self.secret.setVisible(asks_secret)
        self.secret_label.setVisible(asks_secret)
        self.secret.setText("")  # emptied with its undo history (see _unlock)
        if recovery:
            self.secret_label.setText("&Recovery key:")
            self.secret.setAccessibleName("Recovery key")
            # Read off paper, forty characters: seeing them is what lets them be typed right.
            self.secret.setEchoMode(QLineEdit.EchoMode.Normal)
            self.ask.setText(ASK_RECOVERY_KEY)
        else:
            self.secret_label.setText("&Passphrase:")
            self.secret.setAccessibleName("Passphrase")
            self.secret.setEchoMode(QLineEdit.EchoMode.Password)
            self.ask.setText(
                ASK_PASSPHRASE
                if self.unlock_with is UnlockWith.PASSPHRASE
                else ASK_SYSTEM
                if self.unlock_with is UnlockWith.SYSTEM
                else "Press Return to go back to the stories."
            )
        if self.unlock_with is UnlockWith.NOTHING:
            self.unlock_button.setText("&Return")
            self.unlock_button.setAccessibleName("Return to the stories")
        self.switch_button.setVisible(self.unlock_with is not UnlockWith.NOTHING)
        back = "the passphrase" if self.unlock_with is UnlockWith.PASSPHRASE else "the keyring"
        self.switch_button.setText(
            f"Use {back} &instead" if recovery else "Use the recovery key &instead"
        )
        self.switch_button.setAccessibleName(self.switch_button.text().replace("&", ""))
        self.note.setText(
            ANYONE_CAN_UNLOCK
            if self.unlock_with is UnlockWith.SYSTEM
            else NOT_ENCRYPTED
            if self.unlock_with is UnlockWith.NOTHING
            else ""
        )
        self.note.setVisible(bool(self.note.text()))
        self.if_lost.setText(
            WHEN_FORGOTTEN
            if self.unlock_with is UnlockWith.PASSPHRASE
            else WHEN_KEYRING_FAILS
            if self.unlock_with is UnlockWith.SYSTEM
            else ""
        )
        self.if_lost.setVisible(bool(self.if_lost.text()))
        self.focus_first()

    def _switch(self) -> None:
        self._using_recovery_key = not self._using_recovery_key
        self.say("")
        self._show_mode()

    def focus_first(self) -> None:
        """The keyboard where the person starts: the field to type in, else Unlock."""
        if self.secret.isVisibleTo(self):
            self.secret.setFocus()
        else:
            self.unlock_button.setFocus()

    def _unlock(self) -> None:
        if self._seconds_left > 0 or not self.unlock_button.isEnabled():
            return
        typed = self.secret.text()
        # Not left in the field, whatever the answer, nor in its undo history (clear() is undone
        # by Ctrl+Z; setText empties the history too).
        self.secret.setText("")
        if self._using_recovery_key:
            secret = Secret.RECOVERY_KEY
        elif self.unlock_with is UnlockWith.PASSPHRASE:
            secret = Secret.PASSPHRASE
        elif self.unlock_with is UnlockWith.SYSTEM:
            secret = Secret.SYSTEM
        else:
            secret = Secret.NOTHING
        if secret in (Secret.PASSPHRASE, Secret.RECOVERY_KEY) and not typed.strip():
            self.say(f"Type the {secret.value} first.")
            return
        self.unlock_requested.emit(secret, typed)

    # --- answers -----------------------------------------------------------------------------

    def checking(self) -> None:
        """A try is being checked (a passphrase takes a moment): no second try meanwhile."""
        self.unlock_button.setEnabled(False)
        self.switch_button.setEnabled(False)
        self.say("Checking…")

    def say(self, words: str) -> None:
        self.message.setText(words)
        self.message.setAccessibleDescription(words)

    def refused(self, words: str, seconds_to_wait: float) -> None:
        """A try failed: say why, and hold the next try back for ``seconds_to_wait``."""
        self.switch_button.setEnabled(True)
        self._seconds_left = max(0, int(seconds_to_wait + 0.999))
        self._refusal = words
        if self._seconds_left:
            self.unlock_button.setEnabled(False)
            self._show_countdown()
            self._countdown.start()
        else:
            self.unlock_button.setEnabled(True)
            self.say(words)
        self.focus_first()

    def _show_countdown(self) -> None:
        unit = "second" if self._seconds_left == 1 else "seconds"
        self.say(f"{self._refusal} You can try again in {self._seconds_left} {unit}.")

    def _tick(self) -> None:
        self._seconds_left -= 1
        if self._seconds_left > 0:
            self._show_countdown()
            return
        self._countdown.stop()
        self.unlock_button.setEnabled(True)
        self.say(f"{self._refusal} You can try again now.")
        self.focus_first()
