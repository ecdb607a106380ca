"""What a person waits for in the window: the first page of the list, a search, a story opening.

The window is measured as a whole process (``STORYKEEPER_EXIT_AFTER_FIRST_PAGE`` makes it print a
line when the list's first page is shown, then close). Searches and opening a story are measured
in this process, calling exactly what the window's worker threads call: ``search_stories`` with a
page of ``PAGE_SIZE`` in a read session (the list model's query; it counts the total itself), and
the story editor's own loading function.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.opening import open_data_folder
from benchmarks.process import BenchmarkError, percentile, run_measured, summary_ms
from storykeeper.core import people
from storykeeper.core.db import Store
from storykeeper.core.models import StoryRow, StorytellerRow
from storykeeper.core.search import SortBy, StoryFilter, search_stories
from storykeeper.core.vocabulary import ConsentState, Polarity, StoryStatus
from storykeeper.gui.models.story_table import PAGE_SIZE
from storykeeper.gui.ops.stories import load_editor
from storykeeper.gui.run import EXIT_AFTER_FIRST_PAGE_ENV

FIRST_PAGE_LINE = "first page shown"
GIVEN = frozenset({ConsentState.GIVEN})


def measure_window(sk: list[str], data_dir: Path, runs: int) -> dict[str, Any]:
    """Launch → first page of the list, and peak memory, over ``runs`` launches after one
    untimed launch (it compiles what is not yet compiled and warms the file cache, for each
    kind of store alike)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env[EXIT_AFTER_FIRST_PAGE_ENV] = "1"
    run_measured([*sk, "--data-dir", data_dir], env=env, marker=FIRST_PAGE_LINE)
    results = []
    for _ in range(runs):
        run = run_measured([*sk, "--data-dir", data_dir], env=env, marker=FIRST_PAGE_LINE)
        if run.marker_seconds is None:
            raise BenchmarkError(f"The window never printed “{FIRST_PAGE_LINE}”: {run.stdout}")
        results.append(run)
    first = [r.marker_seconds for r in results if r.marker_seconds is not None]
    rss = [r.peak_rss_mb for r in results]
    return {
        "runs": [r.record() for r in results],
        "first_page_median_s": statistics.median(first),
        "first_page_max_s": max(first),
        "exit_median_s": statistics.median(r.seconds for r in results),
        "peak_rss_median_mb": statistics.median(rss),
        "peak_rss_max_mb": max(rss),
    }


@dataclass(frozen=True)
class Query:
    """One question the list asks, sorted as the list would ask it."""

    name: str
    wanted: StoryFilter
    sort: SortBy = SortBy.UPDATED
    descending: bool = True
    offset: int = 0


