"""Where an imported story came from: the signer (by the label trusted here) and the bundle.

Written by the importer (``story_origins``); read by the story list, ``show`` and the editor.
A story written on this computer has no origin. A signer revoked since still names the story's
origin, marked as revoked, because what was imported before the revocation stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.models import StoryOriginRow, StoryRow, TrustedSignerRow


@dataclass(frozen=True)
class Origin:
    signer_key_id: str
    #: The label the signer is trusted under here (their key id if no longer listed).
    signer_label: str
    signer_revoked: bool
    bundle_id: str
    imported_at: dt.datetime

    @property
    def described(self) -> str:
        """Short words for a list: who it came from (and whether their key was revoked since)."""
        return self.signer_label + (" (key revoked)" if self.signer_revoked else "")


def describe(label: str | None, key_id: str | None, revoked_at: dt.datetime | None) -> str | None:
    """The list's words for an origin row joined to its signer (None: written here)."""
    if key_id is None:
        return None
    return (label or f"key {key_id}") + (" (key revoked)" if revoked_at else "")


def origin_of(session: Session, story_id: str) -> Origin | None:
    story = resolve(session, StoryRow, story_id, "story")
    row = session.execute(
        select(StoryOriginRow, TrustedSignerRow.label, TrustedSignerRow.revoked_at)
        .outerjoin(TrustedSignerRow, TrustedSignerRow.key_id == StoryOriginRow.signer_key_id)
        .where(StoryOriginRow.story_id == story.id)
    ).first()
    if row is None:
        return None
    origin, label, revoked_at = row
    return Origin(
        signer_key_id=origin.signer_key_id,
        signer_label=label or f"key {origin.signer_key_id}",
        signer_revoked=revoked_at is not None,
        bundle_id=origin.bundle_id,
        imported_at=origin.imported_at,
    )


def refuse_if_imported(session: Session, story: StoryRow) -> None:
    """Stop a change to an imported story here: its sender's next revision would then be
    skipped as older, and their change lost. Changes come from the sender, in a bundle."""
    if session.get(StoryOriginRow, story.id) is None:
        return
    origin = origin_of(session, story.uuid)
    assert origin is not None
    raise ValidationError(
        f"This story came in a bundle from {origin.signer_label}, so it is read-only here: "
        "changes to it, and to its consent, are made by them and arrive in their next bundle."
    )
