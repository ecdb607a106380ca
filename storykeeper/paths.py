"""Where Storykeeper keeps its files. The only module that asks platformdirs.

One override serves users, tests and portable installs alike: ``--data-dir DIR`` on the command
line, else the ``STORYKEEPER_DATA_DIR`` environment variable, else the platform's user data folder.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from storykeeper import APP_NAME

DATA_DIR_ENV = "STORYKEEPER_DATA_DIR"
DATABASE_NAME = "storykeeper.sqlite3"


@dataclass(frozen=True)
class DataPaths:
    """Every file location the program uses, derived from one data folder."""

    data_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_NAME

    @property
    def media_dir(self) -> Path:
        """Attachment files, content-addressed by SHA-256."""
        return self.data_dir / "media"

    @property
    def recordings_dir(self) -> Path:
        """Audio recordings in progress, until they are kept in the media store."""
        return self.data_dir / "recordings"

    @property
    def backups_dir(self) -> Path:
        """Copies of the database made before each schema upgrade."""
        return self.data_dir / "backups"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "storykeeper.log"

    def ensure(self) -> None:
        """Create the folders, readable by the owner only: the stories in them are sensitive.

        Then make sure each can really be written, and the database too if it is there: a
        read-only folder or file would otherwise be found out only at the first save, as
        SQLite's error halfway through someone's work. Raises ``OSError`` naming what failed
        (``describe_unusable`` words it for a person).
        """
        folders = (
            self.data_dir,
            self.media_dir,
            self.recordings_dir,
            self.backups_dir,
            self.log_dir,
        )
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _try_writing_in(folder)  # before the next: a folder it cannot write is named first
        for name in (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm"):
            file = self.data_dir / name
            if file.exists():
                # Opened for writing and closed at once: nothing is written, nothing changes.
                os.close(os.open(file, os.O_RDWR))

    def describe_unusable(self, exc: OSError) -> str:
        """One line a person can act on when ``ensure`` (or the log file) failed with ``exc``."""
        failed = Path(exc.filename) if exc.filename else self.data_dir
        code = exc.errno
        if failed.parent == self.data_dir and failed.name.startswith(DATABASE_NAME):
            subject = f"the database {failed}"
        elif failed == self.data_dir or (
            # On a read-only disk every folder in the data folder is read-only alike.
            code == errno.EROFS and failed.is_relative_to(self.data_dir)
        ):
            subject = "it"
        else:
            subject = str(failed)
        if code == errno.EROFS:
            problem, remedy = f"{subject} is on a read-only disk", "make the disk writable"
        elif code in (errno.EACCES, errno.EPERM):
            problem = f"you have no permission to write to {subject}"
            remedy = "make it writable for you"
        elif code in (errno.ENOSPC, errno.EDQUOT):
            problem, remedy = "the disk is full", "free some space on it"
        elif code in (errno.ENOTDIR, errno.EEXIST) and (blocker := _file_in_the_way(failed)):
            problem, remedy = f"{blocker} is a file, not a folder", "move that file away"
        else:
            reason = exc.strerror or "it cannot be written"
            problem, remedy = f"{subject} cannot be used ({reason})", "make it writable"
        return (
            f"cannot use the data folder {self.data_dir}: {problem}. "
            f"Choose another folder with --data-dir DIR, or {remedy}."
        )


def _try_writing_in(folder: Path) -> None:
    """Create and remove an empty file in ``folder``; raises ``OSError`` naming the folder."""
    try:
        handle, name = tempfile.mkstemp(prefix=".writable-", dir=folder)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(folder)) from exc
    os.close(handle)
    Path(name).unlink()


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest of ``path`` and its parents that exists but is not a folder, if any."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
    """Find the data folder: the argument, else the environment variable, else platformdirs.

    With an override the logs live inside the chosen folder too, so a portable or test folder
    is self-contained and nothing is written to the user's home.
    """
    override = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV) or None
    if override is not None:
        root = Path(override).expanduser().resolve()
        return DataPaths(data_dir=root, log_dir=root / "logs")
    return DataPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
