"""Backups a person can restore: to a folder or a USB stick, and back again.

A backup is a folder ``Storykeeper backup YYYY-MM-DD HHMM`` inside the folder the person chose,
holding a consistent copy of the database (SQLite's ``VACUUM INTO``, which for an encrypted
store writes a copy encrypted with the same key: checked with sqlcipher3 4.19, as is the backup
API between connections keyed alike), the store's keys file (wrapped keys only, so the
passphrase or the recovery key opens the backup on a new laptop) and a manifest: what it holds
and each file's SHA-256. The media files go into one ``media/`` folder beside the dated folders
and are shared by them: a file already there, of the same name, size and hash, is not copied
again. Sealed media are copied as they are, still sealed.

Everything is written under a hidden temporary name, re-read and hashed, the database copy
checked with ``PRAGMA integrity_check``, and renamed only when whole: a full disk or a removed
USB stick is one plain line and leaves nothing under a backup's name.

Restoring one is ``restore.py``'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper import __version__
from storykeeper.core import audit, clock, faults
from storykeeper.core.atomic_files import fsync_folder
from storykeeper.core.db import Store
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.models import SettingRow
from storykeeper.core.store_keys import (
    KEYS_FILE,
)
from storykeeper.paths import DATABASE_NAME

log = logging.getLogger(__name__)

#: The name every backup folder starts with, followed by the local date and time.
BACKUP_PREFIX = "Storykeeper backup "
MANIFEST_NAME = "manifest.json"
#: The keys file of an encrypted store: wrapped keys only, so a backup carries it.
KEYS_NAME = KEYS_FILE
#: The folders of the current store's unsaved words and recordings in progress.
RECORDINGS_FOLDER = "recordings"  # paths.recordings_dir
#: The media folder the backups in one chosen folder share.
SHARED_MEDIA = "media"
FORMAT = "storykeeper-backup-1"
#: Where the time of the newest backup is kept in the store (settings table).
LAST_BACKUP_KEY = "last_backup_at"
#: The current store's files are moved into a folder named so, with the date and time.
ASIDE_PREFIX = "before restore "
#: A restore copies the backup here first, then swaps it in by the journal's renames.
STAGED_NAME = ".restore-staged"
JOURNAL_NAME = "restore-journal.json"
_PARTIAL_SUFFIX = ".partial"
_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_STAMP = re.compile(r"^Storykeeper backup (\d{4}-\d\d-\d\d \d{4})(?: \((\d+)\))?$")

#: ``progress(what, done, total)``: what is being done, in words, and how far (bytes or steps).
Progress = Callable[[str, int, int], None]
#: Asks the person for the passphrase or the recovery key of a backup's keys file; None: cancel.
AskSecret = Callable[[str], str | None]


class BackupError(StorykeeperError):
    """A backup could not be made, or a backup cannot be restored: one line saying what to do."""


class BackupKeyNeededError(BackupError):
    """The backup is encrypted with a key this computer does not have: its passphrase or
    recovery key is needed."""


class BackupDamagedError(BackupError):
    """The backup is damaged or incomplete; it was refused and nothing was changed."""


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, as its ``manifest.json`` says."""

    created: dt.datetime
    program_version: str
    schema_revision: str
    encrypted: bool
    stories: int
    people: int
    #: The files in the backup's own folder (the database copy, the keys file), by name.
    files: dict[str, FileRecord]
    #: The media files in the shared ``media/`` folder, by their name (the content's SHA-256).
    media: dict[str, FileRecord]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "created": self.created.isoformat(),
            "program_version": self.program_version,
            "schema_revision": self.schema_revision,
            "encrypted": self.encrypted,
            "counts": {"stories": self.stories, "people": self.people, "media": len(self.media)},
            "files": {name: _record_json(r) for name, r in sorted(self.files.items())},
            "media": {name: _record_json(r) for name, r in sorted(self.media.items())},
        }


@dataclass(frozen=True)
class BackupMade:
    folder: Path
    manifest: Manifest
    media_copied: int
    media_kept: int
    bytes_written: int


@dataclass(frozen=True)
class Restored:
    backup: Path
    #: Where the store that was here before now is: nothing of it was deleted.
    kept_aside: Path | None
    stories: int
    people: int
    last_change: dt.datetime | None
    encrypted: bool
    #: The backup's schema revision when it was older than this program's (it was migrated).
    migrated_from: str | None


@dataclass
class _Copied:
    copied: int = 0
    kept: int = 0
    bytes_written: int = 0
    media: dict[str, FileRecord] = field(default_factory=dict)


def _record_json(record: FileRecord) -> dict[str, Any]:
    return {"sha256": record.sha256, "size": record.size}


# --- making a backup ---------------------------------------------------------------------------


