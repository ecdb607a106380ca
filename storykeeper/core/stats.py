"""Counts across the store: by status, consent state, theme and polarity."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core.consent import review_due_clause
from storykeeper.core.models import (
    AttachmentRow,
    StoryRow,
    StorytellerRow,
    StoryThemeRow,
    SupporterRow,
    ThemeRow,
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
    # theme name → polarity → number of stories
    by_theme: dict[str, dict[str, int]]


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
    by_theme: dict[str, dict[str, int]] = {}
    for name in session.scalars(select(ThemeRow.name).order_by(ThemeRow.name)):
        by_theme[name] = {p.value: 0 for p in Polarity}
    rows = session.execute(
        select(ThemeRow.name, StoryThemeRow.polarity, func.count())
        .join(ThemeRow, ThemeRow.id == StoryThemeRow.theme_id)
        .group_by(ThemeRow.name, StoryThemeRow.polarity)
    )
    for name, polarity, count in rows:
        by_theme[name][polarity] = count
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
    )
