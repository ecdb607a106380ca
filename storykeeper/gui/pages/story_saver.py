"""The story editor's save state: what is typed but not saved, a save on its way, one to follow
it, attachment writes to wait for, a save refused, and saves that fail and are tried again.

Saves come from ``widgets.autosave`` (soon after typing pauses, never more than 2 s after the
first unsaved change) or are asked for (``save_now``). Only one save is in the writer at a time:
a change meanwhile is saved when it returns.

Every save first keeps the words in a crash-safe draft file (``core.drafts``), removed once the
store has them: while the store cannot take them (another Storykeeper holds its write lock for
a long import, the disk is full) a crash or a kill loses at most the last 2 s of typing. A save
that fails for such a reason is tried again by itself, after a pause that grows (0.5 s, 1, 2 …
15 s), and the "saved" line says why in plain words. A save refused because the story changed
elsewhere is not tried again blindly: it says so. One refused for what was typed (a date in the
future) says why and is tried again at the next change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from storykeeper.core import faults
from storykeeper.core.drafts import DraftStore
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.stories import RevisionConflictError, StoryFields
from storykeeper.gui.ops import stories as story_ops
from storykeeper.gui.ops.stories import SaveResult
from storykeeper.gui.tasks import TaskRunner
from storykeeper.gui.widgets.autosave import AutosaveTimer

log = logging.getLogger(__name__)

NOT_SAVED_YET = "Changes not saved yet…"
BUSY = (
    "Not saved yet: Storykeeper is busy in another window (an import, perhaps). "
    "Trying again; your words are kept."
)
DISK_FULL = (
    "Not saved: the disk is full. Free some space; your words are kept and saved as soon as "
    "there is room."
)
SOMETHING_WRONG = (
    "Not saved yet: something went wrong while saving (the details are in the log). "
    "Trying again; your words are kept."
)
#: Pauses before each further try of a save that failed, the last one repeated.
RETRY_PAUSES_MS = (500, 1000, 2000, 4000, 8000, 15_000)


def trouble_words(error: BaseException, data_dir: Path | None = None) -> str | None:
    """What to say about a save that failed for a reason that passes (and so is tried again);
    None for one that trying again would not mend."""
    if faults.is_disk_full(error, data_dir):
        return DISK_FULL
    if faults.is_locked(error):
        return BUSY
    if isinstance(error, StorykeeperError):
        return None
    return SOMETHING_WRONG


class StorySaver(QObject):
    """Saves one story at a time: ``watch`` it, call ``changed`` on each edit."""

    #: What the page's "saved" line should say now.
    said = Signal(str)
    #: A save reached the store (a ``SaveResult``), before any save that follows it is asked.
    saved = Signal(object)
    #: The save was refused because the story changed elsewhere (the message, in words).
    conflicted = Signal(str)
    #: A save failed: what the "saved" line says about it, and whether it is tried again by
    #: itself (False: the same words would be refused again, or the story changed elsewhere).
    failed = Signal(str, bool)
    #: Everything typed is in the store and nothing is on its way (``idle`` became true).
    settled = Signal()

    def __init__(
        self,
        tasks: TaskRunner,
        collect: Callable[[], StoryFields],
        parent: QObject | None = None,
        *,
        drafts: DraftStore | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._collect = collect
        self._drafts = drafts
        self.story_id: str | None = None
        #: The story's revision as the store has it, after this page's last save or load.
        self.revision = 0
        self.dirty = False
        self.saving = False
        self._save_again = False
        #: Attachment writes queued (a recording being kept): saves wait for them, because
        #: each one raises the story's revision, which the next save must know.
        self._attachment_writes = 0
        #: What the last save's failure said, while saves fail and are tried again.
        self.trouble: str | None = None
        self._failures = 0
        self._stopped = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.save_now)
        self.autosave = AutosaveTimer(self)
        self.autosave.due.connect(self.save_now)

    @property
    def idle(self) -> bool:
        """Nothing typed is unsaved, and no save or attachment write is on its way."""
        return not (self.dirty or self.saving or self._save_again or self._attachment_writes)

    def watch(self, story_id: str, revision: int) -> None:
        """The page now shows ``story_id`` as it is at ``revision``, with nothing unsaved."""
        self.story_id = story_id
        self.revision = revision
        self.dirty = False
        self._recovered()
        self.autosave.cancel()

    def forget(self) -> None:
        """The story is gone (deleted, or removed after a withdrawal): nothing to save, and no
        draft of its words may stay behind."""
        self.stop()
        if self.story_id is not None and self._drafts is not None:
            self._drafts.discard(self.story_id)
        self.story_id = None
        self.dirty = False
        self._recovered()

    def changed(self) -> None:
        self.dirty = True
        self.said.emit(self.trouble or NOT_SAVED_YET)
        self.autosave.changed()

    def cancel(self) -> None:
        self.autosave.cancel()

    def stop(self) -> None:
        """No more saves from here (the window is closing): no timer may start one, nor a
        save that fails meanwhile."""
        self._stopped = True
        self.autosave.cancel()
        self._retry.stop()

    def save_now(self) -> None:
        self.autosave.cancel()
        self._retry.stop()
        if self.story_id is None or not self.dirty or self._stopped:
            return
        fields = self._collect()
        # First into the draft file, so a crash while the store cannot take the save (or
        # before it has) loses nothing typed until now.
        self.keep_draft(fields)
        if self.saving or self._attachment_writes:
            self._save_again = True
            return
        self.dirty = False
        self.saving = True
        # While saves fail, the line keeps saying why (it says they are being tried again).
        self.said.emit(self.trouble or "Saving…")
        self._tasks.write(
            partial(
                story_ops.save_story,
                story_id=self.story_id,
                fields=fields,
                revision=self.revision,
            ),
            on_done=self._saved,
            on_error=self._failed,
            changes=story_ops.saved_changes,
        )

    def keep_draft(self, fields: StoryFields | None = None) -> bool:
        """Put ``fields`` (by default what is on the page) in the story's draft file now. False
        if it could not be written (the disk is full, say): then the words are only on the page."""
        if self._drafts is None or self.story_id is None:
            return False
        try:
            self._drafts.keep(self.story_id, self.revision, fields or self._collect())
        except OSError as exc:
            log.warning("the draft of story %s was not written: %s", self.story_id, exc.strerror)
            return False
        return True

    def _saved(self, result: SaveResult) -> None:
        self.saving = False
        self.revision = result.story.revision
        self._recovered()
        time = dt.datetime.now().strftime("%H:%M:%S")
        if result.kept_as_draft:
            self.said.emit(f"Saved as a draft at {time}. {result.kept_as_draft}")
        elif self.dirty:
            self.said.emit(NOT_SAVED_YET)
        else:
            self.said.emit(f"All changes saved at {time}.")
        if not (self.dirty or self._save_again) and self._drafts is not None:
            self._drafts.discard(result.story.id)  # the store has every word of it now
        self.saved.emit(result)
        if self._save_again:
            self._save_again = False
            self.save_now()
        elif self.idle:
            self.settled.emit()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.dirty = True  # keep the words (they are in the draft file too)
        if isinstance(error, RevisionConflictError):
            self._save_again = False
            self.said.emit(f"Not saved: {error.message}")
            self.conflicted.emit(error.message)
            self.failed.emit(f"Not saved: {error.message}", False)
            return
        words = trouble_words(error, self._drafts.folder.parent if self._drafts else None)
        if words is None and isinstance(error, StorykeeperError):
            # Refused for what was typed: the same words would be refused again; the next
            # change tries again.
            self._save_again = False
            self.said.emit(f"Not saved: {error.message} Your words are still here.")
            self.failed.emit(f"Not saved: {error.message}", False)
            return
        if words == SOMETHING_WRONG:
            log.error("a save failed; trying again:\n%s", faults.describe(error))
        self.trouble = words
        self.said.emit(words)
        pause = RETRY_PAUSES_MS[min(self._failures, len(RETRY_PAUSES_MS) - 1)]
        self._failures += 1
        # Typed meanwhile or not, the next try takes the page as it is then.
        self._save_again = False
        if not self._stopped:
            self._retry.start(pause)
        self.failed.emit(words, True)

    def _recovered(self) -> None:
        self.trouble = None
        self._failures = 0
        self._retry.stop()

    # --- attachment writes, which raise the revision too ---

    def attachment_writing(self) -> None:
        self.save_now()  # typing first, in the queue before the attachment
        self._attachment_writes += 1

    def attachment_written(self, story_id: str, revision: int) -> None:
        self._attachment_writes = max(0, self._attachment_writes - 1)
        if story_id == self.story_id:
            self.revision = revision
        self._save_pending()

    def attachment_write_failed(self) -> None:
        self._attachment_writes = max(0, self._attachment_writes - 1)
        self._save_pending()

    def _save_pending(self) -> None:
        if self._save_again and not self.saving and not self._attachment_writes:
            self._save_again = False
            self.dirty = True
            self.save_now()
        elif self.idle:
            self.settled.emit()
