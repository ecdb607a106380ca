"""Keys in plain words: the coordinators this computer sends stories to, and this computer's own
keys to give to others (its receiving key for advocates, its signing key for coordinators).

The window never names the tools: a *receiving key* is what others lock stories with so that
only its owner can open them, a *signing key* shows who sent a bundle, and each is compared by
phone through its *fingerprint*, four groups of five digits (``core.keys.fingerprint``). The
files saved here stay the standard ones, so the stock tools read them.

The coordinators shown are ``Kind.KEYS``: the list reloads whenever the task runner announces a
change of keys, and the dialog's own writes only say that they change keys.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import clock
from storykeeper.core.atomic_files import atomic_file
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.keys import DeviceKeys, receiving_key_fingerprint
from storykeeper.core.recipients import Recipient
from storykeeper.gui import key_card_pdf
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_sender import spoken_digits
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import keys as key_ops
from storykeeper.gui.ops.changes import Kind
from storykeeper.gui.settings import Use
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses, give_keyboard_back
from storykeeper.gui.widgets.whole_words import FRAME_ALLOWANCE, keep_words_whole

TITLE = "Keys and coordinators"
COMPARE_BY_PHONE = (
    "<b>Compare by phone.</b> A key sent by e-mail could have been swapped on the way: call the "
    "other person on a number you already know, and read each other the fingerprint your "
    "screens show for the key. If a single digit differs, do not use the key."
)


def compare_by_phone() -> QLabel:
    """The explanation both sides of a key see: how to compare a fingerprint by phone."""
    label = QLabel(COMPARE_BY_PHONE)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def forget_secret(error: BaseException, field: QLineEdit) -> None:
    """A secret key refused is taken off the screen too, not left for anyone to read."""
    if isinstance(error, key_ops.SecretKeyGiven):
        field.clear()


def read_key_file(parent: QWidget, title: str, file_filter: str) -> str | None:
    """The text of a key file the person chooses; None when they cancelled.

    Raises ``StorykeeperError`` (one plain line) for a file that cannot be read."""
    chosen, _ = QFileDialog.getOpenFileName(
        parent,
        title,
        str(Path.home()),
        f"{file_filter};;All files (*)",
        options=QFileDialog.Option.DontUseNativeDialog,
    )
    give_keyboard_back(parent)
    return key_ops.key_file_text(Path(chosen)) if chosen else None


def ask_save_path(parent: QWidget, title: str, suggested: Path, file_filter: str) -> Path | None:
    """Where the person wants a file saved (its ending added if they left it off); None when
    they cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        title,
        str(suggested),
        file_filter,
        options=QFileDialog.Option.DontUseNativeDialog,
    )
    give_keyboard_back(parent)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix else path.with_name(path.name + suggested.suffix)


