"""The quiet check after the window opens, and the bar that says when something is wrong.

A store damaged on disk, or changed by another program, used to open without a word (issue 15).
Once the story list's first page is on screen, the window runs the check by itself in the task
runner's pool (``ops.check.quiet_check``: everything but hashing each attached file). If it finds
a problem, a bar above the pages says so and offers the check's dialog; when all is well nothing
is shown at all. The bar never takes the keyboard: the person may be typing already.
"""

from __future__ import annotations

import logging
import threading
from functools import partial

import shiboken6
from PySide6.QtCore import QEvent, QObject, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.check import CheckCancelled, CheckReport
from storykeeper.core.errors import StorykeeperError
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_store import CheckStoreDialog
from storykeeper.gui.ops import check as check_ops
from storykeeper.gui.widgets.modal import run_modal

log = logging.getLogger(__name__)

#: What the bar says; the menu path is there for whoever closed the bar and wants it back.
FOUND_WORDS = (
    "Storykeeper found a problem with this computer’s stories. Also in Story → Check this "
    "computer’s stories…"
)


class BackgroundCheckBar(QFrame):
    """Hidden until the quiet check finds something wrong."""

    #: The quiet check finished: its CheckReport, or the error that stopped it.
    finished = Signal(object)
    #: The quiet check stopped part-way, as the window was closing.
    stopped = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.report: CheckReport | None = None
        self._started = False
        #: Set when the window starts to close: closing waits for every task, and at 100,000
        #: stories the whole check takes some 17 s, so it stops instead.
        self.cancelled = threading.Event()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Problem found by the check")

        sign = QLabel()
        size = self.fontMetrics().height() * 2
        sign.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        self.message = QLabel(FOUND_WORDS)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What the check found")
        self.see_button = QPushButton("See what is wrong…")
        self.see_button.setAccessibleName("See what is wrong")
        self.hide_button = QPushButton("Hide this")
        self.hide_button.setAccessibleName("Hide this message")

        row = QHBoxLayout(self)
        row.addWidget(sign)
        row.addWidget(self.message, 1)
        row.addWidget(self.see_button)
        row.addWidget(self.hide_button)

        self.see_button.clicked.connect(self.show_check)
        self.hide_button.clicked.connect(self.hide)
        self.hide()

    def above(self, pages: QWidget) -> QWidget:
        """The window's central widget: this bar over ``pages``."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self)
        column.addWidget(pages, 1)
        return holder

    def start_after(self, loading_changed: SignalInstance) -> None:
        """Check once the list's first page has finished loading (``loading_changed(False)``),
        so the check never delays it. Loaded or failed alike: a list that cannot load is what
        the check should explain."""

        def once(loading: bool) -> None:
            if not loading and not self._started and not self.cancelled.is_set():
                self._started = True
                self.start()

        self.window().installEventFilter(self)
        loading_changed.connect(once)

    def start(self) -> None:
        self.context.tasks.run(
            partial(check_ops.quiet_check, self.context.store, self.cancelled.is_set),
            on_done=self._checked,
            on_error=self._failed,
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Seen before the window's own closeEvent, which waits for the tasks. A close the
        # window then refuses (words still being saved) ends the check all the same: it was
        # only a courtesy, and the menu runs it in full.
        if event.type() == QEvent.Type.Close and watched is self.window():
            self.cancelled.set()
        return False

    def _checked(self, report: CheckReport) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while the check ran
        self.report = report
        self.setVisible(not report.ok)
        self.finished.emit(report)

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(error, CheckCancelled):
            self.stopped.emit()
            return
        # The check reports damage as problems; an error here is the program's own fault. It
        # goes to the log, not to a person who did not ask for a check.
        if not isinstance(error, StorykeeperError):
            log.error("the check after start failed", exc_info=error)
        self.finished.emit(error)

    def show_check(self) -> None:
        dialog = CheckStoreDialog(self.context, self.window())
        dialog.check_finished.connect(self._dialog_checked)
        run_modal(dialog)

    def _dialog_checked(self, outcome: object) -> None:
        # Put right meanwhile (a backup restored by someone who helps): the bar goes.
        if isinstance(outcome, CheckReport) and shiboken6.isValid(self):
            self.report = outcome
            self.setVisible(not outcome.ok)
