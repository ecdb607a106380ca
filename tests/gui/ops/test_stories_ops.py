"""The story editor's work without a window: loading, saving as someone types, earlier versions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from storykeeper.core import clock, consent, stories
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.stories import RevisionConflictError
from storykeeper.core.vocabulary import StoryStatus
from storykeeper.gui.ops import stories as story_ops
from storykeeper.gui.ops.changes import Change, Kind
from tests.factories import given, make_story


def test_the_editor_reads_the_story_its_choices_and_its_consent_in_words(store: Store) -> None:
    story = make_story(store)
    with store.read() as session:
        data = story_ops.load_editor(session, story.id)
    assert data.story == story
    assert [s.name for s in data.choices.supporters] == ["Priya Shah"]
    assert "Getting out and about" in data.choices.theme_names
    assert data.consent.current.startswith("No consent recorded yet")
    assert data.consent.earlier == []
    assert data.origin is None


def test_the_editor_lists_earlier_consent_versions_newest_first(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(decided_by="First"))
        consent.record_consent(session, story.id, given(decided_by="Second"))
        consent.record_consent(session, story.id, given(decided_by="Third"))
    with store.read() as session:
        data = story_ops.load_editor(session, story.id)
    assert "by Third" in data.consent.current
    assert [line.split(" by ")[1].split(" ")[0] for line in data.consent.earlier] == [
        "Second",
        "First",
    ]


def test_a_save_over_the_revision_it_knows_keeps_the_words_and_says_what_changed(
    store: Store,
) -> None:
    story = make_story(store)
    fields = dataclasses.replace(story.fields, own_words="The bus was late again.")
    with store.write(actor="test") as session:
        result = story_ops.save_story(session, story.id, fields, story.revision)
    assert result.kept_as_draft is None
    assert result.story.own_words == "The bus was late again."
    assert result.story.revision == story.revision + 1
    assert story_ops.saved_changes(result) == [Change(Kind.STORIES, frozenset({story.id}))]
    with store.read() as session:
        assert stories.get_story(session, story.id).own_words == "The bus was late again."


def test_a_save_over_an_older_revision_is_refused_and_changes_nothing(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        story_ops.save_story(
            session, story.id, dataclasses.replace(story.fields, title="Newer"), story.revision
        )
    stale = dataclasses.replace(story.fields, title="Older")
    with pytest.raises(RevisionConflictError), store.write(actor="test") as session:
        story_ops.save_story(session, story.id, stale, story.revision)
    with store.read() as session:
        assert stories.get_story(session, story.id).title == "Newer"


def test_a_story_not_ready_to_be_final_is_saved_as_a_draft_and_says_why(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    with store.read() as session:
        revision = stories.get_story(session, story.id).revision
    untitled = dataclasses.replace(
        story.fields, title="", own_words="Words never lost.", status=StoryStatus.FINAL
    )
    with store.write(actor="test") as session:
        result = story_ops.save_story(session, story.id, untitled, revision)
    assert result.story.status is StoryStatus.DRAFT
    assert result.story.own_words == "Words never lost."
    assert result.kept_as_draft is not None and "title" in result.kept_as_draft.lower()


def test_a_draft_that_cannot_be_saved_is_refused_rather_than_changed(store: Store) -> None:
    story = make_story(store)
    too_long = dataclasses.replace(story.fields, title="x" * (stories.TITLE_MAX + 1))
    with pytest.raises(ValidationError), store.write(actor="test") as session:
        story_ops.save_story(session, story.id, too_long, story.revision)
    with store.read() as session:
        assert stories.get_story(session, story.id) == story


def test_earlier_versions_come_newest_first(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    story = make_story(store, title="First title")
    # Saves close together are one version: this one comes an hour later.
    later = clock.now() + dt.timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with store.write(actor="test") as session:
        story_ops.save_story(
            session,
            story.id,
            dataclasses.replace(story.fields, title="Second title"),
            story.revision,
        )
    with store.read() as session:
        versions = story_ops.story_versions(session, story.id)
    assert versions[0].title == "Second title"
    assert versions[-1].title == "First title"
