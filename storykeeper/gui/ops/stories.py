"""One story in the window: what its editor shows, saving it as someone types, its earlier
versions, and the drafts a crash or a quit left unsaved. A save changes ``Kind.STORIES`` for that
story (``saved_changes``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import consent, people, provenance, stories, themes
from storykeeper.core.drafts import Draft
from storykeeper.core.errors import NotFoundError, ValidationError
from storykeeper.core.stories import Story, StoryFields, StoryVersion
from storykeeper.core.vocabulary import StoryStatus
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.gui.ops.consent import ConsentSummary, consent_summary


@dataclass(frozen=True)
class FormChoices:
    """What the story form offers to choose from."""

    supporters: list[people.Supporter]
    theme_names: list[str]


@dataclass(frozen=True)
class EditorData:
    story: Story
    choices: FormChoices
    consent: ConsentSummary
    #: Who an imported story came from, in words; None for a story written here.
    origin: str | None = None


def form_choices(session: Session) -> FormChoices:
    return FormChoices(
        supporters=people.list_supporters(session),
        theme_names=[t.name for t in themes.list_themes(session)],
    )


def origin_words(session: Session, story_id: str) -> str | None:
    """Where an imported story came from, and why it cannot be changed here; and when its
    consent review is due, that the sender is the one to review it with the person."""
    origin = provenance.origin_of(session, story_id)
    if origin is None:
        return None
    words = (
        f"Came from: {origin.described}, imported {origin.imported_at.astimezone():%d %b %Y}. "
        "It is read-only here: changes to it come from them, in their next bundle."
    )
    current = consent.current_consent(session, story_id)
    if consent.review_due(current) and current is not None and current.review_by is not None:
        words += (
            f" Its consent review was due on {current.review_by:%d %b %Y}: that is for "
            f"{origin.described} to do with the person. A reviewed consent arrives in their "
            "next bundle."
        )
    return words


def load_editor(session: Session, story_id: str) -> EditorData:
    """Everything the story editor shows, read in one transaction."""
    return EditorData(
        # At a coordinator's, the name only where this story's consent allows it.
        story=stories.with_name_as_allowed(
            stories.get_story(session, story_id), stories.name_withheld(session, story_id)
        ),
        choices=form_choices(session),
        consent=consent_summary(session, story_id),
        origin=origin_words(session, story_id),
    )


@dataclass(frozen=True)
class SaveResult:
    story: Story
    #: Set when the story was saved as a draft because it was not ready to be final.
    kept_as_draft: str | None = None


def save_story(session: Session, story_id: str, fields: StoryFields, revision: int) -> SaveResult:
    """Save the editor's fields over ``revision`` (refused with ``RevisionConflictError`` when
    the story has changed since). A story that cannot be final yet is saved as a draft."""
    try:
        return SaveResult(
            stories.update_story(session, story_id, fields, expected_revision=revision)
        )
    except ValidationError as exc:
        if fields.status is not StoryStatus.FINAL:
            raise
        # Never lose words over a missing title: keep them, as a draft, and say why.
        draft = dataclasses.replace(fields, status=StoryStatus.DRAFT)
        saved = stories.update_story(session, story_id, draft, expected_revision=revision)
        return SaveResult(saved, kept_as_draft=exc.message)


def saved_changes(result: SaveResult) -> list[Change]:
    return [Change.of(Kind.STORIES, result.story.id)]


def story_versions(session: Session, story_id: str) -> list[StoryVersion]:
    """The story as it was at each save, newest first."""
    return stories.story_versions(session, story_id)


@dataclass(frozen=True)
class DraftOffer:
    """A draft left by the last run, beside the story as the store has it now."""

    draft: Draft
    #: None when the story is gone (deleted since): nothing to offer.
    stored: Story | None

    @property
    def worth_offering(self) -> bool:
        """Its words differ from the store's, and the story can still take them."""
        stored = self.stored
        return (
            stored is not None
            and not stories.content_hidden(stored)
            and stored.fields != self.draft.fields
        )


def drafts_to_offer(session: Session, drafts: list[Draft]) -> list[DraftOffer]:
    """Each draft with its story as stored (read in one transaction)."""
    offers = []
    for draft in drafts:
        try:
            stored: Story | None = stories.get_story(session, draft.story_id)
        except NotFoundError:
            stored = None
        offers.append(DraftOffer(draft, stored))
    return offers
