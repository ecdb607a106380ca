"""At start-up: recordings a crash interrupted, attached to their stories."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storykeeper.core import recordings
from storykeeper.core.attachments import MediaStore
from storykeeper.gui.ops.changes import Change, Kind


def recover_recordings(
    session: Session, media: MediaStore, folder: recordings.RecordingsFolder
) -> recordings.Recovery:
    return recordings.recover_interrupted(session, media, folder)


def recovery_changes(recovery: recordings.Recovery) -> list[Change]:
    story_ids = [r.story_id for r in recovery.recovered]
    if not story_ids:
        return []
    # Each recording attached raises its story's revision.
    return [Change(Kind.ATTACHMENTS), Change.of(Kind.STORIES, *story_ids)]
