"""Stories and people: validation, revisions, themes, pseudonyms, tombstones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core import attachments, audit, people, stories, themes
from storykeeper.core.db import Store
from storykeeper.core.errors import AmbiguousIdError, NotFoundError, ValidationError
from storykeeper.core.pseudonyms import make_pseudonym, unique_pseudonym
from storykeeper.core.vocabulary import Polarity, StoryStatus, TombstoneReason
from tests.factories import make_story


def test_story_keeps_own_words_and_notes_apart(store: Store) -> None:
    story = make_story(store, own_words="I like my garden.", notes="Spoke slowly; two breaks.")
    with store.read() as session:
        again = stories.get_story(session, story.id)
    assert again.own_words == "I like my garden."
    assert again.recorder_notes == "Spoke slowly; two breaks."
    assert again.revision == 1
    assert again.origin_device == store.device_id
    assert again.themes == (stories.ThemeLink("Getting out and about", Polarity.ENABLER),)


def test_update_raises_revision_only_when_something_changed(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        same = stories.update_story(session, story.id, story.fields)
        changed = stories.update_story(
            session, story.id, dataclasses.replace(story.fields, own_words="New words.")
        )
    assert same.revision == 1
    assert changed.revision == 2
    assert changed.own_words == "New words."


def test_stale_update_is_refused(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        stories.update_story(session, story.id, dataclasses.replace(story.fields, title="A"))
    with (
        pytest.raises(stories.RevisionConflictError, match="changed elsewhere"),
        store.write(actor="test") as session,
    ):
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, title="B"), expected_revision=1
        )


def test_themes_with_polarity_replace_and_validate(store: Store) -> None:
    story = make_story(store)
    fields = dataclasses.replace(
        story.fields,
        themes=stories.theme_links([("Red tape and paperwork", "barrier"), ("advocacy", "Mixed")]),
    )
    with store.write(actor="test") as session:
        updated = stories.update_story(session, story.id, fields)
    assert updated.themes == (
        stories.ThemeLink("Advocacy", Polarity.MIXED),
        stories.ThemeLink("Red tape and paperwork", Polarity.BARRIER),
    )
    bad = dataclasses.replace(
        story.fields, themes=(stories.ThemeLink("Bananas", Polarity.ENABLER),)
    )
    with (
        pytest.raises(NotFoundError, match="no theme called “Bananas”"),
        store.write(actor="test") as session,
    ):
        stories.update_story(session, story.id, bad)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"language": "English!"}, "language"),
        ({"told_on": dt.date.today() + dt.timedelta(days=1)}, "told_on"),
        ({"status": StoryStatus.FINAL, "own_words": "   "}, "own_words"),
        ({"status": StoryStatus.FINAL, "title": ""}, "title"),
    ],
)
def test_invalid_story_fields_name_what_to_fix(
    store: Store, change: dict[str, object], field: str
) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError) as caught, store.write(actor="test") as session:
        stories.update_story(session, story.id, dataclasses.replace(story.fields, **change))
    assert caught.value.field == field
    with store.read() as session:
        assert stories.get_story(session, story.id) == story


def test_control_characters_are_removed_but_lines_kept(store: Store) -> None:
    story = make_story(store, own_words="First line\nSecond\x00 line\x07\tend")
    assert story.own_words == "First line\nSecond line\tend"


def test_ids_can_be_shortened_but_not_ambiguously(store: Store) -> None:
    story = make_story(store)
    with store.read() as session:
        assert stories.get_story(session, story.id[:8]).id == story.id
        assert stories.get_story(session, story.id.upper()).id == story.id
        with pytest.raises(NotFoundError, match="not a story id"):
            stories.get_story(session, "ab")
        with pytest.raises(NotFoundError, match="No story has the id"):
            stories.get_story(session, "ffffffff")
        with pytest.raises(NotFoundError):
            stories.get_story(session, "%%%%")
    with store.write(actor="test") as session:
        session.execute(text("UPDATE stories SET uuid = 'aaaa0000-0000-4000-8000-000000000001'"))
        teller = people.list_storytellers(session)[0]
        stories.create_story(session, stories.StoryFields(storyteller_id=teller.id))
        session.execute(
            text(
                "UPDATE stories SET uuid = 'aaaa0000-0000-4000-8000-000000000002' "
                "WHERE uuid != 'aaaa0000-0000-4000-8000-000000000001'"
            )
        )
    with store.read() as session, pytest.raises(AmbiguousIdError, match="type more"):
        stories.get_story(session, "aaaa0000")


def test_delete_leaves_a_tombstone_and_no_content(store: Store) -> None:
    story = make_story(store, own_words="Something private.")
    with store.write(actor="advocate") as session:
        tombstone, unused_files = stories.delete_story(session, story.id, note="asked in person")
    assert tombstone.reason is TombstoneReason.DELETED
    assert tombstone.last_revision == 1
    assert tombstone.actor == "advocate"
    assert unused_files == []
    with store.read() as session:
        with pytest.raises(NotFoundError):
            stories.get_story(session, story.id)
        assert stories.list_tombstones(session) == [tombstone]
        leftovers = session.execute(
            text("SELECT count(*) FROM stories WHERE own_words LIKE '%private%'")
        ).scalar_one()
        assert leftovers == 0
        assert session.execute(text("SELECT count(*) FROM story_themes")).scalar_one() == 0


def test_pseudonyms_are_generated_unique_and_seedable(store: Store) -> None:
    with store.write(actor="test") as session:
        a = people.create_storyteller(session, "Ann Jones")
        b = people.create_storyteller(session, "Ann Jones")
    assert a.pseudonym != b.pseudonym
    assert "Ann" not in a.pseudonym and "Jones" not in a.pseudonym
    assert make_pseudonym(random.Random(7)) == make_pseudonym(random.Random(7))
    taken = {make_pseudonym(random.Random(3))}
    assert unique_pseudonym(taken, random.Random(3)) not in taken


def test_unique_pseudonym_still_finds_one_when_every_try_collides() -> None:
    class Crowded:
        def __init__(self) -> None:
            self.asked = 0

        def __contains__(self, item: object) -> bool:
            self.asked += 1
            return self.asked <= 60

    assert unique_pseudonym(Crowded(), random.Random(1))


def test_storyteller_and_supporter_editing(store: Store) -> None:
    from storykeeper.core.vocabulary import AgeBand, Communication, SupporterRole

    with store.write(actor="test") as session:
        teller = people.create_storyteller(
            session,
            "  Gwen   Davies ",
            age_band=AgeBand.AGE_80_PLUS,
            communication=[Communication.SPEAKING, Communication.PICTURES, Communication.SPEAKING],
            support_needs="Short sessions.",
        )
        teller = people.update_storyteller(session, teller.id, display_name="Gwen Davies-Price")
        supporter = people.create_supporter(
            session, "Tom Reid", SupporterRole.IMCA, organisation="Valley Advocacy"
        )
        supporter = people.update_supporter(session, supporter.id, contact="01234 567890")
    assert teller.display_name == "Gwen Davies-Price"
    assert teller.communication == (Communication.SPEAKING, Communication.PICTURES)
    assert supporter.contact == "01234 567890"
    with store.read() as session:
        assert [t.display_name for t in people.list_storytellers(session)] == ["Gwen Davies-Price"]
        assert people.get_supporter(session, supporter.id[:6]).role is SupporterRole.IMCA
    with (
        pytest.raises(ValidationError, match="name is needed"),
        store.write(actor="test") as session,
    ):
        people.create_storyteller(session, "   ")


def test_storyteller_with_stories_cannot_be_deleted(store: Store) -> None:
    story = make_story(store)
    with (
        pytest.raises(ValidationError, match="still has 1 story: delete those first"),
        store.write(actor="test") as session,
    ):
        people.delete_storyteller(session, story.storyteller.id)
    with store.read() as session:
        assert people.get_storyteller(session, story.storyteller.id).story_count == 1
        assert stories.list_tombstones(session) == []


def test_storyteller_without_stories_is_deleted(store: Store) -> None:
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Ann Jones")
    with store.write(actor="test") as session:
        assert people.delete_storyteller(session, teller.id) == ([], [])
    with store.read() as session:
        with pytest.raises(NotFoundError):
            people.get_storyteller(session, teller.id)
        event = audit.recent_events(session, limit=1)[0]
    assert (event.action, event.entity_id, event.details) == (
        "storyteller.deleted",
        teller.id,
        {"stories": 0},
    )


def test_storyteller_is_deleted_with_their_stories(store: Store, tmp_path: Path) -> None:
    first = make_story(store, own_words="Something private.")
    media = store.media
    only_theirs = tmp_path / "theirs.jpg"
    only_theirs.write_bytes(b"only in their stories")
    shared = tmp_path / "shared.jpg"
    shared.write_bytes(b"also in someone else's story")
    someone_else = make_story(store, teller="Bryn Hughes")
    with store.write(actor="advocate") as session:
        second = stories.create_story(
            session, stories.StoryFields(storyteller_id=first.storyteller.id, title="Second")
        )
        kept = attachments.add_attachment(session, media, first.id, only_theirs)
        attachments.add_attachment(session, media, second.id, only_theirs)
        attachments.add_attachment(session, media, second.id, shared)
        attachments.add_attachment(session, media, someone_else.id, shared)
    with store.write(actor="advocate") as session:
        tombstones, unused_files = people.delete_storyteller(
            session, first.storyteller.id, with_stories=True
        )
    assert [t.story_id for t in tombstones] == [first.id, second.id]
    assert {t.storyteller_id for t in tombstones} == {first.storyteller.id}
    assert {(t.reason, t.actor) for t in tombstones} == {(TombstoneReason.DELETED, "advocate")}
    assert tombstones[0].last_revision == 2 and tombstones[1].last_revision == 3
    assert unused_files == [kept.sha256]
    with store.read() as session:
        with pytest.raises(NotFoundError):
            people.get_storyteller(session, first.storyteller.id)
        assert [t.display_name for t in people.list_storytellers(session)] == ["Bryn Hughes"]
        assert stories.list_tombstones(session) == tombstones
        assert len(stories.get_story(session, someone_else.id).attachments) == 1
        for table in ("stories", "story_versions", "story_themes", "attachments"):
            count = session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert count == 1, table
        events = [(e.action, e.entity_id, e.details) for e in audit.recent_events(session, 3)]
    assert events == [
        ("storyteller.deleted", first.storyteller.id, {"stories": 2}),
        ("story.deleted", second.id, {"revision": 3}),
        ("story.deleted", first.id, {"revision": 2}),
    ]


def test_themes_are_seeded_and_editable(store: Store) -> None:
    with store.read() as session:
        names = [t.name for t in themes.list_themes(session)]
    assert len(names) == 15 and "Being listened to" in names
    with store.write(actor="test") as session:
        themes.create_theme(session, "Transport")
        with pytest.raises(ValidationError, match="already a theme"):
            themes.create_theme(session, "transport")
        renamed = themes.rename_theme(session, "Transport", "Transport and travel")
        assert renamed.name == "Transport and travel"
        themes.delete_theme(session, "Transport and travel")
    story = make_story(store)
    with (
        pytest.raises(ValidationError, match="used by 1 story"),
        store.write(actor="test") as session,
    ):
        themes.delete_theme(session, story.themes[0].theme)
