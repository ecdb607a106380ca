"""What counting needs of every story, held in memory so a filter change counts in a blink.

``insight()`` reads five queries for every count (about 0.7 s at 100,000 stories) and then
counts (about 0.6 s). The insight page counts again on every filter change, so it reads once
into an ``InsightSnapshot`` and counts from it: per story, whether consent counts it (and if
not, why), its storyteller, month and day told and sender; per theme link, the theme and
polarity. Everything is a small integer in a flat ``array``/``bytes`` (about 9 MB at 100,000
stories), counted with ``itertools.compress`` and ``Counter`` so the per-item work runs in C.

A count makes as few passes over the links as it can: a story found by a filter is a byte, and
selections are combined as whole integers (``int.from_bytes``), not byte by byte. Distinct
people per cell need a set only for a storyteller with several links to one theme (about a
fifth of the links): the rest are known at read time to be alone, so their stories are their
people. At 100,000 stories a count takes about a third of the time it took with a set of every
link (``docs/performance.md``).

It holds no one's words and no names: storytellers and senders are numbered, not named. Which
stories a filter finds is still asked of the database (``search.story_ids_matching``), so the
story list's filters have one meaning; only the counting moves here. Its numbers are exactly
``insight()``'s (a test compares them across filters in every consent situation).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from operator import and_, mod
from typing import Any

from sqlalchemy import Connection, Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from storykeeper.core.insight import (
    EVERY_STORY,
    Cell,
    Insight,
    Period,
    ThemeCount,
    ThemeTrend,
    _history,
    _periods_between,
    _scope_bits,
    period_of,
)
from storykeeper.core.insight_policy import InsightUse, LeftOut, insight_use
from storykeeper.core.models import (
    ConsentRecordRow,
    StoryOriginRow,
    StoryRow,
    StorytellerRow,
    StoryThemeRow,
    ThemeRow,
)
from storykeeper.core.search import StoryFilter, story_ids_matching
from storykeeper.core.vocabulary import Polarity

#: Polarities in one order: a link's code is ``theme_index * 3 + polarity_index``.
_POLARITIES = tuple(Polarity)
_POLARITY_INDEX = {polarity.value: n for n, polarity in enumerate(_POLARITIES)}
#: A story's use: 0 counted, ``n + 1`` left out for the ``n``th reason.
_REASONS = tuple(LeftOut)
_USE_CODE = {reason: n + 1 for n, reason in enumerate(_REASONS)}


@dataclass(frozen=True, slots=True)
class InsightSnapshot:
    """The counting's inputs for every story, as numbers (see the module's docstring)."""

    #: Per story id (a hole where no story has that id): 0 counted, else 1 + the index of its
    #: ``LeftOut`` reason.
    use: bytes
    #: Per story id: 1 if counted (``use == 0`` and a story has the id), ready to combine
    #: with a filter.
    counted: bytes
    #: Per story id: its storyteller's number, the day told as an ordinal (0: not known), the
    #: sender's number (0: written on this computer).
    teller: array[int]
    told_day: array[int]
    sender: array[int]
    #: Per story id: 1 if its day told is known; 1 if it was imported (a sender's number).
    dated: bytes
    imported: bytes
    #: Theme names in the themes' numbering.
    theme_names: tuple[str, ...]
    #: Per link of a counted story: the story's id, the link's code, and the code joined
    #: with the storyteller, with the month told (0: not known), and the theme with the teller.
    link_story: array[int]
    link_code: array[int]
    link_teller_code: array[int]
    link_month_code: array[int]
    link_teller_theme: array[int]
    #: Per link, which of three kinds it is (each link is exactly one): its storyteller's only
    #: link to its theme; the only one to its cell (theme and polarity) but not to its theme;
    #: one of several of its storyteller's links to its cell. Only the last two need a set to
    #: count people (``_by_theme``).
    link_alone: bytes
    link_alone_in_cell: bytes
    link_shared_cell: bytes

    @property
    def codes(self) -> int:
        return len(self.theme_names) * len(_POLARITIES)

    @classmethod
    def read(cls, session: Session) -> InsightSnapshot:
        """Read what counting needs of every story: five narrow queries, once."""
        connection = session.connection()
        rows_of = partial(_driver_rows, connection)
        # Per-story arrays are indexed by the story's id (ids are given in order, so a deleted
        # story leaves a hole of a few bytes): no index from id to place to hold or look up.
        rows = rows_of(select(StoryRow.id, StoryRow.storyteller_id))
        count = 1 + max((story_id for story_id, _ in rows), default=0)
        present = bytearray(count)
        tellers: dict[str, int] = {}
        teller = array("q", bytes(8 * count))
        for story_id, teller_id in rows:
            present[story_id] = 1
            teller[story_id] = tellers.setdefault(teller_id, len(tellers))
        del tellers, rows  # numbered, never kept by id

        histories: list[list[tuple[int, str, int]]] = [[] for _ in range(count)]
        for story_id, *version in rows_of(
            select(
                ConsentRecordRow.story_id,
                ConsentRecordRow.version,
                ConsentRecordRow.decision,
                _scope_bits(),
            )
        ):
            if story_id < count:
                histories[story_id].append(tuple(version))  # type: ignore[arg-type]
        decided: dict[tuple[tuple[int, str, int], ...], InsightUse] = {}
        use = bytearray(count)
        for at, versions in enumerate(histories):
            if not present[at]:
                continue  # no story has this id: neither counted nor left out
            history = tuple(sorted(versions))
            found = decided.get(history)
            if found is None:
                found = decided[history] = insight_use(_history(history))
            if found.left_out is not None:
                use[at] = _USE_CODE[found.left_out]
        del histories
        counted = bytes(map(and_, present, (0 if code else 1 for code in use)))

        told_day = array("q", bytes(8 * count))
        ordinal_of: dict[str, int] = {}
        for story_id, told in rows_of(select(StoryRow.id, type_coerce(StoryRow.told_on, String))):
            if told is None or story_id >= count:
                continue
            day = ordinal_of.get(told)
            if day is None:
                day = ordinal_of[told] = dt.date.fromisoformat(told).toordinal()
            told_day[story_id] = day

        sender = array("q", bytes(8 * count))
        senders: dict[str, int] = {}
        for story_id, signer in rows_of(
            select(StoryOriginRow.story_id, StoryOriginRow.signer_key_id)
        ):
            if story_id < count:
                sender[story_id] = senders.setdefault(signer, len(senders) + 1)
        del senders

        theme_ids = dict(rows_of(select(ThemeRow.id, ThemeRow.name)))
        theme_index = {theme_id: n for n, theme_id in enumerate(theme_ids)}
        theme_count, polarities = len(theme_ids), len(_POLARITIES)
        codes = theme_count * polarities
        links = (array("q"), array("q"), array("q"), array("q"), array("q"))
        month_of: dict[int, int] = {}
        for story_id, theme_id, polarity in rows_of(
            select(StoryThemeRow.story_id, StoryThemeRow.theme_id, StoryThemeRow.polarity)
        ):
            if story_id >= count or not counted[story_id]:
                continue  # only counted stories' links are ever counted
            at = story_id
            theme = theme_index[theme_id]
            code = theme * polarities + _POLARITY_INDEX[polarity]
            day = told_day[at]
            month = month_of.get(day)
            if month is None:
                month = month_of[day] = _month_number(day)
            story_teller = teller[at]
            links[0].append(at)
            links[1].append(code)
            links[2].append(story_teller * codes + code)
            links[3].append(month * codes + code)
            links[4].append(story_teller * theme_count + theme)
        in_cell, in_theme = Counter(links[2]), Counter(links[4])
        shared_cell = bytes(in_cell[pair] > 1 for pair in links[2])
        alone = bytes(in_theme[pair] == 1 for pair in links[4])
        alone_in_cell = bytes(
            not (lone or shared) for lone, shared in zip(alone, shared_cell, strict=True)
        )
        return cls(
            use=bytes(use),
            counted=counted,
            teller=teller,
            told_day=told_day,
            sender=sender,
            dated=bytes(map(bool, told_day)),
            imported=bytes(map(bool, sender)),
            theme_names=tuple(theme_ids.values()),
            link_story=links[0],
            link_code=links[1],
            link_teller_code=links[2],
            link_month_code=links[3],
            link_teller_theme=links[4],
            link_alone=alone,
            link_alone_in_cell=alone_in_cell,
            link_shared_cell=shared_cell,
        )

    def size_in_bytes(self) -> int:
        """About how much memory the snapshot holds."""
        arrays = (
            self.teller,
            self.told_day,
            self.sender,
            self.link_story,
            self.link_code,
            self.link_teller_code,
            self.link_month_code,
            self.link_teller_theme,
        )
        masks = (
            self.use,
            self.counted,
            self.dated,
            self.imported,
            self.link_alone,
            self.link_alone_in_cell,
            self.link_shared_cell,
        )
        return sum(sys.getsizeof(one) for one in masks) + sum(sys.getsizeof(one) for one in arrays)

    def matching(self, session: Session, wanted: StoryFilter) -> bytes | None:
        """1 for each story ``wanted`` finds (asked of the database); None: every story."""
        if wanted == EVERY_STORY:
            return None
        if wanted.in_reports:
            # "Counted in reports" is the snapshot's own decision (search's clause is tested
            # equal to the rule): asking the database for it costs most of a second at 100,000.
            rest = self.matching(session, dataclasses.replace(wanted, in_reports=False))
            return self.counted if rest is None else bytes(map(and_, rest, self.counted))
        found = bytearray(len(self.use))
        count = len(found)
        result = session.connection().execute(story_ids_matching(session, wanted))
        # The ids as the driver gives them (plain integers need no conversion): SQLAlchemy's
        # rows cost a third of the time for a broad filter. Its parameters were bound as usual.
        for story_id, *_ in result.cursor.fetchall():  # type: ignore[union-attr]
            if story_id < count:  # else added since the snapshot: the next snapshot counts it
                found[story_id] = 1
        result.close()
        return bytes(found)

    def count(
        self, session: Session, wanted: StoryFilter = EVERY_STORY, period: Period = Period.QUARTER
    ) -> Insight:
        """The same ``Insight`` as ``insight(session, wanted, period)``, counted in memory."""
        return self.count_within(self.matching(session, wanted), period)

    def count_within(self, found: bytes | None, period: Period) -> Insight:
        """Count the stories marked 1 in ``found`` (None: every story)."""
        if found is None:
            chosen, uses = self.counted, self.use
        else:
            chosen = _both(found, self.counted)
            uses = bytes(compress(self.use, found))
        stories = chosen.count(1)
        dated = _both(chosen, self.dated)
        first_day = min(compress(self.told_day, dated), default=0)
        last_day = max(compress(self.told_day, dated), default=0)
        first = dt.date.fromordinal(first_day) if first_day else None
        last = dt.date.fromordinal(last_day) if last_day else None
        imported = _both(chosen, self.imported)
        by_sender = Counter(compress(self.sender, imported))
        periods = _periods_between(first, last, period) if first and last else ()
        return Insight(
            stories=stories,
            people=len(set(compress(self.teller, chosen))),
            told_from=first,
            told_to=last,
            undated=stories - dated.count(1),
            own=stories - imported.count(1),
            imported=imported.count(1),
            senders=len(by_sender),
            left_out={reason: uses.count(_USE_CODE[reason]) for reason in LeftOut},
            period=period,
            periods=periods,
            **self._by_theme(None if found is None else chosen, stories, period, periods),
        )

    def _by_theme(
        self, chosen: bytes | None, total: int, period: Period, periods: tuple[str, ...]
    ) -> dict[str, tuple[ThemeCount, ...] | tuple[ThemeTrend, ...]]:
        """Per cell its stories and people, per theme its mentions, per month its links, for
        the stories marked in ``chosen`` (None: every counted story, so every link)."""
        codes, theme_count = self.codes, len(self.theme_names)
        polarities = len(_POLARITIES)
        months: Iterable[int]
        if chosen is None:
            kept_alone, kept_alone_in_cell = self.link_alone, self.link_alone_in_cell
            kept_shared, months = self.link_shared_cell, self.link_month_code
        else:
            kept = bytes(map(chosen.__getitem__, self.link_story))
            kept_alone = _both(kept, self.link_alone)
            kept_alone_in_cell = _both(kept, self.link_alone_in_cell)
            kept_shared = _both(kept, self.link_shared_cell)
            months = compress(self.link_month_code, kept)
        # A link alone in its cell is one story and one person there; shared links are
        # several stories of one person, found in a set. Likewise per theme.
        alone = Counter(compress(self.link_code, kept_alone))
        alone_in_cell = Counter(compress(self.link_code, kept_alone_in_cell))
        shared = Counter(compress(self.link_code, kept_shared))
        stories = alone + alone_in_cell + shared
        shared_people = Counter(
            map(mod, set(compress(self.link_teller_code, kept_shared)), repeat(codes))
        )
        people = alone + alone_in_cell + shared_people
        grouped = _either(kept_alone_in_cell, kept_shared)
        mentioned_by = Counter(
            map(mod, set(compress(self.link_teller_theme, grouped)), repeat(theme_count))
        )
        for code, number in alone.items():
            mentioned_by[code // polarities] += number
        # Count per month once, then gather the months into the periods asked for.
        trend: Counter[tuple[int, str]] = Counter()
        key_of: dict[int, str] = {}
        for month_code, number in Counter(months).items():
            month, code = divmod(month_code, codes)
            if not month:
                continue  # not known when told: outside the trend
            key = key_of.get(month)
            if key is None:
                key = key_of[month] = period_of(_month_start(month), period)
            trend[code, key] += number
        mentions = [
            sum(stories[theme * polarities + n] for n in range(polarities))
            for theme in range(theme_count)
        ]
        names = self.theme_names
        order = sorted(range(theme_count), key=lambda t: (-mentions[t], names[t].casefold()))

        def cell(theme: int, polarity: int) -> Cell:
            code = theme * polarities + polarity
            return Cell(stories[code], people[code])

        def series(theme: int, polarity: int) -> tuple[int, ...]:
            code = theme * polarities + polarity
            return tuple(trend[code, key] for key in periods)

        at = {polarity: n for n, polarity in enumerate(_POLARITIES)}
        return {
            "themes": tuple(
                ThemeCount(
                    theme=names[theme],
                    mentioned=Cell(mentions[theme], mentioned_by[theme]),
                    share=round(100 * mentions[theme] / total, 1) if total else 0.0,
                    enabler=cell(theme, at[Polarity.ENABLER]),
                    barrier=cell(theme, at[Polarity.BARRIER]),
                    mixed=cell(theme, at[Polarity.MIXED]),
                )
                for theme in order
            ),
            "over_time": tuple(
                ThemeTrend(
                    theme=names[theme],
                    enabler=series(theme, at[Polarity.ENABLER]),
                    barrier=series(theme, at[Polarity.BARRIER]),
                    mixed=series(theme, at[Polarity.MIXED]),
                )
                for theme in order
            ),
        }


def _both(one: bytes, other: bytes) -> bytes:
    """1 where both are 1, for selections of the same length (0 or 1 per byte), combined as
    two whole integers: a byte at a time in Python took a hundred times as long."""
    joined = int.from_bytes(one, "little") & int.from_bytes(other, "little")
    return joined.to_bytes(len(one), "little")


def _either(one: bytes, other: bytes) -> bytes:
    """1 where either is 1 (see ``_both``)."""
    joined = int.from_bytes(one, "little") | int.from_bytes(other, "little")
    return joined.to_bytes(len(one), "little")


def _driver_rows(connection: Connection, statement: Select) -> list[tuple[Any, ...]]:  # type: ignore[type-arg]
    """The statement's rows as the SQLite driver gives them, in the session's transaction:
    SQLAlchemy's row objects were 0.3 s of a 1.1 s read at 100,000 stories. Only constants are
    bound (the scope bits), written into the SQL by the compiler."""
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        return cursor.execute(sql).fetchall()
    finally:
        cursor.close()


def store_fingerprint(session: Session) -> tuple[object, ...]:
    """Cheap signs that what a snapshot holds has changed, each answered from an index (a few
    milliseconds at 100,000 stories): stories added, removed or saved (a save moves
    ``updated_at``), consent recorded (versions are only ever added), stories imported, people
    added or merged, themes added or renamed. For writes the window did not make (another
    program on the same folder); the window's own writes forget the snapshot outright."""
    row = session.execute(
        select(
            select(func.count()).select_from(StoryRow).scalar_subquery(),
            select(func.max(StoryRow.id)).scalar_subquery(),
            select(func.max(StoryRow.updated_at)).scalar_subquery(),
            select(func.max(ConsentRecordRow.id)).scalar_subquery(),
            select(func.count()).select_from(StoryOriginRow).scalar_subquery(),
            select(func.count()).select_from(StorytellerRow).scalar_subquery(),
            select(
                func.group_concat(type_coerce(ThemeRow.id, String) + "=" + ThemeRow.name)
            ).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def _month_number(day_ordinal: int) -> int:
    """A day's month as one number counting from 1 (0 stays 0: the day is not known)."""
    if not day_ordinal:
        return 0
    day = dt.date.fromordinal(day_ordinal)
    return day.year * 12 + day.month  # year 1 January is 13: never 0


def _month_start(month: int) -> dt.date:
    year, index = divmod(month - 1, 12)
    return dt.date(year, index + 1, 1)
