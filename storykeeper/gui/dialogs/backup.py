"""“Back up or restore…”: a backup to a folder or USB stick, and a restore from one.

Both run off the GUI thread with a progress bar: a backup in the serial writer (it records when
it was made), a restore's check and copy in the task pool. A restore in the window is prepared
(checked, copied into the data folder, its renames journalled) and done at the next start,
before the store opens; the window then closes, saying so. A plain store's backup is not
encrypted: the dialog says so, and offers the window's way to encrypt the store when it has one.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import clock
from storykeeper.core.backups import (
    BackupKeyNeededError,
    BackupMade,
    Manifest,
    backup_is_due,
)
from storykeeper.core.restore import PreparedRestore
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import backups as ops
from storykeeper.gui.settings import BACKUP_REMINDER_DAYS_MAX
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import enter_presses, run_modal

log = logging.getLogger(__name__)

ENCRYPTED_WORDS = (
    "The backup is encrypted, as the stories here are: your passphrase or recovery key opens "
    "it on another computer."
)
PLAIN_WORDS = (
    "This store is not encrypted, so neither are its backups: anyone who has the USB stick or "
    "the folder can read the stories. Encrypt the store first if you can."
)
#: The main window's way to encrypt a plain store, when it has one (issue 19, part E).
ENCRYPT_METHOD = "show_security"


class _Progress(QObject):
    """Emitted from the worker; Qt queues it to the dialog on the GUI thread."""

    moved = Signal(str, int)

    def report(self, what: str, done: int, total: int) -> None:
        self.moved.emit(what, 1000 if total <= 0 else min(1000, done * 1000 // total))


def when(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """“today”, “yesterday”, “12 days ago (3 March 2026)”, “never”: said as a person would."""
    if moment is None:
        return "never"
    local = moment.astimezone()
    days = ((now or clock.now()).astimezone().date() - local.date()).days
    date = f"{local.day} {local:%B %Y}"
    if days <= 0:
        return f"today at {local:%H:%M}"
    if days == 1:
        return "yesterday"
    return f"{days} days ago ({date})"


class BackupDialog(QDialog):
    #: A backup finished: its BackupMade, or the error that stopped it.
    backup_finished = Signal(object)
    #: A restore was prepared (its PreparedRestore; the window closes), or the error.
    restore_finished = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.working = False
        self._progress = _Progress(self)
        self.setWindowTitle("Back up or restore")

        intro = QLabel(
            "A backup is a copy of every story, consent record and attached file, in a folder "
            "you choose. A USB stick kept away from this computer is best: if the computer is "
            "lost, the stories are not."
        )
        intro.setWordWrap(True)
        encrypted = bool(getattr(context.store, "encrypted", False))
        self.protection = QLabel(ENCRYPTED_WORDS if encrypted else PLAIN_WORDS)
        self.protection.setWordWrap(True)
        self.protection.setAccessibleName("Whether backups are encrypted")
        self.encrypt_button = QPushButton("&Encrypt the store…")
        self.encrypt_button.setAccessibleName("Encrypt the store")
        opener = getattr(parent.window() if parent else None, ENCRYPT_METHOD, None)
        self.encrypt_button.setVisible(not encrypted and callable(opener))

        self.folder = QLineEdit(context.settings.backup_folder)
        self.folder.setAccessibleName("Backup folder")
        folder_label = buddy_label("Back up &to:", self.folder)
        self.choose_button = QPushButton("C&hoose…")
        self.choose_button.setAccessibleName("Choose the backup folder")
        self.back_up_button = QPushButton("&Back up now")
        self.back_up_button.setAccessibleName("Back up now")
        self.last_backup = QLabel("Newest backup: …")
        self.last_backup.setAccessibleName("Newest backup")

        self.reminder_days = QSpinBox()
        self.reminder_days.setRange(0, BACKUP_REMINDER_DAYS_MAX)
        self.reminder_days.setSpecialValueText("never")
        self.reminder_days.setSuffix(" days")
        self.reminder_days.setValue(context.settings.backup_reminder_days)
        self.reminder_days.setAccessibleName("Remind me when the newest backup is older than")
        reminder_label = buddy_label(
            "Re&mind me when the newest backup is older than:", self.reminder_days
        )

        self.restore_button = QPushButton("Re&store from a backup…")
        self.restore_button.setAccessibleName("Restore from a backup")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What happened")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close")

        folder_row = QHBoxLayout()
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_button)
        reminder_row = QHBoxLayout()
        reminder_row.addWidget(reminder_label)
        reminder_row.addWidget(self.reminder_days)
        reminder_row.addStretch()
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_up_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.protection)
        layout.addWidget(self.encrypt_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(folder_row)
        layout.addWidget(self.last_backup)
        layout.addLayout(reminder_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch()
        layout.addLayout(buttons)
        enter_presses(self, self.back_up_button)

        self._progress.moved.connect(self._moved)
        self.choose_button.clicked.connect(self.choose_folder)
        self.back_up_button.clicked.connect(self.back_up)
        self.restore_button.clicked.connect(self.choose_backup)
        self.close_button.clicked.connect(self.reject)
        self.reminder_days.valueChanged.connect(self._remember_days)
        if callable(opener):
            self.encrypt_button.clicked.connect(lambda: (self.reject(), opener()))

        scale = context.settings.text_scale / 100
        screen = self.screen().availableGeometry()
        self.resize(
            min(int(680 * scale), screen.width() - 40), min(int(420 * scale), screen.height() - 60)
        )
        self._read_last_backup()

    # --- backing up ------------------------------------------------------------------------

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Back up to", self.folder.text(), QFileDialog.Option.DontUseNativeDialog
        )
        if chosen:
            self.folder.setText(chosen)

    def back_up(self) -> None:
        if self.working:
            return
        text = self.folder.text().strip()
        if not text:
            self.status.setText("Choose a folder or a USB stick to back up to first.")
            self.folder.setFocus()
            return
        self._start("Backing up…")
        self.context.tasks.write_own(
            partial(
                ops.back_up,
                self.context.store,
                Path(text),
                self.context.tasks.actor,
                self._progress.report,
            ),
            on_done=self._backed_up,
            on_error=self._backup_failed,
            changes=ops.BACKUP_CHANGES,
        )

    def _backed_up(self, made: BackupMade) -> None:
        if not shiboken6.isValid(self):
            return
        self._stop()
        self.context.settings.backup_folder = str(made.folder.parent)
        manifest = made.manifest
        self.status.setText(
            f"Backed up {_count(manifest.stories, 'story', 'stories')}, "
            f"{_count(manifest.people, 'person', 'people')} and "
            f"{_count(len(manifest.media), 'attached file', 'attached files')} to "
            f"{made.folder}. {made.media_copied} of the files were copied; the others were in "
            "an earlier backup there already. Everything was checked after writing."
            + ("" if manifest.encrypted else " This backup is not encrypted.")
        )
        self._read_last_backup()
        self.close_button.setFocus()
        self.backup_finished.emit(made)

    def _backup_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._stop()
        self.status.setText(plain_error(error, self.context.paths))
        self.backup_finished.emit(error)

    # --- restoring --------------------------------------------------------------------------

    def choose_backup(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self,
            "Restore from a backup (a “Storykeeper backup …” folder, or the folder holding them)",
            self.folder.text(),
            QFileDialog.Option.DontUseNativeDialog,
        )
        if chosen:
            self.restore_from(Path(chosen))

    def restore_from(self, folder: Path) -> None:
        """Read what the backup at ``folder`` holds, ask, then check and stage it."""
        if self.working:
            return
        self._start("Reading the backup…")
        self.context.tasks.run(
            partial(ops.read_backup, folder), on_done=self._ask_restore, on_error=self._failed
        )

    def _ask_restore(self, found: tuple[Path, Manifest]) -> None:
        if not shiboken6.isValid(self):
            return
        self._stop()
        backup, manifest = found
        made = manifest.created.astimezone()
        if not confirm_destructive(
            self,
            "Restore this backup",
            f"Restore the backup made on {made.day} {made:%B %Y at %H:%M}? It holds "
            f"{_count(manifest.stories, 'story', 'stories')}, "
            f"{_count(manifest.people, 'person', 'people')} and "
            f"{_count(len(manifest.media), 'attached file', 'attached files')}.\n\n"
            "The stories here now are not deleted: they are kept in the data folder, in a "
            "folder named “before restore” with today’s date. Storykeeper checks the backup, "
            "then closes; start it again to use the restored stories.",
            act="Restore this backup",
            keep="Keep the stories here",
        ):
            self.status.setText("Nothing was restored.")
            return
        self._prepare(backup, None)

    def _prepare(self, backup: Path, secret: str | None) -> None:
        self._start("Checking the backup…")
        self.context.tasks.run(
            partial(ops.prepare_restore, self.context.paths, backup, secret, self._progress.report),
            on_done=self._prepared,
            on_error=partial(self._not_prepared, backup),
        )

    def _not_prepared(self, backup: Path, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if not isinstance(error, BackupKeyNeededError):
            self._failed(error)
            return
        self._stop()
        first = "passphrase or recovery key" in error.message
        secret, given = QInputDialog.getText(
            self,
            "The backup’s passphrase",
            "This backup was made by another Storykeeper store. Type its passphrase, or its "
            "recovery key:"
            if first
            else error.message,
            QLineEdit.EchoMode.Password,
        )
        if not given or not secret:
            self.status.setText("Nothing was restored.")
            return
        self._prepare(backup, secret)

    def _prepared(self, prepared: PreparedRestore) -> None:
        if not shiboken6.isValid(self):
            return
        self._stop()
        manifest = prepared.manifest
        self.status.setText("The backup is checked and ready.")
        self.restore_finished.emit(prepared)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Restore this backup")
        box.setText(
            f"The backup is checked and ready: {_count(manifest.stories, 'story', 'stories')} "
            f"and {_count(manifest.people, 'person', 'people')}. Storykeeper closes now. Start "
            "it again to use the restored stories; the stories here now will be kept in "
            f"{prepared.aside}."
        )
        run_modal(box)
        window = self.parentWidget().window() if self.parentWidget() else None
        self.accept()
        if window is not None:
            QTimer.singleShot(0, window.close)

    # --- shared -----------------------------------------------------------------------------

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._stop()
        self.status.setText(plain_error(error, self.context.paths))
        self.restore_finished.emit(error)

    def _start(self, words: str) -> None:
        self.working = True
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(words)
        for button in (self.back_up_button, self.restore_button, self.choose_button):
            button.setEnabled(False)

    def _stop(self) -> None:
        self.working = False
        self.progress.hide()
        for button in (self.back_up_button, self.restore_button, self.choose_button):
            button.setEnabled(True)

    def _moved(self, what: str, permille: int) -> None:
        if self.working and shiboken6.isValid(self):
            self.progress.setValue(permille)
            self.status.setText(what)

    def _remember_days(self, days: int) -> None:
        self.context.settings.backup_reminder_days = days

    def _read_last_backup(self) -> None:
        self.context.tasks.read(ops.backup_state, on_done=self._show_last_backup)

    def _show_last_backup(self, state: ops.BackupState) -> None:
        if not shiboken6.isValid(self):
            return
        due = backup_is_due(state.last, self.context.settings.backup_reminder_days or 10**6)
        self.last_backup.setText(
            f"Newest backup: {when(state.last)}." + (" It is time for another." if due else "")
        )

    def reject(self) -> None:
        if self.working:
            return  # the copy goes on; closing now would leave its answer nowhere to go
        super().reject()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def show_backup_dialog(context: AppContext, parent: QWidget) -> None:
    """The menu item's action (“Story → Back up or restore…”)."""
    run_modal(BackupDialog(context, parent))
