"""The insight page's benchmark still works, on a small store. It proves the harness, never the
speed: no timing is asserted (benchmarks are not timed tests; see benchmarks/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storykeeper.core.db import Store
from storykeeper.paths import DataPaths
from tests.gui.insight_stories import every_situation

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(120)
def test_the_insight_benchmark_measures_every_filter_the_page_offers(
    store: Store, paths: DataPaths, tmp_path: Path
) -> None:
    every_situation(store)
    store.close()
    out = tmp_path / "insight.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "insight.py"),
            str(paths.data_dir),
            "--reps",
            "2",
            "--page",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["stories_counted"] == 4  # as insight() counts every_situation
    assert result["snapshot_bytes"] > 0
    assert result["filter_change_p95_ms"] > 0
    names = {case["filter"] for case in result["cases"]}
    assert {"no filter", "status final", "told in one year"} <= names
    assert all(len(case["samples_ms"]) == 2 for case in result["cases"])
    assert "filter_change_p95_ms" in done.stdout
    # The page itself, offscreen: each status, supporter and period choice, twice.
    assert result["page_filter_change_p95_ms"] > 0
    assert len(result["page_samples_ms"]) >= 2 * 3


def test_the_insight_benchmark_says_plainly_when_there_is_no_store(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "insight.py"), str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"No Storykeeper data folder at {tmp_path / 'nothing'}."
