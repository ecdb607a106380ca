"""Bundles made to stall or fill the reader: refused from their headers, before the work.

An age header of many recipient stanzas (age's time grows with the square of their number) is
refused before anything is decrypted; a zip whose central directory declares or holds too many
entries is refused before the zip module builds an object for each. Each refusal is one line,
kept in the import ledger, and changes nothing in the store; the command line exits 1.
"""

from __future__ import annotations

import struct
import subprocess
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.core.bundle.document import RECIPIENTS_MAX
from storykeeper.core.bundle.envelope import MAX_AGE_STANZAS, MAX_ENTRIES
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.reader import (
    BundleRefused,
    open_bundle,
)
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.db import Store
from storykeeper.core.models import ImportRow
from tests.exchange import export, shared, snapshot, trust_advocate
from tests.stock_tools import identity_file_for_age, require


@pytest.fixture
def age_tools() -> None:
    require("age", "age-keygen")


def generated_recipients(count: int) -> list[str]:
    """``count`` fresh age recipients, made by the stock age-keygen."""
    made = []
    for _ in range(count):
        shown = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True)
        made.extend(
            line.split(": ", 1)[1]
            for line in shown.stdout.splitlines()
            if line.startswith("# public key: ")
        )
    assert len(made) == count
    return made


def encrypted_to_many(advocate: Store, coordinator: Store, tmp_path: Path, others: int) -> Path:
    """A real bundle from ``advocate``, encrypted again by the stock age to the coordinator and
    ``others`` more recipients."""
    trust_advocate(advocate, coordinator)
    shared(advocate, "At the allotment")
    sent = export(advocate, coordinator, tmp_path / "out")
    identity = identity_file_for_age(coordinator)
    plain = tmp_path / "plain.zip"
    subprocess.run(["age", "-d", "-i", str(identity), "-o", str(plain), str(sent)], check=True)
    coordinator_recipient = coordinator.keys.ensure().age_recipient
    arguments = ["-r", coordinator_recipient]
    for recipient in generated_recipients(others):
        arguments += ["-r", recipient]
    many = tmp_path / "many.zip.age"
    subprocess.run(["age", *arguments, "-o", str(many), str(plain)], check=True)
    return many


def ledger_rows(store: Store) -> int:
    with store.read() as session:
        return session.query(ImportRow).count()


def refused_unchanged(coordinator: Store, bundle: Path) -> str:
    """Import ``bundle``: refused, the store as it was, and the refusal kept in the ledger."""
    before, rows = snapshot(coordinator), ledger_rows(coordinator)
    report = import_bundle(coordinator, bundle, actor="c")
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert snapshot(coordinator) == before
    assert ledger_rows(coordinator) == rows + 1
    return report.reason


