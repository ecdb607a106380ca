"""Save report…: the insight page's stories as a report to print or edit, or an anonymised
extract for other tools (issue 18).

The same core code as ``storykeeper report``, with the page's filters: the content and the
extracts are read on the reader pool (``ops/reports.py``); a PDF or Word file is then laid out
on the reader pool too (it needs no database, and a long layout never freezes the window).
Every file is written atomically, so Cancel or a failure leaves nothing half-written. The
cover's title and organisation, the grouping over time, the disclosure threshold and the folder
are remembered, and so is a period typed for the cover.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.insight import Period
from storykeeper.core.insight_policy import DEFAULT_THRESHOLD
from storykeeper.core.report_content import ReportContent
from storykeeper.core.search import StoryFilter
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops.reports import (
    Cancelled,
    ReportFormat,
    ReportRequest,
    Written,
    read_report_content,
    write_extract,
)
from storykeeper.gui.widgets.labels import buddy_label

DEFAULT_TITLE = "What people are telling us"
#: The largest threshold offered: above it a report would hide nearly everything.
MOST_THRESHOLD = 100
_PERIODS = {Period.QUARTER: "By quarter", Period.MONTH: "By month"}


class _Progress(QObject):
    """Emitted from the worker thread; Qt queues it to the dialog on the GUI thread."""

    advanced = Signal(int)


def write_printed(content: ReportContent, chosen: ReportFormat, target: Path) -> Written:
    """Lay out and write a PDF or Word report (no database: run off the GUI thread)."""
    from storykeeper.core.report_docx import write_report_docx
    from storykeeper.gui.report_pdf import chart_pictures, write_report_pdf

    if chosen is ReportFormat.PDF:
        write_report_pdf(content, target)
    else:
        write_report_docx(content, target, chart_pictures(content))
    about = content.about
    return Written(
        (target,),
        f"{content.count_words(about.stories)} stories from "
        f"{content.count_words(about.people)} people, {len(content.themes):,} themes",
    )


class SaveReportDialog(QDialog):
    #: A file was written (its paths), for tests and the page's status.
    saved = Signal(object)
    #: The writing ended: saved, failed or cancelled.
    finished_writing = Signal()

    def __init__(
        self,
        context: AppContext,
        wanted: StoryFilter,
        period: Period = Period.QUARTER,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Save a report")
        self.context = context
        self.wanted = wanted
        self._cancel = threading.Event()
        self._running = False
        #: The target the person was warned already exists (Save again replaces it).
        self._replace_confirmed: Path | None = None
        self._progress = _Progress(self)
        settings = context.settings

        self.format_choice = QComboBox()
        self.format_choice.setAccessibleName("What to save")
        for chosen in ReportFormat:
            self.format_choice.addItem(chosen.label, chosen)
        # The longest format's name would widen the dialog past the screen at twice the text.
        self.format_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.format_choice.setMinimumContentsLength(28)
        remembered = self.format_choice.findData(
            ReportFormat(settings.report_choice("format", "pdf"))
        )
        self.format_choice.setCurrentIndex(max(0, remembered))
        self.title = QLineEdit(settings.report_choice("title", DEFAULT_TITLE))
        self.title.setAccessibleName("Title on the cover")
        self.organisation = QLineEdit(settings.report_choice("organisation"))
        self.organisation.setAccessibleName("Organisation on the cover")
        self.cover_period = QLineEdit(settings.report_choice("cover_period"))
        self.cover_period.setAccessibleName("Period on the cover")
        self.cover_period.setPlaceholderText("The months the stories were told")
        self.period_choice = QComboBox()
        self.period_choice.setAccessibleName("Over time, group by")
        for each, name in _PERIODS.items():
            self.period_choice.addItem(name, each)
        self.period_choice.setCurrentIndex(
            max(0, self.period_choice.findData(Period(settings.report_choice("period", period))))
        )
        self.threshold = QSpinBox()
        self.threshold.setRange(1, MOST_THRESHOLD)
        self.threshold.setValue(_whole(settings.report_choice("threshold"), DEFAULT_THRESHOLD))
        self.threshold.setAccessibleName("Show counts below this as “fewer than”")
        self.threshold.setToolTip(
            "Counts below this number are shown as “fewer than …”, so no small group of people "
            "can be picked out."
        )
        self.path = QLineEdit()
        self.path.setAccessibleName("File to save")
        self.choose_button = QPushButton("C&hoose…")
        self.choose_button.setAccessibleName("Choose where to save")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Saving progress")
        self.progress.setRange(0, 0)  # how many stories is not known ahead: it moves, and counts
        self.progress.setFormat("%v stories")
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Saving status")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save the report")
        self.save_button.setDefault(True)
        self.close_button = QPushButton("Cancel")
        self.close_button.setAccessibleName("Cancel")

        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy_label("&What:", self.format_choice), self.format_choice)
        form.addRow(buddy_label("&Title:", self.title), self.title)
        form.addRow(buddy_label("&Organisation:", self.organisation), self.organisation)
        form.addRow(buddy_label("&Period:", self.cover_period), self.cover_period)
        form.addRow(buddy_label("O&ver time:", self.period_choice), self.period_choice)
        form.addRow(buddy_label("Hide counts &below:", self.threshold), self.threshold)
        form.addRow(buddy_label("Save &as:", self.path), path_row)
        note = QLabel(
            "Only stories whose consent allows use in reports are counted, and people’s own "
            "words appear only where consent allows a quote, with names replaced as an export "
            "replaces them. Left empty, the cover’s period is the months those stories were told."
        )
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        # Qt sizes a new window to at most two thirds of the screen, which at twice the text
        # squeezed every field to half a line: the dialog takes the room it needs instead.
        self.resize(self.sizeHint())
        self._suggest_path()
        self.format_choice.currentIndexChanged.connect(self._format_changed)
        self.choose_button.clicked.connect(self._choose)
        self.save_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)
        self._progress.advanced.connect(self._advanced)
        self._format_changed()
        self.format_choice.setFocus()

    # --- choosing ----------------------------------------------------------------------------

    def chosen_format(self) -> ReportFormat:
        return ReportFormat(self.format_choice.currentData())

    def _folder(self) -> Path:
        remembered = self.context.settings.report_choice("folder")
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(remembered or documents or Path.home())

    def _suggest_path(self) -> None:
        chosen = self.chosen_format()
        stem = "themes" if chosen is ReportFormat.QDC else "stories"
        self.path.setText(str(self._folder() / f"{stem}-{dt.date.today()}.{chosen.value}"))

    def _format_changed(self) -> None:
        """The file's ending follows the format; the cover's fields matter only to a report
        (and the title names a REFI-QDA project)."""
        chosen = self.chosen_format()
        current = Path(self.path.text().strip()) if self.path.text().strip() else None
        if current is not None and current.suffix.lstrip(".") in set(ReportFormat):
            self.path.setText(str(current.with_suffix(f".{chosen.value}")))
        self.organisation.setEnabled(chosen.printed)
        self.cover_period.setEnabled(chosen.printed)
        self.period_choice.setEnabled(chosen.printed)
        self.title.setEnabled(chosen.printed or chosen is ReportFormat.QDPX)
        self.threshold.setEnabled(chosen is not ReportFormat.QDC)

    def _choose(self) -> None:
        chosen = self.chosen_format()
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save as", self.path.text(), f"{chosen.label} (*.{chosen.value})"
        )
        if path:
            self.path.setText(path)

    def request(self) -> ReportRequest | None:
        """What to write, or None with the reason shown."""
        text = self.path.text().strip()
        if not text:
            self._say("Choose where to save the file.")
            return None
        target = Path(text).expanduser()
        if not target.is_absolute():
            target = self._folder() / target
        chosen = self.chosen_format()
        if target.suffix.lower() != f".{chosen.value}":
            target = target.with_name(f"{target.name}.{chosen.value}")
        return ReportRequest(
            format=chosen,
            target=target,
            wanted=self.wanted,
            title=self.title.text().strip() or DEFAULT_TITLE,
            organisation=self.organisation.text().strip(),
            period=Period(self.period_choice.currentData()),
            threshold=self.threshold.value(),
            cover_period=self.cover_period.text().strip(),
        )

    # --- writing -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._running:
            return
        request = self.request()
        if request is None:
            return
        if request.target.is_dir():
            self._say(f"{request.target} is a folder: add a file name.")
            return
        if request.target.exists() and self._replace_confirmed != request.target:
            self._replace_confirmed = request.target
            self._say(f"{request.target.name} is already there: press Save again to replace it.")
            return
        self._remember(request)
        self._running = True
        self._cancel.clear()
        self._set_busy(True)
        self._say(f"Saving {request.target.name}…")
        tasks = self.context.tasks
        if request.format.printed:
            tasks.read(
                partial(read_report_content, request=request),
                on_done=partial(self._lay_out, request),
                on_error=self._failed,
            )
        else:
            tasks.read(
                partial(
                    write_extract,
                    request=request,
                    progress=self._progress.advanced.emit,
                    cancelled=self._cancel.is_set,
                ),
                on_done=self._written,
                on_error=self._failed,
            )

    def _lay_out(self, request: ReportRequest, content: ReportContent) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while the stories were read: nothing is written
        if self._cancel.is_set():
            self._failed(Cancelled())
            return
        self.context.tasks.run(
            partial(write_printed, content, request.format, request.target),
            on_done=self._written,
            on_error=self._failed,
        )

    def _advanced(self, done: int) -> None:
        if self.progress.maximum() == 0:
            self.progress.setRange(0, max(done, 1))
        self.progress.setMaximum(max(self.progress.maximum(), done))
        self.progress.setValue(done)
        self._say(f"Saving: {done:,} stories written…")

    def _written(self, written: Written) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while it was written: the file is there, whole
        self._finish()
        where = " and ".join(str(path) for path in written.paths)
        self._say(f"Saved {written.summary} in {where}.")
        self.close_button.setText("Close")
        self.close_button.setAccessibleName("Close")
        self.saved.emit(written.paths)

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        cancelled = isinstance(error, Cancelled)
        self._finish()
        if cancelled:
            self._say("Cancelled: nothing was saved.")
        else:
            self._say(plain_error(error, self.context.paths, "Nothing was saved."))

    def _finish(self) -> None:
        self._running = False
        self._set_busy(False)
        self.finished_writing.emit()

    def _set_busy(self, busy: bool) -> None:
        for control in (self.format_choice, self.path, self.choose_button, self.save_button):
            control.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
        else:
            self._format_changed()

    def _remember(self, request: ReportRequest) -> None:
        settings = self.context.settings
        settings.set_report_choice("format", request.format.value)
        settings.set_report_choice("title", self.title.text().strip() or DEFAULT_TITLE)
        settings.set_report_choice("organisation", request.organisation)
        settings.set_report_choice("cover_period", request.cover_period)
        settings.set_report_choice("period", request.period.value)
        settings.set_report_choice("threshold", str(request.threshold))
        settings.set_report_choice("folder", str(request.target.parent))

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def reject(self) -> None:
        """Cancel (or Esc) while writing stops the writing, and the partial file is removed;
        otherwise it closes. A PDF or Word report being laid out is not stopped (a few seconds
        at most): Cancel stops it before the layout begins."""
        if self._running:
            self._cancel.set()
            self._say("Cancelling…")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


def _whole(text: str, default: int) -> int:
    try:
        return max(1, min(MOST_THRESHOLD, int(text)))
    except ValueError:
        return default
