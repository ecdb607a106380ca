"""The story list's reads (a page of stories, the filter choices and reminders) and the window's
story commands (a new story for a picked storyteller, deleting, removing a withdrawn story)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import consent, people, search, stories, themes
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.search import SearchPage, SortBy, StoryFilter
from storykeeper.core.vocabulary import ConsentState
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.gui.ops.people import PickedStoryteller, storyteller_for


@dataclass(frozen=True)
class PageQuery:
    """One page of the list: what to look for, in which order, from where."""

    wanted: StoryFilter
    sort: SortBy
    descending: bool
    offset: int
    limit: int


def fetch_page(session: Session, query: PageQuery) -> SearchPage:
    return search.search_stories(
        session,
        query.wanted,
        sort=query.sort,
        descending=query.descending,
        offset=query.offset,
        limit=query.limit,
    )


@dataclass(frozen=True)
class FilterChoices:
    themes: list[str]
    supporters: list[tuple[str, str]]  # (id, name)
    senders: list[search.Sender]
    #: Reminders: stories whose consent review is due, and stories with no consent yet.
    review_due: int
    no_consent: int


def load_filter_choices(session: Session) -> FilterChoices:
    return FilterChoices(
        themes=[t.name for t in themes.list_themes(session)],
        supporters=[(s.id, s.name) for s in people.list_supporters(session)],
        senders=search.senders_here(session),
        review_due=search.count_stories(session, StoryFilter(review_due=True)),
        no_consent=search.count_stories(
            session, StoryFilter(consent_states=frozenset({ConsentState.NONE}))
        ),
    )


@dataclass(frozen=True)
class NewStory:
    story_id: str
    storyteller_id: str
    added_storyteller: bool

    def changes(self) -> list[Change]:
        made = [Change.of(Kind.STORIES, self.story_id)]
        if self.added_storyteller:
            made.append(Change.of(Kind.PEOPLE, self.storyteller_id))
        return made


def new_story(
    session: Session, picked: PickedStoryteller, supporter_id: str | None = None
) -> NewStory:
    """An empty story for the picked storyteller (added first if new), recorded by
    ``supporter_id`` when that supporter still exists (the last one chosen, from settings)."""
    storyteller_id = storyteller_for(session, picked)
    recorder = None
    if supporter_id:
        try:
            recorder = people.get_supporter(session, supporter_id).id
        except StorykeeperError:
            recorder = None  # no longer there: the story starts with no recorder
    story = stories.create_story(
        session, stories.StoryFields(storyteller_id=storyteller_id, supporter_id=recorder)
    )
    return NewStory(story.id, storyteller_id, added_storyteller=picked.id is None)


@dataclass(frozen=True)
class Removed:
    """A story deleted or purged: its tombstone stays."""

    story_id: str
    #: SHA-256 of media files no story uses any more: removed once the deletion has committed.
    unused_media: list[str]

    def changes(self) -> list[Change]:
        return [
            Change.of(Kind.STORIES, self.story_id),
            Change.of(Kind.CONSENT, self.story_id),
            Change(Kind.ATTACHMENTS),
        ]


def delete_story(session: Session, story_id: str) -> Removed:
    _tombstone, unused = stories.delete_story(session, story_id)
    return Removed(story_id, unused)


def purge_withdrawn_story(session: Session, story_id: str) -> Removed:
    """After a full withdrawal: the story's content goes, its tombstone and notice stay."""
    _tombstone, unused = consent.purge_withdrawn_story(session, story_id)
    return Removed(story_id, unused)
