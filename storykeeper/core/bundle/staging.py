"""Where an export's files live while it is written, and tidying what a killed export left.

The plaintext zip (the stories' words, the people's consent) is written only inside the data
folder, in ``tmp/`` (readable by this account alone), never in the folder the person chose,
which may be a USB stick. Outside the data folder an export writes only ciphertext (the age file
being encrypted) or, for a plain bundle the person asked for, a copy made once the zip is whole.

Each export holds a lock on ``tmp/export-<id>.lock`` while it runs (the operating system lets go
of it when the process dies) and notes in ``tmp/export-<id>.target`` every file it is about to
create outside, before creating it. At the next start ``sweep_leftovers`` takes each lock no
running export holds and removes that export's staged zip, the files its note names, and the
note: a kill -9 at any moment leaves nothing behind for longer than until the program next runs.

An import decrypts a bundle here too, never in the system's temporary folder: each holds a lock
on ``tmp/import-<token>.lock`` while its decrypted ``tmp/import-<token>.zip`` exists, removes it
on every way out, and the same sweep removes what an import that was killed left.

What is staged here is sealed (``sealed_files``) with a random key made for that one export or
import and held only in its memory (``staging_key``): the zip of people's words and media is
never on the disk in the clear, and what a kill leaves behind cannot be read by anyone, this
program included, until the next start removes it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import uuid
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

STAGING_FOLDER = "tmp"
PARTIAL_PREFIX = ".storykeeper-partial-"
_LOCK_SUFFIX = ".lock"
_NOTE_SUFFIX = ".target"
_EXPORT_PREFIX = "export-"
_IMPORT_PREFIX = "import-"
_IMPORT_PLAINTEXT_SUFFIX = ".zip"
_BUNDLE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def staging_key() -> bytes:
    """A new random key for one export's or import's staged zip; never written anywhere."""
    return secrets.token_bytes(32)


def staging_folder(data_dir: Path) -> Path:
    """The data folder's private place for an export's plaintext while it is written."""
    return data_dir / STAGING_FOLDER


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - folders cannot be opened for syncing elsewhere
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ExportStaging:
    """One export's files in progress: a context manager that holds the export's lock and, on
    leaving (finished, failed or cancelled), removes every partial file it made."""

    def __init__(self, folder: Path, bundle_id: str) -> None:
        self.folder = folder
        self.bundle_id = bundle_id
        self.zipped = folder / f"{PARTIAL_PREFIX}{bundle_id}.zip"
        self._note = folder / f"{_EXPORT_PREFIX}{bundle_id}{_NOTE_SUFFIX}"
        self._lock = FileLock(folder / f"{_EXPORT_PREFIX}{bundle_id}{_LOCK_SUFFIX}", mode=0o600)

    def __enter__(self) -> ExportStaging:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder.chmod(0o700)  # a folder made earlier, or by hand, is made private too
        # Never contended but by a start sweeping at this very moment: wait it out.
        self._lock.acquire(timeout=10)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        _remove(self.folder, self.bundle_id)
        self._lock.release()
        Path(self._lock.lock_file).unlink(missing_ok=True)

    def outside(self, folder: Path, suffix: str) -> Path:
        """A partial file in ``folder`` (outside the data folder), noted before it is made, so
        that the next start can remove it should this process be killed meanwhile."""
        partial = folder / f"{PARTIAL_PREFIX}{self.bundle_id}{suffix}"
        with self._note.open("a", encoding="utf-8") as note:
            note.write(f"{partial}\n")
            note.flush()
            os.fsync(note.fileno())
        _fsync_folder(self.folder)
        return partial


class ImportStaging:
    """One import's decrypted zip in the data folder's ``tmp/``: a context manager that holds
    the import's lock while the plaintext exists and removes it on leaving, however it leaves."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        token = uuid.uuid4()
        self.plaintext = folder / f"{_IMPORT_PREFIX}{token}{_IMPORT_PLAINTEXT_SUFFIX}"
        self._lock = FileLock(folder / f"{_IMPORT_PREFIX}{token}{_LOCK_SUFFIX}", mode=0o600)

    def __enter__(self) -> ImportStaging:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder.chmod(0o700)
        # A fresh token: never contended but by a start sweeping at this very moment.
        self._lock.acquire(timeout=10)
        # Made now, readable by this account alone, for the decrypter to write into.
        os.close(os.open(self.plaintext, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self.plaintext.unlink(missing_ok=True)
        finally:
            self._lock.release()
            Path(self._lock.lock_file).unlink(missing_ok=True)


def sweep_import_leftovers(folder: Path) -> int:
    """Remove the decrypted zips of killed imports from the staging ``folder``, leaving any
    import still running alone; how many were removed. Run at every start and every import."""
    if not folder.is_dir():
        return 0
    tokens = {
        p.name[len(_IMPORT_PREFIX) :].split(".", 1)[0]
        for p in folder.iterdir()
        if p.name.startswith(_IMPORT_PREFIX)
    }
    swept = 0
    for token in sorted(t for t in tokens if _BUNDLE_ID.fullmatch(t)):
        lock_path = folder / f"{_IMPORT_PREFIX}{token}{_LOCK_SUFFIX}"
        lock = FileLock(lock_path, mode=0o600)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # another process is importing now
        try:
            (folder / f"{_IMPORT_PREFIX}{token}{_IMPORT_PLAINTEXT_SUFFIX}").unlink(missing_ok=True)
            swept += 1
        finally:
            lock.release()
            lock_path.unlink(missing_ok=True)
    if swept:
        log.info("removed the decrypted files of %d interrupted import(s)", swept)
    return swept


def _remove(folder: Path, bundle_id: str) -> None:
    """Remove one export's staged zip, the partial files its note names, and the note."""
    note = folder / f"{_EXPORT_PREFIX}{bundle_id}{_NOTE_SUFFIX}"
    with contextlib.suppress(FileNotFoundError):
        for line in note.read_text(encoding="utf-8").splitlines():
            partial = Path(line)
            # Only ever a partial bundle file: a note changed by hand cannot delete anything else.
            if partial.name.startswith(PARTIAL_PREFIX) and bundle_id in partial.name:
                partial.unlink(missing_ok=True)
    (folder / f"{PARTIAL_PREFIX}{bundle_id}.zip").unlink(missing_ok=True)
    note.unlink(missing_ok=True)


def sweep_leftovers(data_dir: Path) -> int:
    """Remove what killed exports left (their staged zips, their partial files outside, their
    notes) and killed imports left (their decrypted zips), leaving alone any export or import
    still running in another process; how many were found."""
    folder = staging_folder(data_dir)
    if not folder.is_dir():
        return 0
    imports = sweep_import_leftovers(folder)
    swept = 0
    bundle_ids = {
        found
        for p in folder.iterdir()
        if not p.name.startswith(_IMPORT_PREFIX)
        for found in _BUNDLE_ID.findall(p.name)
    }
    for bundle_id in sorted(bundle_ids):
        lock_path = folder / f"{_EXPORT_PREFIX}{bundle_id}{_LOCK_SUFFIX}"
        lock = FileLock(lock_path, mode=0o600)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # another process is writing this export now
        try:
            _remove(folder, bundle_id)
            swept += 1
        finally:
            lock.release()
            lock_path.unlink(missing_ok=True)
    if swept:
        log.info("removed the partial files of %d interrupted export(s)", swept)
    return imports + swept
