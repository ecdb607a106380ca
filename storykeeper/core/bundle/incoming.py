"""A bundle's media files coming in: each checked against the signed manifest (SHA-512) and
its name (SHA-256) while it is copied to a staged file beside the media store.

Nothing lands under its real name here: the importer puts the staged files in place just before
its transaction commits (``MediaStore.place``), and drops them on any failure.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from storykeeper.core import faults
from storykeeper.core.atomic_files import fsync_folder
from storykeeper.core.attachments import MediaStore, StagedFile
from storykeeper.core.bundle.reader import (
    MAX_FILE,
    BundleRefused,
    OpenedBundle,
    zip_damage_refused,
)

#: Syncs ``place_all`` has under way at once.
SYNCS_AT_ONCE = 8


def place_all(media: MediaStore, staged: Iterable[StagedFile]) -> None:
    """Put staged files under their hashes (``MediaStore.place``), their bytes synced together
    first and each folder synced once after: one sync after another (a file's, then its
    folder's) cost an import of 1,000 files about 6 s, and the disk takes concurrent syncs in
    one go. Raises what ``place`` raises (a full disk said as one)."""
    files = list(staged)
    try:
        with ThreadPoolExecutor(SYNCS_AT_ONCE, thread_name_prefix="media-sync") as pool:
            list(pool.map(_sync_file, [f.temp for f in files]))
            placed = [f.sha256 for f in files if media.place(f, sync_folder=False)]
            list(pool.map(fsync_folder, {media.path_for(sha).parent for sha in placed}))
    except OSError as exc:
        full = faults.disk_full(exc, media.root, "Nothing was imported.")
        if full is not None and full is not exc:
            raise full from exc
        raise


def _sync_file(path: Path) -> None:
    # Opened to write: Windows syncs a file only through a handle that may write to it.
    with path.open("r+b") as stream:
        os.fsync(stream.fileno())


class _Hashing:
    """A zip member read through SHA-512 (the manifest's hash), refusing more bytes than the
    header declared.

    The SHA-512 runs on a second thread while the caller hashes (SHA-256) and writes the chunk:
    hashlib lets go of the GIL, so on two cores the two hashes of a large file overlap (1 GB of
    media: about 1 s saved, docs/performance.md). Updates stay in order: each waits for the one
    before.
    """

    def __init__(
        self, member: BinaryIO, declared: int, name: str, worker: ThreadPoolExecutor
    ) -> None:
        self._member = member
        self._declared = declared
        self._name = name
        self._worker = worker
        self._pending: Future[None] | None = None
        self._sha512 = hashlib.sha512()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._member.read(size)
        self.size += len(chunk)
        if self.size > self._declared or self.size > MAX_FILE:
            raise BundleRefused(f"'{self._name}' holds more than its header says.")
        self._wait()
        self._pending = self._worker.submit(self._sha512.update, chunk)
        return chunk

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def sha512(self) -> str:
        self._wait()
        return self._sha512.hexdigest()


class IncomingMedia:
    """The media of one bundle, each checked once however many stories name it."""

    def __init__(self, bundle: OpenedBundle, media: MediaStore) -> None:
        self.bundle = bundle
        self.media = media
        #: Media copied in and checked, waiting for the commit (by SHA-256).
        self.staged: dict[str, StagedFile] = {}
        #: Media files in the bundle checked and already held intact here.
        self.present: set[str] = set()
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-hash")

    def close(self) -> None:
        self._hasher.shutdown(wait=True)

    def check(self, sha: str) -> int:
        """Check a media file in the bundle against its name; stage it unless already here."""
        if sha in self.staged:
            return self.staged[sha].size
        path = f"data/media/{sha}"
        if path not in self.bundle.payload:
            raise BundleRefused(
                f"A story lists the media file '{path}', which is not in the bundle."
            )
        name = f"{self.bundle.top}/{path}"
        declared = self.bundle.archive.getinfo(name).file_size
        with zip_damage_refused(path), self.bundle.archive.open(name) as member:
            reader = _Hashing(member, declared, path, self._hasher)  # type: ignore[arg-type]
            # Synced with the others by the importer's ``MediaStore.place_all``.
            staged = self.media.stage(reader, sync=False)  # type: ignore[arg-type]
        if reader.sha512() != self.bundle.payload[path]:
            self.media.unstage(staged)
            raise BundleRefused(f"File '{path}' was changed after signing.")
        if staged.sha256 != sha:
            self.media.unstage(staged)
            raise BundleRefused(
                f"File '{path}' does not match its name: its content's SHA-256 is "
                f"{staged.sha256[:12]}…, so it is not the file the story refers to."
            )
        if self.media.verify(sha) is None:
            self.media.unstage(staged)
            self.present.add(sha)
        self.staged[sha] = staged
        return staged.size
