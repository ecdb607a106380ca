#!/usr/bin/env python3
"""Storykeeper's benchmark: one command that builds its data, measures, prints and saves.

    .venv/bin/python benchmarks/run.py [--sizes 1000,10000,100000] [--stores encrypted,plain]
                                       [--out FILE.json] [--work DIR]

For each size and each kind of store (encrypted, the default since issue 19, and plain, made
with ``--plain-store``; both from the same seed, measured in the same run, their keys in a
private keyring): the window's start, searches and filters, opening a story, the insight page
after a filter change, ``storykeeper insight`` and every report and extract format, export,
import, re-import and ``check``, and the same bundle work done with the standard tools (once a
size). Progress goes to standard error, the table (each figure for both kinds and their ratio)
to standard output, every raw number to the JSON file (written again after each size, so a
long run that fails keeps what it measured). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__" and not __package__:
    # Run as a file: make ``benchmarks`` importable from the project's root.
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks import baseline, data, exchange, insight_reports, measure, report
from benchmarks.opening import private_keyring
from benchmarks.process import BenchmarkError, progress, storykeeper_command, tool
from storykeeper.core.errors import StorykeeperError

HERE = Path(__file__).resolve().parent


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give one or more story counts, each at least 1")
    return sizes


def _kinds(text: str) -> list[str]:
    kinds = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [kind for kind in kinds if kind not in data.KINDS]
    if not kinds or unknown:
        raise argparse.ArgumentTypeError(
            f"not a list of kinds of store: {text} (give {' or '.join(data.KINDS)}, or both)"
        )
    return list(dict.fromkeys(kinds))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10_000, 100_000], metavar="N,N")
    parser.add_argument(
        "--stores",
        type=_kinds,
        default=list(data.KINDS),
        metavar="KIND,KIND",
        help="the kinds of store measured side by side (default: encrypted,plain)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument(
        "--work", type=Path, default=HERE / "work", help="built stores (kept) and scratch"
    )
    parser.add_argument("--seed", type=int, default=1, help="demo-data seed (default: 1)")
    parser.add_argument(
        "--media-count",
        type=int,
        metavar="N",
        help="media files per store (default: one per ten stories, at most 1,000)",
    )
    parser.add_argument(
        "--media-size", type=int, default=data.MEDIA_SIZE, metavar="BYTES", help="default: 1 MB"
    )
    parser.add_argument("--runs", type=int, default=5, help="window launches (default: 5)")
    parser.add_argument(
        "--search-reps", type=int, default=5, help="timed runs of each query (default: 5)"
    )
    parser.add_argument("--open-count", type=int, default=50, help="stories opened (default: 50)")
    parser.add_argument(
        "--insight-reps",
        type=int,
        default=5,
        help="counts of each filter on the insight page (default: 5)",
    )
    parser.add_argument(
        "--no-insight",
        action="store_true",
        help="skip the insight page, storykeeper insight and the reports",
    )
    parser.add_argument(
        "--no-exchange",
        action="store_true",
        help="skip export, import, re-import and the stock tools (check still runs)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the stores again")
    parser.add_argument("--keep", action="store_true", help="keep each size's scratch folder")
    return parser.parse_args(argv)


def measure_size(args: argparse.Namespace, sk: list[str], stories: int) -> dict[str, Any]:
    """Every kind of store asked for at this size, then the encrypted ÷ plain ratios.

    The stock tools run once a size: their payload is the same stories' plain bundle whichever
    store it came from, so each kind's export and import are divided by the same figures."""
    stock: dict[str, Any] = {}
    kinds = {kind: measure_kind(args, sk, stories, kind, stock) for kind in args.stores}
    result: dict[str, Any] = {"stories": stories, "stores": kinds}
    if data.ENCRYPTED in kinds and data.PLAIN in kinds:
        result["encrypted_vs_plain"] = report.kind_ratios(kinds[data.ENCRYPTED], kinds[data.PLAIN])
    return result


