"""What is checked of a bundle file before it is decrypted or opened as a zip.

Both checks read a few bytes by hand, because the libraries behind them cannot be bounded:
pyrage's time grows with the square of the age header's recipient stanzas and cannot be
interrupted, and Python's zip module builds an object for every entry its central directory
declares. No library offers these bounds, so they are written here (docs/architecture.md).
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from storykeeper.core.bundle.refused import BundleRefused

MAX_ENTRIES = 200_000
#: A central directory record is 46 bytes and a name (a bundle's are about 120 bytes long):
#: 64 MiB holds 200,000 entries with names of 280 bytes.
MAX_CENTRAL_DIRECTORY = 64 << 20
#: The most recipient stanzas an age header may hold, and so the most recipients the writer
#: encrypts to (``document.RECIPIENTS_MAX`` is this). age's time grows with the square of the
#: stanzas: 100 cost milliseconds, 5,000 took 7.9 s. An X25519 stanza takes about 100 bytes.
MAX_AGE_STANZAS = 100
MAX_AGE_HEADER = 64 << 10

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56
_CENTRAL_ENTRY = b"PK\x01\x02"
_CENTRAL_ENTRY_SIZE = 46


def check_age_header(path: Path) -> None:
    """Refuse an age header with more than ``MAX_AGE_STANZAS`` recipient stanzas, or longer than
    ``MAX_AGE_HEADER``, before anything is decrypted: age tries every stanza and its time grows
    with the square of their number (100,000 stanzas, a 9.8 MB file, ran for over 15 minutes,
    beyond any cancel). The header (age-encryption.org/v1) is the version line, stanzas each
    opening with "-> " and followed by base64 lines (which never start with "-"), and a line
    opening with "---" that carries the MAC. A header cut short is left to age to refuse."""
    try:
        with path.open("rb") as stream:
            head = stream.read(MAX_AGE_HEADER + 1)
    except OSError as exc:
        raise BundleRefused(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    stanzas, start = 0, 0
    while (end := head.find(b"\n", start)) >= 0:
        line = head[start:end]
        if line.startswith(b"---"):
            return
        if line.startswith(b"-> "):
            stanzas += 1
            if stanzas > MAX_AGE_STANZAS:
                raise BundleRefused(
                    f"The bundle is encrypted to more than {MAX_AGE_STANZAS} recipients, which "
                    "no Storykeeper bundle is: it was not decrypted. Ask the sender for a fresh "
                    "export."
                )
        start = end + 1
    if len(head) > MAX_AGE_HEADER:
        raise BundleRefused(
            f"The bundle's encryption header is longer than {MAX_AGE_HEADER >> 10} KiB, which no "
            "Storykeeper bundle's is: it was not decrypted. Ask the sender for a fresh export."
        )


def check_central_directory(path: Path | BinaryIO) -> None:
    """Refuse a zip whose central directory declares, or holds, more entries than
    ``MAX_ENTRIES`` or more bytes than ``MAX_CENTRAL_DIRECTORY``, before the zip module builds an
    object for every entry (1.5 million entries cost 923 MB before the count was refused). The
    end of central directory record is found as the zip module finds it (the last one in the
    final 64 KiB), and zip64's as it does (just before its locator). A record the zip module
    would refuse as damaged is left for it to refuse. ``path``: the zip's path, or the zip as a
    seekable stream (an import's sealed staging copy, read through its reader)."""
    try:
        if not isinstance(path, Path):
            _check_central_directory(path)
            return
        with path.open("rb") as stream:
            _check_central_directory(stream)
    except OSError as exc:
        if exc.errno not in (None, errno.EINVAL):
            raise
        raise BundleRefused("The bundle is damaged: it is not a whole zip file.") from exc


def _check_central_directory(stream: Any) -> None:
    size = stream.seek(0, os.SEEK_END)
    tail_start = max(0, size - _EOCD_SIZE - 0xFFFF)
    stream.seek(tail_start)
    tail = stream.read()
    found = tail.rfind(_EOCD)
    if found < 0 or len(tail) - found < _EOCD_SIZE:
        return
    end_record = tail_start + found
    fields = struct.unpack("<4s4H2LH", tail[found : found + _EOCD_SIZE])
    entries, directory_size = fields[4], fields[5]
    directory_end = end_record
    locator_at = end_record - _ZIP64_LOCATOR_SIZE
    record_at = locator_at - _ZIP64_EOCD_SIZE
    if record_at >= 0:
        stream.seek(locator_at)
        if stream.read(4) == _ZIP64_LOCATOR:
            stream.seek(record_at)
            record = stream.read(_ZIP64_EOCD_SIZE)
            if record[:4] == _ZIP64_EOCD:
                entries, directory_size = struct.unpack("<2Q", record[32:48])
                directory_end = record_at
    if entries > MAX_ENTRIES:
        raise BundleRefused(
            f"The bundle declares {entries:,} files; at most {MAX_ENTRIES:,} are allowed."
        )
    if directory_size > MAX_CENTRAL_DIRECTORY:
        raise BundleRefused(
            f"The bundle's list of files is too large ({directory_size:,} bytes; at most "
            f"{MAX_CENTRAL_DIRECTORY:,})."
        )
    start = directory_end - directory_size
    if start < 0:
        return
    # The count declared can lie: walk the directory's records (without keeping them) as the
    # zip module will, and stop at one too many.
    stream.seek(start)
    walked, counted = 0, 0
    while walked < directory_size:
        head = stream.read(_CENTRAL_ENTRY_SIZE)
        if len(head) != _CENTRAL_ENTRY_SIZE or head[:4] != _CENTRAL_ENTRY:
            return
        counted += 1
        if counted > MAX_ENTRIES:
            raise BundleRefused(f"The bundle holds too many files (more than {MAX_ENTRIES:,}).")
        name, extra, comment = struct.unpack("<3H", head[28:34])
        stream.seek(name + extra + comment, os.SEEK_CUR)
        walked += _CENTRAL_ENTRY_SIZE + name + extra + comment
