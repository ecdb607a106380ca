"""Restoring a backup (``backups.py`` makes and checks them).

A restore checks the backup first (manifest, every hash, the database opens with its key and
passes ``integrity_check``), copies it into the data folder, then swaps it in by renames listed
in a journal written beforehand: the current store is moved into a dated folder ``before
restore …`` (never deleted), with its unsaved words and recordings in progress, and the backup
put in its place. A restore killed half-way is finished at the next start
(``finish_interrupted_restore``, before the store opens), so the data folder always holds the
current store or the restored one; the window only prepares a restore (``prepare_restore``) and
leaves the swap to its next start, since its store is open. ``Store.open`` then migrates a
backup from an older version.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core import clock, faults
from storykeeper.core.atomic_files import fsync_folder
from storykeeper.core.backups import (
    ASIDE_PREFIX,
    JOURNAL_NAME,
    KEYS_NAME,
    RECORDINGS_FOLDER,
    SHARED_MEDIA,
    STAGED_NAME,
    AskSecret,
    BackupDamagedError,
    BackupError,
    BackupKeyNeededError,
    BackupMade,
    FileRecord,
    Manifest,
    Progress,
    Restored,
    _copy_verified,
    _damaged,
    _media_path,
    backup_is_due,
    check_backup,
    find_backup,
    last_backup_at,
    list_backups,
    make_backup,
    read_manifest,
)
from storykeeper.core.db import Store, head_revision, migrations_config
from storykeeper.core.drafts import DRAFTS_FOLDER
from storykeeper.core.errors import DiskFullError, StoreError
from storykeeper.core.models import StoryRow, StorytellerRow, SupporterRow
from storykeeper.core.store_keys import (
    StoreKeyError,
    StoreKeys,
    TooManyTriesError,
    WrongSecretError,
)
from storykeeper.core.unlock import looks_like_recovery_key
from storykeeper.paths import DATABASE_NAME, DataPaths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedRestore:
    """A backup checked and copied into the data folder, its renames in the journal: the swap
    is ``finish_interrupted_restore``'s, now or at the next start."""

    backup: Path
    manifest: Manifest
    key: bytes | None
    aside: Path


def restore_backup(
    paths: DataPaths,
    source: Path,
    *,
    known_key: bytes | None = None,
    ask_secret: AskSecret | None = None,
    progress: Progress | None = None,
    open_store: Callable[[DataPaths, bytes | None], Store] | None = None,
    confirm: Callable[[Path, Manifest], bool] | None = None,
) -> Restored:
    """Put the backup at ``source`` in place of the store in ``paths`` (which nobody may have
    open): checked first, the current store kept aside, migrated if older. A damaged backup,
    or one whose key cannot be had, is refused with nothing changed. See ``prepare_restore``
    for the arguments."""
    say = progress or (lambda _what, _done, _total: None)
    prepared = prepare_restore(
        paths, source, known_key=known_key, ask_secret=ask_secret, progress=say, confirm=confirm
    )
    say("Putting the backup in place…", 0, 1)
    finish_interrupted_restore(paths)
    say("Opening the restored stories…", 1, 1)
    opener = open_store or _open_store
    with opener(paths, prepared.key) as restored, restored.read() as session:
        summary = _what_it_holds(session)
    manifest = prepared.manifest
    migrated = None if manifest.schema_revision == head_revision() else manifest.schema_revision
    log.info("restored a backup (schema %s)", manifest.schema_revision)
    return Restored(
        backup=prepared.backup,
        kept_aside=prepared.aside if prepared.aside.exists() else None,
        stories=summary[0],
        people=summary[1],
        last_change=summary[2],
        encrypted=manifest.encrypted,
        migrated_from=migrated,
    )


