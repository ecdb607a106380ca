"""“Check this computer’s stories”: ``check_store`` in the window, and the removal of unused
files (``repair_store``) once the person has confirmed it.

The check reads the database and hashes every attached file, which can take a while: it runs in
the task runner's pool, never on the GUI thread, and reports each step as it goes. The removal
takes the store's write lock (see ``repair_store`` for why), so it runs in the serial writer,
after any save already queued.
"""

from __future__ import annotations

import logging
from functools import partial

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.attachments import size_in_words
from storykeeper.core.check import (
    STEPS,
    CheckReport,
    Problem,
    RepairReport,
    Severity,
)
from storykeeper.core.errors import StorykeeperError
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import check as check_ops
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses

log = logging.getLogger(__name__)

#: The check's areas, as a person would say them.
AREAS = {
    "database": "Database",
    "schema": "Database version",
    "audit": "Audit log",
    "consent": "Consent",
    "stories": "Stories",
    "attachments": "Attached files",
    "search": "Search index",
}
#: What each step is, for the line under the progress bar.
STEP_WORDS = {
    "database file": "Checking the database file…",
    "audit log": "Checking the audit log…",
    "consent": "Checking each story’s consent…",
    "story contents": "Checking each story’s words against what was saved…",
    "attachments": "Checking every attached file (this can take a while)…",
    "search index": "Checking the search index…",
}


def problem_words(problem: Problem) -> str:
    what = "Problem" if problem.severity is Severity.ERROR else "Can be tidied away"
    message = problem.message[:1].upper() + problem.message[1:]
    end = "" if message.endswith((".", "?", "!")) else "."
    return f"{what} — {AREAS.get(problem.area, problem.area)}: {message}{end}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _removable(problem: Problem) -> bool:
    """A warning about files ``repair_store`` removes (the check's only attachment warnings)."""
    return problem.severity is Severity.WARNING and problem.area == "attachments"


class _Progress(QObject):
    """Emitted from the worker; Qt queues it to the dialog on the GUI thread."""

    step = Signal(str)


