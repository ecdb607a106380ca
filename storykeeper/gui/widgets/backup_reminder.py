"""The gentle reminder to back up: a bar above the pages when the newest backup is older than the
settable number of days (seven unless changed; never when set to 0), or there has been none
and the store holds stories. It never takes the keyboard: the person may be typing already.
“Not now” hides it until the next start."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.backups import backup_is_due
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.backup import BackupDialog, when
from storykeeper.gui.ops import backups as ops
from storykeeper.gui.widgets.modal import run_modal


class BackupReminderBar(QFrame):
    """Hidden unless a backup is due."""

    #: Looked: whether a backup is due (and the bar showing).
    checked = Signal(bool)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Backup reminder")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("When the stories were last backed up")
        self.back_up_button = QPushButton("Back up now…")
        self.back_up_button.setAccessibleName("Back up now")
        self.not_now_button = QPushButton("Not now")
        self.not_now_button.setAccessibleName("Not now: hide this reminder")
        row = QHBoxLayout(self)
        row.addWidget(self.message, 1)
        row.addWidget(self.back_up_button)
        row.addWidget(self.not_now_button)
        self.back_up_button.clicked.connect(self.show_dialog)
        self.not_now_button.clicked.connect(self.hide)
        self.hide()

    def above(self, pages: QWidget) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self)
        column.addWidget(pages, 1)
        return holder

    def check(self) -> None:
        """Read when the newest backup was made (off the GUI thread), then show or hide."""
        self.context.tasks.read(ops.backup_state, on_done=self._decide)

    def _decide(self, state: ops.BackupState) -> None:
        if not shiboken6.isValid(self):
            return
        days = self.context.settings.backup_reminder_days
        due = days > 0 and state.stories > 0 and backup_is_due(state.last, days)
        if due:
            self.message.setText(
                "The stories on this computer have never been backed up. A copy on a USB stick "
                "keeps them safe if this computer is lost."
                if state.last is None
                else f"The newest backup of the stories was made {when(state.last)}. A new one "
                "keeps what was written since safe if this computer is lost."
            )
        self.setVisible(due)
        self.checked.emit(due)

    def show_dialog(self) -> None:
        dialog = BackupDialog(self.context, self.window())
        dialog.backup_finished.connect(lambda _outcome: self.check())
        run_modal(dialog)
        if shiboken6.isValid(self):
            self.check()  # the number of days may have changed too


def install_backup_reminder(window: QMainWindow, context: AppContext) -> BackupReminderBar:
    """Put the reminder above the window's pages and look whether a backup is due."""
    bar = BackupReminderBar(context)
    pages = window.takeCentralWidget()
    window.setCentralWidget(bar.above(pages))
    bar.check()
    return bar
