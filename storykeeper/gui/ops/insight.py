"""The insight page's read: what people are telling us, for the page's filters (issue 18).

The numbers are ``core.insight``'s, exact (they stay on this computer); the page never counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import insight
from storykeeper.core.search import StoryFilter


@dataclass(frozen=True, slots=True)
class InsightQuery:
    """What the page asks: the story list's filters and how the trend groups the dates."""

    wanted: StoryFilter = insight.EVERY_STORY
    period: insight.Period = insight.Period.QUARTER


def load_insight(session: Session, query: InsightQuery) -> insight.Insight:
    return insight.insight(session, query.wanted, query.period)
