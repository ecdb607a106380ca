"""Writing the storyteller's consent copy as a PDF they can print and keep (``QPdfWriter``).

The wording and layout come from ``core.consent_copy``; this module only sets the page, renders
the pictures sharply for print, and writes the file so that a failure never leaves half a PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSize, QSizeF, QStandardPaths, QUrl
from PySide6.QtGui import QFont, QImageReader, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from storykeeper import APP_NAME
from storykeeper.core import clock
from storykeeper.core.consent import ConsentRecord
from storykeeper.core.consent_copy import consent_copy_html
from storykeeper.core.easy_read import ConsentText
from storykeeper.gui.widgets.modal import give_keyboard_back

#: Pictures are drawn at this many pixels a side: sharp on paper at the size the copy shows them.
PRINT_PICTURE_PIXELS = 300
BODY_POINTS = 16  # easy-read guidance: at least 14 pt; larger reads better for older eyes
_PICTURE = re.compile(r'<img src="([^"]+)"')


def _add_pictures(document: QTextDocument, html: str) -> None:
    for uri in set(_PICTURE.findall(html)):
        url = QUrl(uri)
        reader = QImageReader(url.toLocalFile())
        reader.setScaledSize(QSize(PRINT_PICTURE_PIXELS, PRINT_PICTURE_PIXELS))
        image = reader.read()
        if not image.isNull():  # a missing picture leaves a gap, never a failed copy
            document.addResource(QTextDocument.ResourceType.ImageResource, url, image)


def a4_page(writer: QPdfWriter, title: str, body_points: float) -> QTextDocument:
    """Set ``writer`` up for A4 pages and give the document to lay out on them (also the key
    card's, gui/key_card_pdf.py)."""
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator(APP_NAME)
    document = QTextDocument()
    # Lay the text out for the page itself, in its own pixels: otherwise Qt lays it out for the
    # screen and scales, and the copy comes out in a narrow column.
    document.documentLayout().setPaintDevice(writer)
    font = QFont()
    font.setPointSizeF(body_points)
    document.setDefaultFont(font)
    return document


def write_consent_pdf(html: str, path: Path, title: str) -> None:
    """Write ``html`` as an A4 PDF at ``path``, replacing any file there only once complete."""
    partial = path.with_name(f".{path.name}.partial")
    writer = QPdfWriter(str(partial))
    document = a4_page(writer, title, BODY_POINTS)
    _add_pictures(document, html)
    document.setHtml(html)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    try:
        document.print_(writer)
        del writer  # closes the file
        if not partial.is_file() or partial.stat().st_size == 0:
            raise OSError(f"Could not write {path}: nothing was written.")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def default_copy_path(storyteller_name: str, day: dt.date) -> Path:
    """Where the save box starts: the Documents folder, named so it is easy to find again."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    safe = (
        "".join(c for c in storyteller_name if c.isalnum() or c in " -'").strip() or "storyteller"
    )
    return Path(folder or Path.home()) / f"Consent copy - {safe} - {day.isoformat()}.pdf"


def save_consent_copy(
    parent: QWidget,
    text: ConsentText,
    record: ConsentRecord | None,
    storyteller_name: str,
    story_title: str,
) -> Path | None:
    """Ask where to save the copy, write it, and say so; None when the person cancelled.

    The copy carries the person's name: it is theirs to keep, and the save box says where it goes
    so it is not left lying about on a shared computer.
    """
    chosen, _filter = QFileDialog.getSaveFileName(
        parent,
        "Save the consent copy (PDF) to print",
        str(default_copy_path(storyteller_name, clock.today())),
        "PDF files (*.pdf)",
        options=QFileDialog.Option.DontUseNativeDialog,
    )
    give_keyboard_back(parent)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    html = consent_copy_html(text, record, storyteller_name, story_title)
    try:
        write_consent_pdf(html, path, f"{text.copy.title} — {storyteller_name}")
    except OSError as exc:
        QMessageBox.warning(
            parent,
            "The copy was not saved",
            f"Could not save the copy to {path}: {exc.strerror or exc}. "
            "Choose another folder, such as your Documents folder.",
        )
        return None
    return path
