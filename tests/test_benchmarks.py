"""The benchmark harness still works, at a tiny size. It proves the harness, never the speed:
no timing is asserted (benchmarks are not timed tests; see benchmarks/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.insight_reports import FORMATS
from benchmarks.report import ROWS, TARGETS, value

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_harness_measures_everything_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            "200",
            "--media-count",
            "10",
            "--media-size",
            "65536",
            "--runs",
            "1",
            "--search-reps",
            "1",
            "--open-count",
            "5",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=230,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    size = results["sizes"]["200"]

    # Every row of the table has a number for this size, and the table shows it.
    missing = [row.label for row in ROWS if not (value(size, row.path) or 0) > 0]
    assert not missing, missing
    for row in ROWS:
        assert row.label in done.stdout
    assert "200 stories" in done.stdout
    assert "stories:" in done.stderr  # progress lines

    # The raw numbers behind the summaries are there too.
    assert len(size["window"]["runs"]) == 1
    assert size["window"]["runs"][0]["marker_seconds"] > 0
    assert len(size["search"]["queries"]) >= 20
    assert all(q["samples_ms"] and q["p95_ms"] > 0 for q in size["search"]["queries"])
    assert size["open_story"]["stories"] == 5
    # The insight page after every filter it offers, and the command, as issue 18 asks.
    insight = size["insight"]
    assert insight["cases"] and all(case["samples_ms"] for case in insight["cases"])
    assert len(insight["page_samples_ms"]) >= 6
    assert insight["page_filter_rest_ms"] > 0  # the page's own wait is part of what is timed
    assert insight["command"]["stories"] == insight["stories_counted"]
    # Every report and extract format, each a whole process with its file and peak memory.
    assert set(size["reports"]) == set(FORMATS)
    for chosen, written in size["reports"].items():
        assert written["returncode"] == 0 and written["file_bytes"] > 0, chosen
        assert written["command"][-5:-2] == ["--format", chosen, "--out"]
    for label in (
        "insight page: filter change → shown, p95",
        "report pdf: whole process",
        "report qdpx: peak memory",
    ):
        assert label in TARGETS
        assert label in results["targets"]
    assert size["exchange"]["import"]["outcome"] == "imported"
    assert size["exchange"]["reimport"]["outcome"] == "already_imported"
    assert size["exchange"]["export"]["media_files"] == 10
    for part in ("making", "verifying"):
        steps = size["baseline"][part]["steps"]
        assert len(steps) == 4
        assert all(step["seconds"] > 0 and step["peak_rss_mb"] > 0 for step in steps.values())
    assert results["machine"]["cpu_count"] > 0
    assert results["machine"]["sqlite"]
    assert results["program"]["schema"]

    # A second run finds the store it built and does not build it again.
    again = subprocess.run(
        [
            *done.args[:2],
            "--sizes",
            "200",
            "--media-count",
            "10",
            "--media-size",
            "65536",
            "--runs",
            "1",
            "--search-reps",
            "1",
            "--open-count",
            "1",
            "--no-exchange",
            "--no-insight",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(tmp_path / "again.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    rerun = json.loads((tmp_path / "again.json").read_text())["sizes"]["200"]
    assert rerun["store"]["cached"] is True
    assert "exchange" not in rerun
    assert "insight" not in rerun and "reports" not in rerun
    assert "—" in again.stdout
