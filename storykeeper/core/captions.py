"""Captions of attached photos and documents (issue 20): what the picture shows, in the
advocate's words, read out by screen readers as the picture's name.

A caption stays on this computer: bundles do not carry it (the bundle format is unchanged), so
changing one is no new revision of the story — there is nothing new for the coordinator — and
it is not part of any content digest, so `check` never takes it for damage. An imported story
is read-only here, its captions too, like the rest of its attachments.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import audit
from storykeeper.core.attachments import Attachment, attachment_from_row
from storykeeper.core.ids import resolve
from storykeeper.core.models import AttachmentRow, StoryRow
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.validation import clean_line

#: The longest caption kept (the column's width): a sentence or two, not an essay.
CAPTION_MAX = 500


@dataclass(frozen=True, slots=True)
class Captioned:
    """An attachment with its caption as it is now, and whose story it belongs to."""

    attachment: Attachment
    story_id: str


def set_caption(session: Session, attachment_id: str, caption: str) -> Captioned:
    """Give the attachment this caption ("" or only spaces: no caption), as one line."""
    row = resolve(session, AttachmentRow, attachment_id, "attachment")
    story = session.get(StoryRow, row.story_id)
    assert story is not None  # the foreign key sees to it
    refuse_if_imported(session, story)
    cleaned = clean_line(caption, "caption", "The description", max_length=CAPTION_MAX)
    if cleaned != row.caption:
        row.caption = cleaned
        session.flush()
        # Whether it has one, never its words: the audit log holds no one's words.
        audit.record(
            session,
            "attachment.captioned",
            "story",
            story.uuid,
            {"sha256": row.sha256, "described": bool(cleaned)},
        )
    return Captioned(attachment_from_row(row), story.uuid)
