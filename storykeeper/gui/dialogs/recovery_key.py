"""The recovery key, shown once: to print (or copy) and keep.

The recovery key opens the stories when the keyring is lost (a new computer, a new login) or
the passphrase forgotten. Storykeeper keeps no copy it could show again, so the dialog closes
only by "I have kept it": Escape does nothing, and a new key can be made later from Security.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from storykeeper.gui.widgets.modal import enter_presses
from storykeeper.gui.widgets.whole_words import keep_words_whole

EXPLANATION = (
    "Your stories are encrypted. This is their recovery key. It opens them if this computer's "
    "keyring is lost (a new computer or a new login) or the passphrase is forgotten. Print it "
    "or write it down, and keep it somewhere safe away from this computer, as you would a "
    "spare house key. It is shown only this once."
)


def recovery_key_page(recovery_key: str) -> QTextDocument:
    """What is printed: the key large and spaced, and what it is for."""
    page = QTextDocument()
    page.setHtml(
        "<h1>Storykeeper recovery key</h1>"
        f"<p>{html.escape(EXPLANATION)}</p>"
        f"<p style='font-family: monospace; font-size: 20pt'><b>{html.escape(recovery_key)}"
        "</b></p><p>Keep this paper safe. Anyone who has it and a copy of the data folder "
        "can read the stories.</p>"
    )
    return page


class RecoveryKeyDialog(QDialog):
    """The key in large type, with Print…, Copy and "I have kept it"."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recovery_key = recovery_key
        self.setWindowTitle("Your recovery key")
        self.printed = False
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        explanation.setAccessibleName("What the recovery key is for")
        self.key_label = QLabel(recovery_key)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), QFont().pointSizeF()) * 1.5)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.key_label.setAccessibleName("Recovery key")
        # Read out group by group rather than as one long word.
        self.key_label.setAccessibleDescription(" ".join(recovery_key.replace("-", " - ")))
        self.status = QLabel()
        self.status.setAccessibleName("Printed or copied")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox()
        print_button = buttons.addButton("&Print…", QDialogButtonBox.ButtonRole.ActionRole)
        print_button.setAccessibleName("Print the recovery key")
        copy_button = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy_button.setAccessibleName("Copy the recovery key")
        self.kept_button = buttons.addButton(
            "I have &kept it", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.kept_button.setAccessibleName("I have kept the recovery key")
        enter_presses(self, self.kept_button)
        keep_words_whole(self)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.key_label)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        print_button.clicked.connect(self.print_key)
        copy_button.clicked.connect(self.copy_key)
        buttons.accepted.connect(self.accept)
        self.kept_button.setFocus()

    def reject(self) -> None:
        """Escape or the window's close: the key would be gone for good, so the dialog stays."""
        self.status.setText('Keep the key first (Print or Copy), then press "I have kept it".')

    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.recovery_key)
        self.status.setText(
            "Copied. Paste it where you keep it safe (not in a file on this computer), "
            "then copy something else so it is not left on the clipboard."
        )

    def print_key(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        chooser = QPrintDialog(printer, self)
        if chooser.exec() == QDialog.DialogCode.Accepted:
            self.print_on(printer)
        chooser.deleteLater()

    def print_on(self, printer: QPrinter) -> None:
        recovery_key_page(self.recovery_key).print_(printer)
        self.printed = True
        self.status.setText("Sent to the printer. Check the page shows the key in full.")
