"""A real full disk for the tests: a small tmpfs, filled with one file of zeros.

Mounting needs root: CI runs as root; a developer who is not runs the tests inside a private
user and mount namespace (``unshare --user --map-root-user --mount``), where they are. The
mount is lazily unmounted afterwards, so a test that fails still leaves nothing mounted.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = "filler"
_BLOCK = b"\0" * 65536


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size`` (``mount -o size=``, e.g. ``"2m"``) for the block."""
    folder.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.fail(
            f"Cannot mount a small tmpfs for a real full disk ({made.stderr.strip()}): run the "
            "tests as root, as CI does, or inside `unshare --user --map-root-user --mount`."
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def fill(folder: Path) -> int:
    """Take every free byte of the disk holding ``folder`` with one file; its size."""
    written = 0
    with (folder / FILLER).open("wb", buffering=0) as filler:
        try:
            while True:
                written += filler.write(_BLOCK)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        # The last block may have gone in part: write what is left byte by byte.
        with contextlib.suppress(OSError):
            while filler.write(b"\0"):
                written += 1
    return written


def free(folder: Path) -> None:
    (folder / FILLER).unlink(missing_ok=True)
