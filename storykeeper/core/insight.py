"""What people are telling us: enablers and barriers by theme, over time (issue 18).

The numbers behind the insight view, ``storykeeper insight`` and the reports. Set-based: one
query for the filtered stories with their consent versions, one for their themes, then one pass
in memory. Which stories count is decided story by story by ``insight_policy.insight_use`` (the
one rule, never restated in SQL); the filters are the story list's (``search.StoryFilter``).

``Insight`` holds exact numbers, for the window on this computer. Anything that leaves the
program goes through ``disclosed``, which shows small counts as "fewer than 5".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter
from typing import Any

from sqlalchemy import Integer, Select, String, case, literal, select, type_coerce
from sqlalchemy.orm import Session

from storykeeper.core.insight_policy import (
    DEFAULT_THRESHOLD,
    ConsentInForce,
    InsightUse,
    LeftOut,
    insight_use,
    shown_count,
    shown_share,
)
from storykeeper.core.models import (
    ConsentRecordRow,
    StoryOriginRow,
    StoryRow,
    StoryThemeRow,
    ThemeRow,
)
from storykeeper.core.search import StoryFilter, story_ids_matching
from storykeeper.core.vocabulary import ConsentDecision, ConsentScope, Polarity

#: The consent columns that hold each scope, in one order (the query reads them so).
_SCOPE_COLUMNS = (
    (ConsentScope.SHARE_WITH_COORDINATOR, ConsentRecordRow.share_with_coordinator),
    (ConsentScope.ANONYMISED_IN_REPORTS, ConsentRecordRow.anonymised_in_reports),
    (ConsentScope.QUOTE_ANONYMISED, ConsentRecordRow.quote_anonymised),
    (ConsentScope.PUBLISH_WITH_NAME, ConsentRecordRow.publish_with_name),
    (ConsentScope.SHARE_MEDIA, ConsentRecordRow.share_media),
    (ConsentScope.RECORD_AUDIO, ConsentRecordRow.record_audio),
)


#: No filter: every story in the store.
EVERY_STORY = StoryFilter()


class Period(StrEnum):
    """How the trend groups the date told."""

    MONTH = "month"
    QUARTER = "quarter"


def period_of(day: dt.date, period: Period) -> str:
    """``2026-03`` for a month, ``2026-Q1`` for a quarter: sorted as text, they are in order."""
    if period is Period.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def _periods_between(first: dt.date, last: dt.date, period: Period) -> tuple[str, ...]:
    """Every period from ``first``'s to ``last``'s, the empty ones too (a chart needs them)."""
    step = 1 if period is Period.MONTH else 3
    year, month = first.year, first.month - (first.month - 1) % step
    found = []
    while (year, month) <= (last.year, last.month):
        found.append(period_of(dt.date(year, month, 1), period))
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Cell:
    """Stories marking a theme one way, and the distinct storytellers who told them."""

    stories: int
    people: int


@dataclass(frozen=True, slots=True)
class ThemeCount:
    """One theme across the counted stories."""

    theme: str
    #: Counted stories that mention the theme at all, and their distinct storytellers.
    mentioned: Cell
    #: Share of the counted stories that mention it, 0–100 (0 when nothing is counted).
    share: float
    enabler: Cell
    barrier: Cell
    mixed: Cell

    def cell(self, polarity: Polarity) -> Cell:
        return {
            Polarity.ENABLER: self.enabler,
            Polarity.BARRIER: self.barrier,
            Polarity.MIXED: self.mixed,
        }[polarity]


@dataclass(frozen=True, slots=True)
class ThemeTrend:
    """One theme's stories per period, in the order of ``Insight.periods``."""

    theme: str
    enabler: tuple[int, ...]
    barrier: tuple[int, ...]
    mixed: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Insight:
    """What the counted stories say, theme by theme, and what was left out and why."""

    #: Stories counted, and their distinct storytellers (by the storyteller's id, which for a
    #: story sent without the name is its pseudonymous id).
    stories: int
    people: int
    told_from: dt.date | None
    told_to: dt.date | None
    #: Counted stories with no date told (outside the trend).
    undated: int
    #: Counted stories written on this computer, and imported ones with their distinct senders.
    own: int
    imported: int
    senders: int
    #: Stories the filters found but consent leaves out, by reason (every reason, zeros too).
    left_out: dict[LeftOut, int]
    #: Every theme, the most mentioned first.
    themes: tuple[ThemeCount, ...]
    period: Period
    periods: tuple[str, ...]
    over_time: tuple[ThemeTrend, ...]

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())