class CheckStoreDialog(QDialog):
    #: The check finished: its CheckReport (or the error that stopped it).
    check_finished = Signal(object)
    #: The removal of unused files finished: its RepairReport (or the error that stopped it).
    repair_finished = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.report: CheckReport | None = None
        self._working = False
        self._progress = _Progress(self)
        self.setWindowTitle("Check this computer’s stories")

        intro = QLabel(
            "Storykeeper looks at the database, the audit log, each story’s consent, each "
            "story’s words against what was saved, the search index and every attached file, "
            "and tells you what it finds. Nothing is changed unless you choose to remove files "
            "no story uses."
        )
        intro.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Check progress")
        self.progress.setRange(0, len(STEPS))
        self.status = QLabel()
        self.status.setAccessibleName("What the check says")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings = QListWidget()
        self.findings.setAccessibleName("What the check found")
        self.findings.setWordWrap(True)
        self.findings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.findings.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.findings.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.findings_label = buddy_label("&What the check found:", self.findings)
        self.remove_button = QPushButton()
        self.remove_button.hide()
        self.again_button = QPushButton("Check a&gain")
        self.again_button.setAccessibleName("Check again")
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close")

        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch()
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.findings_label)
        layout.addWidget(self.findings, 1)
        layout.addLayout(remove_row)
        layout.addLayout(buttons)
        self.setTabOrder(self.findings, self.remove_button)
        self.setTabOrder(self.remove_button, self.again_button)
        self.setTabOrder(self.again_button, self.close_button)
        enter_presses(self, self.close_button)

        self._progress.step.connect(self._step)
        self.remove_button.clicked.connect(self.remove_unused)
        self.again_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)

        scale = context.settings.text_scale / 100
        screen = self.screen().availableGeometry()
        self.resize(
            min(int(720 * scale), screen.width() - 40), min(int(520 * scale), screen.height() - 60)
        )
        # Once the dialog is showing, so its first words are "Checking…", not a blank window.
        QTimer.singleShot(0, self.start)

    # --- checking ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._working:
            return
        self._working = True
        self.report = None
        self.findings.clear()
        self.remove_button.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Checking…")
        self._update_controls()
        self.context.tasks.run(
            partial(check_ops.check, self.context.store, self._progress.step.emit),
            on_done=self._checked,
            on_error=self._check_failed,
        )

    def _step(self, step: str) -> None:
        if not self._working or self.report is not None:
            return
        if step in STEPS:
            self.progress.setValue(STEPS.index(step))
        self.status.setText(STEP_WORDS.get(step, f"Checking the {step}…"))

    def _checked(self, report: CheckReport) -> None:
        if not shiboken6.isValid(self):
            return
        self._working = False
        self.report = report
        self.progress.setValue(len(STEPS))
        self.progress.hide()
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for problem in report.problems:
            item = QListWidgetItem(problem_words(problem))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, problem_words(problem))
            item.setData(Qt.ItemDataRole.UserRole, problem)
            # Never colour alone: a problem says so in words, and carries a warning sign.
            item.setIcon(warning if problem.severity is Severity.ERROR else QIcon())
            self.findings.addItem(item)
        if not report.problems:
            self.findings.addItem("Nothing to report.")
        self.status.setText(self._summary(report))
        self._offer_removal(report)
        self._update_controls()
        self.findings.setCurrentRow(0)
        # isHidden, not isVisible: on a busy machine the report can come before the dialog is
        # shown, when no child counts as visible yet, and the focus went to the list.
        (self.findings if self.remove_button.isHidden() else self.remove_button).setFocus()
        self.check_finished.emit(report)

    def _summary(self, report: CheckReport) -> str:
        checked = report.checked
        counts = (
            f"{_count(checked.get('stories', 0), 'story', 'stories')}, "
            f"{_count(checked.get('attachment files', 0), 'attached file', 'attached files')} "
            f"and {_count(checked.get('audit events', 0), 'audit event', 'audit events')} "
            "checked"
        )
        errors = sum(p.severity is Severity.ERROR for p in report.problems)
        if errors:
            # A damaged database file stops the check before anything is counted.
            counted = f" ({counts})" if checked else ""
            return (
                f"Found {errors} {'problem' if errors == 1 else 'problems'}{counted}. Nothing "
                "was changed. Backups of the database are in "
                f"{self.context.paths.backups_dir}; the list below helps whoever supports you."
            )
        if report.removable_files:
            return f"All is well with the stories ({counts}). Some files can be tidied away."
        return f"All is well ({counts})."

    def _offer_removal(self, report: CheckReport) -> None:
        count = report.removable_files
        if not count:
            return
        refused = report.repair_refused
        if refused is not None:
            self.status.setText(f"{self.status.text()} {refused}")
            return
        files = _count(count, "unused file", "unused files")
        self.remove_button.setText(f"&Remove {files}…")
        self.remove_button.setAccessibleName(f"Remove {files}")
        self.remove_button.show()

    def _check_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._working = False
        self.progress.hide()
        if not isinstance(error, StorykeeperError):
            log.error("the check failed", exc_info=error)
        self.status.setText(
            f"The check could not finish: {plain_error(error, self.context.paths)} "
            "Nothing was changed."
        )
        self._update_controls()
        self.check_finished.emit(error)

    # --- removing unused files ---------------------------------------------------------------

    def remove_unused(self) -> None:
        report = self.report
        if self._working or report is None or not report.removable_files:
            return
        files = _count(report.removable_files, "file", "files")
        if not confirm_destructive(
            self,
            "Remove unused files",
            f"Remove {files} ({size_in_words(report.removable_bytes)}) that no story refers to "
            "any more?\n\nThey were left behind by attachments or stories removed earlier, or by "
            "an import or a copy that stopped part-way. No story loses anything: a file a story "
            "uses is never removed. This cannot be undone.",
            act="Remove them",
            keep="Keep them",
        ):
            self.remove_button.setFocus()
            return
        self._working = True
        self.progress.setRange(0, 0)  # busy: removing takes a moment, in steps nobody needs
        self.progress.show()
        self.status.setText(f"Removing {files}…")
        self._update_controls()
        self.context.tasks.write_own(
            partial(check_ops.remove_unused_files, self.context.store, self.context.tasks.actor),
            on_done=self._repaired,
            on_error=self._repair_failed,
            changes=check_ops.REMOVAL_CHANGES,
        )

    def _repaired(self, repaired: RepairReport) -> None:
        if not shiboken6.isValid(self):
            return
        self._working = False
        self._end_busy()
        self.remove_button.hide()
        # The findings that were only about these files are settled now.
        for row in reversed(range(self.findings.count())):
            problem = self.findings.item(row).data(Qt.ItemDataRole.UserRole)
            if isinstance(problem, Problem) and _removable(problem):
                self.findings.takeItem(row)
        if not self.findings.count():
            self.findings.addItem("Nothing to report.")
        self.status.setText(repaired.summary())
        self._update_controls()
        self.findings.setFocus()
        self.repair_finished.emit(repaired)

    def _repair_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._working = False
        self._end_busy()
        if not isinstance(error, StorykeeperError):
            log.error("removing unused files failed", exc_info=error)
        self.status.setText(f"No file was removed: {plain_error(error, self.context.paths)}")
        self._update_controls()
        self.repair_finished.emit(error)

    def _end_busy(self) -> None:
        self.progress.setRange(0, len(STEPS))
        self.progress.hide()

    def _update_controls(self) -> None:
        self.again_button.setEnabled(not self._working)
        self.remove_button.setEnabled(not self._working)
        self.close_button.setEnabled(not self._removing)

    @property
    def _removing(self) -> bool:
        return self._working and self.report is not None

    def reject(self) -> None:
        # A removal under way finishes first (it is quick, and holds the write lock); a check
        # may be left to end on its own, as it changes nothing.
        if self._removing:
            return
        super().reject()
