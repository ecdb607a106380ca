"""Attachments: audio, photos and documents belonging to a story.

The database holds the metadata; the bytes live under ``media/`` named by their SHA-256, so the
same file attached twice is stored once and any change to a file shows as a wrong hash. Files are
written to a temporary name, flushed to disk and renamed, so a crash never leaves half a file
under a real name.

A file brought in from outside is measured before a byte of it is copied: photos and documents
up to ``DOCUMENT_MAX_BYTES``, audio files up to ``AUDIO_IMPORT_MAX_BYTES`` (``SIZE_LIMITS``).
Recordings made inside the program pass ``limit=None``: an interview is as long as it is.

In an encrypted store every media file is sealed at rest (``sealed_files``: AES-256-GCM in
64 KiB chunks, the key derived from the store key for "media"), still named by the SHA-256 of
its plaintext, so the same photo is still stored once and ``check`` still verifies it, by
decrypting. Whoever needs the bytes reads them through ``MediaStore.open`` (seekable), never
from the file itself. A file without the sealed header in such a store is one a conversion has
not reached yet: it is read as it is, reported by ``check``, and ``seal_plain_files`` seals it.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import mimetypes
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock, faults
from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.models import AttachmentRow, StoryRow
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.sealed_files import (
    MAGIC,
    SealedFileError,
    SealingWriter,
    is_sealed,
    open_sealed,
)
from storykeeper.core.validation import clean_line
from storykeeper.core.vocabulary import AttachmentKind

CHUNK = 1024 * 1024
#: The longest file name and media type kept (the columns' widths, and the bundle's limits).
ORIGINAL_NAME_MAX = 255
MEDIA_TYPE_MAX = 100
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

#: Sizes are said in decimal units, as file managers on Linux and macOS show them.
MB = 1_000_000
#: The largest photo or document accepted: far beyond any phone photo or scanned letter, small
#: enough that a bundle of many stories still fits on a USB stick and in an e-mail service.
PHOTO_MAX_BYTES = 100 * MB
DOCUMENT_MAX_BYTES = 100 * MB
#: The largest audio file brought in from outside (made on a phone or a dictaphone): over eight
#: hours of MP3 at 128 kbit/s, or about 50 minutes of CD-quality WAV.
AUDIO_IMPORT_MAX_BYTES = 500 * MB
SIZE_LIMITS: dict[AttachmentKind, int] = {
    AttachmentKind.PHOTO: PHOTO_MAX_BYTES,
    AttachmentKind.DOCUMENT: DOCUMENT_MAX_BYTES,
    AttachmentKind.AUDIO: AUDIO_IMPORT_MAX_BYTES,
}
_NOUNS = {
    AttachmentKind.PHOTO: "a photo",
    AttachmentKind.DOCUMENT: "a document",
    AttachmentKind.AUDIO: "an audio file",
}
_SMALLER = {
    AttachmentKind.PHOTO: "for example, save it at a lower resolution or as a JPEG",
    AttachmentKind.DOCUMENT: "for example, scan it at a lower resolution",
    AttachmentKind.AUDIO: "for example, save it as MP3 or cut it into parts",
}


class KindLimit(enum.Enum):
    """``add_attachment``'s default limit: the one ``SIZE_LIMITS`` gives the file's kind."""

    KIND = "kind"


def size_in_words(size: int) -> str:
    """“212 MB”, “1.5 MB”, “340 KB”, “12 bytes”: what a person reads beside a file name."""
    if size < 1000:
        return "1 byte" if size == 1 else f"{size} bytes"
    for unit, scale in (("KB", 1000), ("MB", MB), ("GB", 1000 * MB)):
        value = size / scale
        if value < 999.5 or unit == "GB":
            # One decimal while it says something (1.5 MB), none once it is noise (212 MB).
            return f"{value:.1f} {unit}" if value < 9.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def too_large_message(name: str, size: int, kind: AttachmentKind, limit: int) -> str:
    said, most = size_in_words(size), size_in_words(limit)
    # 100,000,001 bytes would otherwise read "is 100 MB; … at most 100 MB".
    said = f"just over {most}" if said == most else said
    return (
        f"“{name}” is {said}; {_NOUNS[kind]} can be at most {most}. Make it smaller "
        f"({_SMALLER[kind]}) or keep it elsewhere."
    )


def measure(source: Path, name: str, kind: AttachmentKind, limit: int | None) -> int:
    """The size of the file at ``source``, after checking it can be attached: it exists, is an
    ordinary file, is not empty, and is within ``limit`` (None: no limit). Nothing is read."""
    try:
        info = source.stat()
    except FileNotFoundError as exc:
        raise ValidationError(f"The file {source} does not exist.") from exc
    except PermissionError as exc:
        raise ValidationError(f"Storykeeper may not read {source}: check its permissions.") from exc
    except OSError as exc:
        raise ValidationError(f"Storykeeper cannot read {source} ({exc.strerror}).") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError(f"“{name}” is a folder; choose the files inside it instead.")
    if not stat.S_ISREG(info.st_mode):
        # A pipe or a device would report no size and could be read for ever.
        raise ValidationError(f"“{name}” is not an ordinary file; choose a photo or a document.")
    if info.st_size == 0:
        raise ValidationError(f"“{name}” is empty: there is nothing in it to attach.")
    if limit is not None and info.st_size > limit:
        raise ValidationError(too_large_message(name, info.st_size, kind, limit))
    return info.st_size


class _Capped:
    """A stream that refuses to give more than ``limit`` bytes: a file that grows while it is
    copied (a download still under way, another program writing it) cannot slip past the size
    check made before the copy."""

    def __init__(self, stream: BinaryIO, limit: int, message: str) -> None:
        self._stream = stream
        self._left = limit
        self._message = message

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._left -= len(chunk)
        if self._left < 0:
            raise ValidationError(self._message)
        return chunk


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    kind: AttachmentKind
    sha256: str
    size: int
    media_type: str
    original_name: str
    created_at: dt.datetime
    #: What it shows, in the advocate's words ("": none yet); kept here only (core/captions.py).
    caption: str = ""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


@dataclass(frozen=True)
class RemovedAttachment:
    """What ``remove_attachment`` did. ``unused_sha256`` is the file's hash when no attachment
    uses it any more: the caller discards the file once the transaction has committed (never
    before, so a rollback loses nothing)."""

    attachment: Attachment
    story_id: str
    story_revision: int
    unused_sha256: str | None


@dataclass(frozen=True)
class Swept:
    """Files removed from the media folder, and how much room that gave back."""

    files: int = 0
    bytes: int = 0


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
        caption=row.caption,
    )


def _raise_if_disk_full(
    exc: BaseException, folder: Path, consequence: str = "Nothing was changed."
) -> None:
    """Say a full disk as one (naming ``folder``), not as a raw ``OSError``; the partial copy
    is gone by now, so nothing of it was kept."""
    full = faults.disk_full(exc, folder, consequence)
    if full is not None and full is not exc:
        raise full from exc


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
    """Content-addressed files: ``media/ab/abcdef…`` for SHA-256 ``abcdef…`` (of the plaintext).

    With a ``key`` (``store.media`` gives it: the store's key for "media") every file is written
    sealed; without one (a plain store) files are written as they are."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = root
        self._key = key

    @property
    def sealed(self) -> bool:
        """Whether files are written sealed (the store is encrypted)."""
        return self._key is not None

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put_stream(self, stream: BinaryIO) -> StoredFile:
        """Copy a stream in, hashing as it goes; the bytes land under their hash, atomically."""
        staged = self.stage(stream)
        self.place(staged)
        return StoredFile(staged.sha256, staged.size)

    def stage(self, stream: BinaryIO, *, sync: bool = True) -> StagedFile:
        """Copy a stream to a temporary file beside the media (sealed, in an encrypted store),
        hashing its plaintext; ``place`` then puts it under its hash and ``unstage`` drops it.
        Staging first lets an import check every file before any lands under a real name.
        Unsynced (``sync=False``), its caller syncs it before ``place``."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=self.root)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                sink: BinaryIO | SealingWriter = (
                    out if self._key is None else SealingWriter(self._key, out)
                )
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    sink.write(chunk)
                    size += len(chunk)
                if sink is not out:
                    sink.close()  # seals the last chunk
                out.flush()
                if sync:
                    os.fsync(out.fileno())
        except BaseException as exc:
            temp.unlink(missing_ok=True)
            _raise_if_disk_full(exc, self.root)
            raise
        return StagedFile(temp, digest.hexdigest(), size)

    def place(self, staged: StagedFile, *, sync_folder: bool = True) -> bool:
        """Put a staged file under its hash; False when an intact copy was already there (in
        an encrypted store, a sealed one: a plain copy is replaced by the sealed one)."""
        target = self.path_for(staged.sha256)
        try:
            target.parent.mkdir(exist_ok=True, mode=0o700)
            if (
                target.exists()
                and (self._key is None or self._is_sealed_file(target))
                and self._content_hash(target) == staged.sha256
            ):
                staged.temp.unlink()
                return False
            staged.temp.replace(target)
            if sync_folder:
                _fsync_dir(target.parent)
            return True
        except BaseException as exc:
            staged.temp.unlink(missing_ok=True)
            _raise_if_disk_full(exc, self.root)
            raise

    @staticmethod
    def unstage(staged: StagedFile) -> None:
        staged.temp.unlink(missing_ok=True)

    def stale_staging(self) -> list[tuple[Path, int]]:
        """Temporary files a crash left, with their sizes: older than an hour, so never a copy
        under way (a copy in progress writes to its file all the time)."""
        if not self.root.is_dir():
            return []
        cutoff = (clock.now() - STALE_STAGING).timestamp()
        stale = []
        for temp in self.root.glob(f"{STAGING_PREFIX}*"):
            try:
                info = temp.stat()
            except FileNotFoundError:
                continue
            if info.st_mtime < cutoff:
                stale.append((temp, info.st_size))
        return stale

    def sweep_staging(self) -> Swept:
        """Remove temporary files a crash left (see ``stale_staging``)."""
        files = size = 0
        for temp, temp_size in self.stale_staging():
            try:
                temp.unlink()
            except FileNotFoundError:
                continue
            files += 1
            size += temp_size
        return Swept(files, size)

    def put_file(self, source: Path, *, limit: int | None = None, message: str = "") -> StoredFile:
        """Copy the file at ``source`` in; more than ``limit`` bytes (None: any size) is refused
        with ``message`` while copying, and nothing is kept."""
        try:
            with source.open("rb") as stream:
                if limit is None:
                    return self.put_stream(stream)
                return self.put_stream(_Capped(stream, limit, message))  # type: ignore[arg-type]
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
        """The SHA-256 of the bytes of the file at ``path`` as they are on disk."""
        with path.open("rb") as stream:
            return _sha256_of(stream)

    @staticmethod
    def _is_sealed_file(path: Path) -> bool:
        with path.open("rb") as stream:
            return is_sealed(stream.read(len(MAGIC)))

    def _open_path(self, path: Path) -> BinaryIO:
        """The plaintext of the stored file at ``path``: decrypted as it is read when sealed;
        as it is when it is not (a plain store, or a file a conversion has not reached)."""
        if self._key is not None and self._is_sealed_file(path):
            return open_sealed(self._key, path)  # type: ignore[return-value]
        return path.open("rb")

    def _content_hash(self, path: Path) -> str:
        with self._open_path(path) as stream:
            return _sha256_of(stream)

    def open(self, sha256: str) -> BinaryIO:
        """The stored file's plaintext as a seekable binary file (a context manager), read
        without writing its plaintext anywhere. Raises ``FileNotFoundError`` when it is missing
        and ``SealedFileError`` (as it reads) when it is damaged or sealed with another key."""
        return self._open_path(self.path_for(sha256))

    def size_of(self, sha256: str) -> int:
        """The stored file's plaintext size (for a sealed file, without decrypting it all)."""
        with self.open(sha256) as stream:
            return stream.seek(0, os.SEEK_END)

    def is_plain(self, sha256: str) -> bool:
        """In an encrypted store: the stored file is not sealed yet (always False in a plain
        store, whose files are meant to be plain)."""
        return self._key is not None and not self._is_sealed_file(self.path_for(sha256))

    def verify(self, sha256: str) -> str | None:
        """None when the file is present and intact, else what is wrong with it."""
        path = self.path_for(sha256)
        if not path.is_file():
            return "missing"
        try:
            actual = self._content_hash(path)
        except SealedFileError:
            return "damaged (it can no longer be decrypted)"
        return None if actual == sha256 else f"damaged (its content now hashes to {actual[:12]}…)"

    def discard(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def save_copy(self, sha256: str, target: Path) -> int:
        """Write the stored file to ``target`` (a place the person chose), decrypted, checking
        its hash on the way: the copy lands under its name only whole and intact, replacing any
        file there."""
        source = self.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        temp = Path(temp_name)
        damaged = ValidationError(
            "The stored copy of this file is damaged (its content no longer matches), so "
            "no copy was saved. Run “Check this computer’s stories” to see what else is "
            "affected."
        )
        try:
            with self._open_path(source) as stream, os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise damaged
            # Left readable by this account only (as mkstemp made it): it is personal data.
            temp.replace(target)
        except FileNotFoundError as exc:
            temp.unlink(missing_ok=True)
            if not source.exists():
                raise ValidationError(
                    "The stored copy of this file is missing, so no copy was saved. Run “Check "
                    "this computer’s stories” to see what else is affected."
                ) from exc
            raise
        except SealedFileError as exc:
            temp.unlink(missing_ok=True)
            raise damaged from exc
        except BaseException as exc:
            temp.unlink(missing_ok=True)
            _raise_if_disk_full(exc, target.parent, "No copy was saved.")
            raise
        return size

    def stored_hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.is_dir():
                for file in folder.iterdir():
                    if _SHA256.match(file.name):
                        yield file.name

    def plain_hashes(self) -> list[str]:
        """In an encrypted store, the stored files not sealed yet (none in a plain store)."""
        if self._key is None:
            return []
        found = []
        for sha256 in sorted(self.stored_hashes()):
            try:
                if self.is_plain(sha256):
                    found.append(sha256)
            except FileNotFoundError:
                continue  # removed while we looked
        return found


def _sha256_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def seal_plain_files(media: MediaStore) -> int:
    """Seal, in place, every stored file an encrypted store still holds in the clear (a store
    being converted); how many were sealed.

    One file at a time: its sealed copy is written beside the media, synced, and renamed over
    the plain file, so a kill at any moment leaves each file whole, plain or sealed (both are
    read), and at most one unfinished copy (``.incoming-*``, swept like any other). A plain file
    that no longer matches its name is left as it is, for ``check`` to report: sealing it would
    hide the damage.
    """
    if not media.sealed:
        raise ValueError("a plain store's media are not sealed")
    sealed = 0
    for sha256 in media.plain_hashes():
        path = media.path_for(sha256)
        try:
            with path.open("rb") as plain:
                staged = media.stage(plain)
        except FileNotFoundError:
            continue  # removed meanwhile (a story deleted in the window)
        if staged.sha256 != sha256:
            media.unstage(staged)
            continue
        try:
            staged.temp.replace(path)
            _fsync_dir(path.parent)
        except BaseException:
            media.unstage(staged)
            raise
        sealed += 1
    return sealed


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
    limit: int | KindLimit | None = KindLimit.KIND,
    original_name: str | None = None,
) -> Attachment:
    """Store ``source`` under its hash and attach it to the story.

    ``kind`` is guessed from the file name when not given. ``limit`` is the largest size
    accepted: by default the kind's (``SIZE_LIMITS``); None for a recording made in the program.
    ``original_name`` is the name to keep (default: the file's own).

    The size is checked before anything is copied. The file is stored before the row; if the
    transaction then rolls back, the file is an orphan that ``check`` reports and
    ``check --repair`` removes, and nothing is ever lost.
    """
    story = resolve(session, StoryRow, story_id, "story")
    refuse_if_imported(session, story)
    name = clean_line(
        source.name if original_name is None else original_name,
        "original_name",
        "The file name",
        max_length=ORIGINAL_NAME_MAX,
        required=True,
    )
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    chosen = AttachmentKind(kind or _guess_kind(media_type))
    most = SIZE_LIMITS[chosen] if isinstance(limit, KindLimit) else limit
    measure(source, name, chosen, most)
    # Checked again while copying, should the file grow meanwhile (then it reads "just over").
    grown = "" if most is None else too_large_message(name, most + 1, chosen, most)
    stored = media.put_file(source, limit=most, message=grown)
    return _attach(session, story, stored, chosen, media_type, name)


def add_recording_stream(
    session: Session, media: MediaStore, story_id: str, stream: BinaryIO, original_name: str
) -> Attachment:
    """Store a recording made in the program, read from ``stream`` (its encoder's anonymous
    file, or the safety copy read back as WAV), and attach it to the story as audio. No size
    limit: an interview is as long as it is. As ``add_attachment``: the file before the row."""
    story = resolve(session, StoryRow, story_id, "story")
    refuse_if_imported(session, story)
    name = clean_line(
        original_name,
        "original_name",
        "The file name",
        max_length=ORIGINAL_NAME_MAX,
        required=True,
    )
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    stored = media.put_stream(stream)
    return _attach(session, story, stored, AttachmentKind.AUDIO, media_type, name)


def _attach(
    session: Session,
    story: StoryRow,
    stored: StoredFile,
    chosen: AttachmentKind,
    media_type: str,
    name: str,
) -> Attachment:
    row = AttachmentRow(
        story_id=story.id,
        kind=chosen.value,
        sha256=stored.sha256,
        size=stored.size,
        media_type=media_type,
        original_name=name,
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
        {"sha256": stored.sha256, "kind": row.kind, "revision": story.revision},
    )
    return attachment_from_row(row)


def remove_attachment(session: Session, attachment_id: str) -> RemovedAttachment:
    """Take an attachment off its story (a new revision of the story, and an audit event).

    The file itself stays until the caller discards ``unused_sha256`` after the commit; a file
    another attachment still uses (the same photo in two stories) is never discarded.
    """
    row = resolve(session, AttachmentRow, attachment_id, "attachment")
    story = session.get(StoryRow, row.story_id)
    assert story is not None  # the foreign key sees to it
    refuse_if_imported(session, story)
    removed = attachment_from_row(row)
    session.delete(row)
    story.bump_revision()
    session.flush()
    audit.record(
        session,
        "attachment.removed",
        "story",
        story.uuid,
        {"sha256": removed.sha256, "kind": removed.kind.value, "revision": story.revision},
    )
    still_used = session.scalar(
        select(AttachmentRow.id).where(AttachmentRow.sha256 == removed.sha256).limit(1)
    )
    return RemovedAttachment(
        attachment=removed,
        story_id=story.uuid,
        story_revision=story.revision,
        unused_sha256=None if still_used is not None else removed.sha256,
    )


def list_attachments(session: Session, story_id: str) -> list[Attachment]:
    """A story's attachments, oldest first (without loading the rest of the story)."""
    story = resolve(session, StoryRow, story_id, "story")
    return [
        attachment_from_row(row)
        for row in session.scalars(
            select(AttachmentRow)
            .where(AttachmentRow.story_id == story.id)
            .order_by(AttachmentRow.id)
        )
    ]


def discard_if_unused(session: Session, media: MediaStore, hashes: list[str]) -> list[str]:
    """Remove the files of ``hashes`` that no attachment refers to; returns those removed.

    Called in a write transaction after the one that stopped using them has committed. Asking
    again here, under the writer's lock, matters: an add of the same bytes stores its file and
    commits its row inside one write transaction, so a file is either referenced by then or not
    wanted by anyone. Without the check, removing a photo and adding it again straight away
    could delete the file the new row points at.
    """
    wanted = set(hashes)
    if not wanted:
        return []
    used = set(
        session.scalars(select(AttachmentRow.sha256).where(AttachmentRow.sha256.in_(wanted)))
    )
    removed = sorted(wanted - used)
    for sha256 in removed:
        media.discard(sha256)
    return removed
