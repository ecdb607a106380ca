"""The person's consent copy as a PDF: saved through the window's own save box, and read back."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.answering import when_dialog_opens


def save_pdf_as(qtbot: QtBot, path: Path) -> None:
    """Answer the next save box by typing the file name, as a person would."""

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        name.selectAll()
        qtbot.keyClicks(name, str(path))
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(act, QFileDialog)


def pdf_text(path: Path) -> str:
    """The PDF's text, its white space run together."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)
