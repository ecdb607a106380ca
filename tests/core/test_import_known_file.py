"""A re-import of the very file imported before is known without reading it again (issue 21):
the ledger keeps the file's identity as it was authenticated, and any other file, or the same
file written to since, is decrypted to nowhere first as before (a damaged copy is refused)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from storykeeper.core.bundle import importer
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.db import Store
from tests.exchange import export, shared, trust_advocate


@pytest.fixture
def imported(store: Store, coordinator: Store, tmp_path: Path) -> Path:
    """A bundle of two stories the coordinator has imported."""
    shared(store, "The bus")
    shared(store, "The garden")
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")
    assert import_bundle(coordinator, bundle, actor="coordinator").outcome is Outcome.IMPORTED
    return bundle


@pytest.fixture
def authentications(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the importer decrypts to nowhere to authenticate them (the real check runs)."""
    checked: list[Path] = []
    real = importer.authenticates

    def counting(path: Path, identities: object) -> bool | None:
        checked.append(path)
        return real(path, identities)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "authenticates", counting)
    return checked


def test_the_very_file_again_is_already_imported_without_decrypting_it(
    coordinator: Store, imported: Path, authentications: list[Path]
) -> None:
    again = import_bundle(coordinator, imported, actor="coordinator")
    assert again.outcome is Outcome.ALREADY_IMPORTED
    assert authentications == []


def test_a_copy_is_authenticated_once_then_known_too(
    coordinator: Store, imported: Path, authentications: list[Path], tmp_path: Path
) -> None:
    copy = tmp_path / "stick" / imported.name
    copy.parent.mkdir()
    shutil.copyfile(imported, copy)
    assert import_bundle(coordinator, copy, actor="c").outcome is Outcome.ALREADY_IMPORTED
    assert authentications == [copy]
    assert import_bundle(coordinator, copy, actor="c").outcome is Outcome.ALREADY_IMPORTED
    assert authentications == [copy]


def test_the_same_file_damaged_in_place_with_its_time_put_back_is_refused(
    coordinator: Store, imported: Path, authentications: list[Path]
) -> None:
    """Same path, size and modification time: the change time moves with any write, and
    nothing outside the kernel can set it back."""
    before = imported.stat()
    data = bytearray(imported.read_bytes())
    data[len(data) // 2] ^= 0x01
    with imported.open("r+b") as stream:
        stream.write(bytes(data))
    os.utime(imported, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = imported.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    report = import_bundle(coordinator, imported, actor="coordinator")
    assert report.outcome is Outcome.REFUSED
    assert "this copy is damaged" in report.reason
    assert authentications == [imported]