def prepare_restore(
    paths: DataPaths,
    source: Path,
    *,
    known_key: bytes | None = None,
    ask_secret: AskSecret | None = None,
    progress: Progress | None = None,
    confirm: Callable[[Path, Manifest], bool] | None = None,
    window_open: bool = False,
) -> PreparedRestore:
    """Check the backup at ``source``, copy it into the data folder, check that its database
    opens with its key, and write the journal of the renames that swap it in. Nothing of the
    current store changes here: the window prepares while its store is open, and the swap is
    done at its next start, before the store opens.

    ``known_key`` is a store key to try first (the current store's); else the keyring, else
    ``ask_secret`` for the backup's passphrase or recovery key. ``confirm`` is asked once the
    backup is checked, before anything is copied; False cancels with nothing changed.
    Refused while another Storykeeper has the store open, unless it is the ``window_open``
    that prepares (its swap waits for the next start)."""
    say = progress or (lambda _what, _done, _total: None)
    if window_open:
        # A restore this window prepared before is replaced: its journal goes first, so the
        # next start never swaps in a copy half-made now.
        (paths.data_dir / JOURNAL_NAME).unlink(missing_ok=True)
    else:
        finish_interrupted_restore(paths)
        _refuse_while_in_use(paths, "Nothing was changed.")
    backup = find_backup(source)
    manifest = check_backup(backup, say)
    _refuse_newer(backup, manifest)
    if confirm is not None and not confirm(backup, manifest):
        raise BackupError("The restore was cancelled. Nothing was changed.")
    paths.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new computer's
    staged = paths.data_dir / STAGED_NAME
    shutil.rmtree(staged, ignore_errors=True)
    try:
        _stage(backup, manifest, staged, say)
        key = _key_for(staged, known_key, ask_secret) if manifest.encrypted else None
        _check_opens(staged / DATABASE_NAME, key, backup)
    except BaseException as exc:
        shutil.rmtree(staged, ignore_errors=True)
        full = faults.disk_full(exc, paths.data_dir, "Nothing was changed.")
        if full is not None and full is not exc:
            raise full from exc
        raise
    aside = _aside_name(paths.data_dir)
    _write_journal(paths.data_dir, staged, aside, manifest)
    return PreparedRestore(backup, manifest, key, aside)


def restore_pending(paths: DataPaths) -> bool:
    """Whether a prepared restore waits for the next start."""
    return (paths.data_dir / JOURNAL_NAME).is_file()


def _refuse_newer(backup: Path, manifest: Manifest) -> None:
    known = {s.revision for s in ScriptDirectory.from_config(migrations_config()).walk_revisions()}
    if manifest.schema_revision not in known:
        raise BackupError(
            f"The backup {backup.name} was made by a newer Storykeeper "
            f"({manifest.program_version}): install that version to restore it. Nothing was "
            "changed."
        )


def _open_store(paths: DataPaths, key: bytes | None) -> Store:
    if key is None:
        return Store.open(paths)
    return Store.open(paths, store_key=key)  # type: ignore[call-arg]


def _what_it_holds(session: Session) -> tuple[int, int, dt.datetime | None]:
    stories = session.scalar(select(func.count()).select_from(StoryRow)) or 0
    people = (session.scalar(select(func.count()).select_from(StorytellerRow)) or 0) + (
        session.scalar(select(func.count()).select_from(SupporterRow)) or 0
    )
    last = session.scalar(select(func.max(StoryRow.updated_at)))
    return int(stories), int(people), last


def _stage(backup: Path, manifest: Manifest, staged: Path, say: Progress) -> None:
    """Copy the backup into the data folder, hashing every file on the way."""
    staged.mkdir(mode=0o700)
    total = sum(r.size for r in manifest.files.values()) + sum(
        r.size for r in manifest.media.values()
    )
    done = 0
    for name, record in manifest.files.items():
        say("Copying the backup…", done, total)
        _copy_checked(backup / name, staged / name, record, backup)
        done += record.size
    media = staged / SHARED_MEDIA
    media.mkdir(mode=0o700)
    for sha, record in manifest.media.items():
        say("Copying the backup…", done, total)
        target = _media_path(media, sha)
        target.parent.mkdir(exist_ok=True, mode=0o700)
        _copy_checked(_media_path(backup.parent / SHARED_MEDIA, sha), target, record, backup)
        done += record.size
    say("Copying the backup…", total, total)
    fsync_folder(staged)


def _copy_checked(source: Path, target: Path, record: FileRecord, backup: Path) -> None:
    try:
        found = _copy_verified(source, target)
    except FileNotFoundError as exc:
        raise _damaged(backup, "a file in it went missing while it was read") from exc
    if found != record:
        target.unlink(missing_ok=True)
        raise _damaged(backup, "a file in it changed while it was read")


