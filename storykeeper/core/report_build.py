"""The printable report's content (``report_content.ReportContent``) from the store (issue 18).

The numbers are ``insight.insight``'s, with every count below the threshold held back (``None``:
printed as "fewer than 5"); the voices are ``insight_policy.quote_of``'s, so a report quotes a
person only where their consent allows it, redacted exactly as an export is. Nothing here
decides what may be counted or quoted; it only chooses which of the quotable stories to show
(the most recently told first) and cuts each to its opening sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core import insight as insight_numbers
from storykeeper.core.consent import consent_histories
from storykeeper.core.insight_policy import DEFAULT_THRESHOLD, QuoteUse, insight_use, quote_of
from storykeeper.core.mentioned import mentioned_by_story
from storykeeper.core.models import StoryRow, StoryThemeRow, ThemeRow
from storykeeper.core.report_content import (
    AboutStories,
    Cover,
    ReportContent,
    Tally,
    ThemeCounts,
    ThemeDefinition,
    ThemeSection,
    TrendPoint,
    Voice,
    printable,
)
from storykeeper.core.search import StoryFilter, story_ids_matching
from storykeeper.core.stories import get_stories
from storykeeper.core.vocabulary import HowTold, Polarity, Setting

#: Voices per theme, and how many of its stories are looked at to find them.
VOICES = 3
CANDIDATES = 60
#: An excerpt is the opening sentences, up to about this many characters.
EXCERPT_CHARACTERS = 280
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _held(count: int, threshold: int) -> int | None:
    return None if 0 < count < threshold else count


def _day(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _period_label(key: str) -> str:
    """``2026-Q1`` → "2026 Q1", ``2026-03`` → "March 2026"."""
    year, part = key.split("-")
    if part.startswith("Q"):
        return f"{year} {part}"
    return f"{dt.date(int(year), int(part), 1):%B %Y}"


def excerpt(words: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The opening sentences of ``words``, whole, up to about ``limit`` characters; a first
    sentence longer than that is cut at a word and ends with "…"."""
    text = " ".join(printable(words).split())
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        if kept and len(kept) + 1 + len(sentence) > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if len(kept) > limit:
        kept = kept[:limit].rsplit(" ", 1)[0] + "…"
    return kept


def _counted_how_told(session: Session, wanted: StoryFilter, threshold: int) -> tuple[Tally, ...]:
    """How the counted stories were told: the story list's filter and the one rule, as the
    list's condition (``reports_allowed_clause``, kept equal to ``insight_use`` by a test), in
    one grouped query. Decided story by story it took 51 of a 68 s report at 100,000 stories."""
    counted = replace(wanted, in_reports=True)
    told = session.execute(
        select(StoryRow.how_told, func.count())
        .where(StoryRow.id.in_(story_ids_matching(session, counted)))
        .group_by(StoryRow.how_told)
    ).all()
    return tuple(
        Tally(HowTold(value).label if value else "Not recorded", _held(count, threshold))
        for value, count in sorted(told, key=lambda row: (-row[1], row[0] or ""))
    )


def _voices(
    session: Session, wanted: StoryFilter, theme: str, polarity: Polarity | None
) -> tuple[Voice, ...]:
    """The report's voices for ``theme``: what each story says of it (else its opening)."""
    # As the window's voices do: the sentences that speak of the theme, else the opening.
    return voices(session, wanted, theme, polarity, around_theme=True)


#: Words of a theme's name too common to find it by ("Getting out and about").
_COMMON_WORDS = frozenset(
    [
        "about",
        "after",
        "again",
        "also",
        "and",
        "around",
        "being",
        "from",
        "getting",
        "have",
        "into",
        "more",
        "other",
        "over",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "through",
        "what",
        "when",
        "where",
        "which",
        "with",
    ]
)
#: A theme's word is found by its start, so "transport" finds "transported" and "charges"
#: finds "charged".
_STEM = 5
_WORD = re.compile(r"[^\W\d_]+")
#: A sentence ends at . ! or ? and a space, but not after an initial ("Mary K. said"): a
#: pseudonym is a first name and an initial.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+")


def theme_stems(theme: str) -> frozenset[str]:
    """The starts of the words in a theme's name a story would use when it speaks of it."""
    return frozenset(
        word[:_STEM]
        for word in (found.casefold() for found in _WORD.findall(theme))
        if len(word) >= 4 and word not in _COMMON_WORDS
    )


