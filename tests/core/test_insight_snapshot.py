"""The insight page's in-memory snapshot gives exactly ``insight()``'s numbers, for every filter
of the story list and both periods, with stories in every consent situation, written here and
imported; and it holds no one's words or names."""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array

import pytest
from sqlalchemy import select

from storykeeper.core.db import Store
from storykeeper.core.insight import Period, insight
from storykeeper.core.insight_snapshot import InsightSnapshot
from storykeeper.core.models import ThemeRow
from storykeeper.core.search import StoryFilter, StorySource
from storykeeper.core.stories import delete_story
from storykeeper.core.vocabulary import (
    ConsentState,
    HowTold,
    Polarity,
    Setting,
    StoryStatus,
)
from tests.consent_situations import HIDDEN, tell_every_situation
from tests.core.filtered_stories import PRIYA, stories_from_everywhere
from tests.gui.insight_stories import CARERS, MONEY, TRANSPORT, every_situation

FILTERS = (
    StoryFilter(),
    StoryFilter(theme=TRANSPORT),
    StoryFilter(theme=TRANSPORT, polarity=Polarity.BARRIER),
    StoryFilter(theme=MONEY, polarity=Polarity.MIXED),
    StoryFilter(theme=CARERS),
    StoryFilter(told_from=dt.date(2026, 1, 1)),
    StoryFilter(told_from=dt.date(2025, 12, 1), told_to=dt.date(2026, 3, 1)),
    StoryFilter(status=StoryStatus.DRAFT),
    StoryFilter(consent_states=frozenset({ConsentState.GIVEN})),
    StoryFilter(consent_states=frozenset({ConsentState.DECLINED, ConsentState.WITHDRAWN})),
    StoryFilter(in_reports=True),
    StoryFilter(in_reports=True, theme=TRANSPORT),
    StoryFilter(text="Zebedee"),
    StoryFilter(told_from=dt.date(2030, 1, 1)),
    StoryFilter(source=StorySource.OWN),
    StoryFilter(source=StorySource.IMPORTED),
    StoryFilter(sender=PRIYA),
    StoryFilter(sender="Tom (advocate)", in_reports=True),
    StoryFilter(setting=Setting.HOME),
    StoryFilter(how_told=HowTold.PROXY_ACCOUNT, source=StorySource.IMPORTED),
)


@pytest.fixture
def everyone(store: Store) -> Store:
    """Every consent situation twice over (two helpers), some stories imported from two
    senders, dates across quarters and none, and a story deleted between others."""
    made = every_situation(store)
    tell_every_situation(store)
    stories_from_everywhere(store)
    with store.write(actor="test") as session:
        delete_story(session, made["ann2"])
    return store


@pytest.mark.parametrize("period", list(Period))
# Ids by position: a filter's repr lists a frozenset, whose order changes from process to
# process (hash seeds), and xdist's workers must collect the same tests.
@pytest.mark.parametrize("wanted", FILTERS, ids=[f"filter{i}" for i in range(len(FILTERS))])
def test_the_snapshot_counts_exactly_as_insight_does(
    everyone: Store, wanted: StoryFilter, period: Period
) -> None:
    with everyone.read() as session:
        snapshot = InsightSnapshot.read(session)
        expected = insight(session, wanted, period)
        assert snapshot.count(session, wanted, period) == expected
    # The fixture really has something to count and something left out.
    if wanted == StoryFilter():
        assert expected.stories > 0 and expected.left_out_total > 0
        assert expected.imported > 0 and expected.senders == 2 and expected.undated > 0
        assert len(expected.periods) > 1


def test_an_empty_store_counts_the_same_from_its_snapshot(store: Store) -> None:
    with store.read() as session:
        snapshot = InsightSnapshot.read(session)
        assert snapshot.count(session) == insight(session)
        assert snapshot.count(session, StoryFilter(theme=TRANSPORT)) == insight(
            session, StoryFilter(theme=TRANSPORT)
        )


def test_the_snapshot_holds_no_words_and_no_names(everyone: Store) -> None:
    with everyone.read() as session:
        snapshot = InsightSnapshot.read(session)
        theme_names = set(session.scalars(select(ThemeRow.name)))
    texts: list[str] = []
    for field in dataclasses.fields(snapshot):
        value = getattr(snapshot, field.name)
        if isinstance(value, (array, bytes)):
            continue  # numbers only
        if isinstance(value, dict):
            assert all(isinstance(k, int) and isinstance(v, int) for k, v in value.items())
            continue
        texts.extend(value)
    # Its only text is the themes' names.
    assert texts and set(texts) <= theme_names
    joined = " ".join(texts)
    assert not any(name in joined for name in (*HIDDEN, "Ann Jones", "Bob Smith", "Words."))
