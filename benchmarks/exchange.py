"""Moving stories as a person would, each command a whole process: export, import, re-import.

The advocate's copy exports everything that may leave, encrypted to a fresh coordinator's age
recipient; the coordinator (who trusts the advocate's key) imports it, then imports it again.
Setting up the keys is not timed. ``check`` runs on the advocate's store.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.process import BenchmarkError, progress, run_measured

#: The first bytes of a database SQLite can read without a key (SQLCipher's look random).
PLAIN_DATABASE = b"SQLite format 3\x00"


def run_exchange(
    sk: list[str], advocate: Path, folder: Path, label: str, *, plain: bool = False
) -> dict[str, Any]:
    """The coordinator's store is of the advocate's kind: encrypted, or plain when ``plain``."""
    coordinator = folder / "coordinator"
    made_as = ["--plain-store"] if plain else []
    keys = json.loads(
        run_measured([*sk, "--data-dir", coordinator, *made_as, "keys", "show", "--json"]).stdout
    )
    public = folder / "advocate.pub"
    run_measured([*sk, "--data-dir", advocate, "keys", "export-public", public])
    run_measured(
        [*sk, "--data-dir", coordinator, "trust", "add", public, "--label", "Benchmark advocate"]
    )
    out = folder / "bundles"
    out.mkdir()

    progress(f"{label}: storykeeper export…")
    export = run_measured(
        [
            *sk,
            "--data-dir",
            advocate,
            "export",
            "--out",
            out,
            "--to",
            keys["age_recipient"],
            "--json",
        ]
    )
    made = json.loads(export.stdout)
    bundle = Path(made["path"])
    progress(
        f"{label}: export took {export.seconds:.1f} s ({len(made['stories']):,} stories, "
        f"{made['media_files']:,} media files); storykeeper import (minutes at 100,000)…"
    )
    first = _import(sk, coordinator, bundle, "imported")
    progress(f"{label}: import took {first['seconds']:.1f} s; importing it again…")
    again = _import(sk, coordinator, bundle, "already_imported")
    return {
        "coordinator_store": store_kind(coordinator),
        "export": export.record()
        | {
            "bundle_bytes": bundle.stat().st_size,
            "stories": len(made["stories"]),
            "withdrawals": made["withdrawals"],
            "media_files": made["media_files"],
            "left_out": made["left_out"],
        },
        "import": first,
        "reimport": again,
    }


def store_kind(data_dir: Path) -> str:
    """ "plain" when SQLite can read the database without a key, else "encrypted"."""
    with (data_dir / "storykeeper.sqlite3").open("rb") as database:
        return "plain" if database.read(16) == PLAIN_DATABASE else "encrypted"


def _import(sk: list[str], coordinator: Path, bundle: Path, expected: str) -> dict[str, Any]:
    run = run_measured([*sk, "--data-dir", coordinator, "import", bundle, "--json"])
    (report,) = json.loads(run.stdout)
    if report["outcome"] != expected:
        raise BenchmarkError(
            f"Importing {bundle.name} said {report['outcome']} ({report.get('reason', '')}), "
            f"not {expected}"
        )
    actions = Counter(story["action"] for story in report.get("stories", []))
    return run.record() | {"outcome": report["outcome"], "actions": dict(actions)}


def run_check(sk: list[str], data_dir: Path) -> dict[str, Any]:
    run = run_measured([*sk, "--data-dir", data_dir, "check", "--json"], check=False)
    result = json.loads(run.stdout)
    if not result["ok"]:
        raise BenchmarkError(f"storykeeper check found problems: {result['problems']}")
    return run.record() | {"checked": result["checked"]}


def plain_export(sk: list[str], data_dir: Path, out: Path) -> tuple[Path, dict[str, Any]]:
    """An unencrypted bundle of the same stories, for the stock tools' payload."""
    out.mkdir()
    run = run_measured([*sk, "--data-dir", data_dir, "export", "--out", out, "--plain", "--json"])
    return Path(json.loads(run.stdout)["path"]), run.record()