def make_backup(
    store: Store, destination: Path, progress: Progress | None = None, actor: str = "backup"
) -> BackupMade:
    """Back up ``store`` into ``destination`` (see the module's description); the audit log
    says that ``actor`` made a backup, and how much it held (never where: a folder's name is
    the person's)."""
    say = progress or (lambda _what, _done, _total: None)
    destination = Path(destination).expanduser().absolute()
    if not destination.is_dir():
        raise BackupError(
            f"The folder {destination} is not there: plug in the USB stick or choose another "
            "folder. No backup was made."
        )
    name = _free_name(destination)
    partial = destination / f".{name}{_PARTIAL_SUFFIX}"
    try:
        _sweep_partials(destination)
        partial.mkdir(mode=0o700)
        say("Copying the database…", 0, 1)
        database = partial / DATABASE_NAME
        _copy_database(store, database)
        contents = _inspect_copy(store, database)
        files = {DATABASE_NAME: _hash_file(database)}
        keys_file = store.paths.data_dir / KEYS_NAME
        if keys_file.is_file():
            files[KEYS_NAME] = _copy_verified(keys_file, partial / KEYS_NAME)
        copied = _copy_media(store, destination / SHARED_MEDIA, contents.media, say)
        manifest = Manifest(
            created=clock.now(),
            program_version=__version__,
            schema_revision=contents.revision,
            # The database's own state (a store opened with a key), not the keys file's presence:
            # a conversion stopped half-way has the keys file beside a plain database.
            encrypted=bool(getattr(store, "encrypted", False)),
            stories=contents.stories,
            people=contents.people,
            files=files,
            media=copied.media,
        )
        _write_manifest(partial / MANIFEST_NAME, manifest)
        fsync_folder(partial)
        target = destination / name
        partial.rename(target)
        fsync_folder(destination)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(partial)
        plain = _plain_backup_error(exc, destination)
        if plain is not None:
            raise plain from exc
        raise
    with store.write(actor=actor) as session:
        session.merge(SettingRow(key=LAST_BACKUP_KEY, value=manifest.created.isoformat()))
        audit.record(
            session,
            "store.backed_up",
            "store",
            None,
            {
                "stories": manifest.stories,
                "media_files": len(manifest.media),
                "media_copied": copied.copied,
                "encrypted": manifest.encrypted,
            },
        )
    database_bytes = files[DATABASE_NAME].size
    log.info("backed up the store: %d media files copied, %d kept", copied.copied, copied.kept)
    return BackupMade(
        folder=target,
        manifest=manifest,
        media_copied=copied.copied,
        media_kept=copied.kept,
        bytes_written=copied.bytes_written + database_bytes,
    )


def last_backup_at(session: Session) -> dt.datetime | None:
    """When the newest backup of this store was made, if ever (a ``Session``)."""
    value = session.scalar(select(SettingRow.value).where(SettingRow.key == LAST_BACKUP_KEY))
    if not value:
        return None
    try:
        made = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return made if made.tzinfo else made.replace(tzinfo=dt.UTC)


def backup_is_due(last: dt.datetime | None, days: int, now: dt.datetime | None = None) -> bool:
    """Whether the newest backup is older than ``days`` (or there is none)."""
    if last is None:
        return True
    return (now or clock.now()) - last > dt.timedelta(days=days)


def _free_name(destination: Path) -> str:
    stamp = clock.now().astimezone().strftime("%Y-%m-%d %H%M")
    name = f"{BACKUP_PREFIX}{stamp}"
    number = 2
    while (destination / name).exists():
        name = f"{BACKUP_PREFIX}{stamp} ({number})"
        number += 1
    return name


def _sweep_partials(destination: Path) -> None:
    """What a backup killed earlier left (hidden, never under a backup's name): removed."""
    for leftover in destination.glob(f".{BACKUP_PREFIX}*{_PARTIAL_SUFFIX}"):
        shutil.rmtree(leftover, ignore_errors=True)
    media = destination / SHARED_MEDIA
    if media.is_dir():
        for leftover in media.glob(f"*/.*{_PARTIAL_SUFFIX}"):
            leftover.unlink(missing_ok=True)


def _copy_database(store: Store, target: Path) -> None:
    """A consistent copy of the live database (one read transaction), keyed as the store is."""
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM INTO ?", (str(target),))
        cursor.close()
    finally:
        raw.close()
    target.chmod(0o600)
    with target.open("rb+") as written:
        os.fsync(written.fileno())


@dataclass(frozen=True)
class _Contents:
    revision: str
    stories: int
    people: int
    media: dict[str, int]


