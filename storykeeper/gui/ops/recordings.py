"""The recorder's database work: whether a story's storyteller may be recorded now, and keeping
a finished recording with its story. Removing a recording is ``ops.attachments``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import recording_consent, recordings
from storykeeper.core.attachments import Attachment, MediaStore
from storykeeper.core.ids import resolve
from storykeeper.core.models import StoryRow
from storykeeper.core.recordings import Recording
from storykeeper.gui.ops.attachments import attachment_changes
from storykeeper.gui.ops.changes import Change


@dataclass(frozen=True, slots=True)
class KeptRecording:
    """A recording attached to its story, and the story's revision now."""

    story_id: str
    attachment: Attachment
    revision: int


def may_record(session: Session, story_id: str) -> bool:
    """Whether consent says the person's voice may be recorded for this story now."""
    return recording_consent.may_record_audio(session, story_id)


def keep_recording(session: Session, media: MediaStore, recording: Recording) -> KeptRecording:
    """Store the finished recording under its hash and attach it to its story as "Recording N".

    Its files in ``recordings/`` stay until the caller has seen this commit
    (``recordings.forget``), so a failure here loses nothing."""
    attachment = recordings.keep(session, media, recording)
    revision = resolve(session, StoryRow, recording.story_id, "story").revision
    return KeptRecording(recording.story_id, attachment, revision)


def kept_changes(kept: KeptRecording) -> list[Change]:
    return attachment_changes(kept.story_id)
