"""The story editor's save state: what is typed but not saved, a save on its way, one to follow
it, attachment writes to wait for, and a save refused.

Saves come from ``widgets.autosave`` (soon after typing pauses, never more than 2 s after the
first unsaved change) or are asked for (``save_now``). Only one save is in the writer at a time:
a change meanwhile is saved when it returns. A save that fails keeps the words on the page and
tries again on the next change; one refused because the story changed elsewhere says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Signal

from storykeeper.core.errors import StorykeeperError
from storykeeper.core.stories import RevisionConflictError, StoryFields
from storykeeper.gui.ops import stories as story_ops
from storykeeper.gui.ops.stories import SaveResult
from storykeeper.gui.tasks import TaskRunner
from storykeeper.gui.widgets.autosave import AutosaveTimer

NOT_SAVED_YET = "Changes not saved yet…"


class StorySaver(QObject):
    """Saves one story at a time: ``watch`` it, call ``changed`` on each edit."""

    #: What the page's "saved" line should say now.
    said = Signal(str)
    #: A save reached the store (a ``SaveResult``), before any save that follows it is asked.
    saved = Signal(object)
    #: The save was refused because the story changed elsewhere (the message, in words).
    conflicted = Signal(str)

    def __init__(
        self, tasks: TaskRunner, collect: Callable[[], StoryFields], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._collect = collect
        self.story_id: str | None = None
        #: The story's revision as the store has it, after this page's last save or load.
        self.revision = 0
        self.dirty = False
        self.saving = False
        self._save_again = False
        #: Attachment writes queued (a recording being kept): saves wait for them, because
        #: each one raises the story's revision, which the next save must know.
        self._attachment_writes = 0
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
        self.autosave.cancel()

    def forget(self) -> None:
        """The story is gone (deleted, or removed after a withdrawal): nothing to save."""
        self.autosave.cancel()
        self.story_id = None
        self.dirty = False

    def changed(self) -> None:
        self.dirty = True
        self.said.emit(NOT_SAVED_YET)
        self.autosave.changed()

    def cancel(self) -> None:
        self.autosave.cancel()

    def save_now(self) -> None:
        self.autosave.cancel()
        if self.story_id is None or not self.dirty:
            return
        if self.saving or self._attachment_writes:
            self._save_again = True
            return
        fields = self._collect()
        self.dirty = False
        self.saving = True
        self.said.emit("Saving…")
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

    def _saved(self, result: SaveResult) -> None:
        self.saving = False
        self.revision = result.story.revision
        time = dt.datetime.now().strftime("%H:%M:%S")
        if result.kept_as_draft:
            self.said.emit(f"Saved as a draft at {time}. {result.kept_as_draft}")
        elif self.dirty:
            self.said.emit(NOT_SAVED_YET)
        else:
            self.said.emit(f"All changes saved at {time}.")
        self.saved.emit(result)
        if self._save_again:
            self._save_again = False
            self.save_now()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.dirty = True  # keep the words and try again on the next change
        if isinstance(error, RevisionConflictError):
            self.said.emit(f"Not saved: {error}")
            self.conflicted.emit(str(error))
            return
        message = str(error) if isinstance(error, StorykeeperError) else f"{error}"
        self.said.emit(f"Not saved: {message} Your words are still here.")

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
