"""Importing bundles in the window: choose the files, import them (or only check them), and see
what happened to each file and to each story in it.

Each file is imported by ``bundle.importer.import_bundle`` — one transaction per file — in the
task runner's serial writer, so an import never runs beside another write; files go one after
another, and the dialog asks for the next only when the last one's answer is back. Cancel stops
the file being imported (its transaction rolls back, nothing from it is kept) and starts no
other; files imported before it stay imported. Nothing here decides what a bundle may do: the
importer does, and every problem with a file comes back as a refused report with its reason.

A file refused only because its signer is not trusted here offers the check a person must make
before trusting a key: the fingerprint, compared with the sender by phone.
"""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.bundle.importer import ImportCancelled, import_bundle
from storykeeper.core.bundle.report import ImportReport, Outcome
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_sender import CheckSenderDialog
from storykeeper.gui.models.import_lines import ACTION_WORDS, Column, ImportLinesModel
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses, give_keyboard_back, run_modal

log = logging.getLogger(__name__)

BUNDLE_SUFFIXES = (".age", ".zip")
FILE_FILTER = "Storykeeper bundles (*.age *.zip);;All files (*)"
#: Steps of the progress bar for each file, so it moves across files and through the stories.
STEPS = 1000
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
class _File:
    path: Path
    report: ImportReport | None = None
    #: What happened when there is no report: waiting, cancelled, or the machine's own trouble.
    note: str = "To import"

    @property
    def refused(self) -> bool:
        return self.report is not None and self.report.outcome is Outcome.REFUSED

    @property
    def can_trust(self) -> bool:
        return self.report is not None and self.report.untrusted_public_key is not None

    @property
    def summary(self) -> str:
        return self.report.summary() if self.report is not None else self.note


class _Progress(QObject):
    """Emitted from the worker thread; Qt queues it to the dialog on the GUI thread."""

    advanced = Signal(int, int, int)  # position of the file in the run, stories done, total


class _AddOnEnter(QObject):
    """Enter in the file-name box adds the file typed there; with the box empty, Enter goes on
    to the dialog and imports, as Enter does anywhere else in it."""

    def __init__(self, dialog: ImportDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self._dialog.file_name.text().strip()
        ):
            self._dialog.add_typed_file()
            return True
        return False


