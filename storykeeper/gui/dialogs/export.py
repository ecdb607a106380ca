"""Exporting a bundle from the window: choose, see what stays behind and why, send, see where.

The steps are ``core.bundle.export``'s, each on the task runner's proper queue: the plan (what
may leave) is worked out in a read task whenever the choice changes; the bundle is written
(``write_planned``, no database) with a progress bar and Cancel; the export ledger is written
afterwards, on the serial writer, announcing ``Kind.EXCHANGE``. Nothing here decides what may
leave: that is ``export_policy.export_view``, through the plan. The recipients and the plan
follow changes made elsewhere (``tasks.changed``) until the export starts. The plan is made for
the recipients ticked (a withdrawal notice goes only to those who had its story), so choosing
others plans again.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.bundle.export import (
    ExportPlan,
    ExportResult,
    Selection,
    bundle_recipients,
    write_planned,
)
from storykeeper.core.bundle.writer import ExportCancelled, ExportError, refuse_unfit
from storykeeper.core.display import counted
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.recipients import Recipient
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.what_will_leave import WhatWillLeaveDialog
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import exchange as exchange_ops
from storykeeper.gui.ops import keys as key_ops
from storykeeper.gui.ops import mentioned as mentioned_ops
from storykeeper.gui.ops.changes import Kind
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import give_keyboard_back, run_modal
from storykeeper.gui.wording import is_or_are, noun_for, verb_for

#: Stories listed at most in each of the dialog's lists (the summary counts them all).
LISTED_MAX = 500


class _Progress(QObject):
    """Emitted from the worker thread; Qt queues it to the dialog on the GUI thread."""

    advanced = Signal(int, int)


class ExportDialog(QDialog):
    #: A bundle was written and recorded.
    exported = Signal(object)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        chosen: tuple[str, str] | None = None,
    ) -> None:
        """``chosen``: the story (id, title) chosen in the list or open, offered on its own."""
        super().__init__(parent)
        self.context = context
        self.chosen = chosen
        self.setWindowTitle("Export a bundle")
        self.plan: ExportPlan | None = None
        #: Counts plans asked for: an answer to an older choice is dropped, not shown.
        self._plan_generation = 0
        self.result_bundle: ExportResult | None = None
        self._cancel = threading.Event()
        #: Set once Export is pressed: the plan being written no longer follows other changes.
        self._started = False
        #: Why the coordinator would refuse the planned export (a story named), or None.
        self._unfit: str | None = None
        self._progress = _Progress(self)

        self.everything = QRadioButton("&Everything that consent lets leave")
        self.since_last = QRadioButton("Only what is &new or changed since the last export")
        title = (chosen[1].strip() or "the untitled story") if chosen else ""
        self.only_chosen = QRadioButton(f"&Only “{title}”" if chosen else "&Only the chosen story")
        self.only_chosen.setAccessibleName("Only the chosen story")
        self.only_chosen.setVisible(chosen is not None)
        choice = QButtonGroup(self)
        choice.addButton(self.everything)
        choice.addButton(self.since_last)
        choice.addButton(self.only_chosen)
        self.since_last.setChecked(True)
        self.summary = QLabel("Working out what may leave…")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What will be exported")
        self.going = QListWidget()
        self.going.setAccessibleName("Stories that will go")
        self.left_out = QListWidget()
        self.left_out.setAccessibleName("Stories left out, and why")
        # One list on screen at a time, so the dialog stays short at twice the text size.
        self.lists = QTabWidget()
        self.lists.addTab(self.going, "Going")
        self.lists.addTab(self.left_out, "Left out, and why")
        self.lists.setMaximumHeight(200)
        self.lists.setAccessibleName("Stories that go, and stories left out")
        self.preview_button = QPushButton("See what &leaves…")
        self.preview_button.setAccessibleName("See what will leave for the chosen story")
        self.recipient_list = QListWidget()
        self.recipient_list.setAccessibleName("Coordinators who can open the bundle")
        self.recipient_list.setMaximumHeight(110)
        self.plain = QCheckBox("Do not encrypt (&plain): anyone with the file could read it")
        self.folder = QLineEdit(context.settings.export_folder)
        self.folder.setAccessibleName("Folder to save the bundle in")
        self.choose_folder = QPushButton("C&hoose…")
        self.choose_folder.setAccessibleName("Choose the folder")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Export status")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("E&xport")
        self.export_button.setAccessibleName("Write the bundle")
        self.export_button.setDefault(True)
        self.export_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy_label("&Save in:", self.folder), folder_row)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.everything)
        layout.addWidget(self.since_last)
        layout.addWidget(self.only_chosen)
        layout.addWidget(self.summary)
        layout.addWidget(self.lists)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_button)
        preview_row.addStretch()
        layout.addLayout(preview_row)
        layout.addWidget(QLabel("Encrypt to (the coordinators’ keys):"))
        layout.addWidget(self.recipient_list)
        layout.addWidget(self.plain)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        # Wider with the text, but never past the screen: at 200% text 1,400 px cut off
        # Choose… and Export on a 1366 px laptop (issue 20).
        screen = self.screen().availableGeometry()
        self.resize(
            min(int(700 * context.settings.text_scale / 100), screen.width() - 40),
            min(self.sizeHint().height(), screen.height() - 60),
        )

        self.everything.toggled.connect(self._replan)
        self.only_chosen.toggled.connect(self._replan)
        self.plain.toggled.connect(self._replan)
        self.recipient_list.itemChanged.connect(self._replan)
        self.choose_folder.clicked.connect(self._choose_folder)
        self.export_button.clicked.connect(self.start)
        self.preview_button.clicked.connect(self.preview)
        self.cancel_button.clicked.connect(self.reject)
        self._progress.advanced.connect(self._advanced)
        context.tasks.changed.connect(self._records_changed)
        self._load_recipients()
        self._replan()
        self.since_last.setFocus()

    # --- choosing ---

    def selection(self) -> Selection:
        if self.everything.isChecked():
            return Selection.ALL
        return Selection.CHOSEN if self.only_chosen.isChecked() else Selection.SINCE_LAST

    def _records_changed(self, kind: str, _ids: frozenset[str]) -> None:
        if self._started:
            return  # what is being written, or was, stays as it was planned
        if kind == Kind.KEYS:
            self._load_recipients()
        elif kind in (Kind.STORIES, Kind.CONSENT, Kind.ATTACHMENTS, Kind.PEOPLE):
            self._replan()

    def _load_recipients(self) -> None:
        self.context.tasks.read(key_ops.list_recipients, on_done=self._show_recipients)

    def _show_recipients(self, found: list[Recipient]) -> None:
        self.recipient_list.clear()
        for recipient in found:
            item = QListWidgetItem(
                f"{recipient.label} — fingerprint {key_ops.fingerprint_of(recipient)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, recipient.age_recipient)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.recipient_list.addItem(item)
        if not found:
            self.recipient_list.addItem(
                "No coordinators yet: add a coordinator’s key under Exchange → Keys and "
                "coordinators."
            )
        self._replan()

    def chosen_recipients(self) -> list[str]:
        items = (self.recipient_list.item(i) for i in range(self.recipient_list.count()))
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.data(Qt.ItemDataRole.UserRole) and item.checkState() == Qt.CheckState.Checked
        ]

    def _going_to(self) -> tuple[str, ...]:
        """Whom the bundle would go to, as the plan and the ledger name them."""
        return tuple(bundle_recipients(self.chosen_recipients(), self.plain.isChecked()))

    def chosen_ids(self) -> list[str]:
        """What “Only …” exports: the story chosen (stories selected together: export_several)."""
        return [self.chosen[0]] if self.chosen else []

    def _replan(self) -> None:
        selection = self.selection()
        chosen = self.chosen_ids() if selection is Selection.CHOSEN else []
        self.export_button.setEnabled(False)
        self.plan = None
        self.summary.setText("Working out what may leave…")
        self._plan_generation += 1
        generation = self._plan_generation

        def planned(plan: ExportPlan) -> None:
            if generation == self._plan_generation:
                self._planned(plan)

        self.context.tasks.read(
            partial(
                exchange_ops.plan_export,
                selection=selection,
                story_ids=chosen,
                recipients=self._going_to(),
            ),
            on_done=planned,
            on_error=self._failed,
        )

    def _planned(self, plan: ExportPlan) -> None:
        self.plan = plan
        self.left_out.clear()
        for withheld in plan.left_out[:LISTED_MAX]:
            item = QListWidgetItem(f"{withheld.title or '(untitled)'} — {withheld.reason}")
            item.setData(Qt.ItemDataRole.UserRole, withheld.story_id)
            self.left_out.addItem(item)
        if len(plan.left_out) > LISTED_MAX:
            self.left_out.addItem(f"… and {len(plan.left_out) - LISTED_MAX} more")
        self._list_going(plan)
        parts = [f"{counted(len(plan.stories), 'story')} will go"]
        if plan.withdrawals:
            parts.append(
                f"{counted(len(plan.withdrawals), 'withdrawal')} (the coordinator removes those)"
            )
        if plan.withdrawals_waiting:
            waiting = plan.withdrawals_waiting
            parts.append(
                f"{waiting:,} more {noun_for(waiting, 'withdrawal')} {verb_for(waiting, 'go')} "
                "in the next export"
            )
        if plan.withdrawals_held_back:
            parts.append(
                f"{counted(plan.withdrawals_held_back, 'withdrawal')} "
                f"{verb_for(plan.withdrawals_held_back, 'wait')} for a bundle only to those who "
                "had the story (a coordinator ticked never had it)"
            )
        if plan.withdrawals_for_others:
            parts.append(
                f"{counted(plan.withdrawals_for_others, 'withdrawal')} "
                f"{verb_for(plan.withdrawals_for_others, 'wait')} for coordinators not ticked, "
                "who had those stories"
            )
        if plan.media_left_out:
            held = plan.media_left_out
            what = "recording or photo stays" if held == 1 else "recordings or photos stay"
            parts.append(f"{held:,} {what} here (consent)")
        parts.append(
            f"{counted(len(plan.left_out), 'story')} {is_or_are(len(plan.left_out))} left out"
        )
        if not plan.empty:
            self.summary.setText("; ".join(parts) + ".")
        elif plan.withdrawals_held_back:
            self.summary.setText(
                "Nothing to send to all of these coordinators: "
                f"{counted(plan.withdrawals_held_back, 'withdrawal')} "
                f"{verb_for(plan.withdrawals_held_back, 'wait')} for a bundle only to those who "
                "had the story (a coordinator ticked never had it)."
            )
        elif plan.withdrawals_for_others:
            self.summary.setText(
                "Nothing to send to these coordinators: "
                f"{counted(plan.withdrawals_for_others, 'withdrawal')} "
                f"{verb_for(plan.withdrawals_for_others, 'wait')} for coordinators not ticked, "
                "who had those stories."
            )
        elif self.selection() is Selection.SINCE_LAST:
            self.summary.setText(
                "Nothing to send: nothing that may leave is new or changed since the last "
                "export, and no withdrawal is waiting."
            )
        else:
            self.summary.setText(
                "Nothing may leave: no story has consent to be shared, and no withdrawal is "
                "waiting."
            )
        self._unfit = None
        try:
            refuse_unfit(plan)  # the writer would refuse it: say so now, naming the story
        except ExportError as error:
            self._unfit = error.message
        self.message.setText(f"Cannot export: {self._unfit}" if self._unfit else "")
        self._update_button()

    def _list_going(self, plan: ExportPlan) -> None:
        """The stories that go, by title (read for the first ``LISTED_MAX`` of them)."""
        self.going.clear()
        going = [story.story_id for story in plan.stories[:LISTED_MAX]]
        generation = self._plan_generation

        def titled(titles: dict[str, str]) -> None:
            if generation != self._plan_generation or not shiboken6.isValid(self.going):
                return
            for story_id in going:
                item = QListWidgetItem(titles.get(story_id) or "(untitled)")
                item.setData(Qt.ItemDataRole.UserRole, story_id)
                self.going.addItem(item)
            if len(plan.stories) > LISTED_MAX:
                self.going.addItem(f"… and {len(plan.stories) - LISTED_MAX} more")
            if self.going.count():
                self.going.setCurrentRow(0)

        if going:
            self.context.tasks.read(
                partial(mentioned_ops.story_titles, story_ids=going), on_done=titled
            )

    def preview(self) -> None:
        """What will leave for the story chosen in the list on show (its export view)."""
        shown = self.lists.currentWidget()
        item = shown.currentItem() if isinstance(shown, QListWidget) else None
        story_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not story_id:
            self.message.setText("Choose a story in the list first.")
            return
        self.context.tasks.read(
            partial(mentioned_ops.what_will_leave, story_id=story_id),
            on_done=lambda preview: (
                shiboken6.isValid(self) and run_modal(WhatWillLeaveDialog(preview, self))
            ),
            on_error=self._preview_failed,
        )

    def _preview_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self.message):
            self.message.setText(
                f"Cannot show what will leave: {plain_error(error, self.context.paths)}"
            )

    def _update_button(self) -> None:
        ready = (
            self.plan is not None
            and not self.plan.empty
            and self._unfit is None
            and set(self.plan.recipients) == set(self._going_to())
        )
        encrypted_ok = self.plain.isChecked() or bool(self.chosen_recipients())
        self.export_button.setEnabled(ready and encrypted_ok and not self.progress.isVisible())

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Save the bundle in", self.folder.text(), QFileDialog.Option.DontUseNativeDialog
        )
        give_keyboard_back(self)
        if chosen:
            self.folder.setText(chosen)

    # --- exporting ---

    def start(self) -> None:
        if self.plan is None or not self.export_button.isEnabled():
            return
        plain = self.plain.isChecked()
        self._cancel.clear()
        self._started = True
        work = partial(
            write_planned,
            self.context.store.keys,
            self.plan,
            media=self.context.store.media,
            out=Path(self.folder.text().strip()).expanduser(),
            recipients=[] if plain else self.chosen_recipients(),
            plain=plain,
            progress=self._progress.advanced.emit,
            cancelled=self._cancel.is_set,
        )
        for widget in self._choices():
            widget.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.export_button.setEnabled(False)
        self.message.setText("Writing the bundle…")
        self.context.tasks.run(work, on_done=self._written, on_error=self._failed)

    def _choices(self) -> tuple[QWidget, ...]:
        return (
            self.everything,
            self.since_last,
            self.only_chosen,
            self.plain,
            self.folder,
            self.choose_folder,
            self.preview_button,
        )

    def _advanced(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _written(self, result: ExportResult) -> None:
        self.context.tasks.write(
            partial(exchange_ops.record_export, result=result),
            on_done=self._recorded,
            on_error=self._failed,
            changes=exchange_ops.EXPORT_RECORDED,
        )

    def _recorded(self, result: ExportResult) -> None:
        self.result_bundle = result
        # Offered again next time: people keep their bundles in one place.
        self.context.settings.export_folder = str(result.path.parent)
        self.progress.hide()
        how = (
            "It is NOT encrypted: keep it safe."
            if result.plain
            else f"Only {counted(len(result.recipients), 'coordinator')} can open it."
        )
        self.message.setText(
            f"Saved: {result.path}\n{counted(len(result.stories), 'story')}, "
            f"{counted(result.media_files, 'media file')}, "
            f"{counted(len(result.withdrawals), 'withdrawal')}. {how}"
        )
        self.cancel_button.setText("&Close")
        self.cancel_button.setAccessibleName("Close")
        self.cancel_button.setFocus()
        self.exported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._started = False
        self.progress.hide()
        for widget in self._choices():
            widget.setEnabled(True)
        if isinstance(error, ExportCancelled):
            self.message.setText("Cancelled: no bundle was written.")
        elif isinstance(error, StorykeeperError):
            self.message.setText(f"Not exported: {plain_error(error, self.context.paths)}")
        else:
            self.message.setText(f"Not exported: {plain_error(error, self.context.paths)}")
        self._update_button()

    def reject(self) -> None:
        """Cancel stops a running export (it leaves no file); otherwise it closes."""
        if self.progress.isVisible():
            self._cancel.set()
            self.message.setText("Cancelling…")
            return
        super().reject()