def _inspect_copy(store: Store, database: Path) -> _Contents:
    """Check the copy as SQLite sees it, and read what it holds, through the store's own
    connection (an attached database takes the main one's key)."""
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ATTACH DATABASE ? AS backup_copy", (str(database),))
        try:
            verdict = cursor.execute("PRAGMA backup_copy.integrity_check").fetchall()
            if [tuple(row) for row in verdict] != [("ok",)]:
                raise BackupError(
                    "The copy of the database did not pass SQLite's check after it was "
                    "written: the disk may be failing. Try another folder or USB stick. No "
                    "backup was made."
                )
            revision = cursor.execute("SELECT version_num FROM backup_copy.alembic_version")
            (version,) = revision.fetchone()
            stories = cursor.execute("SELECT count(*) FROM backup_copy.stories").fetchone()[0]
            people = _count_people(cursor, "backup_copy.")
            media = dict(
                cursor.execute(
                    "SELECT sha256, max(size) FROM backup_copy.attachments GROUP BY sha256"
                ).fetchall()
            )
        finally:
            cursor.execute("DETACH DATABASE backup_copy")
            cursor.close()
    finally:
        raw.close()
    return _Contents(str(version), int(stories), int(people), media)


def _count_people(cursor: Any, schema: str = "") -> int:
    storytellers = cursor.execute(f"SELECT count(*) FROM {schema}storytellers").fetchone()[0]
    supporters = cursor.execute(f"SELECT count(*) FROM {schema}supporters").fetchone()[0]
    return int(storytellers) + int(supporters)


def _media_path(root: Path, sha256: str) -> Path:
    if not _SHA256.match(sha256):
        raise BackupDamagedError("A media file in the backup has a name that is not a hash.")
    return root / sha256[:2] / sha256


def _copy_media(store: Store, shared: Path, wanted: dict[str, int], say: Progress) -> _Copied:
    """Copy each media file the database copy refers to into the shared folder, unless an
    identical copy is there already (same name, size and SHA-256)."""
    result = _Copied()
    sources = {sha: _media_path(store.paths.media_dir, sha) for sha in wanted}
    total = sum(_size_or_zero(path) for path in sources.values())
    done = 0
    for sha, source in sorted(sources.items()):
        say("Copying the media files…", done, total)
        if not source.is_file():
            raise BackupError(
                "An attached file is missing from this computer's store, so the backup would "
                "be incomplete: run “check” to see which, then back up again. No backup was "
                "made."
            )
        target = _media_path(shared, sha)
        source_record = _hash_file(source)
        if _already_there(target, source_record):
            result.kept += 1
            result.media[sha] = source_record
            done += source_record.size
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        result.media[sha] = _copy_verified(source, target, expected=source_record)
        result.copied += 1
        result.bytes_written += source_record.size
        done += source_record.size
    say("Copying the media files…", total, total)
    return result


def _already_there(target: Path, record: FileRecord) -> bool:
    """An earlier backup's copy of the same file, whole and unchanged (size, then hash)."""
    try:
        return target.stat().st_size == record.size and _hash_file(target) == record
    except FileNotFoundError:
        return False


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _hash_file(path: Path) -> FileRecord:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileRecord(digest.hexdigest(), size)


def _copy_verified(source: Path, target: Path, expected: FileRecord | None = None) -> FileRecord:
    """Copy ``source`` to ``target`` through a hidden temporary file beside it, synced, read
    back and hashed, renamed only when it matches what was read (or ``expected``)."""
    temp = target.parent / f".{target.name}.{os.getpid()}{_PARTIAL_SUFFIX}"
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as stream, temp.open("wb") as out:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        read = FileRecord(digest.hexdigest(), size)
        if expected is not None and read != expected:
            raise BackupError(
                "A file changed while it was being copied: try again. No backup was made."
            )
        if _hash_file(temp) != read:
            raise BackupError(
                f"What was written to {target.parent} did not read back the same: the disk may "
                "be failing. Try another folder or USB stick."
            )
        temp.chmod(0o600)
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    return read


def _write_manifest(target: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.as_json(), indent=2, sort_keys=True).encode()
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    if _parse_manifest(target.read_bytes()) != manifest:
        raise BackupError(
            f"The backup's list of contents did not read back the same from {target.parent}: "
            "the disk may be failing. Try another folder or USB stick."
        )


_GONE_ERRNOS = frozenset({errno.EIO, errno.ENODEV, errno.ENOENT, errno.ENXIO, errno.ESTALE})


