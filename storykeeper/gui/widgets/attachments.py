"""The story's photos and documents: a list, a preview of the chosen photo, and adding (file
dialog or drop), removing and saving a copy.

How the story editor uses it (the same protocol as the recorder's, ``widgets/recorder.py``):

- ``show_story(story_id, attachments, read_only)`` whenever a story is shown or its attachments
  change. Audio attachments are left out here: the recorder lists them. The chosen file stays
  chosen when it is still there.
- ``before_change`` (a plain attribute) is called on the GUI thread just before any write is
  queued, then ``writing`` is emitted: the editor queues a save of unsaved typing first (the
  writer keeps the order) and holds further saves until the write has ended.
- Each ``writing`` is followed by exactly one ``changed(story_id, revision)`` (something was
  added or removed; the story's revision is now ``revision``, which the editor's next save must
  expect) or ``write_failed(story_id)`` (nothing changed: every file refused, or an error).
- ``added_audio(story_id)`` when a file added here turned out to be audio (an MP3 from a phone):
  it was attached as audio, so the recorder's list should be reloaded. Emitted after
  ``changed``; an editor that reloads every list on ``changed`` may ignore it.

Every write goes through the task runner's serial writer, every file read (thumbnails, saved
copies) through its pool: the window never waits for a disk. Each file is added in a savepoint of
its own, so one refused file (too large, empty, a folder, unreadable) never stops the others and
nothing is ever half-added; each refusal is said in words.

Keys: Alt+A adds, Alt+Y saves a copy, Delete (in the list) removes after a confirmation; the
Remove button has no Alt key of its own (its letters are all taken in the editor).

Bundles (``.age``, ``.zip``) dropped here open the import dialog instead: the main window takes
those drops from every child that accepts drops (``MainWindow.eventFilter``). A ZIP file can
still be attached with the file dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFileDialog,
    QFrame,
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
from sqlalchemy.orm import Session

from storykeeper.core.attachments import (
    Attachment,
    MediaStore,
    RemovedAttachment,
    add_attachment,
    remove_attachment,
    size_in_words,
)
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.ids import resolve
from storykeeper.core.models import StoryRow
from storykeeper.core.vocabulary import AttachmentKind
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import give_keyboard_back, run_modal
from storykeeper.gui.widgets.thumbnail import load_thumbnail

log = logging.getLogger(__name__)

FILE_FILTER = (
    "Photos and documents (*.jpg *.jpeg *.png *.gif *.webp *.heic *.tif *.tiff *.bmp *.pdf "
    "*.doc *.docx *.odt *.rtf *.txt);;All files (*)"
)
#: The preview's box, in lines of text, so it grows with the text size.
PREVIEW_LINES = (16, 11)  # width, height
#: From this text size on, the buttons stand one above another and the preview below the list.
STACK_FROM_SCALE = 150
ADD_KEY = "Ctrl+Shift+A"
SAVE_KEY = "Ctrl+Shift+S"
EMPTY = f"No photos or documents yet. Add them ({ADD_KEY}), or drop files here."
READ_ONLY = "Read-only: these can be looked at and saved, but not added to or removed here."


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders a drag carries (web addresses are left out)."""
    if mime is None or not mime.hasUrls():
        return []
    urls: list[QUrl] = mime.urls()
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]


def describe(attachment: Attachment) -> str:
    """One line of the list: the name, then what it is and how big, in words."""
    return f"{attachment.original_name} — {attachment.kind.label}, {size_in_words(attachment.size)}"


@dataclass(frozen=True)
class _Added:
    story_id: str
    added: tuple[Attachment, ...]
    #: Each refused file's reason, in words.
    refused: tuple[str, ...]
    revision: int


def _add_files(
    media: MediaStore, story_id: str, paths: Sequence[Path]
) -> Callable[[Session], _Added]:
    def work(session: Session) -> _Added:
        added: list[Attachment] = []
        refused: list[str] = []
        for path in paths:
            try:
                # A savepoint each: a refusal or a failed copy undoes that file's row (and its
                # audit event), never the files added before it.
                with session.begin_nested():
                    added.append(add_attachment(session, media, story_id, path))
            except StorykeeperError as exc:
                refused.append(exc.message)
            except OSError as exc:
                refused.append(
                    f"“{path.name}” could not be copied ({exc.strerror or exc}), so nothing of "
                    "it was kept."
                )
        revision = resolve(session, StoryRow, story_id, "story").revision
        # One file refused for the story's own sake (read-only) is refused the same for each.
        return _Added(story_id, tuple(added), tuple(dict.fromkeys(refused)), revision)

    return work


def confirm_removal(parent: QWidget, attachment: Attachment) -> bool:
    """Asked before an attachment is removed; Enter and Esc keep it."""
    return confirm_destructive(
        parent,
        "Remove from this story",
        f"Remove “{attachment.original_name}” from this story?\n\nThe file is deleted from "
        "this computer, unless another story uses it too. This cannot be undone.",
        act="Remove it",
        keep="Keep it",
    )


def choose_copy_target(parent: QWidget, attachment: Attachment, folder: Path) -> Path | None:
    """Where to save a copy of ``attachment`` (None: the person changed their mind)."""
    # Only the name: a name that came in a bundle must not choose the folder.
    name = Path(attachment.original_name).name or "attachment"
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        f"Save a copy of “{attachment.original_name}”",
        str(folder / name),
        options=QFileDialog.Option.DontUseNativeDialog,
    )
    give_keyboard_back(parent)
    return Path(chosen) if chosen else None


