"""The insight page's read: what people are telling us, for the page's filters (issue 18).

The numbers are ``core.insight``'s, exact (they stay on this computer); the page never counts.
They are counted from an ``InsightSnapshot`` read once and kept here, so a filter change is a
pass in memory (about 0.1 s at 100,000 stories) rather than reading every story again (over a
second). The page forgets the snapshot when stories, consent, people or themes change
(``forget_snapshot``); a cheap fingerprint of the store catches writes from another program.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import insight, people
from storykeeper.core.insight_snapshot import InsightSnapshot, store_fingerprint
from storykeeper.core.search import Sender, StoryFilter, senders_here


@dataclass(frozen=True, slots=True)
class InsightQuery:
    """What the page asks: the story list's filters and how the trend groups the dates."""

    wanted: StoryFilter = insight.EVERY_STORY
    period: insight.Period = insight.Period.QUARTER


@dataclass(frozen=True, slots=True)
class _Kept:
    store: str
    fingerprint: tuple[object, ...]
    snapshot: InsightSnapshot


class _SnapshotCache:
    """One snapshot, for the store last counted (a window has one). Reads run on the reader
    pool, so it is shared under a lock; a snapshot read while a change was being forgotten is
    not kept (it may hold the data from before the change)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: _Kept | None = None
        self._generation = 0

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._kept = None

    def snapshot(self, session: Session) -> InsightSnapshot:
        store = str(session.get_bind().url)
        fingerprint = store_fingerprint(session)
        with self._lock:
            kept, generation = self._kept, self._generation
        if kept is not None and (kept.store, kept.fingerprint) == (store, fingerprint):
            return kept.snapshot
        snapshot = InsightSnapshot.read(session)
        with self._lock:
            if generation == self._generation:
                self._kept = _Kept(store, fingerprint, snapshot)
        return snapshot


_snapshots = _SnapshotCache()


def forget_snapshot() -> None:
    """Stories, consent, people or themes changed: the next count reads them again."""
    _snapshots.forget()


@dataclass(frozen=True, slots=True)
class InsightChoices:
    """What the page's boxes offer beyond the fixed words: who recorded stories, and the
    senders of imported ones."""

    supporters: list[tuple[str, str]]  # (id, name)
    senders: list[Sender]


def load_insight_choices(session: Session) -> InsightChoices:
    """Only what the page's boxes need (the story list's choices also count its reminders,
    which the page never shows)."""
    return InsightChoices(
        supporters=[(one.id, one.name) for one in people.list_supporters(session)],
        senders=senders_here(session),
    )


def load_insight(session: Session, query: InsightQuery) -> insight.Insight:
    snapshot = _snapshots.snapshot(session)
    return snapshot.count(session, query.wanted, query.period)
