"""People a story mentions: kept in the store, offered from the text, and replaced by their role
wherever the story's consent does not let names leave (issue 17, part 2)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storykeeper.core import consent, people
from storykeeper.core.attachments import add_attachment
from storykeeper.core.consent import BestInterests, PersonConsulted
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.export_policy import ExportableStory, export_view, export_view_for
from storykeeper.core.mentioned import (
    PersonMentioned,
    people_mentioned,
    set_people_mentioned,
    suggest_names,
)
from storykeeper.core.stories import get_story
from storykeeper.core.vocabulary import ConsentScope, SupporterRole
from tests.factories import given, make_story

NAMED = frozenset(
    {
        ConsentScope.SHARE_WITH_COORDINATOR,
        ConsentScope.PUBLISH_WITH_NAME,
        ConsentScope.SHARE_MEDIA,
    }
)
UNNAMED = NAMED - {ConsentScope.PUBLISH_WITH_NAME}


def test_the_list_is_kept_in_order_and_replaced_whole(store: Store) -> None:
    story = make_story(store)
    daughter = PersonMentioned("Jane Evans", "her daughter")
    neighbour = PersonMentioned("  Tom   O'Brien ", "a neighbour")
    with store.write(actor="test") as session:
        kept = set_people_mentioned(session, story.id, [daughter, neighbour])
    assert kept == [daughter, PersonMentioned("Tom O'Brien", "a neighbour")]
    with store.read() as session:
        assert people_mentioned(session, story.id) == kept
    with store.write(actor="test") as session:
        set_people_mentioned(session, story.id, [neighbour])
    with store.read() as session:
        assert people_mentioned(session, story.id) == [
            PersonMentioned("Tom O'Brien", "a neighbour")
        ]


@pytest.mark.parametrize(
    ("people", "says"),
    [
        ([PersonMentioned("", "her daughter")], "is needed"),
        ([PersonMentioned("Jane", " ")], "is needed"),
        ([PersonMentioned("J" * 201, "her daughter")], "too long"),
        ([PersonMentioned("Jane", "r" * 101)], "too long"),
        ([PersonMentioned("Jane", "a"), PersonMentioned("JANE", "b")], "already in the list"),
    ],
)
def test_a_wrong_entry_is_refused_plainly_without_the_name(
    store: Store, people: list[PersonMentioned], says: str
) -> None:
    story = make_story(store)
    with store.write(actor="test") as session, pytest.raises(ValidationError) as refused:
        set_people_mentioned(session, story.id, people)
    assert says in str(refused.value)
    assert "Jane" not in str(refused.value) and "JANE" not in str(refused.value)
    assert refused.value.field == "people_mentioned"


def test_names_are_offered_from_the_text_but_not_known_ones_or_sentence_starts() -> None:
    texts = [
        "Her daughter Jane Evans was present. My neighbour Tom O'Brien takes me in his car.",
        "Later we went to the seaside with Margaret and Mrs Ada Lovelace. Sometimes I forget.",
        "On Tuesday the bus came.",
    ]
    offered = suggest_names(texts, known=["Margaret Evans"])
    assert offered == ["Jane Evans", "Tom O'Brien", "Ada Lovelace"]


def test_a_sentence_start_is_offered_when_seen_mid_sentence_too() -> None:
    offered = suggest_names(["Bert came round. Then I saw Bert again."], known=[])
    assert offered == ["Bert"]


def test_without_named_publication_each_mentioned_name_becomes_its_role(store: Store) -> None:
    story = make_story(
        store,
        title="Jane Evans and the bus",
        own_words="My daughter Jane Evans was there, and Tom O'Brien drove. Jane laughed.",
        notes="Margaret's neighbour tom o'brien; jane EVANS signed.",
    )
    with store.write(actor="test") as session:
        set_people_mentioned(
            session,
            story.id,
            [
                PersonMentioned("Jane Evans", "her daughter"),
                PersonMentioned("Tom O'Brien", "a neighbour"),
            ],
        )
        consent.record_consent(
            session, story.id, given(scopes=UNNAMED, conditions="Not to be sent to Jane.")
        )
        unnamed = export_view_for(session, story.id)
        consent.record_consent(session, story.id, given(scopes=NAMED))
        named = export_view_for(session, story.id)
    assert isinstance(unnamed, ExportableStory) and isinstance(named, ExportableStory)
    pseudonym = story.storyteller_pseudonym
    # The daughter shares the storyteller's surname: her whole name becomes her role, not
    # "Jane <pseudonym>".
    assert unnamed.title == "[her daughter] and the bus"
    assert unnamed.own_words == (
        "My daughter [her daughter] was there, and [a neighbour] drove. [her daughter] laughed."
    )
    assert (
        unnamed.recorder_notes == f"{pseudonym}'s neighbour [a neighbour]; [her daughter] signed."
    )
    assert unnamed.consent_history[0].conditions == "Not to be sent to [her daughter]."
    assert named.title == "Jane Evans and the bus"
    assert "Tom O'Brien" in named.own_words


def test_a_supporter_who_is_named_in_the_story_goes_by_their_role(store: Store) -> None:
    story = make_story(store, own_words="Priya Shah, my daughter, wrote it down.")
    with store.write(actor="test") as session:
        set_people_mentioned(session, story.id, [PersonMentioned("Priya  Shah", "her daughter")])
        consent.record_consent(session, story.id, given(scopes=UNNAMED))
        unnamed = export_view_for(session, story.id)
    assert isinstance(unnamed, ExportableStory) and unnamed.supporter is not None
    # The factory's supporter is "Priya Shah": the daughter who recorded her mother's story.
    assert unnamed.supporter.name == "[her daughter]"
    assert unnamed.own_words == "[her daughter], my daughter, wrote it down."


def test_a_supporter_is_otherwise_shown_by_their_own_name(store: Store) -> None:
    story = make_story(store, teller="Margaret Evans")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=UNNAMED))
        unnamed = export_view_for(session, story.id)
    assert isinstance(unnamed, ExportableStory) and unnamed.supporter is not None
    assert unnamed.supporter.name == "Priya Shah"


def test_a_supporter_or_witness_sharing_a_word_of_the_name_goes_by_their_part(
    store: Store,
) -> None:
    """A son with his mother's surname, or anyone sharing a word of a hidden name: their name
    would give hers away (and cut to pieces would read "John Mary K."), so without the name
    they go by their part in the story."""
    story = make_story(store, teller="Priya Evans")  # shares a first name with the supporter
    with store.write(actor="test") as session:
        son = people.create_supporter(session, "John Evans", SupporterRole.FAMILY_CARER)
        consent.record_consent(session, story.id, given(scopes=UNNAMED, witness_id=son.id))
        unnamed = export_view_for(session, story.id)
    assert isinstance(unnamed, ExportableStory) and unnamed.supporter is not None
    assert unnamed.supporter.name == "[a supporter]"
    assert [r.witness_name for r in unnamed.consent_history] == ["[a witness]"]


def test_attachment_names_lose_every_name(store: Store, tmp_path: Path) -> None:
    story = make_story(store)
    media = store.media
    source = tmp_path / "scan.bin"
    source.write_bytes(b"a letter")
    with store.write(actor="test") as session:
        set_people_mentioned(session, story.id, [PersonMentioned("Jane Evans", "her daughter")])
        for name in ("Letter from Margaret Evans.pdf", "jane_evans-birthday.jpg"):
            add_attachment(session, media, story.id, source, original_name=name)
        consent.record_consent(session, story.id, given(scopes=UNNAMED))
        unnamed = export_view_for(session, story.id)
        consent.record_consent(session, story.id, given(scopes=NAMED))
        named = export_view_for(session, story.id)
    assert isinstance(unnamed, ExportableStory) and isinstance(named, ExportableStory)
    pseudonym = story.storyteller_pseudonym.rstrip(".")
    assert [a.original_name for a in unnamed.attachments] == [
        f"Letter from {pseudonym}.pdf",
        "[her daughter]-birthday.jpg",
    ]
    assert [a.original_name for a in named.attachments] == [
        "Letter from Margaret Evans.pdf",
        "jane_evans-birthday.jpg",
    ]


def test_names_in_the_mental_capacity_act_record_are_replaced_too(store: Store) -> None:
    story = make_story(store)
    daughter = PersonMentioned("Jane Evans", "her daughter")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=UNNAMED))
        (record,) = consent.consent_history(session, story.id)
        stored = get_story(session, story.id)
    record = dataclasses.replace(
        record,
        best_interests=BestInterests(
            decision_maker="Priya Shah",
            consulted=(PersonConsulted("Jane Evans", "daughter", "Mum would want Jane there."),),
            wishes_and_values="Margaret always told stories at chapel.",
            why="Evans family stories matter to her.",
        ),
    )
    unnamed = export_view(stored, [record], [daughter])
    assert isinstance(unnamed, ExportableStory)
    sent = unnamed.consent_history[0].best_interests
    assert sent is not None
    pseudonym = story.storyteller_pseudonym
    assert sent.consulted == (
        PersonConsulted("[her daughter]", "daughter", "Mum would want [her daughter] there."),
    )
    assert sent.wishes_and_values == f"{pseudonym} always told stories at chapel."
    assert sent.why == f"{pseudonym} family stories matter to her."
    assert sent.decision_maker == "Priya Shah"


def test_a_changed_list_is_a_new_revision_so_the_next_export_sends_it(store: Store) -> None:
    """What leaves changes with the list: a coordinator holding the story must get it again."""
    story = make_story(store)
    daughter = PersonMentioned("Jane Evans", "her daughter")
    with store.write(actor="test") as session:
        set_people_mentioned(session, story.id, [daughter])
        first = get_story(session, story.id).revision
        set_people_mentioned(session, story.id, [daughter])  # the same list: nothing changed
        same = get_story(session, story.id).revision
        set_people_mentioned(session, story.id, [])
        emptied = get_story(session, story.id).revision
    assert (first, same, emptied) == (story.revision + 1, story.revision + 1, story.revision + 2)
