"""Importing bundles in the window: choose the files, import them (or only check them), and see
what happened to each file and to each story in it.

The run itself — one file at a time in the serial writer, with progress and Cancel — is
``ImportRun`` (``import_run.py``); what is said about each file is ``import_files.py``. Nothing
here decides what a bundle may do: the importer does, and every problem with a file comes back
as a refused report with its reason. The import announces what it changed (``changes_of``), so
the story list and any other view refresh themselves.

A file refused only because its signer is not trusted here offers the check a person must make
before trusting a key: the fingerprint, compared with the sender by phone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.bundle.importer import ImportCancelled
from storykeeper.core.bundle.report import ImportReport
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_sender import CheckSenderDialog
from storykeeper.gui.dialogs.import_files import (
    ChosenFileView,
    ImportFile,
    bundle_paths,
    run_summary,
)
from storykeeper.gui.dialogs.import_run import ImportRun
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses, give_keyboard_back, run_modal

log = logging.getLogger(__name__)

FILE_FILTER = "Storykeeper bundles (*.age *.zip);;All files (*)"
#: Steps of the progress bar for each file, so it moves across files and through the stories.
STEPS = 1000


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
        self.files: list[ImportFile] = []
        #: Said before the summary of a run (what led to it, such as a newly trusted sender).
        self._run_note = ""
        self.run = ImportRun(context.tasks, context.store, self)

        self.intro = QLabel(
            "Choose the bundles advocates sent you (their names start “Storykeeper stories "
            "from”), or drop them here. Each file is checked before anything from it is kept."
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
        self.file_name.setPlaceholderText("The bundle file's full name, then Enter")
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
        self.chosen = ChosenFileView()
        # The chosen file's parts, by the names the rest of the dialog (and its tests) use.
        self.detail, self.trust_button = self.chosen.detail, self.chosen.trust_button
        self.lines, self.table = self.chosen.lines, self.chosen.table
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
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.intro)
        column.addWidget(buddy_label("Fi&les:", self.file_list))
        column.addLayout(files_row, 2)
        column.addLayout(name_row)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.chosen, 3)
        # At twice the text size on a small laptop everything still has its room: the body
        # scrolls (rarely needed) rather than squeezing words on top of each other.
        # The lists take the room that is left, beyond a few lines each, rather than asking for
        # their own (large) preferred height, which would make the body scroll for nothing.
        self.file_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.chosen.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
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
        self.run.file_started.connect(self._file_started)
        self.run.advanced.connect(self._advanced)
        self.run.file_done.connect(self._file_done)
        self.run.file_failed.connect(self._file_failed)
        self.run.finished.connect(self._finish)
        context.appearance_changed.connect(self.chosen.size_columns)

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
        return any(f.imported for f in self.files)

    # --- choosing ---------------------------------------------------------------------------

    def add_files(self, paths: list[Path]) -> None:
        """Put files on the list (each once), ready to import."""
        if self.run.running:
            return
        known = {f.path for f in self.files}
        for path in paths:
            path = path.expanduser()
            if path in known:
                continue
            known.add(path)
            self.files.append(ImportFile(path))
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
            # The filter's patterns (*.age) are the format's, not words a person needs to see.
            options=QFileDialog.Option.DontUseNativeDialog
            | QFileDialog.Option.HideNameFilterDetails,
        )
        give_keyboard_back(self)
        if chosen:
            self.add_files([Path(name) for name in chosen])
            self.file_list.setFocus()

    def remove_current(self) -> None:
        row = self.file_list.currentRow()
        if self.run.running or not 0 <= row < len(self.files):
            return
        del self.files[row]
        self.file_list.takeItem(row)
        if not self.files:
            self._show_file(-1)
        self._update_controls()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self.run.running and bundle_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:
        paths = bundle_paths(event.mimeData())
        if self.run.running or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    # --- importing --------------------------------------------------------------------------

    def start(self) -> None:
        """Import (or, for a dry run, check) every file on the list."""
        if self.run.running or not self.files:
            return
        self._run(list(range(len(self.files))))

    def _run(self, indexes: list[int], note: str = "") -> None:
        self._run_note = note
        self.intro.hide()  # room for the report; the status line says what is going on now
        for index in indexes:
            self.files[index].report = None
            self.files[index].note = "Waiting…"
            self._refresh_item(index)
        self.progress.setRange(0, len(indexes) * STEPS)
        self.progress.setValue(0)
        self.progress.show()
        self.close_button.setText("Cancel")
        self.close_button.setAccessibleName("Cancel the import")
        self.run.start([(i, self.files[i].path) for i in indexes], self.dry_run.isChecked())
        self._update_controls()
        self._show_file(self.file_list.currentRow())

    def _doing(self) -> str:
        return "Checking" if self.run.dry_run else "Importing"

    def _file_started(self, index: int, position: int) -> None:
        file = self.files[index]
        file.note = f"{self._doing()}…"
        self._refresh_item(index)
        self.progress.setValue(position * STEPS)
        self.status.setText(
            f"{self._doing()} {file.path.name} (file {position + 1} of {self.run.size})…"
        )

    def _advanced(self, position: int, done: int, total: int) -> None:
        part = STEPS * done // total if total else STEPS
        self.progress.setValue(position * STEPS + part)
        if total >= 100 and self.run.current is not None:
            name = self.files[self.run.current].path.name
            self.status.setText(
                f"{self._doing()} {name} (file {position + 1} of {self.run.size}): "
                f"{100 * done // total}%…"
            )

    def _file_done(self, index: int, report: ImportReport) -> None:
        self.files[index].report = report
        self._file_ended(index)
        self.file_done.emit(report)

    def _file_failed(self, index: int, error: BaseException) -> None:
        file = self.files[index]
        if isinstance(error, ImportCancelled):
            file.note = "Cancelled: nothing from this file was kept."
        else:
            # The machine's own trouble (a full disk, a file that went away): not the file's.
            kept = "Nothing from it was kept."
            file.note = f"Not imported. {plain_error(error, self.context.paths, kept)}"
        self._file_ended(index)

    def _file_ended(self, index: int) -> None:
        self._refresh_item(index)
        self.progress.setValue(self.run.position * STEPS)
        if self.file_list.currentRow() == index:
            self._show_file(index)

    def _finish(self, never_started: list[int]) -> None:
        for index in never_started:
            self.files[index].note = "Not imported: cancelled before it started."
            self._refresh_item(index)
        self.progress.hide()
        self.close_button.setText("&Close")
        self.close_button.setAccessibleName("Close")
        self.status.setText(
            run_summary(
                self.files,
                dry_run=self.run.dry_run,
                cancelled=self.run.cancelled,
                note=self._run_note,
            )
        )
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

    def reject(self) -> None:
        """Cancel stops the import (the file being imported is rolled back); otherwise close."""
        if self.run.running:
            self.run.cancel()
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
        # Never colour alone: a refusal says so in words, in bold, with a warning sign.
        item.setText(f"{file.path.name}\n{file.summary}")
        item.setToolTip(f"{file.path}\n{file.summary}")
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"{file.path.name}: {file.summary}",
        )
        font = item.font()
        font.setBold(file.failed)
        item.setFont(font)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        item.setIcon(warning if file.failed else QIcon())

    def _show_file(self, row: int) -> None:
        file = self.files[row] if 0 <= row < len(self.files) else None
        self.chosen.show_file(file, may_trust=not self.run.running)

    def _dry_run_toggled(self, checked: bool) -> None:
        self.import_button.setText("&Import: dry run" if checked else "&Import")
        self.import_button.setAccessibleName(
            "Check the files, keep nothing" if checked else "Import the files"
        )
        self._show_file(self.file_list.currentRow())

    def _update_controls(self) -> None:
        idle = not self.run.running
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
        if self.run.running or not 0 <= row < len(self.files):
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