def measure_kind(
    args: argparse.Namespace, sk: list[str], stories: int, kind: str, stock: dict[str, Any]
) -> dict[str, Any]:
    """One store of ``kind``; ``stock`` is the stock tools' figures, filled by the first kind."""
    label = f"{stories:,} stories, {kind}"
    started = time.perf_counter()
    # The machine is shared: each kind's figures say how busy it was.
    load_before = os.getloadavg()
    media = args.media_count if args.media_count is not None else data.default_media_count(stories)
    spec = data.StoreSpec(stories, args.seed, media, args.media_size, kind)
    built_store, built = data.cached_store(args.work, spec, sk, args.rebuild)
    scratch = args.work / f"run-{stories}-{kind}"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    try:
        advocate = data.working_copy(built_store, scratch / "advocate")
        progress(f"{label}: the window, {args.runs} launches…")
        result: dict[str, Any] = {"stories": stories, "kind": kind, "store": built}
        result["window"] = measure.measure_window(sk, advocate, args.runs)
        progress(f"{label}: searches and filters, {args.search_reps} runs each…")
        result["search"] = measure.measure_search(advocate, args.search_reps)
        progress(f"{label}: opening {args.open_count} stories…")
        result["open_story"] = measure.measure_open_story(advocate, args.open_count, args.seed)
        if not args.no_insight:
            result["insight"] = insight_reports.run_insight(
                sk, advocate, scratch / "insight", label, max(1, args.insight_reps)
            )
            result["reports"] = insight_reports.run_reports(
                sk, advocate, scratch / "reports", label
            )
        if not args.no_exchange:
            result["exchange"] = exchange.run_exchange(
                sk, advocate, scratch, label, plain=kind == data.PLAIN
            )
        progress(f"{label}: storykeeper check…")
        result["check"] = exchange.run_check(sk, advocate)
        if not args.no_exchange:
            if not stock:
                progress(f"{label}: the same work with the standard tools…")
                source = data.working_copy(built_store, scratch / "plain-source")
                bundle, made = exchange.plain_export(sk, source, scratch / "plain")
                shutil.rmtree(source)
                stock.update(baseline.run_baseline(bundle, scratch / "baseline"))
                stock["plain_export"] = made
                stock["from_store"] = kind
            result["baseline"] = stock
            done = result["exchange"]
            result["ratios"] = {
                "export_vs_making": done["export"]["seconds"] / stock["making"]["seconds"],
                "import_vs_verifying": done["import"]["seconds"] / stock["verifying"]["seconds"],
                "reimport_vs_1s": done["reimport"]["seconds"] / 1.0,
            }
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    result["seconds"] = time.perf_counter() - started
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    progress(f"{label}: done in {result['seconds']:.0f} s")
    return result


def _save(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    partial.replace(out)


def keep_bytecode(work: Path) -> dict[str, str | None]:
    """Let every program the harness runs keep its compiled bytecode, in the work folder.

    An installed Storykeeper starts from compiled modules; with PYTHONDONTWRITEBYTECODE set (as
    some shells and sandboxes set it) every measured process compiled all ~940 of its modules
    from source first, 0.3–0.6 s of each window start. The cache goes under ``work`` (never
    beside the sources); each kind's first window launch, untimed, fills it."""
    earlier = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    prefix = work / "pycache"
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)
    return {"pythondontwritebytecode_was": earlier, "pycache_prefix": str(prefix)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    bytecode = keep_bytecode(args.work)
    sk = storykeeper_command()
    started = dt.datetime.now(dt.UTC)
    try:
        tool("time")  # GNU time, for each process's peak memory
        if not args.no_exchange:
            for name in baseline.TOOLS:
                tool(name)
        results: dict[str, Any] = {
            "harness": {
                "argv": sys.argv,
                "started": started.isoformat(),
                "storykeeper": sk,
                "bytecode": bytecode,
            },
            "machine": report.machine(),
            "program": report.program(),
            "tools": {} if args.no_exchange else baseline.tool_versions(),
            "settings": {
                "seed": args.seed,
                "media_count": args.media_count,
                "media_size": args.media_size,
                "window_runs": args.runs,
                "search_repetitions": args.search_reps,
                "stories_opened": args.open_count,
                "insight_repetitions": args.insight_reps,
                "insight": not args.no_insight,
                "exchange": not args.no_exchange,
                "stores": args.stores,
            },
            "targets": report.TARGETS,
            "sizes": {},
        }
        with private_keyring():
            for stories in args.sizes:
                results["sizes"][str(stories)] = measure_size(args, sk, stories)
                results["harness"]["finished"] = dt.datetime.now(dt.UTC).isoformat()
                _save(results, args.out)
    except BenchmarkError as exc:
        progress(f"the benchmark stopped: {exc}")
        return 1
    except StorykeeperError as error:  # a store would not open in the harness itself
        progress(f"the benchmark stopped: {error.message}")
        return 1
    print(report.table(results))
    progress(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
