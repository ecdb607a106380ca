"""A story's photos, documents and recordings in the window: listing them, adding files,
removing one, and removing the files no attachment uses any more once a removal has committed.

Adding or removing an attachment raises the story's revision, so each says it changed the
story's attachments and the story itself (``attachment_changes``): the photos panel and the
recorder reload their lists, and the story list its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from storykeeper.core import attachments
from storykeeper.core.attachments import Attachment, MediaStore, RemovedAttachment
from storykeeper.core.errors import DiskFullError, StorykeeperError
from storykeeper.core.ids import resolve
from storykeeper.core.models import StoryRow
from storykeeper.gui.ops.changes import Change, Kind


@dataclass(frozen=True, slots=True)
class StoryAttachments:
    """A story's attachments, oldest first."""

    story_id: str
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class AddedFiles:
    """What ``add_files`` did: the files added, each refused one's reason in words, and the
    story's revision now (which the editor's next save must expect)."""

    story_id: str
    added: tuple[Attachment, ...]
    refused: tuple[str, ...]
    revision: int


def attachment_changes(story_id: str) -> list[Change]:
    """What adding or removing one of ``story_id``'s attachments changed."""
    return [Change.of(Kind.ATTACHMENTS, story_id), Change.of(Kind.STORIES, story_id)]


def story_attachments(session: Session, story_id: str) -> StoryAttachments:
    return StoryAttachments(story_id, tuple(attachments.list_attachments(session, story_id)))


def add_files(
    session: Session, media: MediaStore, story_id: str, paths: Sequence[Path]
) -> AddedFiles:
    """Attach each file to the story; a file refused (too large, empty, a folder, unreadable)
    is said in words and never stops the others, and nothing is ever half-added."""
    added: list[Attachment] = []
    refused: list[str] = []
    for path in paths:
        try:
            # A savepoint each: a refusal or a failed copy undoes that file's row (and its
            # audit event), never the files added before it.
            with session.begin_nested():
                added.append(attachments.add_attachment(session, media, story_id, path))
        except DiskFullError as exc:
            # Said of this file: the smaller ones beside it may still have fitted.
            refused.append(
                f"“{path.name}” was not added: the disk holding {exc.folder} is full. Free "
                "some space on it and try again."
            )
        except StorykeeperError as exc:
            refused.append(exc.message)
        except OSError as exc:
            refused.append(
                f"“{path.name}” could not be copied ({exc.strerror or type(exc).__name__}), "
                "so nothing of it was kept."
            )
    revision = resolve(session, StoryRow, story_id, "story").revision
    # One file refused for the story's own sake (read-only) is refused the same for each.
    return AddedFiles(story_id, tuple(added), tuple(dict.fromkeys(refused)), revision)


def added_changes(result: AddedFiles) -> list[Change]:
    return attachment_changes(result.story_id) if result.added else []


def remove_attachment(session: Session, attachment_id: str) -> RemovedAttachment:
    """Take the attachment off its story; its file stays until ``discard_unused_files``."""
    return attachments.remove_attachment(session, attachment_id)


def removed_changes(result: RemovedAttachment) -> list[Change]:
    return attachment_changes(result.story_id)


def discard_unused_files(session: Session, media: MediaStore, hashes: list[str]) -> list[str]:
    """Remove the files of ``hashes`` no attachment refers to (checked again here, under the
    writer's lock: an add of the same file queued meanwhile must keep it); those removed."""
    return attachments.discard_if_unused(session, media, hashes)