class AttachmentsPanel(QGroupBox):
    #: An add or a remove is about to be queued (the editor holds its saves until it ends).
    writing = Signal()
    #: An add or a remove committed: the story's id and its revision now.
    changed = Signal(str, int)
    #: The write announced by ``writing`` ended with nothing changed: the story's id.
    write_failed = Signal(str)
    #: A file added here was audio: the recorder's list should reload (story id).
    added_audio = Signal(str)
    #: An add, remove or saved copy has finished, whether it worked or not.
    finished = Signal()
    #: The preview shows the chosen photo now (or says why it cannot): the attachment's id.
    preview_shown = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Photos and documents", parent)
        self.context = context
        self.media = MediaStore(context.paths.media_dir)
        #: Called on the GUI thread before any write (the editor saves unsaved typing there).
        self.before_change: Callable[[], None] | None = None
        self.story_id: str | None = None
        self.read_only = False
        #: The attachments listed (photos and documents, oldest first).
        self.attachments: list[Attachment] = []
        self._busy = False
        self._preview_request = 0
        #: The attachment the preview shows or is being made for (None: none yet).
        self._previewed: str | None = None
        self._folder = Path.home()
        self.setAcceptDrops(True)

        self.list = QListWidget()
        self.list.setAccessibleName("Photos and documents of this story")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.preview = QLabel()
        self.preview.setAccessibleName("Preview of the chosen photo")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
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
        column.addLayout(self.buttons)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        self.setTabOrder(self.list, self.add_button)
        self.setTabOrder(self.add_button, self.remove_button)
        self.setTabOrder(self.remove_button, self.save_button)

        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_selected)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button.clicked.connect(self.save_copy)
        self.list.currentRowChanged.connect(lambda _row: self._chosen())
        context.appearance_changed.connect(self._apply_appearance)
        self._apply_appearance()
        self._update_controls()

    def install_shortcuts(self, scope: QWidget) -> None:
        """Add and save-a-copy keys, wherever the focus is inside ``scope`` (the editor page)."""
        for keys, slot in ((ADD_KEY, self.choose_files), (SAVE_KEY, self.save_copy)):
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
        # Otherwise what was just said stays: the editor shows the story again after a change.
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
        self._show_preview()

    def _preview_box(self) -> QSize:
        line = self.fontMetrics().lineSpacing()
        return QSize(PREVIEW_LINES[0] * line, PREVIEW_LINES[1] * line)

    def _show_preview(self, again: bool = False) -> None:
        attachment = self.current()
        if not again and attachment is not None and attachment.id == self._previewed:
            return  # the same file is still chosen (the list was reloaded around it)
        self._previewed = attachment.id if attachment else None
        # A newer choice makes any thumbnail still being made for an older one stale.
        self._preview_request += 1
        request = self._preview_request
        self.preview.setPixmap(QPixmap())
        self.preview.setAccessibleDescription("")
        if attachment is None:
            self.preview.setText("Choose a photo to see it here.")
            return
        if attachment.kind is not AttachmentKind.PHOTO:
            self.preview.setText(
                f"No preview for {attachment.kind.label.lower()}s: save a copy (Alt+Y) to open "
                "it with another program."
            )
            self.preview_shown.emit(attachment.id)
            return
        self.preview.setText("Making the preview…")
        path, box = self.media.path_for(attachment.sha256), self._preview_box()
        self.context.tasks.run(
            lambda: load_thumbnail(path, box),
            on_done=lambda image: self._preview_ready(request, attachment, image),
            on_error=lambda _error: self._preview_ready(request, attachment, None),
        )

    def _preview_ready(self, request: int, attachment: Attachment, image: QImage | None) -> None:
        if not shiboken6.isValid(self) or request != self._preview_request:
            return
        if image is None:
            self.preview.setText(
                f"No preview: “{attachment.original_name}” could not be read as a picture. "
                "“Check this computer’s stories” (Story menu) says whether the file is damaged."
            )
        else:
            self.preview.setPixmap(QPixmap.fromImage(image))
            self.preview.setAccessibleDescription(
                f"{attachment.original_name}, {image.width()} by {image.height()} pixels"
            )
        self.preview_shown.emit(attachment.id)

    def _apply_appearance(self) -> None:
        stacked = self.context.settings.text_scale >= STACK_FROM_SCALE
        direction = (
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        self.body.setDirection(direction)
        self.buttons.setDirection(direction)
        box = self._preview_box()
        self.preview.setMinimumSize(QSize(box.width() // 2, box.height() // 2))
        self.preview.setMaximumSize(box + QSize(8, 8))
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        if self.current() is not None:
            self._show_preview(again=True)  # at the new size

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
            _add_files(self.media, story_id, list(paths)),
            on_done=self._added,
            on_error=lambda error: self._failed("Nothing was added", story_id, error),
        )

    def _announce(self) -> None:
        if self.before_change is not None:
            self.before_change()
        self.writing.emit()

    def _added(self, result: _Added) -> None:
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
        if isinstance(error, StorykeeperError):
            text = error.message
        elif isinstance(error, OSError) and error.strerror:
            where = f" ({error.filename})" if error.filename else ""
            text = f"This computer said: {error.strerror}{where}."
        else:
            log.error("%s: unexpected error", title, exc_info=error)
            text = (
                f"Something unexpected went wrong ({error}). Details are in "
                f"{self.context.paths.log_file}."
            )
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
            lambda session: remove_attachment(session, attachment.id),
            on_done=self._removed,
            on_error=lambda error: self._failed("Not removed", story_id, error),
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
