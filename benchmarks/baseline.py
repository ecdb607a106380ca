"""The same work done with the standard tools, on the same payload, for the ratio.

The payload is the ``data/`` folder of a plain (``--plain``) storykeeper bundle of the same
stories: story JSON, media and ``bundle.json``. Making a bundle is bagit.py (SHA-512 manifests),
minisign (sign the tag manifest), Info-ZIP zip and age (encrypt); verifying is age (decrypt),
unzip, minisign (check the signature) and bagit.py (check every hash). Each is a whole process;
the sums are what storykeeper's export and import are compared with. Keys are made beforehand
and not timed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.process import BenchmarkError, Measured, run_measured, tool

TOOLS = ("age", "age-keygen", "minisign", "zip", "unzip", "bagit.py")


def tool_versions() -> dict[str, str]:
    def first_line(*command: str, line: int = 0) -> str:
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = (out.stdout or out.stderr).strip().splitlines()
        return lines[line].strip() if len(lines) > line else ""

    return {
        "age": first_line(tool("age"), "--version"),
        "minisign": first_line(tool("minisign"), "-v"),
        "zip": first_line(tool("zip"), "-v", line=1),
        "unzip": first_line(tool("unzip"), "-v"),
        "bagit": first_line(tool("bagit.py"), "--version"),
    }


def _payload(bundle: Path, folder: Path) -> Path:
    """The bundle's ``data/`` folder, moved to ``folder/payload`` (not timed)."""
    unpacked = folder / "unpacked"
    run_measured([tool("unzip"), "-q", bundle, "-d", unpacked])
    (bag,) = [p for p in unpacked.iterdir() if p.is_dir()]
    payload = folder / "payload"
    (bag / "data").rename(payload)
    shutil.rmtree(unpacked)
    return payload


def _size(folder: Path) -> tuple[int, int]:
    files = [Path(root) / name for root, _dirs, names in os.walk(folder) for name in names]
    return len(files), sum(f.stat().st_size for f in files)


def _steps(steps: list[tuple[str, list[Any]]], folder: Path) -> dict[str, Any]:
    done: dict[str, Measured] = {name: run_measured(cmd, cwd=folder) for name, cmd in steps}
    return {
        "steps": {name: run.record() for name, run in done.items()},
        "seconds": sum(run.seconds for run in done.values()),
        "peak_rss_max_mb": max(run.peak_rss_mb for run in done.values()),
    }


def run_baseline(bundle: Path, folder: Path) -> dict[str, Any]:
    folder.mkdir()
    payload = _payload(bundle, folder)
    files, size = _size(payload)
    run_measured(
        [tool("minisign"), "-G", "-W", "-f", "-p", "sign.pub", "-s", "sign.key"], cwd=folder
    )
    run_measured([tool("age-keygen"), "-o", "age-identity.txt"], cwd=folder)
    recipient = next(
        line.split(":", 1)[1].strip()
        for line in (folder / "age-identity.txt").read_text().splitlines()
        if line.startswith("# public key:")
    )
    bagit = tool("bagit.py")
    making = _steps(
        [
            ("bagit.py --sha512", [bagit, "--quiet", "--sha512", payload.name]),
            (
                "minisign -S",
                [tool("minisign"), "-S", "-s", "sign.key", "-m", "payload/tagmanifest-sha512.txt"],
            ),
            ("zip -r", [tool("zip"), "-r", "-q", "bag.zip", payload.name]),
            ("age -r", [tool("age"), "-r", recipient, "-o", "bag.zip.age", "bag.zip"]),
        ],
        folder,
    )
    verifying = _steps(
        [
            (
                "age -d",
                [tool("age"), "-d", "-i", "age-identity.txt", "-o", "received.zip", "bag.zip.age"],
            ),
            ("unzip", [tool("unzip"), "-q", "received.zip", "-d", "received"]),
            (
                "minisign -V",
                [
                    tool("minisign"),
                    "-V",
                    "-p",
                    "sign.pub",
                    "-m",
                    "received/payload/tagmanifest-sha512.txt",
                ],
            ),
            ("bagit.py --validate", [bagit, "--quiet", "--validate", "received/payload"]),
        ],
        folder,
    )
    if not (folder / "received" / "payload" / "data" / "bundle.json").is_file():
        raise BenchmarkError("The stock tools' round trip lost the payload")
    return {
        "payload_files": files,
        "payload_bytes": size,
        "bag_zip_bytes": (folder / "bag.zip").stat().st_size,
        "making": making,
        "verifying": verifying,
    }
