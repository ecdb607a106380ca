"""The domain's exceptions. Each carries a message a person can read and act on."""

from __future__ import annotations


class StorykeeperError(Exception):
    """Base class: the message is shown to the user as it is, so it must say what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(StorykeeperError):
    """Input that cannot be stored as it is. ``field`` names what to correct, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(StorykeeperError):
    """A record asked for by id does not exist (or no longer exists)."""


class AmbiguousIdError(StorykeeperError):
    """A shortened id matches more than one record."""


class StoreError(StorykeeperError):
    """The local store cannot be opened, backed up or upgraded."""


class NewerStoreError(StoreError):
    """The database was written by a newer Storykeeper whose schema this program does not know."""


class DiskFullError(StorykeeperError):
    """The disk holding ``folder`` has no room left. Nothing half-done was kept: a full disk is
    never damage, and freeing space is all it takes."""

    def __init__(self, folder: object, consequence: str = "Nothing was changed.") -> None:
        super().__init__(
            f"The disk holding {folder} is full: free some space on it and try again. {consequence}"
        )
        self.folder = folder