class ImportDialog(QDialog):
    #: One file's report came back (the dialog has shown it already).
    file_done = Signal(object)
    #: A run over the files ended: finished, or cancelled.
    run_finished = Signal()

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        files: list[Path] | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Import bundles")
        self.setAcceptDrops(True)
        self.files: list[_File] = []
        self._queue: list[int] = []
        self._run_size = 0
        self._run_position = 0
        self._run_dry = False
        #: Said before the summary of a run (what led to it, such as a newly trusted sender).
        self._run_note = ""
        self._running = False
        #: The file being imported now (its index in ``files``).
        self._current: int | None = None
        self._cancel = threading.Event()
        self._progress = _Progress(self)

        self.intro = QLabel(
            "Choose the bundles advocates sent you (files ending .age or .zip), or drop them "
            "here. Each file is checked before anything from it is kept."
        )
        self.intro.setWordWrap(True)
        self.file_list = QListWidget()
        self.file_list.setAccessibleName("Files, and what happened to each")
        # Each file on two lines (or more) rather than one long line to scroll sideways along:
        # bundle names are long, and what happened to the file matters more.
        self.file_list.setWordWrap(True)
        self.file_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.file_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.file_list.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.choose_button = QPushButton("C&hoose files…")
        self.choose_button.setAccessibleName("Choose bundle files")
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove the chosen file from the list")
        self.file_name = QLineEdit()
        self.file_name.setAccessibleName("Type a bundle file's name")
        self.file_name.setPlaceholderText("/media/usb/bundle.zip.age — then Enter")
        self.add_button = QPushButton("&Add")
        self.add_button.setAccessibleName("Add the file typed in")
        self.dry_run = QCheckBox("&Dry run: check only, keep nothing")
        self.dry_run.setAccessibleName("Dry run: check only, keep nothing")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.hide()
        self.status = QLabel("No files chosen yet.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Import status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        self.stories_label = buddy_label("S&tories in the chosen file:", self.table)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close")
        self.import_button = QPushButton("&Import")
        self.import_button.setAccessibleName("Import the files")
        self.import_button.setEnabled(False)

        files_row = QHBoxLayout()
        files_row.addWidget(self.file_list, 1)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(self.choose_button)
        file_buttons.addWidget(self.remove_button)
        file_buttons.addStretch()
        files_row.addLayout(file_buttons)
        name_row = QHBoxLayout()
        name_row.addWidget(buddy_label("Or type a file’s &name:", self.file_name))
        name_row.addWidget(self.file_name, 1)
        name_row.addWidget(self.add_button)
        trust_row = QHBoxLayout()
        trust_row.addWidget(self.trust_button)
        trust_row.addStretch()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.intro)
        column.addWidget(buddy_label("Fi&les:", self.file_list))
        column.addLayout(files_row, 2)
        column.addLayout(name_row)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.detail)
        column.addLayout(trust_row)
        column.addWidget(self.stories_label)
        column.addWidget(self.table, 3)
        # At twice the text size on a small laptop everything still has its room: the body
        # scrolls (rarely needed) rather than squeezing words on top of each other.
        # The lists take the room that is left, beyond a few lines each, rather than asking for
        # their own (large) preferred height, which would make the body scroll for nothing.
        for grows in (self.file_list, self.table):
            grows.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dry_run)
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)

        self.setTabOrder(self.file_list, self.choose_button)
        self.setTabOrder(self.choose_button, self.remove_button)
        self.setTabOrder(self.remove_button, self.file_name)
        self.setTabOrder(self.file_name, self.add_button)
        self.setTabOrder(self.add_button, self.trust_button)
        self.setTabOrder(self.trust_button, self.table)
        self.setTabOrder(self.table, self.dry_run)
        self.setTabOrder(self.dry_run, self.close_button)
        self.setTabOrder(self.close_button, self.import_button)

        # Enter imports wherever the keyboard is, except in the name box while it holds a name.
        enter_presses(self, self.import_button)
        self.file_name.installEventFilter(_AddOnEnter(self))
        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.file_list)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_current)
        self.choose_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_current)
        self.add_button.clicked.connect(self.add_typed_file)
        self.dry_run.toggled.connect(self._dry_run_toggled)
        self.file_list.currentRowChanged.connect(self._show_file)
        self.trust_button.clicked.connect(self.check_sender)
        self.import_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)
        self._progress.advanced.connect(self._advanced)
        context.appearance_changed.connect(self._size_columns)

        self._size_columns()
        screen = self.screen().availableGeometry()
        scale = context.settings.text_scale / 100
        self.resize(
            min(int(860 * scale), screen.width() - 40),
            min(max(self.sizeHint().height(), int(700 * scale)), screen.height() - 60),
        )
        self.add_files(files or [])
        (self.file_list if self.files else self.choose_button).setFocus()
        self._update_controls()

    @property
    def imported_any(self) -> bool:
        """Whether anything was kept: a file imported for real (not a dry run)."""
        return any(
            f.report is not None and f.report.outcome is Outcome.IMPORTED and not f.report.dry_run
            for f in self.files
        )

    # --- choosing ---------------------------------------------------------------------------

    def add_files(self, paths: list[Path]) -> None:
        """Put files on the list (each once), ready to import."""
        if self._running:
            return
        known = {f.path for f in self.files}
        for path in paths:
            path = path.expanduser()
            if path in known:
                continue
            known.add(path)
            self.files.append(_File(path))
            self.file_list.addItem(QListWidgetItem())
            self._refresh_item(len(self.files) - 1)
        if self.files and self.file_list.currentRow() < 0:
            self.file_list.setCurrentRow(0)
        if self.files:
            count = len(self.files)
            self.status.setText(
                f"{count} {'file' if count == 1 else 'files'} to import: add more, or press "
                "Enter to import."
            )
        self._update_controls()

    def add_typed_file(self) -> None:
        text = self.file_name.text().strip().strip("\"'")
        if not text:
            self.file_name.setFocus()
            return
        path = Path(text).expanduser()
        if not path.is_file():
            self.status.setText(f"There is no file “{path}”: check the name and folder.")
            self.file_name.setFocus()
            return
        self.add_files([path])
        self.file_name.clear()

    def choose_files(self) -> None:
        folder = self.files[-1].path.parent if self.files else Path.home()
        chosen, _ = QFileDialog.getOpenFileNames(
            self,
            "Choose bundles to import",
            str(folder),
            FILE_FILTER,
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        give_keyboard_back(self)
        if chosen:
            self.add_files([Path(name) for name in chosen])
            self.file_list.setFocus()

    def remove_current(self) -> None:
        row = self.file_list.currentRow()
        if self._running or not 0 <= row < len(self.files):
            return
        del self.files[row]
        self.file_list.takeItem(row)
        if not self.files:
            self._show_file(-1)
        self._update_controls()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._running and bundle_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:
        paths = bundle_paths(event.mimeData())
        if self._running or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    # --- importing --------------------------------------------------------------------------

    def start(self) -> None:
        """Import (or, for a dry run, check) every file on the list."""
        if self._running or not self.files:
            return
        self._run(list(range(len(self.files))))

    def _run(self, indexes: list[int], note: str = "") -> None:
        self._queue = list(indexes)
        self._run_size = len(indexes)
        self._run_position = 0
        self._run_dry = self.dry_run.isChecked()
        self._run_note = note
        self.intro.hide()  # room for the report; the status line says what is going on now
        self._cancel.clear()
        self._running = True
        for index in indexes:
            self.files[index].report = None
            self.files[index].note = "Waiting…"
            self._refresh_item(index)
        self.progress.setRange(0, self._run_size * STEPS)
        self.progress.setValue(0)
        self.progress.show()
        self.close_button.setText("Cancel")
        self.close_button.setAccessibleName("Cancel the import")
        self._update_controls()
        self._show_file(self.file_list.currentRow())
        self._next()

    def _next(self) -> None:
        if self._cancel.is_set() or not self._queue:
            for index in self._queue:
                self.files[index].note = "Not imported: cancelled before it started."
                self._refresh_item(index)
            self._queue = []
            self._finish()
            return
        index = self._queue.pop(0)
        self._current = index
        position = self._run_position
        file = self.files[index]
        file.note = "Checking…" if self._run_dry else "Importing…"
        self._refresh_item(index)
        self.progress.setValue(position * STEPS)
        doing = "Checking" if self._run_dry else "Importing"
        self.status.setText(f"{doing} {file.path.name} (file {position + 1} of {self._run_size})…")
        store, actor, dry_run, path = (
            self.context.store,
            self.context.tasks.actor,
            self._run_dry,
            file.path,
        )
        progress, cancelled = self._progress, self._cancel.is_set

        def work() -> ImportReport:
            return import_bundle(
                store,
                path,
                actor=actor,
                dry_run=dry_run,
                # Checking every file's hash fills the first half of the file's share of the
                # bar, bringing the stories in the second.
                checking=lambda done, total: progress.advanced.emit(position, done, 2 * total),
                progress=lambda done, total: progress.advanced.emit(
                    position, total + done, 2 * total
                ),
                cancelled=cancelled,
            )

        self.context.tasks.write_own(
            work,
            on_done=lambda report: self._file_done(index, report),
            on_error=lambda error: self._file_failed(index, error),
        )

    def _advanced(self, position: int, done: int, total: int) -> None:
        if not self._running or position != self._run_position:
            return
        part = STEPS * done // total if total else STEPS
        self.progress.setValue(position * STEPS + part)
        if total >= 100 and self._current is not None:
            name = self.files[self._current].path.name
            doing = "Checking" if self._run_dry else "Importing"
            self.status.setText(
                f"{doing} {name} (file {position + 1} of {self._run_size}): {100 * done // total}%…"
            )

    def _file_done(self, index: int, report: ImportReport) -> None:
        self.files[index].report = report
        self._refresh_item(index)
        self._step()
        if self.file_list.currentRow() == index:
            self._show_file(index)
        self.file_done.emit(report)
        self._next()

    def _file_failed(self, index: int, error: BaseException) -> None:
        file = self.files[index]
        if isinstance(error, ImportCancelled):
            file.note = "Cancelled: nothing from this file was kept."
        else:
            # The machine's own trouble (a full disk, a file that went away): not the file's.
            log.error("importing %s failed", file.path, exc_info=error)
            file.note = (
                f"Not imported: this computer could not finish it ({error}). "
                "Nothing from it was kept."
            )
        self._refresh_item(index)
        self._step()
        if self.file_list.currentRow() == index:
            self._show_file(index)
        self._next()

    def _step(self) -> None:
        self._run_position += 1
        self.progress.setValue(self._run_position * STEPS)

    def _finish(self) -> None:
        self._running = False
        self._current = None
        self.progress.hide()
        self.close_button.setText("&Close")
        self.close_button.setAccessibleName("Close")
        self.status.setText(self._run_summary())
        self._update_controls()
        # Show the file that most needs attention: a refusal first, one that can be mended first.
        rows = range(len(self.files))
        chosen = next((r for r in rows if self.files[r].can_trust), None)
        if chosen is None:
            chosen = next((r for r in rows if self.files[r].refused), 0)
        if self.files:
            self.file_list.setCurrentRow(chosen)
            self._show_file(chosen)
        self.file_list.setFocus()
        self.run_finished.emit()

    def _run_summary(self) -> str:
        counts: dict[str, int] = {}

        def count(what: str) -> None:
            counts[what] = counts.get(what, 0) + 1

        for file in self.files:
            report = file.report
            if report is None:
                count("not imported")
            elif report.outcome is Outcome.REFUSED:
                count("refused")
            elif report.outcome is Outcome.ALREADY_IMPORTED:
                count("already imported")
            else:
                count("would import" if report.dry_run else "imported")
        words = ", ".join(f"{n} {what}" for what, n in counts.items())
        total = len(self.files)
        head = "Checked, nothing kept" if self._run_dry else "Done"
        if self._cancel.is_set():
            head = "Cancelled"
        text = f"{head}: {total} {'file' if total == 1 else 'files'} — {words}."
        if self._run_note:
            text = f"{self._run_note} {text}"
        if any(f.can_trust for f in self.files):
            text += " A sender is not trusted yet: check their fingerprint (Alt+S)."
        elif counts.get("refused"):
            text += " Choose a refused file to read why."
        return text

    def reject(self) -> None:
        """Cancel stops the import (the file being imported is rolled back); otherwise close."""
        if self._running:
            self._cancel.set()
            self.status.setText(
                "Cancelling: the file being imported is rolled back, and no other is started…"
            )
            return
        super().reject()

    # --- showing ----------------------------------------------------------------------------

    def _refresh_item(self, index: int) -> None:
        file = self.files[index]
        item = self.file_list.item(index)
        if item is None:
            return
        refused = file.refused or file.note.startswith(("Not imported", "Cancelled"))
        # Never colour alone: a refusal says so in words, in bold, with a warning sign.
        item.setText(f"{file.path.name}\n{file.summary}")
        item.setToolTip(f"{file.path}\n{file.summary}")
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"{file.path.name}: {file.summary}",
        )
        font = item.font()
        font.setBold(refused)
        item.setFont(font)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        item.setIcon(warning if refused else QIcon())

    def _show_file(self, row: int) -> None:
        if not 0 <= row < len(self.files):
            self.detail.hide()
            self.trust_button.hide()
            self.lines.set_lines([], False)
            return
        file = self.files[row]
        report = file.report
        self.detail.setText(self._detail_html(file))
        # A screen reader hears the words too, not only the label's name.
        self.detail.setAccessibleDescription(
            QTextDocumentFragment.fromHtml(self.detail.text()).toPlainText()
        )
        self.detail.show()
        self.trust_button.setVisible(file.can_trust and not self._running)
        self.lines.set_lines(report.stories if report else [], bool(report and report.dry_run))
        # Whole reasons, wrapped, while the list is short enough to measure every row; a long
        # one stays one line a row (each reason whole in its tooltip and for a screen reader).
        few = self.lines.rowCount() <= WRAPPED_LINES
        self.table.setWordWrap(few)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if few else QHeaderView.ResizeMode.Fixed
        )
        self._size_columns()

    @staticmethod
    def _detail_html(file: _File) -> str:
        """More about the chosen file than its line in the list says: why it was refused, or
        whom it came from (its name and summary are the line just above)."""
        report = file.report
        if report is None:
            failed = file.note.startswith(("Not imported", "Cancelled"))
            note = html.escape(file.note)
            return f"<b>{note}</b>" if failed else note
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

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        header.resizeSection(Column.TITLE, metrics.horizontalAdvance("n" * 18) + 12)
        longest = max(
            metrics.horizontalAdvance(words) for pair in ACTION_WORDS.values() for words in pair
        )
        header.resizeSection(Column.ACTION, longest + 24)

    def _dry_run_toggled(self, checked: bool) -> None:
        self.import_button.setText("&Import: dry run" if checked else "&Import")
        self.import_button.setAccessibleName(
            "Check the files, keep nothing" if checked else "Import the files"
        )
        self._show_file(self.file_list.currentRow())

    def _update_controls(self) -> None:
        idle = not self._running
        for widget in (
            self.choose_button,
            self.file_name,
            self.add_button,
            self.dry_run,
        ):
            widget.setEnabled(idle)
        self.remove_button.setEnabled(idle and bool(self.files))
        self.import_button.setEnabled(idle and bool(self.files))
        if idle and not self.files:
            self.status.setText("No files chosen yet.")
        self.trust_button.setVisible(
            idle
            and 0 <= self.file_list.currentRow() < len(self.files)
            and self.files[self.file_list.currentRow()].can_trust
        )

    # --- trusting a sender ------------------------------------------------------------------

    def check_sender(self) -> None:
        row = self.file_list.currentRow()
        if self._running or not 0 <= row < len(self.files):
            return
        report = self.files[row].report
        if report is None or report.untrusted_public_key is None:
            return
        dialog = CheckSenderDialog(self.context, report, self.dry_run.isChecked(), self)
        accepted = run_modal(dialog) == QDialog.DialogCode.Accepted
        signer = dialog.trusted
        if not accepted or signer is None:
            self.trust_button.setFocus()
            return
        # Every file refused for the same unknown key goes again, now that it is trusted.
        again = [
            index
            for index, file in enumerate(self.files)
            if file.can_trust
            and file.report is not None
            and file.report.signer_key_id == report.signer_key_id
        ]
        self._run(again, note=f"Now trusting {signer.label}.")
