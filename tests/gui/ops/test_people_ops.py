"""The People dialogs' work without a window: storytellers and supporters on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from storykeeper.core import attachments, people, stories
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import AgeBand, Communication, SupporterRole
from storykeeper.gui.ops import people as people_ops
from storykeeper.gui.ops.changes import Change, Kind
from tests.factories import make_story


def details(name: str, **overrides: object) -> people_ops.StorytellerDetails:
    values: dict[str, object] = {
        "name": name,
        "age_band": AgeBand.AGE_65_79,
        "communication": (Communication.SPEAKING,),
        "support_needs": "Short sessions",
    }
    values.update(overrides)
    return people_ops.StorytellerDetails(**values)  # type: ignore[arg-type]


def test_a_storyteller_is_added_then_changed_and_says_which_person_changed(store: Store) -> None:
    with store.write(actor="test") as session:
        added = people_ops.save_storyteller(session, None, details("Bronwen Hughes"))
    assert (added.display_name, added.age_band, added.support_needs) == (
        "Bronwen Hughes",
        AgeBand.AGE_65_79,
        "Short sessions",
    )
    with store.write(actor="test") as session:
        changed = people_ops.save_storyteller(
            session, added.id, details("Bronwen Hughes-Price", age_band=None, communication=())
        )
    assert changed.id == added.id
    assert people_ops.storyteller_saved_changes(changed) == [Change.of(Kind.PEOPLE, added.id)]
    with store.read() as session:
        again = people.get_storyteller(session, added.id)
    # No age band chosen clears the one recorded before, rather than keeping it.
    assert (again.display_name, again.age_band, again.communication) == (
        "Bronwen Hughes-Price",
        None,
        (),
    )
    assert again.pseudonym == added.pseudonym


def test_a_storyteller_with_no_name_is_refused_in_words_and_nothing_is_saved(
    store: Store,
) -> None:
    with pytest.raises(ValidationError) as refused, store.write(actor="test") as session:
        people_ops.save_storyteller(session, None, details("   "))
    assert refused.value.field == "display_name"
    assert "name" in str(refused.value)
    with store.read() as session:
        assert people_ops.find_storytellers(session, "") == []


def test_finding_storytellers_and_supporters_by_part_of_a_name(store: Store) -> None:
    with store.write(actor="test") as session:
        for name in ("Mary Jones", "Rosemary Hill", "Tom Evans"):
            people.create_storyteller(session, name)
        for name, role in (
            ("Sam Okafor", SupporterRole.IMCA),
            ("Samira Khan", SupporterRole.INDEPENDENT_ADVOCATE),
            ("Priya Shah", SupporterRole.INDEPENDENT_ADVOCATE),
        ):
            people.create_supporter(session, name, role)
    with store.read() as session:
        tellers = [s.display_name for s in people_ops.find_storytellers(session, "mary")]
        supporters = [s.name for s in people_ops.find_supporters(session, "SAM ")]
        first_only = people_ops.find_supporters(session, "", limit=1)
    assert tellers == ["Mary Jones", "Rosemary Hill"]
    assert supporters == ["Sam Okafor", "Samira Khan"]
    assert [s.name for s in first_only] == ["Priya Shah"]


def test_a_supporter_is_added_then_changed(store: Store) -> None:
    first = people_ops.SupporterDetails("Sam Okafor", SupporterRole.IMCA, "Valley Advocacy", "")
    with store.write(actor="test") as session:
        added = people_ops.save_supporter(session, None, first)
    later = people_ops.SupporterDetails(
        "Sam Okafor", SupporterRole.INDEPENDENT_ADVOCATE, "Hill Advocacy", "01234 567890"
    )
    with store.write(actor="test") as session:
        changed = people_ops.save_supporter(session, added.id, later)
    assert people_ops.supporter_saved_changes(changed) == [Change.of(Kind.PEOPLE, added.id)]
    with store.read() as session:
        again = people.get_supporter(session, added.id)
    assert (again.role, again.organisation, again.contact) == (
        SupporterRole.INDEPENDENT_ADVOCATE,
        "Hill Advocacy",
        "01234 567890",
    )


def test_deleting_a_storyteller_removes_their_stories_and_says_which(
    store: Store, tmp_path: Path
) -> None:
    story = make_story(store, teller="Mary Jones")
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8 pretend jpeg " * 100)
    media = store.media
    with store.write(actor="test") as session:
        added = attachments.add_attachment(session, media, story.id, photo)
    teller_id = story.storyteller.id

    with store.write(actor="test") as session:
        removed = people_ops.delete_storyteller(session, teller_id)
    assert removed == people_ops.StorytellerRemoved(teller_id, (story.id,), [added.sha256])
    assert people_ops.storyteller_removed_changes(removed) == [
        Change.of(Kind.PEOPLE, teller_id),
        Change.of(Kind.STORIES, story.id),
        Change(Kind.ATTACHMENTS),
    ]
    with store.read() as session:
        assert people_ops.find_storytellers(session, "") == []
        assert [t.story_id for t in stories.list_tombstones(session)] == [story.id]


def test_a_storyteller_with_no_stories_changes_only_people(store: Store) -> None:
    with store.write(actor="test") as session:
        alone = people.create_storyteller(session, "Tom Evans")
    with store.write(actor="test") as session:
        removed = people_ops.delete_storyteller(session, alone.id)
    assert people_ops.storyteller_removed_changes(removed) == [Change.of(Kind.PEOPLE, alone.id)]


def test_the_picked_storyteller_is_found_or_added(store: Store) -> None:
    with store.write(actor="test") as session:
        known = people.create_storyteller(session, "Mary Jones")
    with store.write(actor="test") as session:
        same = people_ops.storyteller_for(
            session, people_ops.PickedStoryteller(known.id, None, "Mary Jones")
        )
        new = people_ops.storyteller_for(
            session, people_ops.PickedStoryteller(None, "Ada Price", "Ada Price")
        )
    assert same == known.id
    with store.read() as session:
        assert people.get_storyteller(session, new).display_name == "Ada Price"
        assert len(people_ops.find_storytellers(session, "")) == 2
