"""Files sealed at rest: AES-256-GCM in 64 KiB chunks, in the shape of age's STREAM.

A sealed file is a header (``MAGIC`` and a random 16-byte salt; the file's own key is
HKDF-SHA256 of the caller's key and that salt, so no two files share a key and a nonce), then the
plaintext in ``CHUNK``-byte chunks, each sealed with the nonce "11-byte big-endian chunk counter +
1 byte last-chunk flag". The counter catches chunks swapped or reordered; the flag catches a file
cut short at a chunk boundary (the chunk that is now last was not sealed as last); the tag catches
every changed byte and a wrong key. Every chunk can be opened on its own, so a recording can be
played from the middle and a zip read from its end without decrypting the whole file. An empty
file is one empty last chunk; only an empty file has an empty last chunk.

``SealedLog`` is for the one file written while something may crash: a spool of appended records
(a recording in progress). Each record is sealed on its own with its index in the nonce; a kill -9
can leave the last record half written, and reading stops cleanly there and says what was
recovered, where a sealed file would be refused as damaged.

The caller's key is a purpose key from ``key_derivation.derive`` (media, recordings, drafts...),
never the store key itself.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storykeeper.core.errors import StorykeeperError

log = logging.getLogger(__name__)

MAGIC = b"SKSEALD1"
CHUNK = 64 * 1024
SALT_BYTES = 16
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES
SEALED_CHUNK = CHUNK + TAG_BYTES
KEY_BYTES = 32
#: The largest chunk counter the 11-byte field holds; far beyond any file (2^88 chunks).
_MAX_COUNTER = (1 << 88) - 1

LOG_MAGIC = b"SKSLOG01"
#: A record's length prefix: the sealed record's size, big-endian.
_LENGTH = struct.Struct(">I")
#: No record is larger than this; a bigger length prefix can only be a torn or damaged one.
MAX_LOG_RECORD = 64 * 1024 * 1024

#: A log's header ends in this many bytes proving the key: the tag of an empty record sealed with
#: a nonce no record uses, so a wrong key is refused at once (not taken for a torn record).
_LOG_KEY_CHECK_NONCE = b"\xff" * 12
LOG_HEADER_BYTES = len(LOG_MAGIC) + SALT_BYTES + TAG_BYTES

_FILE_KEY_INFO = b"storykeeper sealed file"
_LOG_KEY_INFO = b"storykeeper sealed log"

DAMAGED = (
    "A sealed file is damaged, or was sealed with another store's key: restore it from a backup."
)
CUT_SHORT = "A sealed file is cut short (its end is missing): restore it from a backup."
NOT_SEALED = (
    "A file that should be sealed is not (it does not start as a sealed file): "
    "restore it from a backup."
)
BROKEN_LOG = (
    "A recording's safety copy could not be written on: free some space and start again "
    "(what was recorded so far is kept)."
)


class SealedFileError(StorykeeperError):
    """A sealed file is damaged, truncated, or not sealed with this key."""


def is_sealed(head: bytes) -> bool:
    """Whether a file's first bytes start a sealed file."""
    return head.startswith(MAGIC)


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError("a sealing key is 32 bytes")


def _subkey(key: bytes, salt: bytes, info: bytes) -> AESGCM:
    _check_key(key)
    derived = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)
    return AESGCM(derived)


