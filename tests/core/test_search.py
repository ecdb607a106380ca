"""Full-text search and every filter, kept in step with changes by the store."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from storykeeper.core import consent, people, search, stories
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import ConsentDecision, ConsentState, Polarity, StoryStatus
from tests.factories import given, make_story


def _titles(store: Store, wanted: search.StoryFilter, **kwargs: object) -> list[str]:
    with store.read() as session:
        page = search.search_stories(session, wanted, **kwargs)  # type: ignore[arg-type]
    return [item.title for item in page.items]


@pytest.fixture
def library(store: Store) -> dict[str, stories.Story]:
    made = {
        "bus": make_story(
            store,
            title="The day centre bus",
            own_words="The minibus driver knows me and waits while I get my coat.",
            themes=(("Getting out and about", Polarity.ENABLER),),
            teller="Margaret Evans",
        ),
        "forms": make_story(
            store,
            title="Forms, forms, forms",
            own_words="Every year the council sends the same forms about my budget.",
            notes="Became upset talking about the financial assessment.",
            themes=(
                ("Red tape and paperwork", Polarity.BARRIER),
                ("Personal budgets and direct payments", Polarity.MIXED),
            ),
            teller="Dilip Patel",
            status=StoryStatus.FINAL,
        ),
        "garden": make_story(
            store,
            title="My garden",
            own_words="My carer helps me plant tomatoes. Gardening keeps me going.",
            themes=(("Activities and interests", Polarity.ENABLER),),
            teller="Siân Llewellyn",
        ),
    }
    with store.write(actor="test") as session:
        consent.record_consent(session, made["forms"].id, given())
        consent.record_consent(
            session,
            made["garden"].id,
            given(decided_on=dt.date(2024, 1, 5)),
        )
        consent.record_consent(
            session,
            made["bus"].id,
            given(decision=ConsentDecision.DECLINED, scopes=frozenset()),
        )
    return made


def test_search_finds_words_in_each_field(store: Store, library: dict[str, stories.Story]) -> None:
    assert _titles(store, search.StoryFilter(text="minibus")) == ["The day centre bus"]
    assert _titles(store, search.StoryFilter(text="forms")) == ["Forms, forms, forms"]
    assert _titles(store, search.StoryFilter(text="financial assessment")) == [
        "Forms, forms, forms"
    ]
    assert _titles(store, search.StoryFilter(text="Patel")) == ["Forms, forms, forms"]
    pseudonym = library["garden"].storyteller_pseudonym
    assert _titles(store, search.StoryFilter(text=pseudonym)) == ["My garden"]


def test_search_stems_prefixes_and_folds_accents(
    store: Store, library: dict[str, stories.Story]
) -> None:
    assert _titles(store, search.StoryFilter(text="garden")) == ["My garden"]  # "Gardening"
    assert _titles(store, search.StoryFilter(text="tomat")) == ["My garden"]  # prefix
    assert _titles(store, search.StoryFilter(text="sian")) == ["My garden"]  # Siân
    assert _titles(store, search.StoryFilter(text="tomat ")) == []  # a finished word is whole


EVERY_STORY = ["Forms, forms, forms", "My garden", "The day centre bus"]


@pytest.mark.parametrize(
    ("nasty", "found"),
    [
        # Nothing but punctuation is no search at all: every story.
        ('"', EVERY_STORY),
        ("*", EVERY_STORY),
        ("'); --", EVERY_STORY),
        # FTS5's operators are words like any other, and every word is required.
        ("bus AND", ["The day centre bus"]),  # "and" is in the bus story's own words
        ("bus OR NOT", []),  # not "bus, or anything": no story has "or" and "not"
        ("NEAR(", []),
        # Punctuation is dropped, not obeyed: "-bus" is the word "bus" (and "budget"), not NOT.
        ("-bus", ["Forms, forms, forms", "The day centre bus"]),
    ],
)
def test_any_typed_text_is_searched_as_plain_words(
    store: Store, library: dict[str, stories.Story], nasty: str, found: list[str]
) -> None:
    assert sorted(_titles(store, search.StoryFilter(text=nasty))) == found


def test_index_follows_edits_renames_and_deletes(
    store: Store, library: dict[str, stories.Story]
) -> None:
    bus = library["bus"]
    with store.write(actor="test") as session:
        stories.update_story(
            session, bus.id, dataclasses.replace(bus.fields, own_words="Now I take a taxi.")
        )
        people.update_storyteller(session, library["forms"].storyteller.id, display_name="D. P.")
    assert _titles(store, search.StoryFilter(text="minibus")) == []
    assert _titles(store, search.StoryFilter(text="taxi")) == ["The day centre bus"]
    assert _titles(store, search.StoryFilter(text="Patel")) == []
    with store.write(actor="test") as session:
        stories.delete_story(session, library["garden"].id)
    assert _titles(store, search.StoryFilter(text="tomatoes")) == []


def test_filters(store: Store, library: dict[str, stories.Story]) -> None:
    f = search.StoryFilter
    assert _titles(store, f(theme="Red tape and paperwork")) == ["Forms, forms, forms"]
    assert _titles(store, f(theme="red tape and paperwork", polarity=Polarity.ENABLER)) == []
    assert sorted(_titles(store, f(polarity=Polarity.ENABLER))) == [
        "My garden",
        "The day centre bus",
    ]
    assert _titles(store, f(polarity=Polarity.MIXED)) == ["Forms, forms, forms"]
    assert _titles(store, f(status=StoryStatus.FINAL)) == ["Forms, forms, forms"]
    assert _titles(store, f(consent_states=frozenset({ConsentState.DECLINED}))) == [
        "The day centre bus"
    ]
    assert _titles(store, f(review_due=True)) == ["My garden"]
    supporter = library["garden"].supporter
    assert supporter is not None
    assert _titles(store, f(supporter_id=supporter.id)) == ["My garden"]
    assert _titles(store, f(storyteller_id=library["bus"].storyteller.id)) == ["The day centre bus"]
    assert _titles(store, f(text="forms", theme="Advocacy")) == []


def test_date_filters(store: Store, library: dict[str, stories.Story]) -> None:
    with store.write(actor="test") as session:
        for key, day in (("bus", dt.date(2025, 1, 1)), ("forms", dt.date(2025, 6, 1))):
            s = library[key]
            stories.update_story(session, s.id, dataclasses.replace(s.fields, told_on=day))
    between = search.StoryFilter(told_from=dt.date(2025, 3, 1), told_to=dt.date(2025, 12, 31))
    assert _titles(store, between) == ["Forms, forms, forms"]
    assert _titles(store, search.StoryFilter(told_to=dt.date(2025, 3, 1))) == ["The day centre bus"]


def test_sorting_and_paging(store: Store, library: dict[str, stories.Story]) -> None:
    by_title = _titles(store, search.StoryFilter(), sort=search.SortBy.TITLE, descending=False)
    assert by_title == ["Forms, forms, forms", "My garden", "The day centre bus"]
    with store.read() as session:
        page = search.search_stories(
            session,
            search.StoryFilter(),
            sort=search.SortBy.TITLE,
            descending=False,
            offset=1,
            limit=1,
        )
    assert page.total == 3
    assert [i.title for i in page.items] == ["My garden"]
    by_teller = _titles(
        store, search.StoryFilter(), sort=search.SortBy.STORYTELLER, descending=False
    )
    assert by_teller == ["Forms, forms, forms", "The day centre bus", "My garden"]


def test_snippets_show_where_words_were_found(
    store: Store, library: dict[str, stories.Story]
) -> None:
    with store.read() as session:
        page = search.search_stories(session, search.StoryFilter(text="tomatoes"))
    assert page.items[0].snippet is not None
    assert "[tomatoes]" in page.items[0].snippet


def test_fts_query_quotes_every_word() -> None:
    assert search.fts_query('bus "pass') == '"bus" "pass"*'
    assert search.fts_query("bus pass ") == '"bus" "pass"'
    assert search.fts_query("  ,;  ") is None
