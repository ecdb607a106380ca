"""Backing up and restoring from the window (``dialogs/backup.py``), and the reminder's read.

A backup takes the ``Store`` rather than a session: it copies the database in its own read
transaction (``VACUUM INTO``), then records when it was made in a write of its own, so it goes
to ``TaskRunner.write_own`` (never beside another write). A restore in the window is only
prepared (checked, copied into the data folder, its renames journalled): the swap needs the
store closed, so it is done at the next start, before the store opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core import backups, restore
from storykeeper.core.backups import (
    BackupKeyNeededError,
    BackupMade,
    Manifest,
    Progress,
)
from storykeeper.core.db import Store
from storykeeper.core.models import StoryRow
from storykeeper.core.restore import PreparedRestore
from storykeeper.gui.ops.changes import Change
from storykeeper.paths import DataPaths

#: A backup changes no story, person or anything a view shows (only when the last was made).
BACKUP_CHANGES: tuple[Change, ...] = ()


def back_up(
    store: Store, destination: Path, actor: str, progress: Progress | None = None
) -> BackupMade:
    return backups.make_backup(store, destination, progress, actor=actor)


@dataclass(frozen=True)
class BackupState:
    """When the newest backup was made, and whether there is anything to back up yet."""

    last: dt.datetime | None
    stories: int


def backup_state(session: Session) -> BackupState:
    stories = session.scalar(select(func.count()).select_from(StoryRow)) or 0
    return BackupState(backups.last_backup_at(session), int(stories))


def read_backup(folder: Path) -> tuple[Path, Manifest]:
    """The backup at ``folder`` (a backup, or the newest in a folder of them) and what its
    manifest says it holds; the files are checked when it is restored."""
    backup = backups.find_backup(folder)
    return backup, backups.read_manifest(backup)


def prepare_restore(
    paths: DataPaths,
    backup: Path,
    secret: str | None = None,
    progress: Progress | None = None,
) -> PreparedRestore:
    """Check and stage ``backup``; ``secret`` is the passphrase or recovery key the person
    typed for a backup of another store (tried once; None: the keyring only)."""
    ask = None if secret is None else _once(secret)
    return restore.prepare_restore(
        paths, backup, ask_secret=ask, progress=progress, window_open=True
    )


def _once(secret: str) -> backups.AskSecret:
    """The typed secret for the first question; a second question means it did not open the
    backup, which the dialog says as it asks again."""
    given = [secret]

    def ask(_prompt: str) -> str | None:
        if given:
            return given.pop()
        raise BackupKeyNeededError(
            "That did not open the backup. Type its passphrase, or its recovery key, again:"
        )

    return ask