def fit_on_screen(dialog: QDialog, width_at_normal_text: int, scale_percent: int) -> None:
    """Open ``dialog`` as wide as its words read well at the text size, within the screen, and
    as tall as they need at that width (``keep_words_whole``), never taller than the screen."""
    room = dialog.screen().availableGeometry()
    width = min(width_at_normal_text * scale_percent // 100, room.width() - 40)
    dialog.resize(width, min(dialog.sizeHint().height(), room.height() - FRAME_ALLOWANCE))
    keep_words_whole(dialog)


class _WholePageArea(QScrollArea):
    """A scroll area that asks for its whole page (Qt's asks for at most 24 lines), so the
    dialog opens showing everything where the screen has room, and scrolls where it has not."""

    def sizeHint(self) -> QSize:
        page = self.widget()
        return page.sizeHint() if page is not None else super().sizeHint()


def _scrolling(page: QWidget, name: str) -> QScrollArea:
    """``page`` in a scroll area: at large text on a small screen it scrolls rather than
    squeezing its buttons and words until they are cut off."""
    area = _WholePageArea()
    area.setAccessibleName(name)
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def _key_box(
    title: str, note: str, rows: list[tuple[str, QWidget]], buttons: list[QPushButton]
) -> QGroupBox:
    """One of this computer's keys: a short title (a title never wraps, and at large text a
    long one made the page wider than a small screen), what it is for in words that wrap, its
    values, and what can be done with it."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    words = QLabel(note)
    words.setWordWrap(True)
    form.addRow(words)
    for label, value in rows:
        form.addRow(label, value)
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch()
    form.addRow(row)
    return box


def _fingerprint_label(name: str) -> QLabel:
    label = QLabel("…")
    label.setAccessibleName(name)
    label.setProperty("role", "heading")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _say_digits(label: QLabel, name: str, digits: str) -> None:
    label.setText(digits)
    label.setAccessibleName(f"{name}: {spoken_digits(digits)}")


class KeysDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.keys = context.store.keys
        self.device: DeviceKeys | None = None
        self.setWindowTitle(TITLE)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Coordinators, or your own keys")
        for page, title in (
            (self._coordinators_tab(), "&Coordinators you send to"),
            (self._own_keys_tab(), "Your &own keys"),
        ):
            self.tabs.addTab(_scrolling(page, title.replace("&", "")), title)
        if context.settings.use is Use.RECEIVE:  # sends to nobody: their key to share first
            self.tabs.setCurrentIndex(1)
        close = QPushButton("Clos&e")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        fit_on_screen(self, 720, context.settings.text_scale)
        # Enter adds the key typed in; no other button reacts to it (Esc closes).
        enter_presses(self, self.add_button)
        context.tasks.run(self.keys.ensure, on_done=self._show_keys, on_error=self._failed)
        context.tasks.changed.connect(self._keys_changed)
        self._reload()

    def _coordinators_tab(self) -> QWidget:
        tab = QWidget()
        intro = QLabel(
            "Stories you export are locked so that only the coordinators ticked can open them. "
            "Add each coordinator's receiving key, from their key card or the file they sent."
        )
        intro.setWordWrap(True)
        theirs = QGroupBox("Coordinators who can open your bundles")
        self.recipient_list = QListWidget()
        self.recipient_list.setAccessibleName("Coordinators who can open your bundles")
        # Three lines at least, and no more asked for: at large text on a laptop the words
        # round it need the room, and the list scrolls.
        self.recipient_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.recipient_list.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustIgnored)
        self.new_key = QLineEdit()
        self.new_key.setAccessibleName("The coordinator's receiving key")
        self.new_key.setPlaceholderText("Paste it here, or choose the file they sent")
        self.key_from_file = QPushButton("From a &file…")
        self.key_from_file.setAccessibleName("Read the coordinator's key from the file they sent")
        self.new_label = QLineEdit()
        self.new_label.setAccessibleName("Whose key it is")
        self.new_label.setMaxLength(200)
        self.add_button = QPushButton("&Add")
        self.add_button.setAccessibleName("Add the coordinator's key")
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.setAccessibleName("Remove the chosen coordinator")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("What happened")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key_row = QHBoxLayout()
        key_row.addWidget(self.new_key, 1)
        key_row.addWidget(self.key_from_file)
        add_form = QFormLayout()
        add_form.addRow(buddy_label("Coordinator's &key:", self.new_key), key_row)
        add_form.addRow(buddy_label("&Whose:", self.new_label), self.new_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        theirs_layout = QVBoxLayout(theirs)
        theirs_layout.addWidget(self.recipient_list)
        theirs_layout.addLayout(add_form)
        theirs_layout.addLayout(buttons)
        theirs_layout.addWidget(self.problem)
        layout = QVBoxLayout(tab)
        layout.addWidget(intro)
        layout.addWidget(theirs)
        layout.addWidget(compare_by_phone())
        layout.addStretch()
        self.key_from_file.clicked.connect(self._key_from_file)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        return tab

    def _own_keys_tab(self) -> QWidget:
        tab = QWidget()
        # A line, not a label: the key is one long word that a label would cut off.
        self.age_recipient = QLineEdit("…")
        self.age_recipient.setReadOnly(True)
        self.age_recipient.setAccessibleName("Your receiving key")
        self.receiving_fingerprint = _fingerprint_label("Its fingerprint")
        self.copy_recipient = QPushButton("Cop&y")
        self.copy_recipient.setAccessibleName("Copy your receiving key")
        self.save_receiving = QPushButton("&Save to a file…")
        self.save_receiving.setAccessibleName("Save your receiving key to a file to send")
        self.print_card = QPushButton("&Print a key card…")
        self.print_card.setAccessibleName("Save a one-page key card to print")
        receiving = _key_box(
            "Your receiving key",
            "Give it to the people who send you stories: only this computer can open what they "
            "lock with it. It is safe to share: it cannot open anything.",
            [("Key:", self.age_recipient), ("Fingerprint:", self.receiving_fingerprint)],
            [self.copy_recipient, self.save_receiving, self.print_card],
        )
        self.fingerprint = _fingerprint_label("Signing key fingerprint")
        self.save_public = QPushButton("Sa&ve it for a coordinator…")
        self.save_public.setAccessibleName("Save your signing key for a coordinator to trust")
        signing = _key_box(
            "Your signing key",
            "It shows coordinators that the stories they receive came from you: save it for "
            "each coordinator you send to.",
            [("Fingerprint:", self.fingerprint)],
            [self.save_public],
        )
        self.own_message = QLabel()
        self.own_message.setWordWrap(True)
        self.own_message.setAccessibleName("What happened")
        self.own_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(tab)
        layout.addWidget(receiving)
        layout.addWidget(signing)
        layout.addWidget(self.own_message)
        layout.addWidget(compare_by_phone())
        layout.addStretch()
        self.copy_recipient.clicked.connect(self._copy_recipient)
        self.save_receiving.clicked.connect(self._save_receiving)
        self.print_card.clicked.connect(self._print_card)
        self.save_public.clicked.connect(self._save_public)
        return tab

    def _show_keys(self, device: DeviceKeys) -> None:
        self.device = device
        _say_digits(self.fingerprint, "Signing key fingerprint", device.signing.fingerprint)
        self.age_recipient.setText(device.age_recipient)
        self.age_recipient.setCursorPosition(0)
        digits = receiving_key_fingerprint(device.age_recipient)
        _say_digits(self.receiving_fingerprint, "Receiving key fingerprint", digits)

    def _failed(self, error: BaseException) -> None:
        self.problem.setText(plain_error(error, self.context.paths))

    def _own_failed(self, error: BaseException) -> None:
        self.own_message.setText(plain_error(error, self.context.paths))

    def _keys_changed(self, kind: str, _ids: frozenset[str]) -> None:
        if kind == Kind.KEYS:
            self._reload()

    def _reload(self) -> None:
        self.context.tasks.read(key_ops.list_recipients, on_done=self._show_recipients)

    def _show_recipients(self, found: list[Recipient]) -> None:
        self.recipient_list.clear()
        for recipient in found:
            digits = key_ops.fingerprint_of(recipient)
            item = QListWidgetItem(f"{recipient.label}\n    fingerprint {digits}")
            item.setData(Qt.ItemDataRole.UserRole, recipient.age_recipient)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{recipient.label}, fingerprint {spoken_digits(digits)}",
            )
            item.setToolTip(recipient.age_recipient)
            self.recipient_list.addItem(item)
        self.remove_button.setEnabled(bool(found))

    def _key_from_file(self) -> None:
        try:
            text = read_key_file(self, "The coordinator's key file", "Key files (*.txt)")
        except StorykeeperError as exc:
            self._failed(exc)
            return
        if text is None:
            return
        try:
            self.new_key.setText(key_ops.coordinator_key_from_text(text))
        except StorykeeperError as exc:
            self._failed(exc)
            self.new_key.setFocus()
            return
        self.problem.clear()
        self.new_label.setFocus()

    def _add(self) -> None:
        def added(recipient: Recipient) -> None:
            self.problem.setText(
                f"Added {recipient.label}. Now phone them and read them its fingerprint, "
                f"{key_ops.fingerprint_of(recipient)}: it must match their key card or screen."
            )
            self.new_key.clear()
            self.new_label.clear()
            self.new_key.setFocus()

        def refused(error: BaseException) -> None:
            self._failed(error)
            forget_secret(error, self.new_key)
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
            self.problem.setText("Choose the coordinator to remove first.")
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        if not confirm_destructive(
            self,
            "Remove a coordinator",
            f"Stop sending stories to {item.text().splitlines()[0]}?\n\nWhat you sent them "
            "before stays readable by them.",
            act="Remove",
            keep="Keep",
        ):
            return

        self.context.tasks.write(
            partial(key_ops.remove_recipient, age_recipient=key),
            on_error=self._failed,
            changes=key_ops.KEYS_CHANGED,
        )

    def _save_own(
        self, title: str, file_name: str, file_filter: str, write: Callable[[Path], object]
    ) -> Path | None:
        """Ask where, then ``write(path)``; the path once written, None when the person
        cancelled or it failed (said in one line)."""
        suggested = key_card_pdf.default_card_path().with_name(file_name)
        path = ask_save_path(self, title, suggested, file_filter)
        if path is None:
            return None
        try:
            write(path)
        except (OSError, StorykeeperError) as exc:
            self._own_failed(exc)
            return None
        return path

    def _save_public(self) -> None:
        path = self._save_own(
            "Save your signing key for a coordinator",
            "Storykeeper signing key.pub",
            "Signing key files (*.pub)",
            self.keys.export_public,
        )
        if path is not None:
            self.own_message.setText(
                f"Saved {path}. Give it to the coordinator, then read them its fingerprint by "
                "phone."
            )

    def _save_receiving(self) -> None:
        if self.device is None:
            return
        text = key_ops.receiving_key_file(self.device.age_recipient).encode()

        def write(path: Path) -> None:
            with atomic_file(path) as handle:
                handle.write(text)

        path = self._save_own(
            "Save your receiving key to send",
            "Storykeeper receiving key.txt",
            "Key files (*.txt)",
            write,
        )
        if path is not None:
            self.own_message.setText(
                f"Saved {path}. Send it to the advocates who send you stories, then compare its "
                "fingerprint with each of them by phone."
            )

    def _print_card(self) -> None:
        if self.device is None:
            return
        key = self.device.age_recipient
        path = self._save_own(
            "Save your key card to print",
            key_card_pdf.default_card_path().name,
            "PDF (*.pdf)",
            lambda path: key_card_pdf.write_key_card(key, clock.today(), path),
        )
        if path is not None:
            self.own_message.setText(f"Saved the key card as {path}: print it, or send it.")

    def _copy_recipient(self) -> None:
        if self.device is not None:
            QGuiApplication.clipboard().setText(self.device.age_recipient)
            self.own_message.setText("Copied your receiving key: paste it in a message.")
