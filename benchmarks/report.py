"""The results as a table (one row per measurement; for each size a column per kind of store and,
when both were measured, their encrypted ÷ plain ratio) and the machine facts."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import storykeeper
from benchmarks.insight_reports import FORMATS
from storykeeper.core.db import head_revision

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    """A bar from PRODUCT.md: the value must be at most ``limit``."""

    limit: float
    text: str

    def met(self, value: float) -> bool:
        return value <= self.limit


WINDOW = Target(1.5, "≤ 1.5 s")
SEARCH = Target(100.0, "≤ 100 ms")
MEMORY = Target(400.0, "≤ 400 MB")
RATIO = Target(1.0, "≤ 1.0")
REIMPORT = Target(1.0, "≤ 1 s")
INSIGHT = Target(300.0, "≤ 300 ms")
PDF = Target(30.0, "≤ 30 s")


def _seconds(v: float) -> str:
    return f"{v:.0f} s" if v >= 100 else f"{v:.2f} s"


def _ms(v: float) -> str:
    return f"{v:.1f} ms"


def _mb(v: float) -> str:
    return f"{v:.0f} MB"


def _bytes(v: float) -> str:
    return f"{v / 1e6:.1f} MB"


def _count(v: float) -> str:
    return f"{v:,.0f}"


def _ratio(v: float) -> str:
    return f"{v:.2f}"


@dataclass(frozen=True)
class Row:
    label: str
    path: tuple[str, ...]
    show: Callable[[float], str]
    target: Target | None = None


def report_rows() -> list[Row]:
    """Each format ``storykeeper report`` writes: its whole process (the PDF has a bar) and its
    peak memory (every one streamed, under the memory bar)."""
    rows = []
    for chosen in FORMATS:
        rows.append(
            Row(
                f"report {chosen}: whole process",
                ("reports", chosen, "seconds"),
                _seconds,
                PDF if chosen == "pdf" else None,
            )
        )
        rows.append(
            Row(f"report {chosen}: peak memory", ("reports", chosen, "peak_rss_mb"), _mb, MEMORY)
        )
    return rows


ROWS = [
    Row("store: database size", ("store", "database_bytes"), _bytes),
    Row("store: media files attached", ("store", "media", "files"), _count),
    Row("window: launch → first page, median", ("window", "first_page_median_s"), _seconds, WINDOW),
    Row("window: launch → first page, max", ("window", "first_page_max_s"), _seconds, WINDOW),
    Row("window: peak memory, max", ("window", "peak_rss_max_mb"), _mb, MEMORY),
    Row("search/filter: median, all queries", ("search", "median_ms"), _ms),
    Row("search/filter: p95, all queries", ("search", "p95_ms"), _ms, SEARCH),
    Row("search/filter: slowest query's p95", ("search", "slowest_p95_ms"), _ms, SEARCH),
    Row("open a story: median", ("open_story", "median_ms"), _ms),
    Row("open a story: p95", ("open_story", "p95_ms"), _ms),
    Row(
        "insight page: filter change → shown, median",
        ("insight", "page_filter_change_median_ms"),
        _ms,
    ),
    Row(
        "insight page: filter change → shown, p95",
        ("insight", "page_filter_change_p95_ms"),
        _ms,
        INSIGHT,
    ),
    Row("insight: count after a filter change, p95", ("insight", "filter_change_p95_ms"), _ms),
    Row("insight: first count (reads the snapshot)", ("insight", "first_count_s"), _seconds),
    Row("insight: snapshot in memory", ("insight", "snapshot_bytes"), _bytes),
    Row("storykeeper insight: whole process", ("insight", "command", "seconds"), _seconds),
    Row(
        "storykeeper insight: peak memory",
        ("insight", "command", "peak_rss_mb"),
        _mb,
        MEMORY,
    ),
    *report_rows(),
    Row("export: whole process", ("exchange", "export", "seconds"), _seconds),
    Row("export: peak memory", ("exchange", "export", "peak_rss_mb"), _mb, MEMORY),
    Row("export: bundle size", ("exchange", "export", "bundle_bytes"), _bytes),
    Row("export: stories carried", ("exchange", "export", "stories"), _count),
    Row("export: media files carried", ("exchange", "export", "media_files"), _count),
    Row(
        "stock tools: making (bagit, minisign, zip, age)",
        ("baseline", "making", "seconds"),
        _seconds,
    ),
    Row("export ÷ making", ("ratios", "export_vs_making"), _ratio, RATIO),
    Row("import: whole process", ("exchange", "import", "seconds"), _seconds),
    Row("import: peak memory", ("exchange", "import", "peak_rss_mb"), _mb, MEMORY),
    Row(
        "stock tools: verifying (age, unzip, minisign, bagit)",
        ("baseline", "verifying", "seconds"),
        _seconds,
    ),
    Row("import ÷ verifying", ("ratios", "import_vs_verifying"), _ratio, RATIO),
    Row("re-import: whole process", ("exchange", "reimport", "seconds"), _seconds, REIMPORT),
    Row("re-import: peak memory", ("exchange", "reimport", "peak_rss_mb"), _mb, MEMORY),
    Row("check: whole process", ("check", "seconds"), _seconds),
    Row("check: peak memory", ("check", "peak_rss_mb"), _mb, MEMORY),
    Row("harness: time for this size", ("seconds",), _seconds),
]

TARGETS = {row.label: {"at_most": row.target.limit} for row in ROWS if row.target}


def value(size_result: dict[str, Any], path: tuple[str, ...]) -> float | None:
    """The number at ``path``, or None when that part was not run."""
    node: Any = size_result
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) else None


def _verdict(row: Row, number: float | None) -> str:
    if number is None or row.target is None:
        return ""
    return "met" if row.target.met(number) else "NOT MET"


def kind_ratios(encrypted: dict[str, Any], plain: dict[str, Any]) -> dict[str, float]:
    """Each row's encrypted figure ÷ its plain figure, where both were measured (and the plain
    one is not zero)."""
    ratios = {}
    for row in ROWS:
        on_encrypted, on_plain = value(encrypted, row.path), value(plain, row.path)
        if on_encrypted is not None and on_plain:
            ratios[row.label] = on_encrypted / on_plain
    return ratios


@dataclass(frozen=True)
class Column:
    header: str
    #: One kind's results, or None for the ratio column.
    measured: dict[str, Any] | None
    ratios: dict[str, float]


def columns(results: dict[str, Any]) -> list[Column]:
    out = []
    for size in results["sizes"].values():
        for kind, measured in size["stores"].items():
            out.append(Column(f"{size['stories']:,} {kind}", measured, {}))
        if "encrypted_vs_plain" in size:
            out.append(Column(f"{size['stories']:,} enc ÷ plain", None, size["encrypted_vs_plain"]))
    return out


def _cell(row: Row, column: Column) -> tuple[float | None, str, str]:
    """The number, how it is shown, and its verdict (ratios have none)."""
    if column.measured is None:
        ratio = column.ratios.get(row.label)
        return ratio, (f"× {ratio:.2f}" if ratio is not None else "—"), ""
    number = value(column.measured, row.path)
    return number, (row.show(number) if number is not None else "—"), _verdict(row, number)


def table(results: dict[str, Any]) -> str:
    """Values right-aligned, each followed by whether it meets its target."""
    shown_columns = columns(results)
    header = ["measurement", "target", *(c.header for c in shown_columns)]
    cells = [[_cell(row, column) for column in shown_columns] for row in ROWS]
    shown = [[text for _n, text, _v in line] for line in cells]
    label_w = max(len(row.label) for row in ROWS)
    target_w = max(len("target"), *(len(row.target.text) for row in ROWS if row.target))
    value_w = [max(len(line[i]) for line in shown) for i in range(len(shown_columns))]
    column_w = [max(w + len("  NOT MET"), len(h)) for w, h in zip(value_w, header[2:], strict=True)]

    def line(label: str, target: str, cells: list[str]) -> str:
        return "  ".join([label.ljust(label_w), target.ljust(target_w), *cells]).rstrip()

    out = [machine_line(results), ""]
    out.append(
        line(header[0], header[1], [h.rjust(w) for h, w in zip(header[2:], column_w, strict=True)])
    )
    out.append(line("-" * label_w, "-" * target_w, ["-" * w for w in column_w]))
    for row, line_cells in zip(ROWS, cells, strict=True):
        texts = [
            (text.rjust(vw) + "  " + verdict).ljust(cw)
            for (_n, text, verdict), vw, cw in zip(line_cells, value_w, column_w, strict=True)
        ]
        out.append(line(row.label, row.target.text if row.target else "", texts))
    for column in shown_columns:
        measured = column.measured
        if measured is not None and "search" in measured:
            out.append(
                f"slowest query at {column.header}: {measured['search']['slowest_query']} "
                f"(p95 {measured['search']['slowest_p95_ms']:.1f} ms)"
            )
        if measured is not None and "load_average" in measured:
            before, after = measured["load_average"]["before"], measured["load_average"]["after"]
            out.append(
                f"load average (1 min) at {column.header}: {before[0]:.2f} before, "
                f"{after[0]:.2f} after"
            )
    return "\n".join(out)


def machine_line(results: dict[str, Any]) -> str:
    m, p = results["machine"], results["program"]
    return (
        f"{m['cpu_count']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB, {m['os']}, "
        f"Python {m['python']}, SQLite {m['sqlite']}; storykeeper {p['version']} "
        f"(schema {p['schema']}, commit {p['git_commit'][:10] or '?'}"
        f"{', with uncommitted changes' if p['git_modified'] else ''})"
    )


def machine() -> dict[str, Any]:
    cpu_model = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        os_name = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    except OSError:
        os_name = platform.system()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "ram_bytes": ram,
        "ram_gib": round(ram / 2**30, 1),
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def program() -> dict[str, Any]:
    """Which program was measured: it changes while people work on it."""
    modified = _git("status", "--porcelain", "--", "storykeeper")
    return {
        "version": storykeeper.__version__,
        "schema": head_revision(),
        "location": str(Path(storykeeper.__file__).parent),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_modified": [line[3:] for line in modified.splitlines()],
    }