def _chunk_nonce(counter: int, last: bool) -> bytes:
    if counter > _MAX_COUNTER:
        raise SealedFileError("A file is too large to seal.")
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealingWriter(io.RawIOBase):
    """A write-only binary file that seals what is written into ``target``.

    A full chunk is sealed only when more data follows it, because the last chunk is sealed
    differently; ``close`` seals what is left as the last chunk (and does not close ``target``,
    which the caller owns). ``tell`` is the plaintext written so far, for zipfile and friends.
    """

    def __init__(self, key: bytes, target: BinaryIO) -> None:
        super().__init__()
        salt = os.urandom(SALT_BYTES)
        self._aead = _subkey(key, salt, _FILE_KEY_INFO)
        self._target = target
        self._pending = bytearray()
        self._counter = 0
        self._written = 0
        _write_all(target, MAGIC + salt)

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._written

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("write to a closed sealed file")
        view = memoryview(data).cast("B")
        size = len(view)
        self._written += size
        if self._pending:
            room = CHUNK - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if not view:
                return size
            self._seal(self._pending, last=False)
            self._pending.clear()
        # Whole chunks straight from the caller's buffer; the final (possibly full) chunk waits,
        # since it may be the last one.
        while len(view) > CHUNK:
            self._seal(view[:CHUNK], last=False)
            view = view[CHUNK:]
        self._pending += view
        return size

    def _seal(self, plaintext: bytes | bytearray | memoryview, *, last: bool) -> None:
        nonce = _chunk_nonce(self._counter, last)
        _write_all(self._target, self._aead.encrypt(nonce, bytes(plaintext), None))
        self._counter += 1

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._seal(self._pending, last=True)
            self._pending.clear()
            self._target.flush()
        finally:
            # Closed even when the last write failed (a full disk): never sealed a second time
            # by the garbage collector's close.
            super().close()

    def __enter__(self) -> SealingWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            # A failed write leaves an unfinished file: no last chunk, so it never reads as whole.
            super().close()


def _write_all(target: BinaryIO, data: bytes) -> None:
    """All of ``data``: an unbuffered file may take part of it (a disk filling up) and say so
    only in its count; the next write then raises the disk's error."""
    view = memoryview(data)
    while view:
        written = target.write(view)
        if written is None:  # a non-blocking target that cannot take more now
            raise BlockingIOError("a sealed file's target would block")
        view = view[written:]


