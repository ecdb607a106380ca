"""Storytellers and supporters, as the People dialogs and the storyteller picker use them.

Each write returns what it made or changed, and has a ``*_changes`` function beside it that turns
that result into what the task runner announces (``changes=`` on the write).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import people
from storykeeper.core.vocabulary import AgeBand, Communication, SupporterRole
from storykeeper.gui.ops.changes import Change, Kind

#: The most people a dialog lists at once; typing narrows it.
LIST_LIMIT = 200


@dataclass(frozen=True)
class PickedStoryteller:
    """Whose story: either an existing storyteller's id, or the name of a new one to add."""

    id: str | None
    new_name: str | None
    label: str


@dataclass(frozen=True)
class StorytellerDetails:
    """What the Storytellers dialog's form holds."""

    name: str
    age_band: AgeBand | None
    communication: tuple[Communication, ...]
    support_needs: str


@dataclass(frozen=True)
class SupporterDetails:
    """What the Supporters dialog's form holds."""

    name: str
    role: SupporterRole
    organisation: str
    contact: str


@dataclass(frozen=True)
class StorytellerRemoved:
    storyteller_id: str
    story_ids: tuple[str, ...]
    #: SHA-256 of media files no story uses any more: removed once the deletion has committed.
    unused_media: list[str]


def find_storytellers(
    session: Session, text: str, limit: int = LIST_LIMIT
) -> list[people.Storyteller]:
    return people.find_storytellers(session, text, limit=limit)


def find_supporters(session: Session, text: str, limit: int = LIST_LIMIT) -> list[people.Supporter]:
    """Supporters whose name contains ``text`` (any case); there are few, so all are read."""
    wanted = text.strip().casefold()
    return [s for s in people.list_supporters(session) if wanted in s.name.casefold()][:limit]


def storyteller_for(session: Session, picked: PickedStoryteller) -> str:
    """The picked storyteller's id, adding them first if they are new."""
    if picked.id is not None:
        return picked.id
    return people.create_storyteller(session, picked.new_name or "").id


def save_storyteller(
    session: Session, storyteller_id: str | None, details: StorytellerDetails
) -> people.Storyteller:
    """Add a storyteller (``storyteller_id`` None) or change one's details."""
    if storyteller_id is None:
        return people.create_storyteller(
            session,
            details.name,
            age_band=details.age_band,
            communication=details.communication,
            support_needs=details.support_needs,
        )
    return people.update_storyteller(
        session,
        storyteller_id,
        display_name=details.name,
        age_band=details.age_band,
        clear_age_band=details.age_band is None,
        communication=details.communication,
        support_needs=details.support_needs,
    )


def storyteller_saved_changes(saved: people.Storyteller) -> list[Change]:
    # People only: a view that shows a storyteller's name with a story (the list, a story's
    # page) listens for people as well as stories.
    return [Change.of(Kind.PEOPLE, saved.id)]


def delete_storyteller(session: Session, storyteller_id: str) -> StorytellerRemoved:
    """Remove a storyteller and their stories, leaving a tombstone for each story."""
    tombstones, unused = people.delete_storyteller(session, storyteller_id, with_stories=True)
    return StorytellerRemoved(storyteller_id, tuple(t.story_id for t in tombstones), unused)


def storyteller_removed_changes(removed: StorytellerRemoved) -> list[Change]:
    changes = [Change.of(Kind.PEOPLE, removed.storyteller_id)]
    if removed.story_ids:
        changes += [Change.of(Kind.STORIES, *removed.story_ids), Change(Kind.ATTACHMENTS)]
    return changes


def save_supporter(
    session: Session, supporter_id: str | None, details: SupporterDetails
) -> people.Supporter:
    """Add a supporter (``supporter_id`` None) or change one's details."""
    if supporter_id is None:
        return people.create_supporter(
            session,
            details.name,
            details.role,
            organisation=details.organisation,
            contact=details.contact,
        )
    return people.update_supporter(
        session,
        supporter_id,
        name=details.name,
        role=details.role,
        organisation=details.organisation,
        contact=details.contact,
    )


def supporter_saved_changes(saved: people.Supporter) -> list[Change]:
    return [Change.of(Kind.PEOPLE, saved.id)]
