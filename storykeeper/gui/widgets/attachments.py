"""The story's photos and documents: a list, a preview of the chosen photo, and adding (file
dialog or drop), removing and saving a copy.

How the story editor uses it (the same protocol as the recorder's, ``widgets/recorder.py``):

- ``show_story(story_id, attachments, read_only)`` whenever a story is shown. Audio attachments
  are left out here: the recorder lists them. The chosen file stays chosen when it is still
  there. When the task runner announces that the story's attachments changed (``Kind.ATTACHMENTS``,
  whoever changed them), the panel reloads them itself.
- ``before_change`` (a plain attribute) is called on the GUI thread just before any write is
  queued, then ``writing`` is emitted: the editor queues a save of unsaved typing first (the
  writer keeps the order) and holds further saves until the write has ended.
- Each ``writing`` is followed by exactly one ``changed(story_id, revision)`` (something was
  added or removed; the story's revision is now ``revision``, which the editor's next save must
  expect) or ``write_failed(story_id)`` (nothing changed: every file refused, or an error).
- ``added_audio(story_id)`` when a file added here turned out to be audio (an MP3 from a phone):
  it was attached as audio, and is listed by the recorder (which reloads on the announced change
  by itself). Emitted after ``changed``.

Every write (``gui.ops.attachments``) goes through the task runner's serial writer, every file
read (thumbnails, saved copies) through its pool: the window never waits for a disk. Each file
is added in a savepoint of its own, so one refused file (too large, empty, a folder, unreadable)
never stops the others and nothing is ever half-added; each refusal is said in words.

Keys: Alt+A adds, Alt+Y saves a copy, Delete (in the list) removes after a confirmation; the
Remove button has no Alt key of its own (its letters are all taken in the editor).

Bundles (``.age``, ``.zip``) dropped here open the import dialog instead: the main window takes
those drops from every child that accepts drops (``MainWindow.eventFilter``). A ZIP file can
still be attached with the file dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QFileDialog,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.attachments import Attachment, RemovedAttachment
from storykeeper.core.vocabulary import AttachmentKind
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import attachments as attachment_ops
from storykeeper.gui.ops.attachments import AddedFiles, StoryAttachments
from storykeeper.gui.ops.changes import Kind, concerns
from storykeeper.gui.widgets.attachment_caption import CAPTION_KEY, CaptionField
from storykeeper.gui.widgets.attachment_files import (
    choose_copy_target,
    confirm_removal,
    describe,
    local_paths,
)
from storykeeper.gui.widgets.attachment_preview import AttachmentPreview
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import give_keyboard_back, run_modal

log = logging.getLogger(__name__)

FILE_FILTER = (
    "Photos and documents (*.jpg *.jpeg *.png *.gif *.webp *.heic *.tif *.tiff *.bmp *.pdf "
    "*.doc *.docx *.odt *.rtf *.txt);;All files (*)"
)
#: From this text size on, the buttons stand one above another and the preview below the list.
STACK_FROM_SCALE = 150
ADD_KEY = "Ctrl+Shift+A"
SAVE_KEY = "Ctrl+Shift+S"
EMPTY = f"No photos or documents yet. Add them ({ADD_KEY}), or drop files here."
READ_ONLY = "Read-only: these can be looked at and saved, but not added to or removed here."


class AttachmentsPanel(QGroupBox):
    #: An add or a remove is about to be queued (the editor holds its saves until it ends).
    writing = Signal()
    #: An add or a remove committed: the story's id and its revision now.
    changed = Signal(str, int)
    #: The write announced by ``writing`` ended with nothing changed: the story's id.
    write_failed = Signal(str)
    #: A file added here was audio (story id); the recorder lists it, once the change is
    #: announced.
    added_audio = Signal(str)
    #: An add, remove or saved copy has finished, whether it worked or not.
    finished = Signal()
    #: The preview shows the chosen photo now (or says why it cannot): the attachment's id.
    preview_shown = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Photos and documents", parent)
        self.context = context
        self.media = context.store.media
        #: Called on the GUI thread before any write (the editor saves unsaved typing there).
        self.before_change: Callable[[], None] | None = None
        self.story_id: str | None = None
        self.read_only = False
        #: The attachments listed (photos and documents, oldest first).
        self.attachments: list[Attachment] = []
        self._busy = False
        self._folder = Path.home()
        self.setAcceptDrops(True)

        self.list = QListWidget()
        self.list.setAccessibleName("Photos and documents of this story")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.preview = AttachmentPreview(context.tasks, self.media)
        # What the chosen file shows, in words: the picture's name for screen readers.
        self.caption = CaptionField(context)
        # No Alt keys: in the story editor every letter is taken (tests/gui/test_window.py);
        # the keys are Ctrl+Shift+A and Ctrl+Shift+S (install_shortcuts), Delete in the list.
        self.add_button = QPushButton(f"Add photo or document… ({ADD_KEY})")
        self.add_button.setAccessibleName("Add a photo or a document to this story")
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setAccessibleName("Remove the chosen file from this story")
        self.save_button = QPushButton(f"Save a copy… ({SAVE_KEY})")
        self.save_button.setAccessibleName("Save a copy of the chosen file")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Adding files")
        self.progress.setRange(0, 0)  # busy: a copy's progress is not reported, only that it runs
        self.progress.hide()
        self.status = QLabel(EMPTY)
        self.status.setAccessibleName("About the photos and documents")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Side by side at ordinary sizes, one above another at large ones (see _apply_appearance).
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.addWidget(self.list, 1)
        self.body.addWidget(self.preview)
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        for button in (self.add_button, self.remove_button, self.save_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch()
        column = QVBoxLayout(self)
        column.addLayout(self.body)
        column.addWidget(self.caption)
        column.addLayout(self.buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        self.setTabOrder(self.list, self.caption.edit)
        self.setTabOrder(self.caption.edit, self.add_button)
        self.setTabOrder(self.add_button, self.remove_button)
        self.setTabOrder(self.remove_button, self.save_button)

        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_selected)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button.clicked.connect(self.save_copy)
        self.list.currentRowChanged.connect(lambda _row: self._chosen())
        self.preview.shown.connect(self.preview_shown)
        self.caption.saved.connect(self._caption_saved)
        self.caption.failed.connect(self._say)
        context.appearance_changed.connect(self._apply_appearance)
        context.tasks.changed.connect(self._records_changed)
        self._apply_appearance()
        self._update_controls()

    def install_shortcuts(self, scope: QWidget) -> None:
        """Add, save-a-copy and description keys, wherever the focus is inside ``scope`` (the
        editor page)."""
        keys_and_slots = (
            (ADD_KEY, self.choose_files),
            (SAVE_KEY, self.save_copy),
            (CAPTION_KEY, self.caption.focus),
        )
        for keys, slot in keys_and_slots:
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- what is shown -----------------------------------------------------------------------

    def show_story(self, story_id: str, attachments: Sequence[Attachment], read_only: bool) -> None:
        """Show ``story_id``'s photos and documents (audio ones are left to the recorder)."""
        same = story_id == self.story_id and read_only == self.read_only
        chosen = self.current() if same else None
        self.story_id = story_id
        self.read_only = read_only
        self.attachments = [a for a in attachments if a.kind is not AttachmentKind.AUDIO]
        ids = [a.id for a in self.attachments]
        self._fill(ids.index(chosen.id) if chosen and chosen.id in ids else 0 if ids else -1)
        if read_only or not self.attachments or not same or self.status.text() == EMPTY:
            self._say(self._at_rest())
        # Otherwise what was just said stays: the list is reloaded after each change.
        self._update_controls()

    def current(self) -> Attachment | None:
        row = self.list.currentRow()
        return self.attachments[row] if 0 <= row < len(self.attachments) else None

    def _fill(self, row: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for attachment in self.attachments:
            item = QListWidgetItem(describe(attachment))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, describe(attachment))
            item.setToolTip(describe(attachment))
            self.list.addItem(item)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._chosen()

    def _chosen(self) -> None:
        self._update_controls()
        self.caption.show_attachment(self.current(), self.read_only)
        self.preview.show_attachment(self.current())

    def _caption_saved(self, attachment_id: str) -> None:
        named = next((a.original_name for a in self.attachments if a.id == attachment_id), "")
        self._say(f"Saved the description of “{named}”." if named else "Saved the description.")

    def _records_changed(self, kind: str, ids: frozenset[str]) -> None:
        story_id = self.story_id
        if story_id is None or not concerns(kind, ids, Kind.ATTACHMENTS, story_id):
            return
        self.context.tasks.read(
            partial(attachment_ops.story_attachments, story_id=story_id),
            on_done=self._reloaded,
            on_error=self._reload_failed,
        )

    def _reloaded(self, listed: StoryAttachments) -> None:
        if shiboken6.isValid(self) and listed.story_id == self.story_id:
            self.show_story(listed.story_id, listed.attachments, self.read_only)

    def _reload_failed(self, error: BaseException) -> None:
        # The story went (deleted meanwhile): whoever shows it is told so and moves on.
        log.debug("the attachments of %s could not be reloaded: %s", self.story_id, error)

    def _apply_appearance(self) -> None:
        stacked = self.context.settings.text_scale >= STACK_FROM_SCALE
        direction = (
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        self.body.setDirection(direction)
        self.buttons.setDirection(direction)
        self.preview.fit_to_text_size()
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        if self.current() is not None:
            self.preview.show_attachment(self.current(), again=True)  # at the new size

    def _update_controls(self) -> None:
        chosen = self.current() is not None
        can_change = self.story_id is not None and not self.read_only and not self._busy
        self.add_button.setEnabled(can_change)
        self.remove_button.setEnabled(can_change and chosen)
        self.save_button.setEnabled(chosen)

    def _set_busy(self, busy: bool, doing: str = "") -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        if doing:
            self.status.setText(doing)
            self.status.show()
        self._update_controls()

    def _at_rest(self) -> str:
        """What the status line says when nothing is going on."""
        return READ_ONLY if self.read_only else "" if self.attachments else EMPTY

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        run_modal(box)

    # --- adding ------------------------------------------------------------------------------

    def choose_files(self) -> None:
        if not self.add_button.isEnabled():
            return
        chosen, _ = QFileDialog.getOpenFileNames(
            self,
            "Add photos or documents",
            str(self._folder),
            FILE_FILTER,
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        give_keyboard_back(self)
        if chosen:
            self.add_files([Path(name) for name in chosen])

    def add_files(self, paths: Sequence[Path]) -> None:
        """Attach these files to the story shown (each checked, copied and hashed off the GUI
        thread). Folders, files too large and the like are refused one by one, in words."""
        story_id = self.story_id
        if story_id is None or self.read_only or self._busy or not paths:
            return
        self._folder = paths[-1].parent
        self._announce()
        what = f"“{paths[0].name}”" if len(paths) == 1 else f"{len(paths)} files"
        self._set_busy(True, f"Adding {what}…")
        self.context.tasks.write(
            partial(
                attachment_ops.add_files, media=self.media, story_id=story_id, paths=list(paths)
            ),
            on_done=self._added,
            on_error=lambda error: self._failed("Nothing was added", story_id, error),
            changes=attachment_ops.added_changes,
        )

    def _announce(self) -> None:
        if self.before_change is not None:
            self.before_change()
        self.writing.emit()

    def _added(self, result: AddedFiles) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        audio = [a for a in result.added if a.kind is AttachmentKind.AUDIO]
        shown = [a for a in result.added if a.kind is not AttachmentKind.AUDIO]
        if result.story_id == self.story_id and shown:
            self.attachments += shown
            self._fill(len(self.attachments) - 1)
        words = []
        if shown:
            words.append("Added " + ", ".join(f"“{a.original_name}”" for a in shown) + ".")
        if any(a.kind is AttachmentKind.PHOTO for a in shown):
            words.append(f"Describe what a photo shows with {CAPTION_KEY}, for screen readers.")
        if audio:
            names = ", ".join(f"“{a.original_name}”" for a in audio)
            words.append(f"Added {names} as audio: it is listed with the recordings.")
        if result.refused and words:
            count = len(result.refused)
            words.append(f"{count} {'file was' if count == 1 else 'files were'} not added.")
        self._say(" ".join(words) if words else self._at_rest())
        if result.added:
            self.changed.emit(result.story_id, result.revision)
        else:
            self.write_failed.emit(result.story_id)
        if audio:
            self.added_audio.emit(result.story_id)
        if result.refused:
            count = len(result.refused)
            self._warn(
                "Not added" if count == 1 else f"{count} files not added",
                "\n\n".join(result.refused),
            )
        self.list.setFocus()
        self.finished.emit()

    def _failed(self, title: str, story_id: str | None, error: BaseException) -> None:
        """A write (``story_id``) or a saved copy (None) stopped with ``error``."""
        if not shiboken6.isValid(self):
            return
        if story_id is not None:
            self.write_failed.emit(story_id)
        self._set_busy(False)
        self._say(self._at_rest())
        text = plain_error(error, self.context.paths)
        if isinstance(error, OSError) and error.strerror and text.startswith("Something"):
            # A file that went away or cannot be read: the system's own words name it.
            where = f" ({error.filename})" if error.filename else ""
            text = f"This computer said: {error.strerror}{where}."
        self._warn(title, f"{title}. {text}")
        self.finished.emit()

    # --- dropping ----------------------------------------------------------------------------

    def _takes(self, mime: QMimeData | None) -> bool:
        return (
            self.story_id is not None
            and not self.read_only
            and not self._busy
            and bool(local_paths(mime))
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._takes(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if not paths or not self._takes(event.mimeData()):
            event.ignore()
            return
        event.acceptProposedAction()
        # Not inside the drop: the program that dragged waits until the drop returns, and a
        # message about a refused file would keep it waiting while it is open.
        QTimer.singleShot(0, lambda: self.add_files(paths))

    # --- removing ----------------------------------------------------------------------------

    def remove_selected(self) -> None:
        attachment = self.current()
        if attachment is None or not self.remove_button.isEnabled():
            return
        if not confirm_removal(self, attachment):
            self.list.setFocus()
            return
        story_id = self.story_id
        assert story_id is not None  # the button is enabled only with a story shown
        self._announce()
        self._set_busy(True, f"Removing “{attachment.original_name}”…")
        self.context.tasks.write(
            partial(attachment_ops.remove_attachment, attachment_id=attachment.id),
            on_done=self._removed,
            on_error=lambda error: self._failed("Not removed", story_id, error),
            changes=attachment_ops.removed_changes,
        )

    def _removed(self, result: RemovedAttachment) -> None:
        # The row is gone for good (committed): only now may the file go.
        discard_unused_media(self.context, [result.unused_sha256] if result.unused_sha256 else [])
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        if result.story_id == self.story_id:
            row = next(
                (i for i, a in enumerate(self.attachments) if a.id == result.attachment.id), -1
            )
            if row >= 0:
                del self.attachments[row]
                self._fill(min(row, len(self.attachments) - 1))
        self._say(
            f"Removed “{result.attachment.original_name}”."
            + ("" if self.attachments else " " + EMPTY)
        )
        self.changed.emit(result.story_id, result.story_revision)
        self.list.setFocus()
        self.finished.emit()

    # --- saving a copy -----------------------------------------------------------------------

    def save_copy(self) -> None:
        attachment = self.current()
        if attachment is None:
            return
        target = choose_copy_target(self, attachment, self._folder)
        if target is None:
            return
        self._folder = target.parent
        self._say(f"Saving a copy of “{attachment.original_name}”…")
        self.context.tasks.run(
            lambda: self.media.save_copy(attachment.sha256, target),
            on_done=lambda _size: self._saved(target),
            on_error=lambda error: self._failed("No copy saved", None, error),
        )

    def _saved(self, target: Path) -> None:
        if not shiboken6.isValid(self):
            return
        self._say(f"Saved a copy as {target}.")
        self.finished.emit()