def seal_stream(key: bytes, source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Seal all of ``source`` into ``target`` in one pass; the plaintext's SHA-256 hex and size."""
    digest = hashlib.sha256()
    with SealingWriter(key, target) as writer:
        while block := source.read(CHUNK * 16):
            digest.update(block)
            writer.write(block)
        size = writer.tell()
    return digest.hexdigest(), size


class SealedReader(io.RawIOBase):
    """A readable, seekable view of a sealed file's plaintext; any chunk is opened on its own.

    ``source`` must be seekable. The first chunk is opened at once, so a wrong key or a file that
    is not sealed is refused here rather than at the first read. ``close_source`` closes
    ``source`` with the reader (``open_sealed`` uses it).
    """

    def __init__(self, key: bytes, source: BinaryIO, *, close_source: bool = False) -> None:
        super().__init__()
        self._source = source
        self._close_source = close_source
        header = _read_exactly(source, 0, HEADER_BYTES)
        if not is_sealed(header):
            raise SealedFileError(NOT_SEALED if len(header) >= len(MAGIC) else CUT_SHORT)
        if len(header) < HEADER_BYTES:
            raise SealedFileError(CUT_SHORT)
        self._aead = _subkey(key, header[len(MAGIC) :], _FILE_KEY_INFO)
        body = source.seek(0, io.SEEK_END) - HEADER_BYTES
        if body < TAG_BYTES:
            raise SealedFileError(CUT_SHORT)
        self._chunks = -(-body // SEALED_CHUNK)
        last_sealed = body - (self._chunks - 1) * SEALED_CHUNK
        if last_sealed < TAG_BYTES or (self._chunks > 1 and last_sealed == TAG_BYTES):
            # Only an empty file ends in an empty chunk; anything shorter is a cut mid-chunk.
            raise SealedFileError(CUT_SHORT)
        self._size = body - self._chunks * TAG_BYTES
        self._position = 0
        self._cached_index = -1
        self._cached = b""
        self._chunk(0)

    @property
    def size(self) -> int:
        """The plaintext's size in bytes."""
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = self._size + offset
        else:
            raise ValueError(f"invalid whence: {whence}")
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        done = 0
        while done < len(target) and self._position < self._size:
            index, within = divmod(self._position, CHUNK)
            plaintext = self._chunk(index)
            piece = plaintext[within : within + len(target) - done]
            target[done : done + len(piece)] = piece
            done += len(piece)
            self._position += len(piece)
        return done

    def readall(self) -> bytes:
        parts = []
        while self._position < self._size:
            index, within = divmod(self._position, CHUNK)
            piece = self._chunk(index)[within:]
            parts.append(piece)
            self._position += len(piece)
        return b"".join(parts)

    def _chunk(self, index: int) -> bytes:
        if index == self._cached_index:
            return self._cached
        last = index == self._chunks - 1
        start = HEADER_BYTES + index * SEALED_CHUNK
        sealed = _read_exactly(self._source, start, SEALED_CHUNK)
        try:
            plaintext = self._aead.decrypt(_chunk_nonce(index, last), sealed, None)
        except InvalidTag:
            raise SealedFileError(self._why_not(index, sealed, last)) from None
        self._cached_index, self._cached = index, plaintext
        return plaintext

    def _why_not(self, index: int, sealed: bytes, last: bool) -> str:
        """A file cut at a chunk boundary ends in a chunk sealed as not-last: say it is cut."""
        if last and len(sealed) == SEALED_CHUNK:
            try:
                self._aead.decrypt(_chunk_nonce(index, False), sealed, None)
            except InvalidTag:
                return DAMAGED
            return CUT_SHORT
        return DAMAGED

    def close(self) -> None:
        if not self.closed and self._close_source:
            self._source.close()
        super().close()


def _read_exactly(source: BinaryIO, offset: int, count: int) -> bytes:
    source.seek(offset)
    parts = []
    while count > 0:
        part = source.read(count)
        if not part:
            break
        parts.append(part)
        count -= len(part)
    return b"".join(parts)


def open_sealed(key: bytes, path: Path) -> io.BufferedReader:
    """A sealed file's plaintext as a buffered, seekable binary file."""
    source = path.open("rb")  # the reader owns and closes it
    try:
        raw = SealedReader(key, source, close_source=True)
    except BaseException:
        source.close()
        raise
    return io.BufferedReader(raw, buffer_size=CHUNK)


def seal_bytes(key: bytes, data: bytes) -> bytes:
    """``data`` sealed, as bytes."""
    target = io.BytesIO()
    with SealingWriter(key, target) as writer:
        writer.write(data)
    return target.getvalue()


def unseal_bytes(key: bytes, blob: bytes) -> bytes:
    """The plaintext of a sealed blob (``SealedFileError`` if damaged or another key's)."""
    with SealedReader(key, io.BytesIO(blob)) as reader:
        return reader.readall()


@dataclass(frozen=True)
class LogContents:
    """What a sealed log holds: its whole records, and the bytes of a torn last record."""

    records: int
    plaintext_bytes: int
    intact_bytes: int
    torn_bytes: int


class SealedLog:
    """Append-only sealed records, durable after ``flush``; a torn last record is dropped.

    Layout: ``LOG_MAGIC``, a 16-byte salt, a 16-byte key check, then records of a 4-byte
    big-endian length and the record sealed with nonce = its 12-byte index. Opening an existing
    log to append drops a torn last record first (its bytes never reached a flush), so the
    records stay contiguous.
    """

    def __init__(self, aead: AESGCM, handle: BinaryIO, next_index: int, end: int) -> None:
        self._aead = aead
        self._handle = handle
        self._next = next_index
        # Where the last whole record ends: a failed append is cut back to here.
        self._end = end
        self._broken = False

    @classmethod
    def append_to(cls, key: bytes, path: Path) -> SealedLog:
        _check_key(key)
        if not path.exists() or path.stat().st_size == 0:
            salt = os.urandom(SALT_BYTES)
            aead = _subkey(key, salt, _LOG_KEY_INFO)
            handle = path.open("wb", buffering=0)  # the log owns it
            try:
                _write_all(
                    handle, LOG_MAGIC + salt + aead.encrypt(_LOG_KEY_CHECK_NONCE, b"", LOG_MAGIC)
                )
            except BaseException:
                # A log without its whole header could never be opened again: none at all.
                handle.close()
                path.unlink(missing_ok=True)
                raise
            return cls(aead, handle, 0, LOG_HEADER_BYTES)
        contents = SealedLog.inspect(key, path)
        aead = _open_log_header(key, path)
        handle = path.open("r+b", buffering=0)  # the log owns it
        if contents.torn_bytes:
            handle.truncate(contents.intact_bytes)
        handle.seek(contents.intact_bytes)
        return cls(aead, handle, contents.records, contents.intact_bytes)

    def append(self, data: bytes) -> None:
        """One record, written at once so a kill -9 tears at most this record. If the write
        fails (a full disk), the part written is cut off again, so the records before stay
        whole and the next append follows them."""
        if len(data) + TAG_BYTES > MAX_LOG_RECORD:
            raise ValueError("a sealed log record is at most 64 MiB")
        if self._broken:
            raise SealedFileError(BROKEN_LOG)
        sealed = self._aead.encrypt(self._next.to_bytes(12, "big"), data, None)
        record = _LENGTH.pack(len(sealed)) + sealed
        try:
            _write_all(self._handle, record)
        except OSError:
            self._cut_back()
            raise
        self._next += 1
        self._end += len(record)

    def _cut_back(self) -> None:
        try:
            self._handle.truncate(self._end)
            self._handle.seek(self._end)
        except OSError:
            # What follows the last whole record is unknown: appending after it would put a
            # damaged record before good ones. Reading still stops cleanly at it.
            self._broken = True

    def flush(self) -> None:
        """Everything appended so far survives a crash or a power cut from here on."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle.closed:
            return
        try:
            self.flush()
        finally:
            self._handle.close()

    def __enter__(self) -> SealedLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def read_all(key: bytes, path: Path) -> Iterator[bytes]:
        """Every whole record in order; a torn last record ends the reading with a logged note
        of what was recovered. A damaged record before the last is a ``SealedFileError``."""
        recovered = 0
        for records, record in enumerate(_records(key, path)):
            if isinstance(record, _Torn):
                log.warning(
                    "A sealed log ended in a record cut short (a crash while writing): "
                    "recovered %d records (%d bytes), dropped %d bytes.",
                    records,
                    recovered,
                    record.size,
                )
                return
            recovered += len(record)
            yield record

    @staticmethod
    def inspect(key: bytes, path: Path) -> LogContents:
        """Count the log's whole records and its torn tail (every record is decrypted)."""
        records = 0
        plaintext = 0
        torn = 0
        for record in _records(key, path):
            if isinstance(record, _Torn):
                torn = record.size
                break
            records += 1
            plaintext += len(record)
        size = path.stat().st_size
        return LogContents(records, plaintext, size - torn, torn)


@dataclass(frozen=True)
class _Torn:
    size: int


def _open_log_header(key: bytes, path: Path) -> AESGCM:
    """The log's cipher, once its header shows ``key`` is the one it was sealed with."""
    with path.open("rb") as handle:
        header = handle.read(LOG_HEADER_BYTES)
    if not header.startswith(LOG_MAGIC):
        raise SealedFileError(NOT_SEALED if len(header) >= len(LOG_MAGIC) else CUT_SHORT)
    if len(header) < LOG_HEADER_BYTES:
        raise SealedFileError(CUT_SHORT)
    salt = header[len(LOG_MAGIC) : len(LOG_MAGIC) + SALT_BYTES]
    aead = _subkey(key, salt, _LOG_KEY_INFO)
    try:
        aead.decrypt(_LOG_KEY_CHECK_NONCE, header[len(LOG_MAGIC) + SALT_BYTES :], LOG_MAGIC)
    except InvalidTag:
        raise SealedFileError(DAMAGED) from None
    return aead


def _records(key: bytes, path: Path) -> Iterator[bytes | _Torn]:
    aead = _open_log_header(key, path)
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(LOG_HEADER_BYTES)
        offset = LOG_HEADER_BYTES
        index = 0
        while offset < size:
            prefix = handle.read(_LENGTH.size)
            length = _LENGTH.unpack(prefix)[0] if len(prefix) == _LENGTH.size else -1
            end = offset + _LENGTH.size + length
            if length < 0 or end > size:
                # The length or the record runs past the end: the write a crash interrupted.
                yield _Torn(size - offset)
                return
            if not TAG_BYTES <= length <= MAX_LOG_RECORD:
                raise SealedFileError(DAMAGED)
            sealed = handle.read(length)
            try:
                yield aead.decrypt(index.to_bytes(12, "big"), sealed, None)
            except InvalidTag:
                if end == size:
                    # A last record whose bytes are all there but do not open is what a power
                    # cut leaves of a write never flushed: dropped like a torn one.
                    yield _Torn(size - offset)
                    return
                raise SealedFileError(DAMAGED) from None
            offset = end
            index += 1