def _scope_bits() -> Any:
    """A version's scopes as one number, bit ``n`` for the ``n``th of ``_SCOPE_COLUMNS``: one
    plain integer a row rather than six booleans to convert (a third of the time)."""
    return type_coerce(
        sum(
            (
                case((column.is_(True), 1 << n), else_=0)
                for n, (_, column) in enumerate(_SCOPE_COLUMNS)
            ),
            start=literal(0),
        ),
        Integer,
    )


def _history(versions: tuple[tuple[int, str, int], ...]) -> tuple[ConsentInForce, ...]:
    """One story's consent versions as read by the query below: (version, decision, scope bits)."""
    return tuple(
        ConsentInForce(
            version=version,
            decision=ConsentDecision(decision),
            scopes=frozenset(
                scope for n, (scope, _) in enumerate(_SCOPE_COLUMNS) if bits & (1 << n)
            ),
        )
        for version, decision, bits in versions
    )


@dataclass(frozen=True, slots=True)
class _Counted:
    """What the numbers need of each counted story: storyteller, period told, sender."""

    teller_of: dict[int, int]
    period_of: dict[int, str | None]
    told: list[str]
    own: int
    senders: set[str]
    left_out: Counter[LeftOut]


def _counted_stories(session: Session, matching: Select | None, period: Period) -> _Counted:  # type: ignore[type-arg]
    """Which of the matching stories count, and what the numbers need of those that do.

    Narrow queries, each answered from an index or a small table, read through the connection
    with dates as text: reading the stories' rows (their words) or the ORM's and the date type's
    work per row were most of the time at 100,000 stories.
    """
    connection = session.connection()

    def within(column: Any) -> list[Any]:
        return [] if matching is None else [column.in_(matching)]

    tellers = dict(
        connection.execute(
            select(StoryRow.id, StoryRow.storyteller_id).where(*within(StoryRow.id))
        ).all()
    )
    # Every version of each story's consent: the rule picks the newest itself.
    histories: dict[int, list[tuple[int, str, int]]] = {}
    for story_id, *version in connection.execute(
        select(
            ConsentRecordRow.story_id,
            ConsentRecordRow.version,
            ConsentRecordRow.decision,
            _scope_bits(),
        ).where(*within(ConsentRecordRow.story_id))
    ).all():
        histories.setdefault(story_id, []).append(tuple(version))
    counted = _Counted({}, {}, [], 0, set(), Counter())
    # A few dozen kinds of history among 100,000 stories: each is decided once.
    decided: dict[tuple[tuple[int, str, int], ...], InsightUse] = {}
    for story_id, teller in tellers.items():
        history = tuple(sorted(histories.get(story_id, ())))
        use = decided.get(history)
        if use is None:
            use = decided[history] = insight_use(_history(history))
        if use.left_out is None:
            counted.teller_of[story_id] = teller
        else:
            counted.left_out[use.left_out] += 1
    period_key: dict[str, str] = {}
    for story_id, told in connection.execute(
        select(StoryRow.id, type_coerce(StoryRow.told_on, String)).where(*within(StoryRow.id))
    ).all():
        if story_id not in counted.teller_of:
            continue
        if told is None:
            counted.period_of[story_id] = None
            continue
        counted.told.append(told)
        key = period_key.get(told)
        if key is None:
            key = period_key[told] = period_of(dt.date.fromisoformat(told), period)
        counted.period_of[story_id] = key
    imported = 0
    for story_id, signer in connection.execute(
        select(StoryOriginRow.story_id, StoryOriginRow.signer_key_id).where(
            *within(StoryOriginRow.story_id)
        )
    ).all():
        if story_id in counted.teller_of:
            imported += 1
            counted.senders.add(signer)
    return dataclasses.replace(counted, own=len(counted.teller_of) - imported)


