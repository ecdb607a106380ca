"""Attachments: audio, photos and documents belonging to a story.

The database holds the metadata; the bytes live under ``media/`` named by their SHA-256, so the
same file attached twice is stored once and any change to a file shows as a wrong hash. Files are
written to a temporary name, flushed to disk and renamed, so a crash never leaves half a file
under a real name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.models import AttachmentRow, StoryRow
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.validation import clean_line
from storykeeper.core.vocabulary import AttachmentKind

CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    kind: AttachmentKind
    sha256: str
    size: int
    media_type: str
    original_name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


@dataclass(frozen=True)
class StagedFile:
    """Bytes copied in under a temporary name, hashed, synced, not yet under their hash."""

    temp: Path
    sha256: str
    size: int


#: Temporary files of copies in progress; one older than this is what a crash left.
STAGING_PREFIX = ".incoming-"
STALE_STAGING = dt.timedelta(hours=1)


def attachment_from_row(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=row.uuid,
        kind=AttachmentKind(row.kind),
        sha256=row.sha256,
        size=row.size,
        media_type=row.media_type,
        original_name=row.original_name,
        created_at=row.created_at,
    )


def _fsync_dir(folder: Path) -> None:
    # A rename is only durable once the folder holding it is synced (POSIX; a no-op elsewhere).
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MediaStore:
    """Content-addressed files: ``media/ab/abcdef…`` for SHA-256 ``abcdef…``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put_stream(self, stream: BinaryIO) -> StoredFile:
        """Copy a stream in, hashing as it goes; the bytes land under their hash, atomically."""
        staged = self.stage(stream)
        self.place(staged)
        return StoredFile(staged.sha256, staged.size)

    def stage(self, stream: BinaryIO) -> StagedFile:
        """Copy a stream to a temporary file beside the media, hashing it; ``place`` then puts
        it under its hash and ``unstage`` drops it. Staging first lets an import check every
        file before any lands under a real name."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=self.root)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return StagedFile(temp, digest.hexdigest(), size)

    def place(self, staged: StagedFile) -> bool:
        """Put a staged file under its hash; False when an intact copy was already there."""
        target = self.path_for(staged.sha256)
        try:
            target.parent.mkdir(exist_ok=True, mode=0o700)
            if target.exists() and self.hash_of(target) == staged.sha256:
                staged.temp.unlink()
                return False
            staged.temp.replace(target)
            _fsync_dir(target.parent)
            return True
        except BaseException:
            staged.temp.unlink(missing_ok=True)
            raise

    @staticmethod
    def unstage(staged: StagedFile) -> None:
        staged.temp.unlink(missing_ok=True)

    def sweep_staging(self) -> int:
        """Remove temporary files a crash left (older than an hour, so never a copy under way)."""
        if not self.root.is_dir():
            return 0
        cutoff = (clock.now() - STALE_STAGING).timestamp()
        removed = 0
        for temp in self.root.glob(f"{STAGING_PREFIX}*"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def put_file(self, source: Path) -> StoredFile:
        try:
            with source.open("rb") as stream:
                return self.put_stream(stream)
        except FileNotFoundError as exc:
            raise ValidationError(f"The file {source} does not exist.") from exc
        except IsADirectoryError as exc:
            raise ValidationError(f"{source} is a folder; choose a file.") from exc
        except PermissionError as exc:
            raise ValidationError(
                f"Storykeeper may not read {source}: check its permissions."
            ) from exc

    @staticmethod
    def hash_of(path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def verify(self, sha256: str) -> str | None:
        """None when the file is present and intact, else what is wrong with it."""
        path = self.path_for(sha256)
        if not path.is_file():
            return "missing"
        actual = self.hash_of(path)
        return None if actual == sha256 else f"damaged (its content now hashes to {actual[:12]}…)"

    def discard(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def stored_hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.is_dir():
                for file in folder.iterdir():
                    if _SHA256.match(file.name):
                        yield file.name


def _guess_kind(media_type: str) -> AttachmentKind:
    if media_type.startswith("audio/"):
        return AttachmentKind.AUDIO
    if media_type.startswith("image/"):
        return AttachmentKind.PHOTO
    return AttachmentKind.DOCUMENT


def add_attachment(
    session: Session,
    media: MediaStore,
    story_id: str,
    source: Path,
    *,
    kind: AttachmentKind | None = None,
) -> Attachment:
    """Store ``source`` under its hash and attach it to the story.

    The file is stored before the row; if the transaction then rolls back, the file is an orphan
    that ``check`` reports and a later clean-up removes, and nothing is ever lost.
    """
    story = resolve(session, StoryRow, story_id, "story")
    refuse_if_imported(session, story)
    stored = media.put_file(source)
    media_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    row = AttachmentRow(
        story_id=story.id,
        kind=AttachmentKind(kind or _guess_kind(media_type)).value,
        sha256=stored.sha256,
        size=stored.size,
        media_type=media_type,
        original_name=clean_line(source.name, "original_name", "The file name", max_length=255),
        created_at=clock.now(),
    )
    session.add(row)
    story.bump_revision()
    session.flush()
    audit.record(
        session,
        "attachment.added",
        "story",
        story.uuid,
        {"sha256": stored.sha256, "kind": row.kind},
    )
    return attachment_from_row(row)
