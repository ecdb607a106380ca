"""Faults of the machine rather than of the person's input, recognised in whatever form they
arrive: a full disk, a database another program holds, real damage, a folder that cannot be
written.

One classifier, because the same full disk reaches the program in many shapes: SQLite says
"database or disk is full" (SQLITE_FULL), or only "disk I/O error" when it could not grow its
shared-memory file; SQLAlchemy wraps either in its own ``OperationalError``; Python's file
writes raise ``OSError`` with ENOSPC (or EDQUOT over a quota); pyrage says "No space left on
device (os error 28)" in a plain ``EncryptError``; an encrypted store's driver, sqlcipher3,
raises its own classes (``DRIVER_ERRORS``) with SQLite's same codes. Every caller asks here, so
each of them says "the disk is full" instead of "something unexpected" or, worst, "the database
is damaged".

``describe`` is what a log may hold about an unexpected error: the exception types, SQLite's
and the system's error names and where in the code it happened, never the message, which can
carry an SQL statement, its parameters or a person's words.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import traceback
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from storykeeper.core.errors import DiskFullError

#: The database drivers' own error classes: Python's sqlite3 for a plain store, sqlcipher3's for
#: an encrypted one. They are unrelated classes with the same names and the same SQLite codes.
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher.Error)
#: The drivers' errors about the database itself (not the program's use of the driver).
DRIVER_DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.DatabaseError,
    sqlcipher.DatabaseError,
)

#: Less free space than this, and an I/O error from SQLite is taken for a full disk: SQLite
#: reports a shared-memory file it could not grow as "disk I/O error", not as SQLITE_FULL.
LOW_SPACE_BYTES = 1_000_000

_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
#: How full disks read in the text of errors that carry no code (pyrage's, for one).
_DISK_FULL_WORDS = (
    "database or disk is full",
    "no space left on device",
    "disk quota exceeded",
    f"(os error {errno.ENOSPC})",
    f"(os error {errno.EDQUOT})",
)
_LOCKED_WORDS = ("database is locked", "database table is locked")
_DAMAGED_WORDS = ("database disk image is malformed", "file is not a database")


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, what SQLAlchemy wrapped (``orig``), and every cause and context, each once."""
    seen: set[int] = set()
    waiting: list[BaseException] = [exc]
    while waiting:
        current = waiting.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                waiting.append(linked)


def sqlite_codes(exc: BaseException) -> set[int]:
    """SQLite's primary result codes (SQLITE_FULL, SQLITE_BUSY…) found in ``exc``'s chain."""
    codes = set()
    for link in causes(exc):
        code = getattr(link, "sqlite_errorcode", None)
        if isinstance(link, DRIVER_ERRORS) and isinstance(code, int):
            codes.add(code & 0xFF)
    return codes


def _errnos(exc: BaseException) -> set[int]:
    return {link.errno for link in causes(exc) if isinstance(link, OSError) and link.errno}


def _says(exc: BaseException, words: tuple[str, ...]) -> bool:
    # Only the libraries' own short texts are looked at, and only here: nothing is shown.
    for link in causes(exc):
        text = str(link).lower()
        if any(word in text for word in words):
            return True
    return False


def free_bytes(folder: Path) -> int | None:
    """Free space for this user on the disk holding ``folder`` (or its nearest existing
    parent); None when the system cannot say."""
    for candidate in (folder, *folder.parents):
        try:
            found = os.statvfs(candidate)
        except FileNotFoundError:
            continue
        except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
            return None
        return found.f_bavail * found.f_frsize
    return None


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """Whether ``exc`` says the disk is full. With ``folder`` (where the failed write went), an
    I/O error from SQLite counts too when that disk has almost no space left."""
    if any(isinstance(link, DiskFullError) for link in causes(exc)):
        return True
    if _errnos(exc) & _DISK_FULL_ERRNOS or sqlite3.SQLITE_FULL in sqlite_codes(exc):
        return True
    if _says(exc, _DISK_FULL_WORDS):
        return True
    if folder is not None and (
        sqlite3.SQLITE_IOERR in sqlite_codes(exc) or errno.EIO in _errnos(exc)
    ):
        room = free_bytes(folder)
        return room is not None and room < LOW_SPACE_BYTES
    return False


def is_locked(exc: BaseException) -> bool:
    """Whether another connection or program holds the database's lock (SQLITE_BUSY/LOCKED)."""
    codes = sqlite_codes(exc)
    return bool(codes & {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}) or _says(exc, _LOCKED_WORDS)


def is_damaged(exc: BaseException) -> bool:
    """Whether SQLite found the file itself damaged or not a database at all: the only case in
    which restoring a backup is the advice."""
    codes = sqlite_codes(exc)
    return bool(codes & {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}) or _says(
        exc, _DAMAGED_WORDS
    )


def is_not_a_database(exc: BaseException) -> bool:
    """Whether SQLite found no database in the file (SQLITE_NOTADB): damage for a plain file,
    but what SQLCipher says too of an encrypted file opened with the wrong key or none."""
    return sqlite3.SQLITE_NOTADB in sqlite_codes(exc) or _says(exc, ("file is not a database",))


def is_read_only(exc: BaseException) -> bool:
    """Whether the file or its folder may not be written (SQLITE_READONLY, EROFS, EACCES)."""
    return sqlite3.SQLITE_READONLY in sqlite_codes(exc) or bool(_errnos(exc) & _READ_ONLY_ERRNOS)


def disk_full(
    exc: BaseException, folder: Path, consequence: str = "Nothing was changed."
) -> DiskFullError | None:
    """The ``DiskFullError`` to raise instead of ``exc``, or None when ``exc`` is no full disk."""
    if isinstance(exc, DiskFullError):
        return exc
    if is_disk_full(exc, folder):
        return DiskFullError(folder, consequence)
    return None


def describe(exc: BaseException) -> str:
    """A content-free account of an unexpected error for the log: the types in its chain with
    SQLite's and the system's error names, and the code's frames (file, line, function) —
    never a message, an SQL statement or its parameters."""
    kinds = []
    for link in causes(exc):
        kind = type(link).__qualname__
        name = getattr(link, "sqlite_errorname", None)
        if isinstance(link, DRIVER_ERRORS) and isinstance(name, str):
            kind += f" [{name}]"
        if isinstance(link, OSError) and link.errno:
            kind += f" [{errno.errorcode.get(link.errno, link.errno)}]"
        kinds.append(kind)
    frames = [
        f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}"
        for link in causes(exc)
        for frame in traceback.extract_tb(link.__traceback__)
    ]
    return " caused by ".join(kinds) + ("\n" + "\n".join(frames) if frames else "")
