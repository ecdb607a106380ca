"""A photo's or document's caption, set from the window (``core.captions``).

A caption stays on this computer and is no new revision of the story, so it changes only the
story's attachments (``Kind.ATTACHMENTS``): the panel shows it again, nothing else reloads.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storykeeper.core import captions
from storykeeper.core.captions import Captioned
from storykeeper.gui.ops.changes import Change, Kind


def set_caption(session: Session, attachment_id: str, caption: str) -> Captioned:
    return captions.set_caption(session, attachment_id, caption)


def captioned_changes(result: Captioned) -> list[Change]:
    return [Change.of(Kind.ATTACHMENTS, result.story_id)]
