"""Counts across the store: by status, consent state, theme and polarity.

The store's own bookkeeping (stories, statuses, consent states) counts every story; the theme
counts are what the stories say, so they count only the stories whose consent allows use in
reports, as the insight view does (``insight``, issue 18), and say how many were left out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core.consent import review_due_clause
from storykeeper.core.insight import insight
from storykeeper.core.insight_policy import DEFAULT_THRESHOLD, shown_count
from storykeeper.core.models import (
    AttachmentRow,
    StoryRow,
    StorytellerRow,
    SupporterRow,
    TombstoneRow,
)
from storykeeper.core.vocabulary import ConsentState, Polarity, StoryStatus


@dataclass(frozen=True)
class StoreStats:
    stories: int
    storytellers: int
    supporters: int
    attachments: int
    tombstones: int
    by_status: dict[str, int]
    by_consent_state: dict[str, int]
    consent_review_due: int
    # theme name → polarity → number of stories, of the stories consent lets be counted
    by_theme: dict[str, dict[str, int]]
    #: The stories ``by_theme`` counts, and those it leaves out by reason (``LeftOut``).
    themes_counted: int
    themes_left_out: dict[str, int]


def _count(session: Session, row_type: type) -> int:
    return session.scalar(select(func.count()).select_from(row_type)) or 0


def store_stats(session: Session) -> StoreStats:
    by_status = {s.value: 0 for s in StoryStatus}
    by_status.update(
        (status, count)
        for status, count in session.execute(
            select(StoryRow.status, func.count()).group_by(StoryRow.status)
        )
    )
    by_consent = {s.value: 0 for s in ConsentState}
    by_consent.update(
        (state, count)
        for state, count in session.execute(
            select(StoryRow.consent_state, func.count()).group_by(StoryRow.consent_state)
        )
    )
    review_due = (
        session.scalar(select(func.count()).select_from(StoryRow).where(review_due_clause())) or 0
    )
    themes = insight(session)
    # By name, as the theme list is; the insight orders them by how often they are mentioned.
    by_theme = {
        theme.theme: {p.value: theme.cell(p).stories for p in Polarity}
        for theme in sorted(themes.themes, key=lambda theme: theme.theme.casefold())
    }
    return StoreStats(
        stories=_count(session, StoryRow),
        storytellers=_count(session, StorytellerRow),
        supporters=_count(session, SupporterRow),
        attachments=_count(session, AttachmentRow),
        tombstones=_count(session, TombstoneRow),
        by_status=by_status,
        by_consent_state=by_consent,
        consent_review_due=review_due,
        by_theme=by_theme,
        themes_counted=themes.stories,
        themes_left_out={reason.value: count for reason, count in themes.left_out.items()},
    )


def as_it_leaves(figures: StoreStats, threshold: int = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """The figures as they may leave the program: the theme counts, which are about people's
    stories, with counts below ``threshold`` as "fewer than 5" (``shown_count``). The store's
    bookkeeping is shown as it is: it says what to do (a review due), not what people said."""
    return {
        **{f.name: getattr(figures, f.name) for f in dataclasses.fields(figures)},
        "by_theme": {
            theme: {polarity: shown_count(n, threshold) for polarity, n in counts.items()}
            for theme, counts in figures.by_theme.items()
        },
        "themes_counted": shown_count(figures.themes_counted, threshold),
        "themes_left_out": {
            reason: shown_count(n, threshold) for reason, n in figures.themes_left_out.items()
        },
    }


def what_themes_count(figures: StoreStats, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The line under the theme counts: which stories they count, and how many they leave out."""
    counted = shown_count(figures.themes_counted, threshold)
    left_out = shown_count(sum(figures.themes_left_out.values()), threshold)
    return (
        f"Themes count only stories whose consent allows use in reports: {counted}.\n"
        f'Left out: {left_out} ("storykeeper insight" says why).'
    )
