"""The import dialog's files: which of them a drag carries, each one's state, the words about
the chosen one and the line that sums up a run (plain text and HTML), and the view of the chosen
file: what happened to it, the offer to trust its sender, and what happened to each story in it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.bundle.report import ImportReport, Outcome
from storykeeper.gui.models.import_lines import ACTION_WORDS, Column, ImportLinesModel
from storykeeper.gui.widgets.labels import buddy_label

BUNDLE_SUFFIXES = (".age", ".zip")
#: Notes that say a file was not imported: shown in bold, with a warning sign.
NOT_IMPORTED = ("Not imported", "Cancelled")
#: Up to this many story lines, each is shown whole (wrapped); more, and each takes one line.
WRAPPED_LINES = 300


def bundle_paths(mime: QMimeData | None) -> list[Path]:
    """The local bundle files (.age or .zip) a drag carries; anything else is left out."""
    if mime is None or not mime.hasUrls():
        return []
    urls: list[QUrl] = mime.urls()
    return [
        Path(url.toLocalFile())
        for url in urls
        if url.isLocalFile() and url.toLocalFile().lower().endswith(BUNDLE_SUFFIXES)
    ]


@dataclass
class ImportFile:
    """A file on the import dialog's list, and what has happened to it so far."""

    path: Path
    report: ImportReport | None = None
    #: What happened when there is no report: waiting, cancelled, or the machine's own trouble.
    note: str = "To import"

    @property
    def refused(self) -> bool:
        return self.report is not None and self.report.outcome is Outcome.REFUSED

    @property
    def failed(self) -> bool:
        """Refused, cancelled or not imported: something the person must look at."""
        return self.refused or (self.report is None and self.note.startswith(NOT_IMPORTED))

    @property
    def can_trust(self) -> bool:
        return self.report is not None and self.report.untrusted_public_key is not None

    @property
    def imported(self) -> bool:
        """Whether anything from it was kept (imported for real, not a dry run)."""
        return (
            self.report is not None
            and self.report.outcome is Outcome.IMPORTED
            and not self.report.dry_run
        )

    @property
    def summary(self) -> str:
        return self.report.summary() if self.report is not None else self.note


def detail_html(file: ImportFile) -> str:
    """More about the chosen file than its line in the list says: why it was refused, or whom
    it came from (its name and summary are the line just above)."""
    report = file.report
    if report is None:
        note = html.escape(file.note)
        return f"<b>{note}</b>" if file.failed else note
    if report.outcome is Outcome.REFUSED:
        text = (
            "<b>REFUSED — nothing from this file was kept.</b>"
            f"<br><b>Why:</b> {html.escape(report.reason)}"
        )
        if report.untrusted_public_key is not None:
            text += (
                "<br>If you know this sender, phone them and compare the fingerprint before "
                "you trust them: <b>Check the sender and trust them…</b> (Alt+S)."
            )
        return text
    sender = html.escape(report.signer_label or "an unknown sender")
    text = f"From {sender}"
    if report.signer_key_id:
        fingerprint = html.escape(report.signer_fingerprint or "")
        text += f" (key {html.escape(report.signer_key_id)}"
        text += f", fingerprint {fingerprint})." if fingerprint else ")."
    else:
        text += "."
    if report.dry_run:
        text += " <b>Dry run: nothing was kept.</b>"
    return text


def run_summary(
    files: Sequence[ImportFile], *, dry_run: bool, cancelled: bool, note: str = ""
) -> str:
    """The status line once a run has ended: how many files did what, and what to do next.
    ``note`` is said first (what led to the run, such as a newly trusted sender)."""
    counts: dict[str, int] = {}
    for file in files:
        report = file.report
        if report is None:
            what = "not imported"
        elif report.outcome is Outcome.REFUSED:
            what = "refused"
        elif report.outcome is Outcome.ALREADY_IMPORTED:
            what = "already imported"
        else:
            what = "would import" if report.dry_run else "imported"
        counts[what] = counts.get(what, 0) + 1
    words = ", ".join(f"{n} {what}" for what, n in counts.items())
    total = len(files)
    head = "Checked, nothing kept" if dry_run else "Done"
    if cancelled:
        head = "Cancelled"
    text = f"{head}: {total} {'file' if total == 1 else 'files'} — {words}."
    if note:
        text = f"{note} {text}"
    if any(f.can_trust for f in files):
        text += " A sender is not trusted yet: check their fingerprint (Alt+S)."
    elif counts.get("refused"):
        text += " Choose a refused file to read why."
    return text


class ChosenFileView(QWidget):
    """The chosen file: why it was refused or whom it came from, the offer to check and trust
    an unknown sender (``trust_button``), and its stories' lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("What happened to the chosen file")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        self.trust_button = QPushButton("Check the &sender and trust them…")
        self.trust_button.setAccessibleName("Check the sender's fingerprint and trust them")
        self.trust_button.hide()
        self.lines = ImportLinesModel(self)
        self.table = QTableView()
        self.table.setModel(self.lines)
        self.table.setAccessibleName("Stories in the chosen file")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.DETAIL, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        # The table takes the room that is left, beyond a few lines, rather than asking for its
        # own (large) preferred height, which would make the dialog's body scroll for nothing.
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.stories_label = buddy_label("S&tories in the chosen file:", self.table)

        trust_row = QHBoxLayout()
        trust_row.addWidget(self.trust_button)
        trust_row.addStretch()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.detail)
        column.addLayout(trust_row)
        column.addWidget(self.stories_label)
        column.addWidget(self.table, 1)
        self.setTabOrder(self.trust_button, self.table)
        self.size_columns()

    def show_file(self, file: ImportFile | None, may_trust: bool) -> None:
        """Show ``file`` (None: no file chosen); ``may_trust`` offers to trust its sender when
        there is one to trust."""
        if file is None:
            self.detail.hide()
            self.trust_button.hide()
            self.lines.set_lines([], False)
            return
        report = file.report
        self.detail.setText(detail_html(file))
        # A screen reader hears the words too, not only the label's name.
        self.detail.setAccessibleDescription(
            QTextDocumentFragment.fromHtml(self.detail.text()).toPlainText()
        )
        self.detail.show()
        self.trust_button.setVisible(file.can_trust and may_trust)
        self.lines.set_lines(report.stories if report else [], bool(report and report.dry_run))
        # Whole reasons, wrapped, while the list is short enough to measure every row; a long
        # one stays one line a row (each reason whole in its tooltip and for a screen reader).
        few = self.lines.rowCount() <= WRAPPED_LINES
        self.table.setWordWrap(few)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if few else QHeaderView.ResizeMode.Fixed
        )
        self.size_columns()

    def size_columns(self) -> None:
        """Titles and actions as wide as their words need, at the text size now."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        header.resizeSection(Column.TITLE, metrics.horizontalAdvance("n" * 18) + 12)
        longest = max(
            metrics.horizontalAdvance(words) for pair in ACTION_WORDS.values() for words in pair
        )
        header.resizeSection(Column.ACTION, longest + 24)
