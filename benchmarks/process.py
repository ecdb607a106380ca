"""Running a whole process and measuring it: wall time, peak memory, and when a line appeared.

Peak memory is the child's maximum resident set size as GNU time reports it (``%M``, from the
child's own ``wait4``). Asking ``os.wait4`` here would be wrong: Linux starts a new process's
peak at the peak of the process that spawned it (the harness, with Qt and SQLAlchemy loaded), so
every small tool would seem as large as the harness. GNU time is a few hundred kilobytes, so
what it reports is the command's own. Wall time runs from just before the process is started
until it has exited. Nothing here sleeps: it reads the child's output as it comes and waits on
the process itself.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_STARTED = time.perf_counter()


class BenchmarkError(Exception):
    """A step of the benchmark failed; the message says which and why."""


def progress(message: str) -> None:
    """A progress line on standard error, with the time since the harness started."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def storykeeper_command() -> list[str]:
    """The ``storykeeper`` beside this Python (the venv's), else ``python -m storykeeper``."""
    script = Path(sys.executable).parent / "storykeeper"
    return [str(script)] if script.exists() else [sys.executable, "-m", "storykeeper"]


def tool(name: str) -> str:
    """The path of a stock tool, looked for beside this Python first (bagit.py lives there)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise BenchmarkError(
            f"{name} is not installed: run packaging/linux/install-system-deps --test and "
            ".venv/bin/pip install -e '.[test]'"
        )
    return found


@dataclass(frozen=True)
class Measured:
    command: list[str]
    #: Launch → exit, seconds.
    seconds: float
    #: The child's maximum resident set size, in MB (10^6 bytes).
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    #: Launch → the awaited line on standard output, seconds (None when not asked or not seen).
    marker_seconds: float | None = None

    def record(self) -> dict[str, Any]:
        """The numbers for the JSON results."""
        out: dict[str, Any] = {
            "command": self.command,
            "seconds": self.seconds,
            "peak_rss_mb": self.peak_rss_mb,
            "returncode": self.returncode,
        }
        if self.marker_seconds is not None:
            out["marker_seconds"] = self.marker_seconds
        return out


def run_measured(
    command: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    marker: str | None = None,
    check: bool = True,
) -> Measured:
    """Run ``command`` to the end and measure it; with ``check``, a non-zero exit raises."""
    argv = [str(part) for part in command]
    lines: list[str] = []
    marker_seconds = None
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as peak:
        timed = [tool("time"), "--format=%M", f"--output={peak.name}", *argv]
        start = time.perf_counter()
        child = subprocess.Popen(
            timed,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
        assert child.stdout is not None
        with child.stdout:
            for raw in child.stdout:
                line = raw.decode("utf-8", errors="replace")
                if marker is not None and marker_seconds is None and marker in line:
                    marker_seconds = time.perf_counter() - start
                lines.append(line)
        returncode = child.wait()
        seconds = time.perf_counter() - start
        errors.seek(0)
        stderr = errors.read().decode("utf-8", errors="replace")
        # The last line is %M in KiB (a line before it says when the command failed).
        reported = peak.read().split()
    result = Measured(
        command=argv,
        seconds=seconds,
        peak_rss_mb=int(reported[-1]) * 1024 / 1e6 if reported else 0.0,
        returncode=returncode,
        stdout="".join(lines),
        stderr=stderr,
        marker_seconds=marker_seconds,
    )
    if check and result.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise BenchmarkError(f"{' '.join(argv)} exited with {result.returncode}:\n{tail}")
    return result


def percentile(samples: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile, interpolated between the nearest samples."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def summary_ms(samples_s: Sequence[float]) -> dict[str, Any]:
    """Median, 95th percentile and max of samples in seconds, all in milliseconds."""
    ms = [s * 1000 for s in samples_s]
    return {
        "samples_ms": ms,
        "median_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms),
    }
