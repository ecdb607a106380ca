"""Story > Security…: how the stories are protected, and changing it.

Set, change or remove the passphrase, keep the key in this computer's keyring or not, make a
new recovery key, or (for a store made before encryption) encrypt it at the next start. Each
change needs the store key: from the keyring, else the passphrase is asked again, as at start.
Only the keys file changes (core/store_keys.py): nothing else is re-encrypted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.errors import StorykeeperError
from storykeeper.core.store_keys import StoreKeys
from storykeeper.core.unlock import StoreState, UnlockCancelled, store_state, unlock_store_key
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.recovery_key import RecoveryKeyDialog
from storykeeper.gui.dialogs.unlock import DialogAsker, encrypt_at_next_start
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.widgets.modal import run_modal


def show_security_dialog(*, context: AppContext, parent: QWidget) -> None:
    run_modal(SecurityDialog(context, parent))


class SecurityDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.paths = context.paths
        self.setWindowTitle("Security")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("How your stories are protected")
        self.set_passphrase = QPushButton("Set or change the &passphrase…")
        self.remove_passphrase = QPushButton("&Remove the passphrase")
        self.in_keyring = QCheckBox(
            "&Keep the key in this computer’s keyring (no question at start)"
        )
        self.new_recovery_key = QPushButton("Make a new re&covery key…")
        self.encrypt = QPushButton("&Encrypt the stories at the next start")
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("What happened")
        controls: list[QWidget] = [
            self.set_passphrase,
            self.remove_passphrase,
            self.in_keyring,
            self.new_recovery_key,
            self.encrypt,
        ]
        for control in controls:
            control.setAccessibleName(control.text().replace("&", "").rstrip("…"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        for control in controls:
            layout.addWidget(control)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.set_passphrase.clicked.connect(lambda: self._with_key(self._set_passphrase))
        self.remove_passphrase.clicked.connect(lambda: self._with_key(self._remove_passphrase))
        self.in_keyring.clicked.connect(self._keyring_chosen)
        self.new_recovery_key.clicked.connect(lambda: self._with_key(self._new_recovery_key))
        self.encrypt.clicked.connect(self._encrypt_next_start)
        self.refresh()

    # --- what is shown ---------------------------------------------------------------------

    def refresh(self) -> None:
        state = store_state(self.paths)
        encrypted = state is StoreState.ENCRYPTED
        for control in (
            self.set_passphrase,
            self.remove_passphrase,
            self.in_keyring,
            self.new_recovery_key,
        ):
            control.setVisible(encrypted)
        self.encrypt.setVisible(state is StoreState.PLAIN)
        if not encrypted:
            self.summary.setText(
                "Your stories are not encrypted: anyone who copies the data folder can read "
                "them. Storykeeper can encrypt them the next time it starts (a copy is kept "
                "until the encrypted store is checked)."
            )
            return
        keys = StoreKeys(self.paths.data_dir)
        in_keyring = keys.from_keyring() is not None
        self.in_keyring.setChecked(in_keyring)
        self.remove_passphrase.setEnabled(keys.has_passphrase)
        where = (
            "The key is kept in this computer’s keyring, so Storykeeper opens without a question."
            if in_keyring
            else "The key is not in this computer’s keyring."
        )
        phrase = (
            "A passphrase also opens them." if keys.has_passphrase else "There is no passphrase."
        )
        self.summary.setText(
            "Your stories, their attached files and recordings are encrypted. "
            f"{where} {phrase} The recovery key opens them if both are lost."
        )

    # --- changes ---------------------------------------------------------------------------

    def _with_key(self, change: Callable[[StoreKeys, bytes], str | None]) -> None:
        """Run ``change`` with the store key (asking the passphrase again if need be)."""
        keys = StoreKeys(self.paths.data_dir)
        try:
            store_key = unlock_store_key(self.paths, DialogAsker(self.paths))
            done = change(keys, store_key)
        except UnlockCancelled:
            done = "Nothing was changed."
        except StorykeeperError as error:
            done = error.message
        except Exception as error:  # a keyring or file fault: one plain line, never its text
            done = plain_error(error, self.paths)
        if done:
            self.outcome.setText(done)
        self.refresh()

    def _set_passphrase(self, keys: StoreKeys, store_key: bytes) -> str | None:
        chosen = DialogAsker(self.paths).ask_new_passphrase(
            "Choose a passphrase you will remember. It opens the stories when the keyring "
            "cannot; changing it later re-encrypts nothing."
        )
        if not chosen:
            return "The passphrase was not changed."
        keys.set_passphrase(store_key, chosen)
        return "The passphrase is set."

    def _remove_passphrase(self, keys: StoreKeys, store_key: bytes) -> str | None:
        if keys.from_keyring() is None:
            return (
                "Keep the key in the keyring first: without it and without a passphrase only "
                "the recovery key would open the stories."
            )
        keys.set_passphrase(store_key, None)
        return "The passphrase is removed; the keyring opens the stories."

    def _new_recovery_key(self, keys: StoreKeys, store_key: bytes) -> str | None:
        run_modal(RecoveryKeyDialog(keys.new_recovery_key(store_key), self))
        return "A new recovery key was made; the old one no longer works."

    def _keyring_chosen(self, wanted: bool) -> None:
        if wanted:
            self._with_key(self._remember)
            return
        keys = StoreKeys(self.paths.data_dir)
        if not keys.has_passphrase:
            self.outcome.setText(
                "Set a passphrase first: without the keyring and a passphrase only the "
                "recovery key would open the stories."
            )
            self.refresh()
            return
        try:
            keys.forget_in_keyring()
            self.outcome.setText("The key is no longer in the keyring; the passphrase is asked.")
        except StorykeeperError as error:
            self.outcome.setText(error.message)
        self.refresh()

    def _remember(self, keys: StoreKeys, store_key: bytes) -> str | None:
        keys.remember_in_keyring(store_key)
        return "The key is kept in this computer’s keyring."

    def _encrypt_next_start(self) -> None:
        encrypt_at_next_start(self.paths)
        self.outcome.setText(
            "Your stories will be encrypted the next time Storykeeper starts. Quit and start "
            "it again to do it now."
        )
