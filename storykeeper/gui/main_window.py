"""The main window: the story list, and the editor in its place while a story is open."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from storykeeper import APP_NAME, __version__
from storykeeper.core import faults
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.search import StoryFilter
from storykeeper.gui.closing import CloseWhenSaved
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs import first_day
from storykeeper.gui.dialogs.backup import show_backup_dialog
from storykeeper.gui.dialogs.check_store import CheckStoreDialog
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.dialogs.export import ExportDialog
from storykeeper.gui.dialogs.history import HistoryDialog
from storykeeper.gui.dialogs.import_bundles import ImportDialog, bundle_paths
from storykeeper.gui.dialogs.keys import KeysDialog
from storykeeper.gui.dialogs.people import StorytellersDialog, SupportersDialog
from storykeeper.gui.dialogs.security import show_security_dialog
from storykeeper.gui.dialogs.shortcuts import ShortcutsDialog
from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker
from storykeeper.gui.dialogs.trust import TrustDialog
from storykeeper.gui.dialogs.unexpected_error import show_unexpected_error
from storykeeper.gui.drafts_offer import offer_drafts
from storykeeper.gui.lock import AppLock
from storykeeper.gui.ops import story_list as ops
from storykeeper.gui.pages.insight_page import InsightPage
from storykeeper.gui.pages.story_editor import StoryEditorPage
from storykeeper.gui.pages.story_list import StoryListPage
from storykeeper.gui.recovery import recover_recordings
from storykeeper.gui.settings import TEXT_SCALE_MAX, TEXT_SCALE_MIN, TEXT_SCALE_STEP
from storykeeper.gui.widgets.background_check import BackgroundCheckBar
from storykeeper.gui.widgets.backup_reminder import install_backup_reminder
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import run_modal
from storykeeper.gui.widgets.sort_menu import add_sort_menu

log = logging.getLogger(__name__)


def _titled(page: str) -> str:
    """The window's title on ``page``: the page first, then the program, as desktops show it.

    Ending in the program's name, it is shown as it is: Qt adds the application's display name
    only to a title that does not end with it ("Storykeeper — story — Storykeeper" before).
    """
    return f"{page} — {APP_NAME}"


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(APP_NAME)
        geometry = context.settings.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry()
            self.resize(min(1200, int(screen.width() * 0.95)), min(860, int(screen.height() * 0.9)))

        self.list_page = StoryListPage(context)
        self.editor = StoryEditorPage(context)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.list_page)
        self.pages.addWidget(self.editor)
        self.insight_page = InsightPage(context)
        self.pages.addWidget(self.insight_page)
        # Says so if the quiet check after start finds anything wrong (issue 15).
        self.check_bar = BackgroundCheckBar(context)
        self.setCentralWidget(self.check_bar.above(self.pages))
        # A gentle bar when the newest backup is older than the days set (issue 19).
        self.backup_reminder = install_backup_reminder(self, context)
        # Locks after a while without a key or click, and by Ctrl+L (gui/lock.py).
        self.app_lock = AppLock(self, context)
        self._build_menus()

        self.list_page.new_story.connect(self.new_story)
        self.list_page.open_story.connect(self.open_story)
        self.list_page.delete_story.connect(self.delete_story)
        self.list_page.empty.import_stories.connect(self.show_import)
        self.list_page.empty.share_key.connect(self.show_keys)
        self.editor.closed.connect(self.show_list)
        self.insight_page.closed.connect(self.show_list)
        self.insight_page.show_stories.connect(self.show_stories)
        self.editor.delete_requested.connect(self.delete_story)
        self.editor.history_requested.connect(self.show_history)
        self.editor.purge_requested.connect(self.purge_story)
        context.tasks.unhandled_error.connect(self._show_error)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.editor)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.editor.close_editor)
        self._close_when_saved = CloseWhenSaved(self, self.editor.saver)

        # Bundles dropped anywhere on the window open the import dialog with them. Fields that
        # take dropped text would paste the file's name instead: they hand bundles on to us.
        self.setAcceptDrops(True)
        for child in self.findChildren(QWidget):
            if child.acceptDrops():
                child.installEventFilter(self)

        # Recordings a crash interrupted go back to their stories before anything else.
        recover_recordings(context, self)
        # Words a crash or a quit left unsaved are offered back (gui/drafts_offer.py).
        offer_drafts(context, self, besides=context.settings.open_story)
        self.check_bar.start_after(self.list_page.model.loading_changed)
        self.list_page.reload()
        reopen = context.settings.open_story
        if reopen:
            # Back where they were: after a crash, or a close while a story was open.
            self.open_story(reopen)
        else:
            self.list_page.focus_search()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        story = bar.addMenu("&Story")
        self._action(story, "&New story…", QKeySequence.StandardKey.New, self.new_story)
        self._action(story, "&Find…", QKeySequence.StandardKey.Find, self.find)
        self._action(story, "&Save now", QKeySequence.StandardKey.Save, self.editor.save_now)
        story.addSeparator()
        self._action(story, "&Check this computer’s stories…", None, self.show_check)
        self._action(
            story,
            "&Back up or restore…",
            None,
            partial(show_backup_dialog, context=self.context, parent=self),
        )
        self._action(story, "Securit&y…", None, self.show_security)
        story.addSeparator()
        self.app_lock.add_menu_items(story)
        story.addSeparator()
        # Spelled out: the standard Quit key is empty on some platforms (Windows, offscreen).
        self._action(story, "&Quit", "Ctrl+Q", self.close)

        people_menu = bar.addMenu("&People")
        self._action(people_menu, "&Storytellers…", "Ctrl+Shift+T", self.show_storytellers)
        self._action(people_menu, "S&upporters…", "Ctrl+Shift+U", self.show_supporters)

        # Bundles in and out: sending to coordinators, and (for coordinators) whom to accept.
        exchange = bar.addMenu("E&xchange")
        self._action(exchange, "Export a &bundle…", "Ctrl+E", self.show_export)
        self._action(exchange, "&Import bundles…", "Ctrl+I", self.show_import)
        self._action(exchange, "&Keys and coordinators…", None, self.show_keys)
        exchange.addSeparator()
        self._action(exchange, "&Trusted senders…", None, self.show_trust)

        view = bar.addMenu("&View")
        self._action(view, "What people are &telling us", "Ctrl+Shift+I", self.show_insight)
        self.sort_group = add_sort_menu(view, self.list_page, self)
        view.addSeparator()
        self._action(
            view, "&Larger text", QKeySequence.StandardKey.ZoomIn, lambda: self._step_text(+1)
        )
        self._action(
            view, "&Smaller text", QKeySequence.StandardKey.ZoomOut, lambda: self._step_text(-1)
        )
        self._action(view, "&Normal text size", "Ctrl+0", lambda: self.context.set_text_scale(100))
        sizes = view.addMenu("&Text size")
        self.size_group = QActionGroup(self)
        for scale in range(TEXT_SCALE_MIN, TEXT_SCALE_MAX + 1, TEXT_SCALE_STEP):
            action = QAction(f"{scale}%", self, checkable=True)
            action.setData(scale)
            action.triggered.connect(lambda _checked, s=scale: self.context.set_text_scale(s))
            self.size_group.addAction(action)
            sizes.addAction(action)
        view.addSeparator()
        self.contrast_action = QAction("&High contrast", self, checkable=True)
        self.contrast_action.setShortcut("Ctrl+Shift+H")
        self.contrast_action.toggled.connect(self.context.set_high_contrast)
        view.addAction(self.contrast_action)
        self.addAction(self.contrast_action)
        self.context.appearance_changed.connect(self._sync_view_menu)
        self._sync_view_menu()

        help_menu = bar.addMenu("&Help")
        self._action(
            help_menu,
            "&Keyboard shortcuts",
            QKeySequence.StandardKey.HelpContents,
            self.show_shortcuts,
        )
        self._action(help_menu, "&Getting started…", None, self.show_first_day)
        self._action(help_menu, "&About Storykeeper", None, self.show_about)

    def _action(self, menu: object, text: str, shortcut: object, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[arg-type]
        action.triggered.connect(slot)  # type: ignore[arg-type]
        menu.addAction(action)  # type: ignore[attr-defined]
        self.addAction(action)  # shortcuts work wherever the focus is
        return action

    def _sync_view_menu(self) -> None:
        scale = self.context.settings.text_scale
        for action in self.size_group.actions():
            action.setChecked(action.data() == scale)
        self.contrast_action.blockSignals(True)
        self.contrast_action.setChecked(self.context.settings.high_contrast)
        self.contrast_action.blockSignals(False)

    def _step_text(self, direction: int) -> None:
        self.context.set_text_scale(self.context.settings.text_scale + direction * TEXT_SCALE_STEP)

    # --- stories ---------------------------------------------------------------------------------

    def find(self) -> None:
        if self.pages.currentWidget() is self.editor:
            self.editor.close_editor()
        self.list_page.focus_search()

    def new_story(self) -> None:
        if self.pages.currentWidget() is self.editor:
            self.editor.save_now()
        picker = StorytellerPicker(self.context, self)
        if not picker.exec() or picker.picked is None:
            return
        self.context.tasks.write(
            partial(
                ops.new_story,
                picked=picker.picked,
                # The advocate's own entry (the first day's), else the last one chosen.
                supporter_id=self.context.settings.own_supporter
                or self.context.settings.last_supporter,
            ),
            on_done=lambda made: self.open_story(made.story_id),
            changes=ops.NewStory.changes,
        )

    def open_story(self, story_id: str) -> None:
        self.editor.open_story(story_id)
        self.pages.setCurrentWidget(self.editor)
        # After the "whose story" dialog some window managers leave no window active, and the
        # keyboard would go nowhere: take it back so typing can start at once.
        self.activateWindow()
        self.setWindowTitle(_titled("Story"))

    def show_insight(self) -> None:
        """The insight page; a story open is saved and closed first, as for the list."""
        if self.pages.currentWidget() is self.editor:
            self.editor.close_editor()
        self.pages.setCurrentWidget(self.insight_page)
        self.setWindowTitle(_titled("What people are telling us"))
        self.insight_page.focus_chart()

    def show_stories(self, wanted: StoryFilter) -> None:
        """From a number on the insight page to the stories behind it."""
        self.show_list()
        self.list_page.show_filtered(wanted)
        self.list_page.table.setFocus()

    def show_list(self) -> None:
        self.pages.setCurrentWidget(self.list_page)
        self.setWindowTitle(APP_NAME)
        if self.editor.story and self.editor.story.supporter:
            self.context.settings.last_supporter = self.editor.story.supporter.id
        if self.list_page.model.rowCount():
            self.list_page.table.setFocus()
        else:
            self.list_page.focus_search()

    def delete_story(self, story_id: str, title: str) -> None:
        name = f"“{title}”" if title.strip() else "this untitled story"
        if not confirm_destructive(
            self,
            "Delete story",
            f"Delete {name}?\n\nIts words, notes and attachments are removed from this computer. "
            "A record that it existed is kept, and the deletion is written in the audit log. "
            "This cannot be undone.",
            act="Delete story",
            keep="Keep it",
        ):
            return

        self.context.tasks.write(
            partial(ops.delete_story, story_id=story_id),
            on_done=lambda removed: self._removed(removed, f"Deleted {name}."),
            changes=ops.Removed.changes,
        )

    def purge_story(self, story_id: str) -> None:
        """After a full withdrawal: remove the content, once the person at the keyboard is sure."""
        if not confirm_destructive(
            self,
            "Remove the withdrawn story",
            "Consent for this story was withdrawn. Remove its words, notes and attachments from "
            "this computer now?\n\nA record that it existed and was withdrawn is kept, and the "
            "coordinator is still told to remove their copy in the next bundle. This cannot be "
            "undone.",
            act="Remove it now",
            keep="Not yet",
        ):
            return

        self.context.tasks.write(
            partial(ops.purge_withdrawn_story, story_id=story_id),
            on_done=lambda removed: self._removed(
                removed, "Removed the withdrawn story from this computer."
            ),
            changes=ops.Removed.changes,
        )

    def _removed(self, removed: ops.Removed, message: str) -> None:
        """After a deletion or purge has committed: tidy up and say ``message``."""
        discard_unused_media(self.context, removed.unused_media)
        if self.editor.story and self.editor.story.id == removed.story_id:
            self.editor.story = None
            self.context.settings.open_story = None
            self.pages.setCurrentWidget(self.list_page)
            self.setWindowTitle(APP_NAME)
        self.statusBar().showMessage(message, 8000)

    def show_history(self, story_id: str) -> None:
        self.editor.save_now()
        HistoryDialog(self.context, story_id, self).exec()

    def show_export(self) -> None:
        if self.pages.currentWidget() is self.list_page and self.list_page.selection.several():
            self.list_page.selection.export()  # only the stories selected together
            return
        chosen = self.list_page.current_story()
        if self.pages.currentWidget() is self.editor and self.editor.story is not None:
            self.editor.save_now()
            chosen = (self.editor.story.id, self.editor.title.text())
        run_modal(ExportDialog(self.context, self, chosen=chosen))

    def show_import(self, files: list[Path] | None = None) -> None:
        if self.pages.currentWidget() is self.editor and self.editor.story is not None:
            self.editor.save_now()
        # An import that updates the open story announces it, and the editor shows it anew.
        run_modal(ImportDialog(self.context, self, files=files))

    # --- dropped bundles ---

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if bundle_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if bundle_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = bundle_paths(event.mimeData())
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        # Not inside the drop: the program that dragged waits until the drop returns, and a
        # dialog's own event loop would keep it waiting for as long as the dialog is open.
        QTimer.singleShot(0, lambda: self.show_import(files))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        dragged = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
        # (Drag enter and move events are drop events too, in Qt's classes.)
        if kind in dragged and isinstance(event, QDropEvent) and bundle_paths(event.mimeData()):
            if kind == QEvent.Type.Drop:
                self.dropEvent(event)
            else:
                event.acceptProposedAction()
            return True
        return super().eventFilter(watched, event)

    def show_keys(self) -> None:
        run_modal(KeysDialog(self.context, self))

    def show_security(self) -> None:
        show_security_dialog(context=self.context, parent=self)

    def show_check(self) -> None:
        run_modal(CheckStoreDialog(self.context, self))

    def show_trust(self) -> None:
        run_modal(TrustDialog(self.context, self))

    def show_storytellers(self) -> None:
        # Not run_modal: a People dialog must outlive its close, for a save still on the write
        # queue to come back to it. What it changes is announced: the list and the editor follow.
        StorytellersDialog(self.context, self).exec()

    def show_supporters(self) -> None:
        SupportersDialog(self.context, self).exec()

    def _stop_recording_first(self) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("A recording is under way")
        box.setText("Stop the recording, keep it with the story, and close Storykeeper?")
        stop = box.addButton("&Stop, keep it and close", QMessageBox.ButtonRole.AcceptRole)
        carry_on = box.addButton("&Keep recording", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stop)
        box.setEscapeButton(carry_on)
        run_modal(box)
        return box.clickedButton() is stop

    def offer_first_day(self) -> first_day.FirstDayOffer:
        """At a start (``run_gui``): a new data folder is asked what the person does here."""
        return first_day.offer_first_day(self.context, self, self._after_first_day)

    def show_first_day(self) -> None:
        first_day.show_first_day(self.context, self, self._after_first_day)

    def _after_first_day(self, step: first_day.NextStep | None) -> None:
        self.list_page.empty.refresh()  # the empty list says what to do for the new answer
        steps = {"share_key": self.show_keys, "trust": self.show_trust, "import": self.show_import}
        if step is not None:
            steps[step.value]()
        elif not self.list_page.empty.focus_next_step():
            self.list_page.focus_search()

    def show_shortcuts(self) -> None:
        run_modal(ShortcutsDialog(self))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3><p>Record people’s stories, in their own words, "
            "with their consent. Everything stays on this computer.</p>"
            f"<p>Your data folder: {self.context.paths.data_dir}</p>",
        )

    def _show_error(self, error: BaseException) -> None:
        # A full disk however it was said; never an error's own text, which can hold SQL or a
        # story's words: the log gets its kinds and frames (faults.describe), the person a line.
        error = faults.disk_full(error, self.context.paths.data_dir) or error
        if isinstance(error, StorykeeperError):
            QMessageBox.warning(self, APP_NAME, error.message)
        else:
            log.error("unexpected error in a background task: %s", faults.describe(error))
            show_unexpected_error(error, self.context.paths.log_file, self)

    def closeEvent(self, event: QCloseEvent) -> None:
        recorder = self.editor.recorder
        if recorder.active is not None:
            # Keeping a recording takes a moment (it is hashed and stored): close after that.
            event.ignore()
            if self._stop_recording_first():
                recorder.kept_or_failed.connect(
                    self.close, type=Qt.ConnectionType.SingleShotConnection
                )
                recorder.stop_recording()
            return
        if not self._close_when_saved.may_close():
            # Not yet: the words are being saved (or the person is asked); closes after.
            event.ignore()
            return
        self.editor.saver.stop()
        self.editor.read_aloud.stop()
        self.context.settings.window_geometry = self.saveGeometry()
        self.context.shutdown()
        event.accept()
