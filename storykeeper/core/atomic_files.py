"""Files that appear whole or not at all: reports, extracts and project files written where a
person asked for them (the bundle writer and the store have their own staging).

Each target is written to a temporary file beside it (same folder, so the rename is atomic),
synced, renamed over the target once every file of the set is whole, and the folder synced. On
any failure no temporary file is left and the old target stays; a full disk or a folder that
cannot be written is one plain sentence, never the temporary file's path.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from storykeeper.core import faults
from storykeeper.core.errors import DiskFullError, StorykeeperError


class FileWriteError(StorykeeperError):
    """The file could not be written where asked (no such folder, no permission, a folder in
    the way): one sentence naming the file, the folder and the system's reason."""


@contextmanager
def atomic_files(targets: Sequence[Path]) -> Iterator[list[IO[bytes]]]:
    """Binary handles for ``targets``, each renamed into place once all are whole."""
    temporaries: list[Path] = []
    try:
        with ExitStack() as stack:
            handles = []
            for target in targets:
                handle = stack.enter_context(
                    tempfile.NamedTemporaryFile(
                        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
                    )
                )
                temporaries.append(Path(handle.name))
                handles.append(handle)
            yield handles
            for handle in handles:
                handle.flush()
                os.fsync(handle.fileno())
        for temporary, target in zip(temporaries, targets, strict=True):
            temporary.replace(target)
        temporaries = []
        for folder in {target.parent for target in targets}:
            fsync_folder(folder)
    except BaseException as exc:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        plain = plain_write_error(exc, targets[0])
        if plain is not None:
            raise plain from exc
        raise


@contextmanager
def atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """``atomic_files`` for one target."""
    with atomic_files([target]) as (handle,):
        yield handle


def plain_write_error(exc: BaseException, target: Path) -> StorykeeperError | None:
    """The one sentence for a failed write: a full disk, or the system's own reason (never the
    path of a temporary file); None when it is neither (a bug, or the program's own error)."""
    if isinstance(exc, StorykeeperError):
        return None
    full = faults.disk_full(exc, target.parent, f"{target.name} was not written.")
    if full is None and any(
        isinstance(link, etree.SerialisationError) for link in faults.causes(exc)
    ):
        # lxml (openpyxl's spool, python-docx) loses the system's error number: ask the disk.
        room = faults.free_bytes(target.parent)
        if room is not None and room < faults.LOW_SPACE_BYTES:
            full = DiskFullError(target.parent, f"{target.name} was not written.")
    if full is not None:
        return full
    if isinstance(exc, OSError) and exc.errno is not None:
        reason = exc.strerror or type(exc).__name__
        return FileWriteError(f"Could not write {target.name} in {target.parent}: {reason}.")
    return None


def fsync_folder(folder: Path) -> None:
    """A rename is only durable once the folder holding it is synced (POSIX; a no-op
    elsewhere)."""
    if os.name != "posix":  # pragma: no cover
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
