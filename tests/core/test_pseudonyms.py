"""Pseudonyms that read as a person's name and never hold any part of the person's own; chosen
or changed by the person or their advocate (issue 17, part 3)."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storykeeper.core import people, stories
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.mentioned import PersonMentioned, set_people_mentioned
from storykeeper.core.models import AuditEventRow, StorytellerRow
from storykeeper.core.pseudonyms import GIVEN_NAMES, unique_pseudonym
from storykeeper.core.stories import StoryFields
from storykeeper.core.vocabulary import SupporterRole

HUMANE = re.compile(r"^[A-Z][a-z]+ [A-Z]\.( \d+)?$")
name_part = st.sampled_from([*GIVEN_NAMES, "Ann", "Jo", "Li", "Kowalski", "Evans", "O'Brien"])


@settings(max_examples=300, deadline=None)
@given(st.lists(name_part, min_size=1, max_size=3), st.integers(0, 2**32))
def test_a_pseudonym_reads_as_a_name_and_holds_no_part_of_the_real_one(
    parts: list[str], seed: int
) -> None:
    real = " ".join(parts)
    pseudonym = unique_pseudonym(set(), random.Random(seed), avoiding=real)
    assert HUMANE.match(pseudonym), pseudonym
    folded = pseudonym.casefold()
    assert not any(p.casefold() in folded for p in parts if len(p) >= 2)
    # Not the person's own initial either.
    assert pseudonym.split()[1][0] not in {p[0].upper() for p in parts}


def test_every_combination_taken_adds_a_number() -> None:
    taken = {f"{n} {i}." for n in GIVEN_NAMES for i in "ABCDEFGHJKLMNOPRSTW"}
    chosen = unique_pseudonym(taken, random.Random(1), avoiding="Mary Smith")
    assert re.match(r"^[A-Z][a-z]+ [A-Z]\. 2$", chosen)


def test_a_new_storyteller_gets_a_humane_pseudonym_clear_of_their_name(store: Store) -> None:
    with store.write(actor="test") as session:
        made = [people.create_storyteller(session, "Mary Ann Kowalski") for _ in range(30)]
    assert len({m.pseudonym for m in made}) == 30
    for teller in made:
        assert HUMANE.match(teller.pseudonym)
        assert not any(p in teller.pseudonym.casefold() for p in ("mary", "ann", "kowalski"))


def test_the_person_chooses_their_pseudonym(store: Store) -> None:
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Margaret Evans")
        other = people.create_storyteller(session, "Ann Jones")
        offered = people.suggest_pseudonyms(session, teller.id)
        assert len(offered) == 6 and all(HUMANE.match(o) for o in offered)
        chosen = people.set_pseudonym(session, teller.id, "  Peggy   W. ")
    assert chosen.pseudonym == "Peggy W."
    with store.read() as session:
        assert people.get_storyteller(session, teller.id).pseudonym == "Peggy W."
        details = session.scalars(
            select(AuditEventRow.details).where(AuditEventRow.entity_uuid == teller.id)
        ).all()
    assert not any("Peggy" in d for d in details)  # the audit log says what, not to what

    for text, says in (
        ("", "is needed"),
        ("x" * 101, "too long"),
        ("Maggie Evans", "part of the person’s own name"),
        ("MARGARETTA", "part of the person’s own name"),
        (other.pseudonym, "Another storyteller already goes by that pseudonym"),
    ):
        with store.write(actor="test") as session, pytest.raises(ValidationError) as refused:
            people.set_pseudonym(session, teller.id, text)
        assert says in str(refused.value) and refused.value.field == "pseudonym"
        assert "Margaret" not in str(refused.value) and "Evans" not in str(refused.value)
    with store.read() as session:
        assert people.get_storyteller(session, teller.id).pseudonym == "Peggy W."


def test_existing_pseudonyms_are_kept_unless_a_corrected_name_is_in_them(store: Store) -> None:
    with store.write(actor="test") as session:
        old = people.create_storyteller(session, "Mrs K")
        session.execute(
            StorytellerRow.__table__.update()
            .where(StorytellerRow.uuid == old.id)
            .values(pseudonym="Quiet Heron 42")
        )
        kept = people.update_storyteller(session, old.id, support_needs="Large print")
        assert kept.pseudonym == "Quiet Heron 42"  # made before this issue: kept
        people.set_pseudonym(session, old.id, "Mary K.")
        corrected = people.update_storyteller(session, old.id, display_name="Mary Kowalski")
    assert corrected.pseudonym != "Mary K." and "mary" not in corrected.pseudonym.casefold()


def test_a_pseudonym_is_not_the_name_of_anyone_else_the_store_knows(store: Store) -> None:
    # Every given name but one is borne by someone here: supporters, storytellers and a person
    # mentioned in a story. Each new pseudonym must then use the one name nobody bears.
    free = "Nia"
    borne = [n for n in GIVEN_NAMES if n != free]
    with store.write(actor="test") as session:
        for index, given in enumerate(borne):
            if index % 2:
                people.create_supporter(session, f"{given} Quince", SupporterRole.FAMILY_CARER)
            else:
                people.create_storyteller(session, f"{given} Quince")
        made = [people.create_storyteller(session, "Zed Yarrow") for _ in range(8)]
        offered = people.suggest_pseudonyms(session, made[0].id)
    for pseudonym in [m.pseudonym for m in made] + offered:
        assert pseudonym.split()[0] == free, pseudonym


def test_the_people_mentioned_in_stories_are_not_given_as_pseudonyms(store: Store) -> None:
    # Every given name but one belongs to a person mentioned in a story, and to nobody else.
    free = "Winifred"
    mentioned = [
        PersonMentioned(f"{given} Oakes", "a neighbour") for given in GIVEN_NAMES if given != free
    ]
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Zed Yarrow")
        story = stories.create_story(
            session, StoryFields(storyteller_id=teller.id, own_words="My neighbours help.")
        )
        set_people_mentioned(session, story.id, mentioned)
        made = [people.create_storyteller(session, "Zed Quince").pseudonym for _ in range(8)]
    assert {m.split()[0] for m in made} == {free}


def test_in_a_store_where_every_given_name_is_borne_a_pseudonym_is_still_found(
    store: Store,
) -> None:
    with store.write(actor="test") as session:
        for given in GIVEN_NAMES:
            people.create_supporter(session, f"{given} Quince", SupporterRole.FAMILY_CARER)
        teller = people.create_storyteller(session, "Mary Kowalski")
    assert HUMANE.match(teller.pseudonym) and "Mary" not in teller.pseudonym
