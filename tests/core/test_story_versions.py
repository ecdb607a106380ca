"""Story history: a version per save, coalesced while one person keeps typing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core import attachments, clock, consent, stories
from storykeeper.core.db import Store
from storykeeper.core.errors import NotFoundError
from storykeeper.core.vocabulary import HowTold, Polarity, Setting, StoryStatus
from tests.factories import given, make_story

START = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


class FakeClock:
    """Stands in for ``clock.now`` so a test decides how far apart the saves are."""

    def __init__(self) -> None:
        self.current = START

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


def save(
    store: Store, story: stories.Story, actor: str = "test", **changes: object
) -> stories.Story:
    with store.write(actor=actor) as session:
        current = stories.get_story(session, story.id)
        return stories.update_story(
            session, story.id, dataclasses.replace(current.fields, **changes)
        )


def versions(store: Store, story: stories.Story) -> list[stories.StoryVersion]:
    with store.read() as session:
        return stories.story_versions(session, story.id)


def version_rows(store: Store) -> int:
    with store.read() as session:
        return session.execute(text("SELECT count(*) FROM story_versions")).scalar_one()


def test_creating_a_story_keeps_its_first_version(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store, own_words="First words.", notes="Met at the café.")
    assert versions(store, story) == [
        stories.StoryVersion(
            revision=1,
            saved_at=START,
            actor="test",
            title=story.title,
            own_words="First words.",
            recorder_notes="Met at the café.",
            fields=story.fields,
        )
    ]


def test_every_field_is_kept_and_can_be_brought_back(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store)
    fake_clock.advance(hours=1)
    # A story can be final only with consent. Recording it raises the revision (to 2) but adds
    # no version: the history is of the wording and fields.
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    full = save(
        store,
        story,
        title="Cymraeg ar y bws",
        own_words="Dw i’n hoffi’r bws.",
        told_on=dt.date(2026, 10, 1),
        setting=Setting.DAY_CENTRE,
        how_told=HowTold.SPOKEN_AUDIO_RECORDED,
        language="cy",
        status=StoryStatus.FINAL,
        supporter_id=None,
        themes=stories.theme_links(
            [("Red tape and paperwork", Polarity.BARRIER), ("Advocacy", Polarity.MIXED)]
        ),
    )
    newest, first = versions(store, story)
    assert newest.fields == full.fields
    assert (newest.revision, newest.saved_at) == (3, fake_clock.current)
    assert first.fields == story.fields
    # The first wording can be saved again as the newest.
    fake_clock.advance(hours=1)
    with store.write(actor="test") as session:
        restored = stories.update_story(session, story.id, first.fields)
    assert restored.fields == story.fields
    assert restored.revision == 4
    assert [v.revision for v in versions(store, story)] == [4, 3, 1]


def test_saves_by_one_person_within_ten_minutes_share_one_version(
    store: Store, fake_clock: FakeClock
) -> None:
    story = make_story(store)
    # Autosaves every two seconds while someone types: one version, however many saves.
    for n in range(1, 31):
        fake_clock.advance(seconds=2)
        latest = save(store, story, own_words=f"Typed so far: {n} words")
    assert latest.revision == 31
    only = versions(store, story)
    assert [(v.revision, v.saved_at, v.own_words) for v in only] == [
        (31, fake_clock.current, "Typed so far: 30 words")
    ]
    # The window runs from the newest save, so a pause just short of ten minutes still coalesces.
    fake_clock.advance(minutes=9, seconds=59)
    save(store, story, own_words="After a pause")
    assert [(v.revision, v.own_words) for v in versions(store, story)] == [(32, "After a pause")]
    assert version_rows(store) == 1


def test_a_save_ten_minutes_on_starts_a_new_version(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store, own_words="Morning wording.")
    fake_clock.advance(minutes=10)
    save(store, story, own_words="Afternoon wording.")
    fake_clock.advance(minutes=11)
    save(store, story, own_words="Evening wording.")
    assert [(v.revision, v.own_words) for v in versions(store, story)] == [
        (3, "Evening wording."),
        (2, "Afternoon wording."),
        (1, "Morning wording."),
    ]


def test_a_save_by_someone_else_starts_a_new_version(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store, own_words="Recorded by the advocate.")
    fake_clock.advance(seconds=30)
    save(store, story, actor="coordinator", own_words="Tidied by the coordinator.")
    fake_clock.advance(seconds=30)
    save(store, story, actor="test", own_words="Corrected by the advocate.")
    fake_clock.advance(seconds=30)
    save(store, story, actor="test", own_words="Corrected again.")
    assert [(v.actor, v.own_words) for v in versions(store, story)] == [
        ("test", "Corrected again."),
        ("coordinator", "Tidied by the coordinator."),
        ("test", "Recorded by the advocate."),
    ]


def test_a_clock_put_back_starts_a_new_version(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store, own_words="Before the clock changed.")
    fake_clock.advance(minutes=-30)
    save(store, story, own_words="After the clock changed.")
    assert [v.own_words for v in versions(store, story)] == [
        "After the clock changed.",
        "Before the clock changed.",
    ]


def test_a_save_that_changes_nothing_keeps_no_version(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store)
    before = versions(store, story)
    fake_clock.advance(minutes=30)
    unchanged = save(store, story)
    assert unchanged.revision == 1
    assert versions(store, story) == before


def test_consent_and_attachments_raise_the_revision_but_keep_no_version(
    store: Store, fake_clock: FakeClock, tmp_path: Path
) -> None:
    story = make_story(store)
    before = versions(store, story)
    photo = tmp_path / "bus.jpg"
    photo.write_bytes(b"\xff\xd8 pretend jpeg")
    fake_clock.advance(minutes=30)
    with store.write(actor="someone else") as session:
        consent.record_consent(session, story.id, given())
        attachments.add_attachment(session, store.media, story.id, photo)
        assert stories.get_story(session, story.id).revision == 3
    assert versions(store, story) == before
    # The next saved change records the story's revision at that moment.
    fake_clock.advance(seconds=5)
    save(store, story, own_words="New words.")
    assert [v.revision for v in versions(store, story)] == [4, 1]


def test_a_failed_save_keeps_no_version(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store)
    fake_clock.advance(minutes=30)
    with pytest.raises(stories.RevisionConflictError), store.write(actor="test") as session:
        stories.update_story(
            session,
            story.id,
            dataclasses.replace(story.fields, own_words="Lost."),
            expected_revision=7,
        )
    assert [(v.revision, v.own_words) for v in versions(store, story)] == [(1, story.own_words)]


def test_deleting_a_story_deletes_its_history(store: Store, fake_clock: FakeClock) -> None:
    story = make_story(store, own_words="Something private.")
    fake_clock.advance(hours=1)
    save(store, story, own_words="Something else private.")
    other = make_story(store, teller="Bryn Hughes")
    assert version_rows(store) == 3
    with store.write(actor="test") as session:
        stories.delete_story(session, story.id)
    with store.read() as session:
        with pytest.raises(NotFoundError):
            stories.story_versions(session, story.id)
        leftovers = session.execute(
            text("SELECT count(*) FROM story_versions WHERE own_words LIKE '%private%'")
        ).scalar_one()
        assert leftovers == 0
        assert len(stories.story_versions(session, other.id)) == 1
        assert [t.story_id for t in stories.list_tombstones(session)] == [story.id]