@pytest.mark.usefixtures("age_tools")
def test_an_age_header_of_65_recipients_is_refused_before_decrypting(
    store: Store, coordinator: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = encrypted_to_many(store, coordinator, tmp_path, others=MAX_AGE_STANZAS)
    tried: list[str] = []

    def never_decrypt(*args: object) -> None:
        tried.append("decrypt")
        raise AssertionError("the header should have been refused before decrypting")

    monkeypatch.setattr("storykeeper.core.bundle.reader.pyrage.decrypt_file", never_decrypt)
    reason = refused_unchanged(coordinator, many)
    assert reason == (
        "The bundle is encrypted to more than 100 recipients, which no Storykeeper bundle is: "
        "it was not decrypted. Ask the sender for a fresh export."
    )
    assert tried == []


@pytest.mark.usefixtures("age_tools")
def test_a_bundle_encrypted_to_as_many_recipients_as_the_writer_allows_still_imports(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    most = encrypted_to_many(store, coordinator, tmp_path, others=RECIPIENTS_MAX - 1)
    report = import_bundle(coordinator, most, actor="c")
    assert report.outcome is Outcome.IMPORTED, report.summary()


def test_an_age_header_too_long_is_refused_before_decrypting(
    coordinator: Store, tmp_path: Path
) -> None:
    """A header of one stanza whose body runs past 64 KiB (no count of stanzas would catch it)."""
    body = b"\n".join([b"A" * 64] * 1100)  # 71 KiB of body lines, never the short last one
    flood = tmp_path / "flood.zip.age"
    flood.write_bytes(b"age-encryption.org/v1\n-> X25519 " + b"B" * 43 + b"\n" + body + b"\n")
    assert refused_unchanged(coordinator, flood) == (
        "The bundle's encryption header is longer than 64 KiB, which no Storykeeper bundle's "
        "is: it was not decrypted. Ask the sender for a fresh export."
    )


def test_the_command_line_says_the_refusal_in_one_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stanza = b"-> X25519 " + b"B" * 43 + b"\n" + b"C" * 43 + b"\n"
    flood = tmp_path / "stanzas.zip.age"
    flood.write_bytes(b"age-encryption.org/v1\n" + stanza * 5000 + b"--- " + b"D" * 43 + b"\n")
    code = main(["--data-dir", str(tmp_path / "coordinator"), "import", str(flood)])
    out, err = capsys.readouterr()
    said = out + err
    assert code == 1
    assert "encrypted to more than 100 recipients" in said
    assert "Traceback" not in said


def zip64_ending(entries: int, directory_size: int, directory_offset: int, at: int) -> bytes:
    """A zip64 end of central directory record, its locator and the classic record pointing to
    it (whose own fields say "see zip64"), as written at offset ``at`` of a file."""
    record = struct.pack(
        "<4sQ2H2L4Q",
        b"PK\x06\x06",
        44,  # the size of the rest of this record
        45,
        45,
        0,
        0,
        entries,
        entries,
        directory_size,
        directory_offset,
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    classic = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0
    )
    return record + locator + classic


def with_ending(tmp_path: Path, ending: Callable[[int, int, int], bytes]) -> Path:
    """A real one-file zip whose end of central directory record is replaced by ``ending(
    directory_size, directory_offset, at)``."""
    path = tmp_path / "crafted.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
    whole = path.read_bytes()
    classic = whole[-22:]
    assert classic[:4] == b"PK\x05\x06"
    directory_size, directory_offset = struct.unpack("<2L", classic[12:20])
    kept = whole[:-22]
    path.write_bytes(kept + ending(directory_size, directory_offset, len(kept)))
    return path


def peak_memory_opening(path: Path) -> tuple[str, int]:
    """The reader's refusal of a plain ``path`` and the most memory Python held meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(BundleRefused) as refused, open_bundle(path, [], [], accept_plain=True):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return refused.value.message, peak


def test_a_zip_declaring_a_million_and_a_half_entries_is_refused_by_its_count(
    coordinator: Store, tmp_path: Path
) -> None:
    crafted = with_ending(
        tmp_path, lambda size, offset, at: zip64_ending(1_500_000, size, offset, at)
    )
    reason, peak = peak_memory_opening(crafted)
    assert reason == "The bundle declares 1,500,000 files; at most 200,000 are allowed."
    assert peak < 1 << 20
    assert refused_unchanged(coordinator, crafted) == reason


def test_a_zip_declaring_a_huge_central_directory_is_refused_by_its_size(
    coordinator: Store, tmp_path: Path
) -> None:
    crafted = with_ending(tmp_path, lambda size, offset, at: zip64_ending(1, 1 << 40, offset, at))
    assert refused_unchanged(coordinator, crafted) == (
        "The bundle's list of files is too large (1,099,511,627,776 bytes; at most 67,108,864)."
    )


def test_a_zip_holding_more_entries_than_it_declares_is_refused_without_building_them(
    coordinator: Store, tmp_path: Path
) -> None:
    """200,001 real entries in the central directory, declared as one: the walk counts them."""
    records = b"".join(
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0x21,
            0,
            0,
            0,
            len(name),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            0,
        )
        + name
        for name in (f"b/{n}".encode() for n in range(MAX_ENTRIES + 1))
    )
    classic = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(records), 0, 0)
    crafted = tmp_path / "many.zip"
    crafted.write_bytes(records + classic)
    reason, peak = peak_memory_opening(crafted)
    assert reason == "The bundle holds too many files (more than 200,000)."
    assert peak < 4 << 20  # the zip module's objects for them took some 100 MB
    assert refused_unchanged(coordinator, crafted) == reason
