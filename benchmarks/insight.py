#!/usr/bin/env python3
"""The insight page's wait after a filter change (issue 18: p95 under 300 ms at 100,000 stories).

    .venv/bin/python benchmarks/insight.py DATA_FOLDER [--reps 5] [--out FILE.json]

Measured in this process, calling exactly what the page's reader calls (``load_insight``): the
first count (it reads the snapshot), then every filter the page offers, alone and combined,
``--reps`` times each in both periods; beside it ``insight()`` as the command line counts (reading
everything each time), the snapshot's read and its size in memory. Open a copy of a data folder:
opening a store may bring its schema up to date. Prints a summary; every sample goes to --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__" and not __package__:
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.opening import open_data_folder
from benchmarks.process import BenchmarkError, percentile, summary_ms
from storykeeper.core import people
from storykeeper.core.db import Store
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.insight import EVERY_STORY, Period, insight
from storykeeper.core.insight_snapshot import InsightSnapshot
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import StoryStatus
from storykeeper.gui.ops.insight import InsightQuery, forget_snapshot, load_insight
from storykeeper.paths import resolve_paths


def page_filters(store: Store) -> list[tuple[str, StoryFilter]]:
    """What a person sets on the page: status, recorded by, dates told, and combinations."""
    with store.read() as session:
        supporters = [one.id for one in people.list_supporters(session)[:2]]
    year, quarter = (dt.date(2026, 1, 1), dt.date(2026, 12, 31)), dt.date(2026, 3, 31)
    found: list[tuple[str, StoryFilter]] = [("no filter", EVERY_STORY)]
    found += [(f"status {s.value}", StoryFilter(status=s)) for s in StoryStatus]
    found += [(f"recorded by #{n}", StoryFilter(supporter_id=s)) for n, s in enumerate(supporters)]
    found += [
        ("told in one year", StoryFilter(told_from=year[0], told_to=year[1])),
        ("told in one quarter", StoryFilter(told_from=year[0], told_to=quarter)),
        ("told since a date", StoryFilter(told_from=dt.date(2026, 6, 1))),
        ("status final + one year", StoryFilter(status=StoryStatus.FINAL, told_from=year[0])),
    ]
    if supporters:
        found.append(
            ("recorded by + quarter", StoryFilter(supporter_id=supporters[0], told_to=quarter))
        )
    return found


def _timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    answer = work()
    return time.perf_counter() - start, answer


def measure(data_dir: Path, reps: int) -> dict[str, Any]:
    with open_data_folder(data_dir) as store:
        filters = page_filters(store)
        with store.read() as session:
            recount_s, figures = _timed(lambda: insight(session))
            read_s, snapshot = _timed(lambda: InsightSnapshot.read(session))
            size = snapshot.size_in_bytes()
            del snapshot
        forget_snapshot()
        with store.read() as session:
            first_s, _ = _timed(lambda: load_insight(session, InsightQuery()))
        every: list[float] = []
        cases = []
        for name, wanted in filters:
            for period in Period:
                samples = []
                for _ in range(reps):
                    # One read session per count, as the reader pool opens one per task.
                    with store.read() as session:
                        took, answer = _timed(
                            lambda w=wanted, p=period: load_insight(session, InsightQuery(w, p))
                        )
                    samples.append(took)
                every.extend(samples)
                cases.append(
                    {"filter": name, "period": period.value, "stories": answer.stories}
                    | summary_ms(samples)
                )
    every_ms = [s * 1000 for s in every]
    return {
        "stories_counted": figures.stories,
        "insight_recount_s": recount_s,
        "snapshot_read_s": read_s,
        "snapshot_bytes": size,
        "first_count_s": first_s,
        "filter_change_median_ms": statistics.median(every_ms),
        "filter_change_p95_ms": percentile(every_ms, 95),
        "filter_change_max_ms": max(every_ms),
        "cases": cases,
    }


def measure_page(data_dir: Path, reps: int) -> dict[str, Any]:
    """The page itself, offscreen: from a filter set to its numbers, table and chart shown
    (``counted``, then the paint), as a person sees it: the page's own wait for a filter to
    rest (``FILTER_DELAY_MS``, so a box stepped through with the arrow keys counts once) is
    included, as the page's timer starts the count."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from storykeeper.gui.context import AppContext
    from storykeeper.gui.pages.insight_page import FILTER_DELAY_MS, InsightPage

    app = QApplication.instance() or QApplication([])
    paths = resolve_paths(data_dir)
    samples: list[float] = []
    with open_data_folder(data_dir) as store:
        context = AppContext(store, paths)
        page = InsightPage(context)
        page.resize(1280, 800)
        page.show()

        def counted_after(change: Any) -> float:
            loop = QEventLoop()
            page.counted.connect(loop.quit)
            guard = QTimer(singleShot=True, interval=60_000)
            guard.timeout.connect(loop.quit)
            guard.start()
            start = time.perf_counter()
            change()  # the page counts by itself once the filter rests
            loop.exec()
            if not guard.isActive():
                raise BenchmarkError("The insight page did not count within a minute.")
            page.repaint()
            app.processEvents()
            took = time.perf_counter() - start
            page.counted.disconnect(loop.quit)
            return took

        first = counted_after(page.refresh)
        combos = [page.status_filter, page.supporter_filter, page.period_choice]
        for _ in range(reps):
            for combo in combos:
                for index in [*range(1, min(combo.count(), 4)), 0]:
                    if index == combo.currentIndex():
                        continue  # not a change (a box with one choice): the page never counts
                    samples.append(counted_after(lambda c=combo, i=index: c.setCurrentIndex(i)))
        page.close()
        context.tasks.wait_for_idle()
        context.shutdown()
    ms = [s * 1000 for s in samples]
    return {
        "page_first_count_s": first,
        "page_filter_rest_ms": FILTER_DELAY_MS,
        "page_filter_change_median_ms": statistics.median(ms),
        "page_filter_change_p95_ms": percentile(ms, 95),
        "page_filter_change_max_ms": max(ms),
        "page_samples_ms": ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="a data folder (a copy: it may be upgraded)")
    parser.add_argument("--reps", type=int, default=5, help="counts of each filter (default 5)")
    parser.add_argument("--out", type=Path, help="every sample, as JSON")
    parser.add_argument("--page", action="store_true", help="also the page itself, offscreen (Qt)")
    args = parser.parse_args(argv)
    if not resolve_paths(args.data_dir).database.is_file():
        print(f"No Storykeeper data folder at {args.data_dir}.", file=sys.stderr)
        return 1
    try:
        result = measure(args.data_dir, max(1, args.reps))
        if args.page:
            result |= measure_page(args.data_dir, max(1, args.reps))
    except StorykeeperError as error:  # the store would not open: locked, no key…
        print(error.message, file=sys.stderr)
        return 1
    except BenchmarkError as error:
        print(error, file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    summary = {
        key: value for key, value in result.items() if key not in ("cases", "page_samples_ms")
    }
    for key, value in summary.items():
        print(f"{key:>26}: {value:,.3f}" if isinstance(value, float) else f"{key:>26}: {value:,}")
    slowest = max(result["cases"], key=lambda case: case["p95_ms"])
    print(f"{'slowest filter (p95)':>26}: {slowest['filter']} ({slowest['p95_ms']:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
