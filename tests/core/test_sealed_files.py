"""Sealed files: AES-256-GCM chunks that round-trip, open at any chunk, and refuse every damage
(cut short, a flipped byte, swapped chunks, a wrong key, a plain file) with one plain line; and
the sealed log a recording spools into, which survives a real kill -9 mid-append."""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykeeper.core.sealed_files import (
    CHUNK,
    HEADER_BYTES,
    LOG_HEADER_BYTES,
    MAGIC,
    SEALED_CHUNK,
    SealedFileError,
    SealedLog,
    SealedReader,
    SealingWriter,
    is_sealed,
    open_sealed,
    seal_bytes,
    seal_stream,
    unseal_bytes,
)
from tests.full_disk import fill, free, small_disk

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 12345]


def plaintext(size: int) -> bytes:
    """Bytes that differ at every position, so a chunk read from the wrong place shows."""
    return (bytes(range(251)) * (size // 251 + 1))[:size]


def assert_one_plain_line(error: SealedFileError) -> None:
    message = str(error)
    assert "\n" not in message
    assert "Traceback" not in message and "InvalidTag" not in message
    assert "backup" in message  # says what to do


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_through_a_file(tmp_path: Path, size: int) -> None:
    data = plaintext(size)
    path = tmp_path / "sealed"
    with path.open("wb") as target:
        digest, written = seal_stream(KEY, io.BytesIO(data), target)
    assert written == size
    assert digest == hashlib.sha256(data).hexdigest()
    sealed = path.read_bytes()
    assert is_sealed(sealed)
    chunks = max(1, -(-size // CHUNK))
    assert len(sealed) == HEADER_BYTES + size + chunks * 16
    if size >= 16:
        assert data[:16] not in sealed
    with open_sealed(KEY, path) as reader:
        assert reader.read() == data
    assert unseal_bytes(KEY, sealed) == data


def test_writes_of_any_shape_seal_the_same_plaintext() -> None:
    data = plaintext(3 * CHUNK + 77)
    target = io.BytesIO()
    with SealingWriter(KEY, target) as writer:
        for start in range(0, len(data), 1000):
            writer.write(memoryview(data)[start : start + 1000])
        assert writer.tell() == len(data)
    assert unseal_bytes(KEY, target.getvalue()) == data


def test_each_file_has_its_own_key_so_equal_plaintexts_differ() -> None:
    assert seal_bytes(KEY, b"same words") != seal_bytes(KEY, b"same words")


@pytest.mark.parametrize(
    "offset",
    [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 3 * CHUNK + 12344],
)
def test_random_access_reads_at_chunk_edges(tmp_path: Path, offset: int) -> None:
    data = plaintext(3 * CHUNK + 12345)
    path = tmp_path / "sealed"
    path.write_bytes(seal_bytes(KEY, data))
    with open_sealed(KEY, path) as reader:
        reader.seek(offset)
        assert reader.read(10) == data[offset : offset + 10]
        reader.seek(-5, io.SEEK_END)
        assert reader.read() == data[-5:]
        reader.seek(offset)
        assert reader.read(CHUNK + 3) == data[offset : offset + CHUNK + 3]


def test_the_reader_knows_the_plaintext_size_and_reads_past_the_end_as_empty() -> None:
    data = plaintext(CHUNK + 1)
    reader = SealedReader(KEY, io.BytesIO(seal_bytes(KEY, data)))
    assert reader.size == len(data)
    reader.seek(len(data) + 10)
    assert reader.read(5) == b""


def test_a_zip_inside_a_sealed_file_reads_by_random_access(tmp_path: Path) -> None:
    path = tmp_path / "sealed.zip"
    with (
        path.open("wb") as target,
        SealingWriter(KEY, target) as writer,
        zipfile.ZipFile(writer, "w") as archive,
    ):
        archive.writestr("a.txt", plaintext(5 * CHUNK))
        archive.writestr("b.txt", b"the second member")
    with open_sealed(KEY, path) as reader, zipfile.ZipFile(reader) as archive:
        assert archive.read("b.txt") == b"the second member"
        assert archive.read("a.txt") == plaintext(5 * CHUNK)


def sealed_of(size: int) -> bytes:
    return seal_bytes(KEY, plaintext(size))


def read_fully(blob: bytes, key: bytes = KEY) -> bytes:
    return SealedReader(key, io.BytesIO(blob)).readall()


@pytest.mark.parametrize(
    ("name", "damage", "expected"),
    [
        ("last chunk dropped", lambda b: b[: HEADER_BYTES + 2 * SEALED_CHUNK], "cut short"),
        ("cut mid-chunk", lambda b: b[: HEADER_BYTES + SEALED_CHUNK + 100], "damaged"),
        ("cut mid-tag", lambda b: b[:-3], "damaged"),
        ("cut to a lone tag", lambda b: b[: HEADER_BYTES + SEALED_CHUNK + 16], "cut short"),
        ("cut in the header", lambda b: b[:12], "cut short"),
        ("cut after the header", lambda b: b[:HEADER_BYTES], "cut short"),
        ("flipped byte", lambda b: flip(b, HEADER_BYTES + SEALED_CHUNK + 7), "damaged"),
        ("flipped salt", lambda b: flip(b, len(MAGIC) + 1), "damaged"),
        ("flipped tag", lambda b: flip(b, len(b) - 1), "damaged"),
        ("swapped chunks", lambda b: swap_first_two_chunks(b), "damaged"),
        ("plain file", lambda b: b"Agnes remembered the mill at Bolton.\n" * 100, "is not"),
        ("empty file", lambda b: b"", "cut short"),
    ],
)
def test_damage_is_one_plain_line(name: str, damage: object, expected: str) -> None:
    blob = damage(sealed_of(2 * CHUNK + 500))  # type: ignore[operator]
    with pytest.raises(SealedFileError) as caught:
        read_fully(blob)
    assert_one_plain_line(caught.value)
    assert expected in str(caught.value)


def flip(blob: bytes, position: int) -> bytes:
    changed = bytearray(blob)
    changed[position] ^= 0x01
    return bytes(changed)


def swap_first_two_chunks(blob: bytes) -> bytes:
    first = blob[HEADER_BYTES : HEADER_BYTES + SEALED_CHUNK]
    second = blob[HEADER_BYTES + SEALED_CHUNK : HEADER_BYTES + 2 * SEALED_CHUNK]
    return blob[:HEADER_BYTES] + second + first + blob[HEADER_BYTES + 2 * SEALED_CHUNK :]


def test_a_file_cut_exactly_at_a_chunk_boundary_is_caught_even_when_the_rest_is_whole() -> None:
    # Dropping whole chunks leaves a file whose every remaining chunk is genuine: only the
    # last-chunk flag tells it is not the whole file.
    blob = sealed_of(4 * CHUNK)
    for kept in (1, 2, 3):
        with pytest.raises(SealedFileError, match="cut short"):
            read_fully(blob[: HEADER_BYTES + kept * SEALED_CHUNK])


@pytest.mark.parametrize("size", [0, 1, CHUNK, 3 * CHUNK + 1])
def test_a_wrong_key_is_refused_when_opening(tmp_path: Path, size: int) -> None:
    path = tmp_path / "sealed"
    path.write_bytes(sealed_of(size))
    with pytest.raises(SealedFileError) as caught:
        open_sealed(OTHER_KEY, path)
    assert_one_plain_line(caught.value)
    assert "another store's key" in str(caught.value)


def test_random_access_to_a_damaged_chunk_fails_there_and_the_others_still_read() -> None:
    blob = flip(sealed_of(3 * CHUNK), HEADER_BYTES + SEALED_CHUNK + 5)  # chunk 1
    reader = SealedReader(KEY, io.BytesIO(blob))
    reader.seek(2 * CHUNK)
    assert reader.read(10) == plaintext(3 * CHUNK)[2 * CHUNK : 2 * CHUNK + 10]
    reader.seek(CHUNK)
    with pytest.raises(SealedFileError):
        reader.read(10)


def test_a_writer_that_failed_leaves_a_file_that_does_not_read_as_whole() -> None:
    target = io.BytesIO()
    with pytest.raises(RuntimeError), SealingWriter(KEY, target) as writer:
        writer.write(plaintext(2 * CHUNK + 5))
        raise RuntimeError("the disk went away")
    with pytest.raises(SealedFileError):
        read_fully(target.getvalue())


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=3 * CHUNK + 10) | st.integers(0, 3 * CHUNK + 10).map(plaintext),
    pieces=st.lists(st.integers(1, CHUNK + 7), max_size=8),
)
def test_hypothesis_round_trip(data: bytes, pieces: list[int]) -> None:
    target = io.BytesIO()
    with SealingWriter(KEY, target) as writer:
        rest = memoryview(data)
        for piece in pieces:
            writer.write(rest[:piece])
            rest = rest[piece:]
        writer.write(rest)
    assert unseal_bytes(KEY, target.getvalue()) == data


# --- the sealed log -----------------------------------------------------------------------------


def test_log_round_trip_and_append_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "spool"
    records = [b"", b"a", plaintext(CHUNK * 2 + 3), b"the end"]
    with SealedLog.append_to(KEY, path) as spool:
        for record in records[:2]:
            spool.append(record)
    with SealedLog.append_to(KEY, path) as spool:
        for record in records[2:]:
            spool.append(record)
    assert list(SealedLog.read_all(KEY, path)) == records
    assert b"the end" not in path.read_bytes()


def test_log_with_a_wrong_key_or_not_a_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spool"
    with SealedLog.append_to(KEY, path) as spool:
        spool.append(b"one record only")
    with pytest.raises(SealedFileError) as caught:
        list(SealedLog.read_all(OTHER_KEY, path))
    assert_one_plain_line(caught.value)
    plain = tmp_path / "plain"
    plain.write_bytes(b"just words, not a log at all")
    with pytest.raises(SealedFileError, match="is not"):
        list(SealedLog.read_all(KEY, plain))


def test_log_damage_before_the_last_record_is_an_error_not_a_silent_stop(tmp_path: Path) -> None:
    path = tmp_path / "spool"
    with SealedLog.append_to(KEY, path) as spool:
        for index in range(3):
            spool.append(plaintext(1000 + index))
    blob = bytearray(path.read_bytes())
    blob[60] ^= 0x01  # inside the first record
    path.write_bytes(bytes(blob))
    with pytest.raises(SealedFileError) as caught:
        list(SealedLog.read_all(KEY, path))
    assert_one_plain_line(caught.value)


def test_log_cut_at_every_byte_of_its_last_record_keeps_the_records_before(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "spool"
    with SealedLog.append_to(KEY, path) as spool:
        spool.append(b"first")
        spool.append(b"second")
    whole = path.read_bytes()
    with SealedLog.append_to(KEY, path) as spool:
        spool.append(b"third, torn")
    full = path.read_bytes()
    for cut in range(len(whole) + 1, len(full)):
        path.write_bytes(full[:cut])
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert list(SealedLog.read_all(KEY, path)) == [b"first", b"second"]
        assert "recovered 2 records" in caplog.text
        assert "third" not in caplog.text
        contents = SealedLog.inspect(KEY, path)
        assert (contents.records, contents.torn_bytes) == (2, cut - len(whole))
    # Appending again drops the torn tail first, so the records stay contiguous.
    path.write_bytes(full[: len(whole) + 7])
    with SealedLog.append_to(KEY, path) as spool:
        spool.append(b"after the crash")
    assert list(SealedLog.read_all(KEY, path)) == [b"first", b"second", b"after the crash"]


CHILD_APPENDER = """
import sys
from pathlib import Path
from storykeeper.core.sealed_files import SealedLog

spool = SealedLog.append_to(bytes(range(32)), Path(sys.argv[1]))
index = 0
while True:
    spool.append(index.to_bytes(4, "big") * 4_000_000)
    spool.flush()
    index += 1
"""
#: One record on disk: its length prefix, 16 MB of plaintext, the tag. Large, so that writing one
#: takes long enough for the kill to land inside it.
RECORD_ON_DISK = 4 + 16_000_000 + 16


def expected_record(index: int) -> bytes:
    return index.to_bytes(4, "big") * 4_000_000


def kill_while_appending(path: Path) -> None:
    """Start a child appending to the log and kill -9 it once the file's size shows it is in the
    middle of writing a record (after two whole ones). Waits on the size itself, no sleeping."""
    child = subprocess.Popen([sys.executable, "-c", CHILD_APPENDER, str(path)])
    try:
        while True:
            if child.poll() is not None:
                raise AssertionError("the appending child stopped by itself")
            size = path.stat().st_size if path.exists() else 0
            past_header = size - LOG_HEADER_BYTES
            if past_header > 2 * RECORD_ON_DISK and past_header % RECORD_ON_DISK:
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL


def test_log_after_a_real_kill_9_mid_append_keeps_every_whole_record(tmp_path: Path) -> None:
    torn_once = False
    # The kill races the kernel's write; a few tries make sure one lands mid-record (in practice
    # the first does), and every try must read back cleanly either way.
    for attempt in range(5):
        path = tmp_path / f"spool-{attempt}"
        kill_while_appending(path)
        records = list(SealedLog.read_all(KEY, path))
        assert len(records) >= 2
        assert records == [expected_record(index) for index in range(len(records))]
        contents = SealedLog.inspect(KEY, path)
        assert contents.records == len(records)
        assert contents.intact_bytes + contents.torn_bytes == path.stat().st_size
        # The spool goes on after the crash: the torn tail is dropped, the next record follows.
        with SealedLog.append_to(KEY, path) as spool:
            spool.append(b"resumed")
        again = list(SealedLog.read_all(KEY, path))
        assert again[:-1] == records and again[-1] == b"resumed"
        path.unlink()
        if contents.torn_bytes:
            torn_once = True
            break
    assert torn_once, "no kill landed inside a record's write in 5 tries"


def test_a_failed_last_write_closes_the_writer_once_and_for_all(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    with small_disk(folder, "1m"):
        try:
            with (folder / "sealed").open("wb", buffering=0) as target:
                writer = SealingWriter(KEY, target)
                # Held back as the last chunk; it needs a second page of the disk.
                writer.write(b"x" * 6000)
                fill(folder)
                with pytest.raises(OSError) as caught:
                    writer.close()
                assert caught.value.errno == errno.ENOSPC
                assert writer.closed
                writer.close()  # nothing more is written, and no second error
                with pytest.raises(ValueError):
                    writer.write(b"more")
        finally:
            free(folder)


def test_log_on_a_full_disk_keeps_every_whole_record_and_goes_on_after(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    with small_disk(folder, "1m"):
        path = folder / "spool"
        appended: list[bytes] = []
        with SealedLog.append_to(KEY, path) as spool:
            try:
                with pytest.raises(OSError) as caught:
                    for index in range(1000):
                        record = expected_record(index)[:100_000]
                        spool.append(record)
                        appended.append(record)
                assert caught.value.errno == errno.ENOSPC
                assert 0 < len(appended) < 1000
                assert list(SealedLog.read_all(KEY, path)) == appended
            finally:
                free(folder)
            # Room again: the recording goes on where it stopped.
            spool.append(b"after the disk had room again")
        assert list(SealedLog.read_all(KEY, path)) == [*appended, b"after the disk had room again"]


def test_a_new_log_whose_header_cannot_be_written_leaves_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    with small_disk(folder, "1m"):
        try:
            fill(folder)
            with pytest.raises(OSError):
                SealedLog.append_to(KEY, folder / "spool")
            assert not (folder / "spool").exists()
        finally:
            free(folder)