def _key_for(staged: Path, known_key: bytes | None, ask_secret: AskSecret | None) -> bytes:
    """The store key that opens the backup: the one known, the keyring's, or the person's
    passphrase or recovery key for the backup's own keys file (a copy, so the backup itself
    is never written to)."""
    if known_key is not None and _opens(staged / DATABASE_NAME, known_key):
        return known_key
    if not (staged / KEYS_NAME).is_file():
        raise BackupError(
            "This backup is encrypted, and its keys file is missing: it cannot be opened. "
            "Nothing was changed; choose another backup."
        )
    keys = StoreKeys(staged)
    from_keyring = keys.from_keyring()
    if from_keyring is not None and _opens(staged / DATABASE_NAME, from_keyring):
        return from_keyring
    if ask_secret is None:
        raise BackupKeyNeededError(
            "This backup is encrypted with another key: give its passphrase or recovery key "
            "to restore it. Nothing was changed."
        )
    prompt = "The backup’s passphrase or recovery key"
    for _attempt in range(3):
        secret = ask_secret(prompt)
        if secret is None:
            raise BackupError("The restore was cancelled. Nothing was changed.")
        # One try each: a passphrase tried as a recovery key too would count twice.
        unlock = keys.with_recovery_key if looks_like_recovery_key(secret) else keys.with_passphrase
        try:
            store_key = unlock(secret)
        except TooManyTriesError as exc:
            raise BackupError(f"{exc.message} Nothing was changed.") from exc
        except WrongSecretError:
            prompt = "That did not open the backup. Its passphrase or recovery key"
        except StoreKeyError as exc:  # no passphrase slot: only the recovery key opens it
            prompt = f"{exc.message} Its recovery key"
        else:
            _remember_if_it_was(keys, store_key)
            return store_key
    raise BackupError(
        "Neither passphrase nor recovery key opened this backup. Nothing was changed; try "
        "again with the passphrase or recovery key the store had when the backup was made."
    )


def _remember_if_it_was(keys: StoreKeys, store_key: bytes) -> None:
    """A store whose key was kept in the keyring opens from this computer's keyring too once
    restored, rather than asking at every start; a keyring that cannot be had is no reason to
    refuse the restore (the passphrase or recovery key still opens it)."""
    if not keys.kept_in_keyring:
        return
    try:
        keys.remember_in_keyring(store_key)
    except StoreKeyError as exc:
        log.warning("the restored store's key was not put in the keyring (%s)", type(exc).__name__)


def _connect_copy(database: Path, key: bytes | None) -> Any:
    if key is None:
        return sqlite3.connect(database)
    import sqlcipher3.dbapi2 as sqlcipher  # type: ignore[import-not-found]

    from storykeeper.core.key_derivation import derive

    connection = sqlcipher.connect(str(database))
    connection.execute(f"PRAGMA key = \"x'{derive(key, 'database').hex()}'\"")
    return connection


def _opens(database: Path, key: bytes | None) -> bool:
    try:
        connection = _connect_copy(database, key)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except Exception:
        return False
    return True


def _check_opens(database: Path, key: bytes | None, backup: Path) -> None:
    """The staged database opens with ``key`` and passes SQLite's own check."""
    try:
        connection = _connect_copy(database, key)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except Exception as exc:
        if faults.disk_full(exc, database.parent) is not None:
            raise
        raise _damaged(backup, "its database does not open") from exc
    if [tuple(row) for row in verdict] != [("ok",)]:
        raise _damaged(backup, "its database is damaged")


def _aside_name(data_dir: Path) -> Path:
    stamp = clock.now().astimezone().strftime("%Y-%m-%d %H%M%S")
    aside = data_dir / f"{ASIDE_PREFIX}{stamp}"
    number = 2
    while aside.exists():
        aside = data_dir / f"{ASIDE_PREFIX}{stamp} ({number})"
        number += 1
    return aside


def _write_journal(data_dir: Path, staged: Path, aside: Path, manifest: Manifest) -> None:
    """The renames to come, durable before the first: a restore killed half-way is finished
    from it at the next start."""
    journal = {
        "staged": staged.name,
        "aside": aside.name,
        # The current store's unsaved words and recordings in progress go aside with it: they
        # belong to its stories, sealed with its key.
        "replaces": [KEYS_NAME, SHARED_MEDIA, DRAFTS_FOLDER, RECORDINGS_FOLDER, DATABASE_NAME],
        "brings": sorted({*manifest.files, SHARED_MEDIA}),
    }
    handle, temp = tempfile.mkstemp(prefix=".restore-journal-", dir=data_dir)
    with os.fdopen(handle, "wb") as out:
        out.write(json.dumps(journal).encode())
        out.flush()
        os.fsync(out.fileno())
    Path(temp).replace(data_dir / JOURNAL_NAME)
    fsync_folder(data_dir)


