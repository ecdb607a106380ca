"""Where Storykeeper keeps its files. The only module that asks platformdirs.

One override serves users, tests and portable installs alike: ``--data-dir DIR`` on the command
line, else the ``STORYKEEPER_DATA_DIR`` environment variable, else the platform's user data folder.
"""

from __future__ import annotations

import os
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
        """Create the folders, readable by the owner only: the stories in them are sensitive."""
        for folder in (
            self.data_dir,
            self.media_dir,
            self.recordings_dir,
            self.backups_dir,
            self.log_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


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
