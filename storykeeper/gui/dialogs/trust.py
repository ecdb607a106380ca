"""Senders you trust: the advocates' signing keys whose bundles this computer accepts, each
added from the file the advocate saved or its pasted text and compared by phone through its
fingerprint (plain words: no tool names; ``ops.keys.signing_key_from_text`` reads the key).

The list shows ``Kind.KEYS``: it reloads whenever the task runner announces a change of keys,
whoever made it, and the dialog's own writes only say that they change keys.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.display import counted
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.trust import HandOver, TrustedSigner
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_sender import spoken_digits
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.dialogs.keys import (
    compare_by_phone,
    fit_on_screen,
    forget_secret,
    read_key_file,
)
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import keys as key_ops
from storykeeper.gui.ops.changes import Kind
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses, run_modal


class TrustDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Trusted senders")
        intro = QLabel(
            "Bundles are accepted only from these senders. Add each advocate's signing key from "
            "the file they saved (Exchange → Keys and coordinators → Your own keys) or its "
            "pasted text."
        )
        intro.setWordWrap(True)
        self.signer_list = QListWidget()
        self.signer_list.setAccessibleName("Trusted senders")
        self.signer_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.public_key = QLineEdit()
        self.public_key.setAccessibleName("The sender's signing key")
        self.public_key.setPlaceholderText("Paste it here, or choose the file they sent")
        self.from_file = QPushButton("From a &file…")
        self.from_file.setAccessibleName("Read the sender's signing key from the file they sent")
        self.label = QLineEdit()
        self.label.setAccessibleName("Whose key it is")
        self.label.setMaxLength(200)
        self.trust_button = QPushButton("&Trust this key")
        self.trust_button.setAccessibleName("Trust this key")
        self.revoke_button = QPushButton("&Revoke…")
        self.revoke_button.setAccessibleName("Revoke the chosen sender")
        self.hand_over_button = QPushButton("&Hand over…")
        self.hand_over_button.setAccessibleName("Hand the chosen sender's stories to a new key")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What happened")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)

        key_row = QHBoxLayout()
        key_row.addWidget(self.public_key, 1)
        key_row.addWidget(self.from_file)
        form = QFormLayout()
        form.addRow(buddy_label("Sender's signing &key:", self.public_key), key_row)
        form.addRow(buddy_label("&Whose:", self.label), self.label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.trust_button)
        buttons.addWidget(self.revoke_button)
        buttons.addWidget(self.hand_over_button)
        buttons.addStretch()
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.signer_list, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(compare_by_phone())
        layout.addLayout(buttons)
        fit_on_screen(self, 640, context.settings.text_scale)

        # Enter trusts what was typed in; no other button reacts to it (Esc closes).
        enter_presses(self, self.trust_button)
        self.trust_button.clicked.connect(self._trust)
        self.revoke_button.clicked.connect(self._revoke)
        self.hand_over_button.clicked.connect(self._hand_over)
        self.from_file.clicked.connect(self._from_file)
        context.tasks.changed.connect(self._keys_changed)
        self._reload()

    def _keys_changed(self, kind: str, _ids: frozenset[str]) -> None:
        if kind == Kind.KEYS:
            self._reload()

    def _reload(self) -> None:
        self.context.tasks.read(key_ops.list_signers, on_done=self._show)

    def _show(self, signers: list[TrustedSigner]) -> None:
        self.signer_list.clear()
        for signer in signers:
            state = f"revoked {signer.revoked_at:%d %b %Y}" if signer.revoked_at else "trusted"
            item = QListWidgetItem(
                f"{signer.label} ({state})\n    fingerprint {signer.fingerprint}"
            )
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{signer.label}, {state}, fingerprint {spoken_digits(signer.fingerprint)}",
            )
            item.setData(Qt.ItemDataRole.UserRole, signer.key_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, signer.active)
            self.signer_list.addItem(item)
        self.revoke_button.setEnabled(any(s.active for s in signers))
        self.hand_over_button.setEnabled(len(signers) > 1 and any(s.active for s in signers))

    def _from_file(self) -> None:
        try:
            text = read_key_file(self, "The sender's signing key file", "Signing key files (*.pub)")
            if text is None:
                return
            self.public_key.setText(key_ops.signing_key_from_text(text))
        except StorykeeperError as exc:
            self.message.setText(exc.message)
            self.public_key.setFocus()
            return
        self.message.clear()
        self.label.setFocus()

    def _trust(self) -> None:
        def trusted(signer: TrustedSigner) -> None:
            self.message.setText(
                f"Now trusting {signer.label}. Fingerprint: {signer.fingerprint} — compare it "
                "with them by phone; if theirs differs, revoke this key."
            )
            self.public_key.clear()
            self.label.clear()

        def refused(error: BaseException) -> None:
            self.message.setText(plain_error(error, self.context.paths))
            forget_secret(error, self.public_key)
            (self.label if getattr(error, "field", None) == "label" else self.public_key).setFocus()

        self.context.tasks.write(
            partial(
                key_ops.trust_signer, public_key=self.public_key.text(), label=self.label.text()
            ),
            on_done=trusted,
            on_error=refused,
            changes=key_ops.KEYS_CHANGED,
        )

    def _revoke(self) -> None:
        item = self.signer_list.currentItem()
        if item is None or not item.data(Qt.ItemDataRole.UserRole + 1):
            self.message.setText("Choose a trusted sender to revoke first.")
            return
        key_id = item.data(Qt.ItemDataRole.UserRole)
        name = item.text().splitlines()[0]
        if not confirm_destructive(
            self,
            "Revoke a sender",
            f"Stop accepting bundles signed by {name}?\n\nStories already imported from them "
            "stay. This cannot be undone: to be trusted again, they will need a new key.",
            act="Revoke",
            keep="Keep trusting",
        ):
            return

        def revoked(signer: TrustedSigner) -> None:
            self.message.setText(f"Revoked {signer.label}: their new bundles will be refused.")

        self.context.tasks.write(
            partial(key_ops.revoke_signer, key_id=key_id),
            on_done=revoked,
            on_error=lambda e: self.message.setText(plain_error(e, self.context.paths)),
            changes=key_ops.KEYS_CHANGED,
        )

    def _hand_over(self) -> None:
        """Hand the chosen sender's records to another trusted key (their new laptop's)."""
        item = self.signer_list.currentItem()
        if item is None:
            self.message.setText("Choose the sender's old key first, then Hand over.")
            return
        old_key = item.data(Qt.ItemDataRole.UserRole)
        old_name = item.text().splitlines()[0]
        others = [
            (self.signer_list.item(row).text().splitlines()[0], key)
            for row in range(self.signer_list.count())
            if (key := self.signer_list.item(row).data(Qt.ItemDataRole.UserRole)) != old_key
            and self.signer_list.item(row).data(Qt.ItemDataRole.UserRole + 1)
        ]
        if not others:
            self.message.setText("Trust the sender's new key first, then hand over to it.")
            return
        choose = QInputDialog(self)
        choose.setWindowTitle("Hand over to a new key")
        choose.setLabelText(f"Which key now belongs to the sender of {old_name}?")
        choose.setComboBoxItems([f"{name} — key {key}" for name, key in others])
        if not run_modal(choose):
            return
        new_name, new_key = others[[f"{n} — key {k}" for n, k in others].index(choose.textValue())]
        if not confirm_destructive(
            self,
            "Hand over a sender's records",
            f"Give everything {old_name} sent to {new_name}?\n\nOnly bundles signed by "
            f"{new_name} will then be able to change or withdraw those stories, storytellers "
            "and withdrawals. This is kept in the audit log.",
            act="Hand over",
            keep="Keep them as they are",
        ):
            return

        def handed(done: HandOver) -> None:
            self.message.setText(
                f"Handed to {done.new.label}: {counted(done.stories, 'story')}, "
                f"{counted(done.storytellers, 'storyteller')}, "
                f"{counted(done.supporters, 'supporter')} and "
                f"{counted(done.withdrawals, 'withdrawal')} that {done.old.label} sent."
            )

        self.context.tasks.write(
            partial(key_ops.hand_over, old_key_id=old_key, new_key_id=new_key),
            on_done=handed,
            on_error=lambda e: self.message.setText(plain_error(e, self.context.paths)),
            changes=key_ops.HAND_OVER_CHANGED,
        )