def _plain_backup_error(exc: BaseException, destination: Path) -> StorykeeperError | None:
    """One line for a failed backup: a full disk, a stick pulled out, a folder not writable."""
    if isinstance(exc, StorykeeperError):
        return None
    full = faults.disk_full(exc, destination, "No backup was made, and nothing was left half-made.")
    if full is not None:
        return full
    numbers = {link.errno for link in faults.causes(exc) if isinstance(link, OSError)}
    io_error = any(
        isinstance(link, sqlite3.Error) and "disk i/o error" in str(link).lower()
        for link in faults.causes(exc)
    )
    if numbers & _GONE_ERRNOS or io_error:
        return BackupError(
            f"The backup could not be written to {destination}: the folder could not be reached "
            "(was the USB stick removed?). Plug it in and try again. No backup was made."
        )
    if numbers & {errno.EACCES, errno.EPERM, errno.EROFS}:
        return BackupError(
            f"Storykeeper may not write to {destination}: choose a folder you can write to. "
            "No backup was made."
        )
    if isinstance(exc, OSError | sqlite3.Error):
        log.warning("a backup failed: %s", faults.describe(exc))
        return BackupError(
            f"The backup could not be written to {destination} ({type(exc).__name__}). Try "
            "another folder or USB stick. No backup was made."
        )
    return None


# --- reading and checking a backup -------------------------------------------------------------


def find_backup(path: Path) -> Path:
    """The backup at ``path``: a backup folder itself, or the newest one in a folder of them."""
    path = Path(path).expanduser().absolute()
    if (path / MANIFEST_NAME).is_file():
        return path
    if not path.is_dir():
        raise BackupError(
            f"There is no backup at {path}: choose a “{BACKUP_PREFIX}…” folder, or the folder "
            "holding them (plug in the USB stick first). Nothing was changed."
        )
    candidates = [c for c in path.iterdir() if _STAMP.match(c.name) and c.is_dir()]
    if not candidates:
        raise BackupError(
            f"There is no Storykeeper backup in {path}: choose a “{BACKUP_PREFIX}…” folder, "
            "or the folder holding them. Nothing was changed."
        )
    return max(candidates, key=_backup_order)


def _backup_order(folder: Path) -> tuple[str, int]:
    match = _STAMP.match(folder.name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def list_backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = [c for c in folder.iterdir() if _STAMP.match(c.name) and c.is_dir()]
    return sorted(found, key=_backup_order, reverse=True)


def read_manifest(backup: Path) -> Manifest:
    """The backup's manifest; a missing, truncated or altered one refuses the backup."""
    try:
        data = (backup / MANIFEST_NAME).read_bytes()
    except OSError as exc:
        raise _damaged(backup, "its list of contents cannot be read") from exc
    try:
        return _parse_manifest(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(backup, "its list of contents is damaged or incomplete") from exc


def _parse_manifest(data: bytes) -> Manifest:
    document = json.loads(data)
    if document.get("format") != FORMAT:
        raise ValueError("not a backup of this format")

    def records(part: dict[str, Any]) -> dict[str, FileRecord]:
        return {
            str(name): FileRecord(str(value["sha256"]), int(value["size"]))
            for name, value in part.items()
        }

    counts = document["counts"]
    created = dt.datetime.fromisoformat(document["created"])
    return Manifest(
        created=created,
        program_version=str(document["program_version"]),
        schema_revision=str(document["schema_revision"]),
        encrypted=bool(document["encrypted"]),
        stories=int(counts["stories"]),
        people=int(counts["people"]),
        files=records(document["files"]),
        media=records(document["media"]),
    )


def _damaged(backup: Path, what: str) -> BackupDamagedError:
    return BackupDamagedError(
        f"The backup {backup.name} cannot be restored: {what}. Nothing was changed; choose "
        "another backup."
    )


def check_backup(backup: Path, progress: Progress | None = None) -> Manifest:
    """The backup's manifest, once every file it lists is there with its size and SHA-256."""
    say = progress or (lambda _what, _done, _total: None)
    manifest = read_manifest(backup)
    if DATABASE_NAME not in manifest.files:
        raise _damaged(backup, "it holds no database")
    shared = backup.parent / SHARED_MEDIA
    listed = [(backup / name, record) for name, record in manifest.files.items()]
    listed += [(_media_path(shared, sha), record) for sha, record in manifest.media.items()]
    if any(Path(name).name != name for name in manifest.files):
        raise _damaged(backup, "its list of contents names files outside it")
    total = sum(record.size for _path, record in listed)
    done = 0
    for path, record in listed:
        say("Checking the backup…", done, total)
        what = "its database" if path.name == DATABASE_NAME else "a file in it"
        if path.parent.parent == shared:
            what = "an attached file"
        try:
            found = _hash_file(path)
        except FileNotFoundError as exc:
            raise _damaged(backup, f"{what} is missing") from exc
        except OSError as exc:
            raise _damaged(backup, f"{what} cannot be read") from exc
        if found != record:
            raise _damaged(backup, f"{what} has changed since the backup was made")
        done += record.size
    say("Checking the backup…", total, total)
    return manifest