def theme_excerpt(words: str, theme: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The sentences around the first one that speaks of ``theme`` (a word of its name), whole,
    up to about ``limit`` characters; when none does, the opening (``excerpt``). An excerpt
    that starts after the opening begins with "…", so no one reads it as the start."""
    text = " ".join(printable(words).split())
    sentences = _SENTENCE_BREAK.split(text)
    stems = theme_stems(theme)

    def speaks_of_theme(sentence: str) -> bool:
        return any(
            word.casefold().startswith(stem) for word in _WORD.findall(sentence) for stem in stems
        )

    first = next((n for n, sentence in enumerate(sentences) if speaks_of_theme(sentence)), None)
    if first is None or first == 0:
        return excerpt(text, limit)
    start, end = first, first + 1  # the sentences kept: sentences[start:end]
    # The sentence after says what came of it, the one before what led to it: after first.
    grown = True
    while grown:
        grown = False
        for candidate in (end, start - 1):
            if 0 <= candidate < len(sentences):
                wider = (min(start, candidate), max(end, candidate + 1))
                if len(" ".join(sentences[wider[0] : wider[1]])) <= limit:
                    start, end = wider
                    grown = True
    kept = excerpt(" ".join(sentences[start:end]), limit)
    return kept if start == 0 else f"… {kept}"


def voices(
    session: Session,
    wanted: StoryFilter,
    theme: str,
    polarity: Polarity | None,
    how_many: int = VOICES,
    around_theme: bool = False,
) -> tuple[Voice, ...]:
    """Up to ``how_many`` quotable stories marking ``theme`` (that way), the most recently told
    first, as a report may quote them: only where consent allows a quote (``quote_of``),
    redacted as an export is. ``around_theme``: the sentences that speak of the theme rather
    than the opening."""
    matching = story_ids_matching(session, wanted)
    query = (
        select(StoryRow.uuid)
        .join(StoryThemeRow, StoryThemeRow.story_id == StoryRow.id)
        .join(ThemeRow, ThemeRow.id == StoryThemeRow.theme_id)
        .where(ThemeRow.name == theme, StoryRow.id.in_(matching))
        .order_by(StoryRow.told_on.desc().nulls_last(), StoryRow.id.desc())
        .limit(CANDIDATES)
    )
    if polarity is not None:
        query = query.where(StoryThemeRow.polarity == polarity.value)
    uuids = list(session.scalars(query))
    histories = consent_histories(session, uuids)
    quotable = [
        uuid for uuid in uuids if insight_use(histories.get(uuid, ())).quote is not QuoteUse.NONE
    ]
    found = get_stories(session, quotable[: how_many * 2])
    mentioned = mentioned_by_story(session, list(found))
    chosen: list[Voice] = []
    for uuid in quotable:
        if uuid not in found or len(chosen) == how_many:
            continue
        quote = quote_of(found[uuid], histories[uuid], mentioned.get(uuid, ()))
        if quote is None or not quote.words.strip():
            continue
        chosen.append(
            Voice(
                excerpt=theme_excerpt(quote.words, theme) if around_theme else excerpt(quote.words),
                told=f"{quote.told_on:%B %Y}" if quote.told_on else "date not recorded",
                setting=Setting(quote.setting).label if quote.setting else "setting not recorded",
            )
        )
    return tuple(chosen)


def report_content(
    session: Session,
    wanted: StoryFilter,
    title: str,
    organisation: str = "",
    period: insight_numbers.Period = insight_numbers.Period.QUARTER,
    threshold: int = DEFAULT_THRESHOLD,
) -> ReportContent:
    """The whole report over the stories ``wanted`` finds, counting and quoting only what
    consent allows; every count below ``threshold`` held back. The cover's period is the
    dates told of the stories counted."""
    figures = insight_numbers.insight(session, wanted, period)
    cover = Cover(title, period_words(figures.told_from, figures.told_to), organisation)
    held = lambda count: _held(count, threshold)  # noqa: E731 (one short rule, used often)
    themes = tuple(
        ThemeCounts(
            name=theme.theme,
            enablers=held(theme.enabler.stories),
            barriers=held(theme.barrier.stories),
            mixed=held(theme.mixed.stories),
            stories=held(theme.mentioned.stories),
            people=held(theme.mentioned.people),
            share=None if held(theme.mentioned.stories) is None else theme.share / 100,
        )
        for theme in figures.themes
        if theme.mentioned.stories
    )
    trends = {trend.theme: trend for trend in figures.over_time}
    sections = tuple(
        ThemeSection(
            counts,
            trend=tuple(
                TrendPoint(_period_label(key), held(enablers), held(barriers))
                for key, enablers, barriers in zip(
                    figures.periods,
                    trends[counts.name].enabler,
                    trends[counts.name].barrier,
                    strict=True,
                )
            ),
            voices=_voices(session, wanted, counts.name, None),
        )
        for counts in themes
    )
    return ReportContent(
        cover=cover,
        about=AboutStories(
            stories=held(figures.stories),
            people=held(figures.people),
            senders=figures.senders,
            first_told=_day(figures.told_from),
            last_told=_day(figures.told_to),
            how_told=_counted_how_told(session, wanted, threshold) if figures.stories else (),
            left_out=tuple(
                Tally(reason.label[:1].upper() + reason.label[1:], held(count))
                for reason, count in figures.left_out.items()
                if count
            ),
        ),
        themes=themes,
        sections=sections,
        definitions=_definitions(session, [theme.name for theme in themes]),
        threshold=threshold,
    )


def _definitions(session: Session, names: Sequence[str]) -> tuple[ThemeDefinition, ...]:
    described = dict(session.execute(select(ThemeRow.name, ThemeRow.description)).all())
    return tuple(ThemeDefinition(name, described.get(name) or "") for name in names)


def period_words(figures_from: dt.date | None, figures_to: dt.date | None) -> str:
    """The cover's period: "January 2025 to March 2026"."""
    if figures_from is None or figures_to is None:
        return ""
    return f"{figures_from:%B %Y} to {figures_to:%B %Y}"