def insight(
    session: Session, wanted: StoryFilter = EVERY_STORY, period: Period = Period.QUARTER
) -> Insight:
    """The numbers for the stories ``wanted`` finds, counting only those consent allows."""
    # No filter: every story, read without asking which (a list of 100,000 ids to check).
    matching = None if wanted == EVERY_STORY else story_ids_matching(session, wanted)
    counted = _counted_stories(session, matching, period)
    first = dt.date.fromisoformat(min(counted.told)) if counted.told else None
    last = dt.date.fromisoformat(max(counted.told)) if counted.told else None
    periods = _periods_between(first, last, period) if first and last else ()
    stories = len(counted.teller_of)
    return Insight(
        stories=stories,
        people=len(set(counted.teller_of.values())),
        told_from=first,
        told_to=last,
        undated=stories - len(counted.told),
        own=counted.own,
        imported=stories - counted.own,
        senders=len(counted.senders),
        left_out={reason: counted.left_out[reason] for reason in LeftOut},
        period=period,
        periods=periods,
        **_by_theme(session, matching, counted, periods),
    )


def _by_theme(
    session: Session,
    matching: Select | None,  # type: ignore[type-arg]
    counted: _Counted,
    periods: tuple[str, ...],
) -> dict[str, Any]:
    names: dict[int, str] = dict(session.execute(select(ThemeRow.id, ThemeRow.name)).all())
    links = (
        session.connection()
        .execute(
            select(StoryThemeRow.story_id, StoryThemeRow.theme_id, StoryThemeRow.polarity).where(
                *([] if matching is None else [StoryThemeRow.story_id.in_(matching)])
            )
        )
        .all()
    )
    teller_of, period_of_story = counted.teller_of, counted.period_of
    # One link per story and theme (the table's key): a link is a story mentioning it.
    kept = [
        (theme_id, polarity, teller_of[story_id], period_of_story[story_id])
        for story_id, theme_id, polarity in links
        if story_id in teller_of
    ]
    # itemgetter and Counter count in C: a third of the time of the same in generators.
    cell_of, theme_of = itemgetter(0, 1), itemgetter(0)
    stories = Counter(map(cell_of, kept))
    people = Counter(map(cell_of, set(map(itemgetter(0, 1, 2), kept))))
    mentions = Counter(map(theme_of, kept))
    mentioned_by = Counter(map(theme_of, set(map(itemgetter(0, 2), kept))))
    # Undated stories fall in no period: their None key is never asked for.
    trend = Counter(map(itemgetter(0, 1, 3), kept))
    total = len(teller_of)

    def cell(theme_id: int, polarity: Polarity) -> Cell:
        return Cell(stories[theme_id, polarity.value], people[theme_id, polarity.value])

    def series(theme_id: int, polarity: Polarity) -> tuple[int, ...]:
        return tuple(trend[theme_id, polarity.value, key] for key in periods)

    order = sorted(names, key=lambda theme_id: (-mentions[theme_id], names[theme_id].casefold()))
    return {
        "themes": tuple(
            ThemeCount(
                theme=names[theme_id],
                mentioned=Cell(mentions[theme_id], mentioned_by[theme_id]),
                share=round(100 * mentions[theme_id] / total, 1) if total else 0.0,
                enabler=cell(theme_id, Polarity.ENABLER),
                barrier=cell(theme_id, Polarity.BARRIER),
                mixed=cell(theme_id, Polarity.MIXED),
            )
            for theme_id in order
        ),
        "over_time": tuple(
            ThemeTrend(
                theme=names[theme_id],
                enabler=series(theme_id, Polarity.ENABLER),
                barrier=series(theme_id, Polarity.BARRIER),
                mixed=series(theme_id, Polarity.MIXED),
            )
            for theme_id in order
        ),
    }


