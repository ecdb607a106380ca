"""The insight numbers over a real store: stories in every consent situation, the people behind
them, the trend, the story list's filters, and what leaves with small counts hidden."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storykeeper.core import consent, people, stories
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.consent import Withdrawal
from storykeeper.core.db import Store
from storykeeper.core.insight import (
    Cell,
    Period,
    disclosed,
    insight,
    period_of,
    what_it_counts,
    what_was_left_out,
)
from storykeeper.core.insight_policy import LeftOut, insight_use
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    Polarity,
    StoryStatus,
)
from tests.exchange import export, trust_advocate
from tests.factories import given

E, B, M = Polarity.ENABLER, Polarity.BARRIER, Polarity.MIXED
REPORTS = frozenset({ConsentScope.ANONYMISED_IN_REPORTS})
SHARING = frozenset({ConsentScope.SHARE_WITH_COORDINATOR})
TRANSPORT, MONEY, CARERS = "Getting out and about", "Money and charges", "Support for carers"


def teller(store: Store, name: str) -> str:
    with store.write(actor="test") as session:
        return people.create_storyteller(session, name).id


def tell(
    store: Store,
    storyteller_id: str,
    themes: dict[str, Polarity],
    *,
    told_on: dt.date | None = dt.date(2026, 2, 10),
    scopes: frozenset[ConsentScope] | None = REPORTS,
    then: str | None = None,
    status: StoryStatus = StoryStatus.DRAFT,
) -> str:
    """A story with these themes; consent given to ``scopes`` (None: no consent recorded),
    then ``declined`` or ``withdrawn`` as a newer version if asked."""
    with store.write(actor="test") as session:
        story = stories.create_story(
            session,
            stories.StoryFields(
                storyteller_id=storyteller_id,
                title="A story",
                own_words="Words.",
                told_on=told_on,
                themes=tuple(stories.ThemeLink(name, p) for name, p in themes.items()),
            ),
        )
        if scopes is not None:
            consent.record_consent(session, story.id, given(scopes=scopes))
        if then == "declined":
            consent.record_consent(
                session,
                story.id,
                given(decision=ConsentDecision.DECLINED, scopes=frozenset()),
            )
        elif then == "withdrawn":
            consent.withdraw(
                session,
                story.id,
                Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
            )
        if status is StoryStatus.FINAL:
            stories.update_story(
                session,
                story.id,
                stories.StoryFields(
                    **{**_fields(stories.get_story(session, story.id)), "status": status}
                ),
            )
    return story.id


def _fields(story: stories.Story) -> dict[str, object]:
    fields = story.fields
    return {name: getattr(fields, name) for name in fields.__dataclass_fields__}


@pytest.fixture
def every_situation(store: Store) -> dict[str, str]:
    """Two people whose stories count (one telling three), and one story in each situation
    consent leaves out — each with themes that would change every number if counted."""
    ann, bob, cal = teller(store, "Ann Jones"), teller(store, "Bob Smith"), teller(store, "Cal")
    return {
        "ann1": tell(store, ann, {TRANSPORT: B, MONEY: B}, told_on=dt.date(2026, 1, 5)),
        "ann2": tell(store, ann, {TRANSPORT: B}, told_on=dt.date(2026, 4, 2)),
        "ann3": tell(store, ann, {TRANSPORT: E}, told_on=None),
        # Named publication alone lets a story count too.
        "bob": tell(
            store,
            bob,
            {TRANSPORT: M},
            told_on=dt.date(2025, 11, 30),
            scopes=frozenset({ConsentScope.PUBLISH_WITH_NAME}),
        ),
        "no_consent": tell(store, cal, {CARERS: E, TRANSPORT: E}, scopes=None),
        "declined": tell(store, cal, {CARERS: E, TRANSPORT: E}, then="declined"),
        "withdrawn": tell(store, cal, {CARERS: B, TRANSPORT: E}, then="withdrawn"),
        "not_for_reports": tell(store, cal, {CARERS: M, TRANSPORT: E}, scopes=SHARING),
    }


def test_only_stories_whose_consent_allows_reports_are_counted(
    store: Store, every_situation: dict[str, str]
) -> None:
    with store.read() as session:
        figures = insight(session)
        # The same rule, story by story over each whole history, agrees with the set-based pass.
        uses = {
            name: insight_use(consent.consent_history(session, story_id))
            for name, story_id in every_situation.items()
        }
    assert {name for name, use in uses.items() if use.counted} == {"ann1", "ann2", "ann3", "bob"}
    assert figures.stories == 4
    assert figures.people == 2
    assert figures.left_out == {
        LeftOut.NO_CONSENT: 1,
        LeftOut.DECLINED: 1,
        LeftOut.WITHDRAWN: 1,
        LeftOut.NOT_FOR_REPORTS: 1,
    }
    assert (figures.told_from, figures.told_to, figures.undated) == (
        dt.date(2025, 11, 30),
        dt.date(2026, 4, 2),
        1,
    )
    assert (figures.own, figures.imported, figures.senders) == (4, 0, 0)

    by_name = {theme.theme: theme for theme in figures.themes}
    transport = by_name[TRANSPORT]
    # Ann's two barrier stories are one person; Cal's enablers never count.
    assert (transport.enabler, transport.barrier, transport.mixed) == (
        Cell(1, 1),
        Cell(2, 1),
        Cell(1, 1),
    )
    assert transport.mentioned == Cell(4, 2) and transport.share == 100.0
    assert by_name[MONEY].mentioned == Cell(1, 1) and by_name[MONEY].share == 25.0
    assert by_name[CARERS].mentioned == Cell(0, 0)
    # The most mentioned first; a theme no counted story mentions is still listed, last.
    assert [theme.theme for theme in figures.themes][:2] == [TRANSPORT, MONEY]
    assert len(figures.themes) == len(by_name) >= 3


def test_the_trend_has_every_period_between_the_first_and_last_date_told(
    store: Store, every_situation: dict[str, str]
) -> None:
    with store.read() as session:
        quarters = insight(session, period=Period.QUARTER)
        months = insight(session, period=Period.MONTH)
    assert quarters.periods == ("2025-Q4", "2026-Q1", "2026-Q2")
    transport = next(t for t in quarters.over_time if t.theme == TRANSPORT)
    # The undated enabler is in no period; Bob's mixed story is in 2025's last quarter.
    assert transport.enabler == (0, 0, 0)
    assert transport.barrier == (0, 1, 1)
    assert transport.mixed == (1, 0, 0)
    assert months.periods == ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04")
    by_month = next(t for t in months.over_time if t.theme == TRANSPORT)
    assert by_month.barrier == (0, 0, 1, 0, 0, 1)


def test_period_names_sort_in_time_order() -> None:
    assert period_of(dt.date(2026, 12, 31), Period.QUARTER) == "2026-Q4"
    assert period_of(dt.date(2026, 3, 31), Period.QUARTER) == "2026-Q1"
    assert period_of(dt.date(2026, 4, 1), Period.MONTH) == "2026-04"


def test_the_story_lists_filters_narrow_what_is_counted_and_left_out(
    store: Store, every_situation: dict[str, str]
) -> None:
    with store.read() as session:
        in_2026 = insight(session, StoryFilter(told_from=dt.date(2026, 1, 1)))
        barriers = insight(session, StoryFilter(theme=TRANSPORT, polarity=B))
        words = insight(session, StoryFilter(text="words"))
    # Ann's two dated 2026 stories, and the four left out (told in February 2026).
    assert (in_2026.stories, in_2026.people, in_2026.left_out_total) == (2, 1, 4)
    assert (barriers.stories, barriers.people, barriers.left_out_total) == (2, 1, 0)
    assert {t.theme: t.mentioned.stories for t in barriers.themes}[MONEY] == 1
    # Searching: a withdrawn story's words are never found, so it is not even left out.
    assert (words.stories, words.left_out_total) == (4, 3)


def test_imported_stories_count_by_sender(store: Store, coordinator: Store, tmp_path: Path) -> None:
    ann = teller(store, "Ann Jones")
    tell(store, ann, {TRANSPORT: B}, scopes=SHARING | REPORTS)
    tell(store, ann, {TRANSPORT: E}, scopes=SHARING)
    trust_advocate(store, coordinator, "Priya (advocate)")
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "out"), actor="c")
    assert len(report.stories) == 2
    with coordinator.read() as session:
        figures = insight(session)
    assert (figures.stories, figures.people, figures.imported, figures.own) == (1, 1, 1, 0)
    assert figures.senders == 1
    assert figures.left_out[LeftOut.NOT_FOR_REPORTS] == 1
    assert what_it_counts(figures, threshold=1) == (
        "1 story from 1 person, told between 10 February 2026 and 10 February 2026, from 1 sender"
    )


def test_what_leaves_shows_small_counts_as_fewer_than_five(
    store: Store, every_situation: dict[str, str]
) -> None:
    with store.read() as session:
        figures = insight(session)
    shown = disclosed(figures)
    assert shown["counted"]["stories"] == "fewer than 5"
    assert shown["counted"]["people"] == "fewer than 5"
    assert shown["left_out"] == {
        "total": "fewer than 5",
        "no_consent": "fewer than 5",
        "declined": "fewer than 5",
        "withdrawn": "fewer than 5",
        "not_for_reports": "fewer than 5",
    }
    transport = next(t for t in shown["themes"] if t["theme"] == TRANSPORT)
    assert transport["barrier"] == {"stories": "fewer than 5", "people": "fewer than 5"}
    # The share would give the small count back: hidden with it. A theme nobody mentions is 0.
    assert transport["share_percent"] == "fewer than 5 stories"
    carers = next(t for t in shown["themes"] if t["theme"] == CARERS)
    assert carers["mentioned"] == {"stories": 0, "people": 0} and carers["share_percent"] == 0.0
    assert all(
        n == 0 or n == "fewer than 5"
        for trend in shown["over_time"]
        for p in Polarity
        for n in trend[p.value]
    )
    assert what_it_counts(figures) == (
        "Fewer than 5 stories from fewer than 5 people, "
        "told between 30 November 2025 and 2 April 2026"
    )
    assert what_was_left_out(figures) == (
        "Fewer than 5 stories left out: fewer than 5 because no consent recorded yet; "
        "fewer than 5 because the person declined; fewer than 5 because consent was "
        "withdrawn; fewer than 5 because consent does not include use in reports."
    )
    # With the threshold at 1 nothing is hidden: the exact numbers.
    exact = disclosed(figures, threshold=1)
    assert exact["counted"]["stories"] == 4
    assert next(t for t in exact["themes"] if t["theme"] == TRANSPORT)["share_percent"] == 100.0


def test_an_empty_store_counts_nothing_and_says_so(store: Store) -> None:
    with store.read() as session:
        figures = insight(session)
    assert (figures.stories, figures.people, figures.periods) == (0, 0, ())
    assert all(theme.share == 0.0 for theme in figures.themes)
    assert what_it_counts(figures) == "0 stories from 0 people"
    assert what_was_left_out(figures) == "No story was left out."