def finish_interrupted_restore(paths: DataPaths) -> bool:
    """Finish a restore a kill interrupted (its journal is there), or drop a staged copy a kill
    left before the journal was written. True when a restore was finished. Run before the store
    is opened: at every start, and by ``restore_backup`` itself."""
    data_dir = paths.data_dir
    journal_file = data_dir / JOURNAL_NAME
    if not journal_file.is_file():
        shutil.rmtree(data_dir / STAGED_NAME, ignore_errors=True)
        return False
    # The window that prepared the restore may still be closing: its files must not move
    # under it (its last writes would land in the store kept aside, out of sight).
    deadline = time.monotonic() + IN_USE_WAIT_SECONDS
    while store_in_use(paths) and time.monotonic() < deadline:
        time.sleep(0.2)
    _refuse_while_in_use(paths, "The restore is finished at the next start after that.")
    try:
        journal = json.loads(journal_file.read_text())
        staged = data_dir / Path(str(journal["staged"])).name
        aside = data_dir / Path(str(journal["aside"])).name
        brings = set(journal["brings"])
        for name in journal["replaces"]:
            if name != DATABASE_NAME:
                _swap(data_dir / name, staged / name, aside / name, brought=name in brings)
        if (staged / DATABASE_NAME).exists():
            for companion in ("-wal", "-shm"):
                _move_aside(data_dir / f"{DATABASE_NAME}{companion}", aside)
            _swap(data_dir / DATABASE_NAME, staged / DATABASE_NAME, aside / DATABASE_NAME, True)
        journal_file.unlink()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("a restore could not be finished: %s", faults.describe(exc))
        raise StoreError(
            f"A restore begun earlier in {data_dir} could not be finished "
            f"({getattr(exc, 'strerror', None) or type(exc).__name__}). Nothing was deleted: the "
            f"stories that were there are in a “{ASIDE_PREFIX}…” folder beside it, the backup's "
            f"copy in {STAGED_NAME}. Make the folder writable and start again, or ask whoever "
            "supports you."
        ) from exc
    fsync_folder(data_dir)
    shutil.rmtree(staged, ignore_errors=True)
    return True


def _swap(current: Path, staged: Path, aside: Path, brought: bool) -> None:
    """One step of the restore, safe to run again: the current file goes aside (when the
    restored one is still to come, or none comes), then the restored one comes in."""
    if brought and not staged.exists():
        return  # done already
    _move_aside(current, aside.parent, room_for_another=brought)
    if brought:
        staged.replace(current)
        fsync_folder(current.parent)


def _move_aside(current: Path, aside: Path, room_for_another: bool = False) -> None:
    if not (current.exists() or current.is_symlink()):
        return
    if current.is_dir() and not current.is_symlink() and not any(current.iterdir()):
        # An empty folder holds nothing to keep (the start makes media/ and recordings/ before
        # a restore a kill interrupted is finished): removed if the restored one comes instead.
        if room_for_another:
            current.rmdir()
        return
    aside.mkdir(exist_ok=True, mode=0o700)
    current.replace(aside / current.name)
    fsync_folder(aside)
    fsync_folder(current.parent)


#: SQLite's "dead man switch" in a WAL database's -shm file (its unix VFS: UNIX_SHM_DMS, after
#: the eight locks from byte 120): every connection holds a shared lock on it while it is open.
_SHM_DMS_BYTE = 128
#: How long a start waits for a Storykeeper still closing before it finishes a restore.
IN_USE_WAIT_SECONDS = 10.0


def store_in_use(paths: DataPaths) -> bool:
    """Whether another process (the window, a command in another terminal) has the store open:
    the -shm file's dead-man-switch byte cannot be locked for writing. Only asked, never kept:
    the lock is let go at once. Asked only where this process has no connection to the store
    (before it opens, or a restore): POSIX locks belong to a process, so it would not see its
    own, and letting go would let go of its connections' lock. (POSIX; elsewhere, False.)"""
    shm = paths.data_dir / f"{DATABASE_NAME}-shm"
    if os.name != "posix" or not shm.exists():
        return False
    import fcntl

    try:
        descriptor = os.open(shm, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(descriptor)


def _refuse_while_in_use(paths: DataPaths, consequence: str) -> None:
    if store_in_use(paths):
        raise BackupError(
            f"Storykeeper has the stories in {paths.data_dir} open (the window, or a command "
            f"in another terminal): close it, then try again. {consequence}"
        )


def iter_aside(data_dir: Path) -> Iterator[Path]:
    """The earlier stores a restore kept aside in the data folder."""
    for folder in sorted(data_dir.glob(f"{ASIDE_PREFIX}*")):
        if folder.is_dir():
            yield folder


__all__ = [
    "BackupDamagedError",
    "BackupError",
    "BackupMade",
    "DiskFullError",
    "Manifest",
    "Restored",
    "StoreError",
    "backup_is_due",
    "check_backup",
    "find_backup",
    "finish_interrupted_restore",
    "last_backup_at",
    "list_backups",
    "make_backup",
    "read_manifest",
    "restore_backup",
]
