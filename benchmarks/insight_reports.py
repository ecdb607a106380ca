"""What a coordinator waits for after import (issue 18): the insight page after a filter change,
``storykeeper insight``, and every report and extract ``storykeeper report`` writes.

The page is measured by ``benchmarks/insight.py --page`` in a process of its own (it needs Qt;
the harness keeps its own memory out of the figures), from its JSON. The command and each
format are whole processes, timed with their peak memory as every other command here. Each
works on the advocate's working copy, filter-free: the whole store is what a report is asked of
most. The files written are kept in the size's scratch folder (removed unless ``--keep``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from benchmarks.process import BenchmarkError, progress, run_measured

HERE = Path(__file__).resolve().parent
#: Every format ``storykeeper report`` writes, quickest first so a failure shows early.
FORMATS = ("qdc", "docx", "pdf", "csv", "xlsx", "qdpx")
#: The page's figures taken from ``benchmarks/insight.py``'s JSON into the results.
PAGE_FIGURES = (
    "stories_counted",
    "snapshot_read_s",
    "snapshot_bytes",
    "first_count_s",
    "filter_change_median_ms",
    "filter_change_p95_ms",
    "filter_change_max_ms",
    "page_first_count_s",
    "page_filter_rest_ms",
    "page_filter_change_median_ms",
    "page_filter_change_p95_ms",
    "page_filter_change_max_ms",
)


def run_insight(
    sk: list[str], data_dir: Path, folder: Path, label: str, reps: int
) -> dict[str, Any]:
    """The page (filter change → numbers and chart shown) and ``storykeeper insight``."""
    folder.mkdir(parents=True, exist_ok=True)
    progress(f"{label}: the insight page, every filter {reps} times…")
    page_json = folder / "insight-page.json"
    page = run_measured(
        [
            sys.executable,
            HERE / "insight.py",
            data_dir,
            "--reps",
            str(reps),
            "--page",
            "--out",
            page_json,
        ],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    measured = json.loads(page_json.read_text())
    result: dict[str, Any] = {key: measured[key] for key in PAGE_FIGURES}
    result["cases"] = measured["cases"]
    result["page_samples_ms"] = measured["page_samples_ms"]
    result["benchmark_process"] = page.record()

    progress(f"{label}: storykeeper insight…")
    command = run_measured([*sk, "--data-dir", data_dir, "insight", "--json"])
    counted = json.loads(command.stdout)
    result["command"] = command.record() | {"stories": counted["counted"]["stories"]}
    return result


def run_reports(sk: list[str], data_dir: Path, folder: Path, label: str) -> dict[str, Any]:
    """Each format written once, filter-free, as a whole process with its peak memory."""
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    written: dict[str, Any] = {}
    for chosen in FORMATS:
        progress(f"{label}: storykeeper report --format {chosen}…")
        target = folder / f"stories.{chosen}"
        run = run_measured(
            [
                *sk,
                "--data-dir",
                data_dir,
                "report",
                "--format",
                chosen,
                "--out",
                target,
                "--json",
            ],
            env=env,
        )
        if not target.is_file():
            raise BenchmarkError(f"storykeeper report --format {chosen} wrote no {target.name}")
        answer = json.loads(run.stdout)
        written[chosen] = run.record() | {
            "file_bytes": target.stat().st_size,
            # A count below the threshold comes back as a sentence: keep it as it was said.
            "stories": answer.get("stories"),
            "themes": answer.get("themes"),
        }
        progress(f"{label}: {chosen} took {run.seconds:.1f} s, peak {run.peak_rss_mb:.0f} MB")
    return written