# --- what leaves the program ---


def _cell_shown(cell: Cell, threshold: int) -> dict[str, int | str]:
    return {
        "stories": shown_count(cell.stories, threshold),
        "people": shown_count(cell.people, threshold),
    }


def disclosed(figures: Insight, threshold: int = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """The numbers as they may leave the program (printed, written to a file, sent): every count
    below ``threshold`` is "fewer than 5", and a share worked out from one is hidden with it.
    Plain JSON values, in the order a report reads them."""
    return {
        "counted": {
            "stories": shown_count(figures.stories, threshold),
            "people": shown_count(figures.people, threshold),
            "told_from": figures.told_from.isoformat() if figures.told_from else None,
            "told_to": figures.told_to.isoformat() if figures.told_to else None,
            "date_not_known": shown_count(figures.undated, threshold),
            "written_here": shown_count(figures.own, threshold),
            "imported": shown_count(figures.imported, threshold),
            "senders": figures.senders,
        },
        "left_out": {
            "total": shown_count(figures.left_out_total, threshold),
            **{
                reason.value: shown_count(count, threshold)
                for reason, count in figures.left_out.items()
            },
        },
        "threshold": threshold,
        "themes": [
            {
                "theme": theme.theme,
                "mentioned": _cell_shown(theme.mentioned, threshold),
                "share_percent": shown_share(theme.mentioned.stories, figures.stories, threshold),
                **{p.value: _cell_shown(theme.cell(p), threshold) for p in Polarity},
            }
            for theme in figures.themes
        ],
        "period": figures.period.value,
        "periods": list(figures.periods),
        "over_time": [
            {
                "theme": trend.theme,
                **{
                    p.value: [shown_count(n, threshold) for n in getattr(trend, p.value)]
                    for p in Polarity
                },
            }
            for trend in figures.over_time
        ],
    }


def _plural(count: int | str, one: str, many: str) -> str:
    return f"{_number(count)} {one if count == 1 else many}"


def _number(count: int | str) -> str:
    """12,345: a count as a person reads it; "fewer than 5" as it is."""
    return f"{count:,}" if isinstance(count, int) else count


def what_it_counts(figures: Insight, threshold: int = DEFAULT_THRESHOLD) -> str:
    """One sentence: "412 stories from 137 people, told between 3 March 2025 and 1 May 2026,
    from 6 senders", with small counts shown as "fewer than 5"."""
    stories = shown_count(figures.stories, threshold)
    people = shown_count(figures.people, threshold)
    sentence = f"{_plural(stories, 'story', 'stories')} from {_plural(people, 'person', 'people')}"
    if figures.told_from and figures.told_to:
        sentence += f", told between {_day(figures.told_from)} and {_day(figures.told_to)}"
    sources = []
    if figures.senders:
        sources.append(_plural(figures.senders, "sender", "senders"))
    if figures.own and figures.imported:
        sources.append("this computer")
    if sources:
        sentence += ", from " + " and ".join(sources)
    return _capitalised(sentence)


def what_was_left_out(figures: Insight, threshold: int = DEFAULT_THRESHOLD) -> str:
    """One sentence: how many stories consent leaves out of the numbers, and why."""
    if not figures.left_out_total:
        return "No story was left out."
    reasons = "; ".join(
        f"{_number(shown_count(count, threshold))} because {reason.label}"
        for reason, count in figures.left_out.items()
        if count
    )
    total = shown_count(figures.left_out_total, threshold)
    return _capitalised(f"{_plural(total, 'story', 'stories')} left out: {reasons}.")


def _capitalised(sentence: str) -> str:
    """A sentence may start with "fewer than 5": its first letter is a capital all the same."""
    return sentence[:1].upper() + sentence[1:]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
