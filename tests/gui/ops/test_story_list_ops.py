"""The story list's reads and the window's story commands without a window, on a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storykeeper.core import attachments, consent, people, stories
from storykeeper.core.consent import Withdrawal
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.search import SortBy, StoryFilter
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentMethod,
    Polarity,
    SupporterRole,
)
from storykeeper.gui.ops import story_list as list_ops
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.gui.ops.people import PickedStoryteller
from tests.factories import given, make_story


def test_the_list_is_fetched_a_page_at_a_time_in_the_order_asked(store: Store) -> None:
    for title in ("Cherry", "apple", "Banana"):
        make_story(store, title=title)
    by_title = list_ops.PageQuery(StoryFilter(), SortBy.TITLE, False, offset=0, limit=2)
    with store.read() as session:
        first = list_ops.fetch_page(session, by_title)
        rest = list_ops.fetch_page(
            session, list_ops.PageQuery(StoryFilter(), SortBy.TITLE, False, offset=2, limit=2)
        )
        found = list_ops.fetch_page(
            session,
            list_ops.PageQuery(StoryFilter(text="banana"), SortBy.RELEVANCE, True, 0, 10),
        )
    assert (first.total, first.offset) == (3, 0)
    assert [s.title for s in first.items + rest.items] == ["apple", "Banana", "Cherry"]
    assert rest.offset == 2
    assert [s.title for s in found.items] == ["Banana"]


def test_the_filter_choices_and_reminders(store: Store) -> None:
    story = make_story(store, themes=(("Getting out and about", Polarity.ENABLER),))
    other = make_story(store, title="No consent yet")
    with store.write(actor="test") as session:
        # A consent given long ago is due for review.
        consent.record_consent(session, story.id, given(decided_on=dt.date(2020, 1, 1)))
    with store.read() as session:
        choices = list_ops.load_filter_choices(session)
    assert "Getting out and about" in choices.themes
    recorders = [(s.supporter.id, s.supporter.name) for s in (story, other) if s.supporter]
    assert sorted(choices.supporters) == sorted(recorders)
    assert (choices.review_due, choices.no_consent) == (1, 1)


def test_a_new_story_for_someone_new_adds_them_and_says_so(store: Store) -> None:
    with store.write(actor="test") as session:
        supporter = people.create_supporter(session, "Sam Okafor", SupporterRole.IMCA)
    with store.write(actor="test") as session:
        made = list_ops.new_story(
            session, PickedStoryteller(None, "Ada Price", "Ada Price"), supporter.id
        )
    assert made.added_storyteller
    assert made.changes() == [
        Change.of(Kind.STORIES, made.story_id),
        Change.of(Kind.PEOPLE, made.storyteller_id),
    ]
    with store.read() as session:
        story = stories.get_story(session, made.story_id)
    assert story.storyteller.name == "Ada Price"
    assert story.supporter is not None and story.supporter.id == supporter.id


def test_a_new_story_for_someone_known_with_a_forgotten_supporter(store: Store) -> None:
    with store.write(actor="test") as session:
        known = people.create_storyteller(session, "Mary Jones")
    # The settings remember a supporter this store does not have (another data folder's).
    gone = "00000000-0000-4000-8000-000000000000"
    with store.write(actor="test") as session:
        made = list_ops.new_story(session, PickedStoryteller(known.id, None, "Mary Jones"), gone)
    assert made.changes() == [Change.of(Kind.STORIES, made.story_id)]
    with store.read() as session:
        story = stories.get_story(session, made.story_id)
        assert len(people.list_storytellers(session)) == 1
    assert story.storyteller.id == known.id
    assert story.supporter is None


def test_deleting_a_story_leaves_a_tombstone_and_hands_back_its_unused_files(
    store: Store, tmp_path: Path
) -> None:
    story = make_story(store)
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8 pretend jpeg " * 100)
    media = store.media
    with store.write(actor="test") as session:
        added = attachments.add_attachment(session, media, story.id, photo)
    with store.write(actor="test") as session:
        removed = list_ops.delete_story(session, story.id)
    assert removed == list_ops.Removed(story.id, [added.sha256])
    assert removed.changes() == [
        Change.of(Kind.STORIES, story.id),
        Change.of(Kind.CONSENT, story.id),
        Change(Kind.ATTACHMENTS),
    ]
    with store.read() as session:
        assert [t.story_id for t in stories.list_tombstones(session)] == [story.id]
        assert (
            list_ops.fetch_page(
                session, list_ops.PageQuery(StoryFilter(), SortBy.UPDATED, True, 0, 10)
            ).items
            == ()
        )


def test_only_a_withdrawn_story_is_purged(store: Store) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError) as refused, store.write(actor="test") as session:
        list_ops.purge_withdrawn_story(session, story.id)
    assert "withdrawn" in str(refused.value)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        consent.withdraw(
            session,
            story.id,
            Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
        )
    with store.write(actor="test") as session:
        removed = list_ops.purge_withdrawn_story(session, story.id)
    assert removed == list_ops.Removed(story.id, [])
    with store.read() as session:
        tombstones = stories.list_tombstones(session)
        left = list_ops.fetch_page(
            session, list_ops.PageQuery(StoryFilter(), SortBy.UPDATED, True, 0, 10)
        )
    assert [t.story_id for t in tombstones] == [story.id]
    assert left.total == 0
