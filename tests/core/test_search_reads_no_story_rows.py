"""The list's filters are answered from indexes: no story row is read to count or to find a page.

A story's row holds its words, and at 100,000 stories the rows are most of the file; on an
encrypted store each page read again is decrypted again. So the count and the page's ids of
every filter must come from indexes only (``COVERING INDEX`` in SQLite's plan), the page's own
rows being read afterwards for what the list shows. Checked with SQLite's own query plans of
the statements the search runs, on a real store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from storykeeper.core import consent, people, search, stories
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import ConsentDecision, ConsentState, Polarity, StoryStatus
from tests.factories import given

ADVOCACY = "Advocacy"
RED_TAPE = "Red tape and paperwork"
QUARTER = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))


def _story(store: Store, number: int) -> None:
    """Story ``number`` of a small store in which every filter below finds at least 8."""
    polarity = Polarity.ENABLER if number % 3 else Polarity.BARRIER
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, f"Teller {number}")
        fields = stories.StoryFields(
            storyteller_id=teller.id,
            title=f"Story {number}",
            own_words=f"Words of story {number} about care at home.",
            told_on=dt.date(2025, 1 + number % 12, 10),
            themes=(
                stories.ThemeLink(ADVOCACY if number % 2 else RED_TAPE, polarity),
                stories.ThemeLink("Being listened to", polarity),
            ),
        )
        story = stories.create_story(session, fields)
        if number % 4 == 0:
            return  # no consent yet
        if number % 4 == 3:
            declined = given(decision=ConsentDecision.DECLINED, scopes=frozenset())
            consent.record_consent(session, story.id, declined)
            return
        review_by = dt.date(2025, 6, 1) if number % 8 in (1, 2) else dt.date(2030, 6, 1)
        decided = given(decided_on=dt.date(2025, 1, 6), review_by=review_by)
        consent.record_consent(session, story.id, decided)
        if number % 4 == 1:
            stories.update_story(
                session, story.id, dataclasses.replace(fields, status=StoryStatus.FINAL)
            )


@pytest.fixture
def many(store: Store) -> Store:
    for number in range(48):
        _story(store, number)
    return store


FILTERS = {
    "status final": search.StoryFilter(status=StoryStatus.FINAL),
    "consent given": search.StoryFilter(consent_states=frozenset({ConsentState.GIVEN})),
    "no consent yet": search.StoryFilter(consent_states=frozenset({ConsentState.NONE})),
    "review due": search.StoryFilter(review_due=True),
    "a theme": search.StoryFilter(theme=ADVOCACY),
    "a theme as a barrier": search.StoryFilter(theme=ADVOCACY, polarity=Polarity.BARRIER),
    "a polarity": search.StoryFilter(polarity=Polarity.ENABLER),
    "told in a quarter": search.StoryFilter(told_from=QUARTER[0], told_to=QUARTER[1]),
    "told since a date": search.StoryFilter(told_from=dt.date(2025, 6, 1)),
}


@contextmanager
def plans_of_searches(store: Store) -> Iterator[list[tuple[str, list[str]]]]:
    """Each statement the search runs to count and find a page, with SQLite's plan for it
    (the page's own rows, read for what the list shows, are left out)."""
    seen: list[tuple[str, list[str]]] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "stories.uuid" in statement or "stories.own_words" in statement:
            return  # the page's own stories, read by id for their titles, names and excerpts
        plan = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        seen.append((statement, [row[3] for row in plan.fetchall()]))

    event.listen(store.engine, "before_cursor_execute", explain)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", explain)


def _story_row_reads(plans: list[tuple[str, list[str]]]) -> list[str]:
    return [
        f"{step}\n    in {' '.join(statement.split())}"
        for statement, steps in plans
        for step in steps
        if step.startswith(("SCAN stories", "SEARCH stories")) and "COVERING INDEX" not in step
    ]


@pytest.mark.parametrize("name", FILTERS)
def test_a_filter_is_counted_and_walked_without_reading_story_rows(many: Store, name: str) -> None:
    """A page of one story: the list is walked newest first (the count of stories found is
    larger than the page), as a filter that finds much of a large store is."""
    with plans_of_searches(many) as plans, many.read() as session:
        page = search.search_stories(session, FILTERS[name], limit=1)
    assert page.total >= 8 and len(page.items) == 1
    assert _story_row_reads(plans) == []


WORDS = search.StoryFilter(text="care")
SORTED = [
    *((FILTERS[name], search.SortBy.UPDATED, True) for name in FILTERS),
    (WORDS, search.SortBy.UPDATED, True),
    (WORDS, search.SortBy.TITLE, False),
    (WORDS, search.SortBy.TITLE, True),
    (WORDS, search.SortBy.TOLD, False),
    (dataclasses.replace(WORDS, status=StoryStatus.FINAL), search.SortBy.TITLE, False),
    (FILTERS["a polarity"], search.SortBy.TOLD, True),
    (FILTERS["consent given"], search.SortBy.TITLE, False),
]


@pytest.mark.parametrize(("wanted", "sort", "descending"), SORTED)
def test_walking_an_index_finds_what_sorting_finds(
    many: Store, wanted: search.StoryFilter, sort: search.SortBy, descending: bool
) -> None:
    """Every page of the list walked in its sort's index, one story a page, is the list sorted
    in memory (a page as large as the store), story for story."""
    with many.read() as session:
        whole = search.search_stories(session, wanted, sort=sort, descending=descending, limit=1000)
        walked = [
            story.id
            for offset in range(whole.total)
            for story in search.search_stories(
                session, wanted, sort=sort, descending=descending, limit=1, offset=offset
            ).items
        ]
        # The count (for a theme alone, from the theme index) is the stories found.
        assert search.count_stories(session, wanted) == whole.total == len(whole.items) >= 8
    assert walked == [story.id for story in whole.items]


def test_words_sorted_by_title_walk_the_title_index(many: Store) -> None:
    """Words found in much of the store, sorted by title: the title index is walked and the
    matches looked up in it by id, not every match's row read and sorted."""
    with plans_of_searches(many) as plans, many.read() as session:
        search.search_stories(session, WORDS, sort=search.SortBy.TITLE, descending=False, limit=1)
    (page,) = [steps for statement, steps in plans if "LIMIT" in statement]
    assert any("USING INDEX ix_stories_title_sort" in step for step in page)
    assert not any("TEMP B-TREE" in step for step in page)
