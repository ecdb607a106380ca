"""The benchmark harness still works, at a tiny size. It proves the harness, never the speed:
no timing is asserted (benchmarks are not timed tests; see benchmarks/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.insight_reports import FORMATS
from benchmarks.report import ROWS, TARGETS, value
from tests.keyring_daemon import KeyringDaemon

ROOT = Path(__file__).resolve().parents[1]
#: The first bytes of a database SQLite can read without a key.
PLAIN_DATABASE = b"SQLite format 3\x00"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_harness_measures_everything_at_a_tiny_size(
    tmp_path: Path, keyring_service: KeyringDaemon
) -> None:
    # The test's private keyring stands for the developer's own: the harness must not use it.
    keyring_service.forget_every_entry()
    out = tmp_path / "results.json"
    # As this session's shell sets it: the harness must still measure compiled programs.
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
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
        timeout=500,
        env=environment,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert keyring_service.forget_every_entry() == 0  # its keys went to its own keyring
    # The programs it measured kept their compiled modules (in the work folder), as an
    # installed program has them, whatever PYTHONDONTWRITEBYTECODE said.
    pycache = Path(results["harness"]["bytecode"]["pycache_prefix"])
    assert pycache.parent == tmp_path / "work"
    assert list(pycache.rglob("storykeeper/gui/main_window.*.pyc"))
    both = results["sizes"]["200"]
    assert results["settings"]["stores"] == ["encrypted", "plain"]
    assert set(both["stores"]) == {"encrypted", "plain"}
    # Both kinds built from the same seed: the same stories, one database encrypted.
    built = {kind: both["stores"][kind]["store"] for kind in ("encrypted", "plain")}
    assert (
        built["encrypted"]["demo_data"]["command"][-5:]
        == built["plain"]["demo_data"]["command"][-5:]
    )
    assert "--plain-store" in built["plain"]["demo_data"]["command"]
    assert "--plain-store" not in built["encrypted"]["demo_data"]["command"]
    stores = tmp_path / "work" / "stores"
    headers = {
        folder.name.rsplit("-", 1)[1]: (folder / "storykeeper.sqlite3").read_bytes()[:16]
        for folder in stores.iterdir()
    }
    assert headers["plain"] == PLAIN_DATABASE
    assert headers["encrypted"] != PLAIN_DATABASE
    # The coordinator's store is of the advocate's kind.
    for kind in ("encrypted", "plain"):
        assert both["stores"][kind]["exchange"]["import"]["outcome"] == "imported"
        assert both["stores"][kind]["exchange"]["coordinator_store"] == kind
    # Each row's encrypted ÷ plain ratio, from the same run, in the JSON and the table.
    ratios = both["encrypted_vs_plain"]
    for row in ROWS:
        on_encrypted = value(both["stores"]["encrypted"], row.path)
        on_plain = value(both["stores"]["plain"], row.path)
        assert on_encrypted is not None and on_plain, row.label
        assert ratios[row.label] == pytest.approx(on_encrypted / on_plain), row.label
    header = next(line for line in done.stdout.splitlines() if line.startswith("measurement"))
    assert header.split()[2:] == ["200", "encrypted", "200", "plain", "200", "enc", "÷", "plain"]
    check_line = next(line for line in done.stdout.splitlines() if line.startswith("check: peak"))
    assert f"× {ratios['check: peak memory']:.2f}" in check_line
    # The stock tools ran once for the size: both kinds are divided by the same figures.
    assert both["stores"]["encrypted"]["baseline"] == both["stores"]["plain"]["baseline"]
    assert "load average (1 min) at 200 encrypted" in done.stdout
    size = both["stores"]["encrypted"]

    # Every row of the table has a number for this size, and the table shows it.
    missing = [row.label for row in ROWS if not (value(size, row.path) or 0) > 0]
    assert not missing, missing
    for row in ROWS:
        assert row.label in done.stdout
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
            "--stores",
            "plain",
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
    rerun_size = json.loads((tmp_path / "again.json").read_text())["sizes"]["200"]
    assert list(rerun_size["stores"]) == ["plain"] and "encrypted_vs_plain" not in rerun_size
    rerun = rerun_size["stores"]["plain"]
    assert rerun["store"]["cached"] is True
    assert "exchange" not in rerun
    assert "insight" not in rerun and "reports" not in rerun
    assert "—" in again.stdout


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_encrypted_store_built_in_an_earlier_run_opens_from_a_new_private_keyring(
    tmp_path: Path,
) -> None:
    """Each run's private keyring is new: a store it built before still opens, from the
    keyring (its key put back before anything is timed), never by asking anyone."""
    work = tmp_path / "work"
    runs = []
    for attempt in ("first", "second"):
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "run.py"),
                "--sizes",
                "50",
                "--stores",
                "encrypted",
                "--media-count",
                "2",
                "--media-size",
                "4096",
                "--runs",
                "1",
                "--search-reps",
                "1",
                "--open-count",
                "1",
                "--no-insight",
                "--no-exchange",
                "--work",
                str(work),
                "--out",
                str(tmp_path / f"{attempt}.json"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=140,
        )
        assert done.returncode == 0, done.stderr
        runs.append(json.loads((tmp_path / f"{attempt}.json").read_text()))
    second = runs[1]["sizes"]["50"]["stores"]["encrypted"]
    assert second["store"]["cached"] is True
    assert second["window"]["runs"][0]["marker_seconds"] > 0


def test_the_harness_names_the_kinds_of_store_it_knows(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--stores", "encrypted,sealed"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not a list of kinds of store: encrypted,sealed (give encrypted or plain" in done.stderr
