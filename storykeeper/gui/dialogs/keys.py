"""This computer's keys (to read to a coordinator) and the coordinators' keys (to export to).

The recipients shown are ``Kind.KEYS``: the list reloads whenever the task runner announces a
change of keys, and the dialog's own writes only say that they change keys.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.errors import StorykeeperError
from storykeeper.core.keys import DeviceKeys, KeyStore
from storykeeper.core.recipients import Recipient
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import keys as key_ops
from storykeeper.gui.ops.changes import Kind
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses, give_keyboard_back


class KeysDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.keys = KeyStore(context.paths.data_dir)
        self.device: DeviceKeys | None = None
        self.setWindowTitle("Keys and recipients")

        mine = QGroupBox("This computer")
        self.key_id = QLabel("…")
        self.key_id.setAccessibleName("Signing key id")
        self.fingerprint = QLabel("…")
        self.fingerprint.setAccessibleName("Fingerprint")
        self.fingerprint.setProperty("role", "heading")
        # A line, not a label: the key is one long word that a label would cut off.
        self.age_recipient = QLineEdit("…")
        self.age_recipient.setReadOnly(True)
        self.age_recipient.setAccessibleName("Age recipient of this computer")
        for label in (self.key_id, self.fingerprint):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_public = QPushButton("&Save my public key…")
        self.save_public.setAccessibleName("Save this computer's public key for a coordinator")
        self.copy_recipient = QPushButton("C&opy my age recipient")
        self.copy_recipient.setAccessibleName("Copy this computer's age recipient")
        mine_form = QFormLayout(mine)
        mine_form.addRow("Signing key:", self.key_id)
        mine_form.addRow("Fingerprint (read it to them):", self.fingerprint)
        mine_form.addRow("Age recipient:", self.age_recipient)
        mine_buttons = QHBoxLayout()
        mine_buttons.addWidget(self.save_public)
        mine_buttons.addWidget(self.copy_recipient)
        mine_buttons.addStretch()
        mine_form.addRow(mine_buttons)

        theirs = QGroupBox("Coordinators who can open your bundles")
        self.recipient_list = QListWidget()
        self.recipient_list.setAccessibleName("Recipients")
        self.new_key = QLineEdit()
        self.new_key.setAccessibleName("New recipient's age key")
        self.new_key.setPlaceholderText("age1…")
        self.new_label = QLineEdit()
        self.new_label.setAccessibleName("Whose key it is")
        self.new_label.setMaxLength(200)
        self.add_button = QPushButton("&Add")
        self.add_button.setAccessibleName("Add the recipient")
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.setAccessibleName("Remove the chosen recipient")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("What to fix")
        theirs_layout = QVBoxLayout(theirs)
        theirs_layout.addWidget(self.recipient_list)
        add_form = QFormLayout()
        add_form.addRow(buddy_label("A&ge key:", self.new_key), self.new_key)
        add_form.addRow(buddy_label("&Whose:", self.new_label), self.new_label)
        theirs_layout.addLayout(add_form)
        theirs_buttons = QHBoxLayout()
        theirs_buttons.addWidget(self.add_button)
        theirs_buttons.addWidget(self.remove_button)
        theirs_buttons.addStretch()
        theirs_layout.addLayout(theirs_buttons)
        theirs_layout.addWidget(self.problem)
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(mine)
        layout.addWidget(theirs)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)

        self.save_public.clicked.connect(self._save_public)
        self.copy_recipient.clicked.connect(self._copy_recipient)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        # Enter adds the recipient typed in; no other button reacts to it (Esc closes).
        enter_presses(self, self.add_button)
        context.tasks.run(self.keys.ensure, on_done=self._show_keys, on_error=self._failed)
        context.tasks.changed.connect(self._keys_changed)
        self._reload()

    def _show_keys(self, device: DeviceKeys) -> None:
        self.device = device
        self.key_id.setText(device.signing.key_id)
        self.fingerprint.setText(device.signing.fingerprint)
        self.age_recipient.setText(device.age_recipient)

    def _failed(self, error: BaseException) -> None:
        self.problem.setText(plain_error(error, self.context.paths))

    def _keys_changed(self, kind: str, _ids: frozenset[str]) -> None:
        if kind == Kind.KEYS:
            self._reload()

    def _reload(self) -> None:
        self.context.tasks.read(key_ops.list_recipients, on_done=self._show_recipients)

    def _show_recipients(self, found: list[Recipient]) -> None:
        self.recipient_list.clear()
        for recipient in found:
            item = QListWidgetItem(f"{recipient.label}\n    {recipient.age_recipient}")
            item.setData(Qt.ItemDataRole.UserRole, recipient.age_recipient)
            self.recipient_list.addItem(item)
        self.remove_button.setEnabled(bool(found))

    def _add(self) -> None:
        def added(recipient: Recipient) -> None:
            self.problem.setText(f"Added {recipient.label}.")
            self.new_key.clear()
            self.new_label.clear()
            self.new_key.setFocus()

        def refused(error: BaseException) -> None:
            self._failed(error)
            field = getattr(error, "field", None)
            (self.new_label if field == "label" else self.new_key).setFocus()

        self.context.tasks.write(
            partial(
                key_ops.add_recipient,
                age_recipient=self.new_key.text(),
                label=self.new_label.text(),
            ),
            on_done=added,
            on_error=refused,
            changes=key_ops.KEYS_CHANGED,
        )

    def _remove(self) -> None:
        item = self.recipient_list.currentItem()
        if item is None:
            self.problem.setText("Choose the recipient to remove first.")
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        if not confirm_destructive(
            self,
            "Remove recipient",
            f"Stop encrypting bundles to {item.text().splitlines()[0]}?\n\nBundles already sent "
            "stay readable by them.",
            act="Remove",
            keep="Keep",
        ):
            return

        self.context.tasks.write(
            partial(key_ops.remove_recipient, age_recipient=key),
            on_error=self._failed,
            changes=key_ops.KEYS_CHANGED,
        )

    def _save_public(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Save my public key",
            str(Path.home() / "storykeeper-signing.pub"),
            "minisign public keys (*.pub)",
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        give_keyboard_back(self)
        if not chosen:
            return
        try:
            written = self.keys.export_public(Path(chosen))
        except (OSError, StorykeeperError) as exc:
            self._failed(exc)
            return
        self.problem.setText(
            f"Saved {written}. Give it to the coordinator, and read them the fingerprint."
        )

    def _copy_recipient(self) -> None:
        if self.device is not None:
            QGuiApplication.clipboard().setText(self.device.age_recipient)
            self.problem.setText("Copied this computer's age recipient.")