def queries(store: Store) -> list[Query]:
    """The fixed set: typing, filters, combinations and sorts.

    Text searches are sorted by relevance, as the list does until someone clicks a heading.
    """
    with store.read() as session:
        supporter = people.list_supporters(session)[0].id
        teller = session.scalar(
            select(StorytellerRow.display_name).order_by(StorytellerRow.id).limit(1)
        )
    relevance = SortBy.RELEVANCE
    q1_from, q1_to = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    return [
        # typing, one pause after each step (the list searches 250 ms after the last key)
        Query("type “p”", StoryFilter(text="p"), relevance),
        Query("type “pa”", StoryFilter(text="pa"), relevance),
        Query("type “pay”", StoryFilter(text="pay"), relevance),
        Query("type “payments”", StoryFilter(text="payments"), relevance),
        Query("words “direct payments”", StoryFilter(text="direct payments"), relevance),
        Query("words “care home staff”", StoryFilter(text="care home staff"), relevance),
        Query("words “the carers com” (prefix)", StoryFilter(text="the carers com"), relevance),
        Query("a word nothing has “xylophone”", StoryFilter(text="xylophone"), relevance),
        Query("a storyteller's name", StoryFilter(text=teller or "Margaret"), relevance),
        # filters
        Query("theme Advocacy", StoryFilter(theme="Advocacy")),
        Query(
            "theme Red tape + barrier",
            StoryFilter(theme="Red tape and paperwork", polarity=Polarity.BARRIER),
        ),
        Query("polarity enabler", StoryFilter(polarity=Polarity.ENABLER)),
        Query("consent given", StoryFilter(consent_states=GIVEN)),
        Query("no consent yet", StoryFilter(consent_states=frozenset({ConsentState.NONE}))),
        Query(
            "consent given or with conditions",
            StoryFilter(
                consent_states=frozenset({ConsentState.GIVEN, ConsentState.GIVEN_WITH_CONDITIONS})
            ),
        ),
        Query("review due", StoryFilter(review_due=True)),
        Query("status final", StoryFilter(status=StoryStatus.FINAL)),
        Query("one supporter", StoryFilter(supporter_id=supporter)),
        Query("told in one quarter", StoryFilter(told_from=q1_from, told_to=q1_to)),
        Query("told since a date", StoryFilter(told_from=dt.date(2026, 6, 1))),
        # combinations
        Query(
            "“money” + theme + barrier",
            StoryFilter(text="money", theme="Money and charges", polarity=Polarity.BARRIER),
            relevance,
        ),
        Query(
            "“care” + given + final + quarter",
            StoryFilter(
                text="care",
                consent_states=GIVEN,
                status=StoryStatus.FINAL,
                told_from=q1_from,
                told_to=q1_to,
            ),
            relevance,
        ),
        Query(
            "theme + review due + draft",
            StoryFilter(theme="Being listened to", review_due=True, status=StoryStatus.DRAFT),
        ),
        # sorts
        Query("the whole list (as it opens)", StoryFilter()),
        Query("sorted by date told", StoryFilter(), SortBy.TOLD, descending=False),
        Query("sorted by title", StoryFilter(), SortBy.TITLE, descending=False),
        Query("sorted by storyteller", StoryFilter(), SortBy.STORYTELLER, descending=False),
        Query("“garden” sorted by title", StoryFilter(text="garden"), SortBy.TITLE, False),
        Query("the list's second page", StoryFilter(), offset=PAGE_SIZE),
    ]


def _described(query: Query) -> dict[str, Any]:
    wanted = {
        k: sorted(v) if isinstance(v, frozenset) else v.isoformat() if isinstance(v, dt.date) else v
        for k, v in asdict(query.wanted).items()
        if v not in (None, "", False, frozenset())
    }
    return {
        "name": query.name,
        "filter": wanted,
        "sort": query.sort.value,
        "descending": query.descending,
        "offset": query.offset,
    }


def measure_search(data_dir: Path, repetitions: int) -> dict[str, Any]:
    """Each query once to warm up, then ``repetitions`` timed runs of each."""
    results = []
    every: list[float] = []
    with open_data_folder(data_dir) as store:
        for query in queries(store):
            samples = []
            for attempt in range(repetitions + 1):
                start = time.perf_counter()
                with store.read() as session:
                    page = search_stories(
                        session,
                        query.wanted,
                        sort=query.sort,
                        descending=query.descending,
                        offset=query.offset,
                        limit=PAGE_SIZE,
                    )
                elapsed = time.perf_counter() - start
                if attempt:
                    samples.append(elapsed)
            every.extend(samples)
            results.append(
                {**_described(query), "total": page.total, "rows": len(page.items)}
                | summary_ms(samples)
            )
    slowest = max(results, key=lambda r: r["p95_ms"])
    every_ms = [s * 1000 for s in every]
    return {
        "page_size": PAGE_SIZE,
        "repetitions": repetitions,
        "queries": results,
        "median_ms": statistics.median(every_ms),
        "p95_ms": percentile(every_ms, 95),
        "slowest_query": slowest["name"],
        "slowest_p95_ms": slowest["p95_ms"],
    }


def measure_open_story(data_dir: Path, count: int, seed: int) -> dict[str, Any]:
    """The story editor's load (story, people, themes, consent, origin) for ``count`` stories."""
    with open_data_folder(data_dir) as store:
        with store.read() as session:
            ids = list(session.scalars(select(StoryRow.uuid).order_by(StoryRow.id)))
        chosen = random.Random(seed).sample(ids, min(count, len(ids)))
        with store.read() as session:
            load_editor(session, chosen[0])  # warm-up
        samples = []
        for story_id in chosen:
            start = time.perf_counter()
            with store.read() as session:
                load_editor(session, story_id)
            samples.append(time.perf_counter() - start)
    return {"stories": len(chosen), **summary_ms(samples)}
