"""A killed import leaves its decrypted plaintext only in the data folder, and the next start
removes it; a running import's plaintext is left alone by another start's sweep."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.bundle.staging import ImportStaging, staging_folder, sweep_leftovers
from storykeeper.core.db import Store
from storykeeper.core.sealed_files import is_sealed
from tests.cli.large_bundle import large_bundle
from tests.exchange import export, shared, trust_advocate
from tests.pipes import next_line


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_killed_import_leaves_its_plaintext_only_in_the_data_folder_until_the_next_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    made = large_bundle(tmp_path)
    coordinator, bundle = made.coordinator, made.path
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(coordinator), "TMPDIR": str(system_tmp)}
    importing = subprocess.Popen(
        [sys.executable, "-m", "storykeeper", "import", bundle],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Files are hash-checked once the whole bundle is decrypted: the plaintext is on disk.
        line = next_line(importing.stderr, 60, "the import to check the decrypted files")
        while line and "checked " not in line:
            line = next_line(importing.stderr, 60, "the import to check the decrypted files")
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=60)
    finally:
        if importing.poll() is None:
            importing.kill()
    assert importing.returncode == -signal.SIGKILL, "the import finished before it was killed"

    assert files_under(system_tmp) == []  # nothing readable outside the data folder
    staged = staging_folder(coordinator)
    (left,) = [p for p in staged.iterdir() if p.suffix == ".zip"]
    # Sealed with the store's staging key: the coordinator's store is encrypted, as a new one is.
    assert left.name.startswith("import-") and is_sealed(left.read_bytes()[:16])
    assert staged.stat().st_mode & 0o777 == 0o700

    code, _, _ = run(capsys, "--data-dir", str(coordinator), "list")  # any start sweeps
    assert code == 0
    assert files_under(staged) == []
    code, said, _ = run(capsys, "--data-dir", str(coordinator), "import", bundle, "--json")
    assert code == 0 and json.loads(said)[0]["outcome"] == "imported"
    assert files_under(staged) == []


def test_a_running_imports_plaintext_is_left_alone_by_another_starts_sweep(
    data_dir: Path,
) -> None:
    with ImportStaging(staging_folder(data_dir)) as staging:
        staging.plaintext.write_bytes(b"PK\x03\x04 the words of a story being imported")
        assert sweep_leftovers(data_dir) == 0
        assert staging.plaintext.exists()
    assert files_under(staging_folder(data_dir)) == []


def test_a_failed_import_removes_its_plaintext_and_lock(data_dir: Path) -> None:
    with pytest.raises(RuntimeError), ImportStaging(staging_folder(data_dir)) as staging:
        staging.plaintext.write_bytes(b"PK\x03\x04 the words of a story being imported")
        raise RuntimeError("stopped part-way")
    assert files_under(staging_folder(data_dir)) == []


def test_an_import_removes_a_killed_imports_plaintext_and_keeps_its_own_private(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """A window open for days never starts again: each import sweeps what a killed one left."""
    trust_advocate(store, coordinator)
    shared(store, "The choir at St Anne's")
    bundle = export(store, coordinator, tmp_path / "out")
    staged = staging_folder(coordinator.paths.data_dir)
    staged.mkdir(mode=0o700)
    stale = staged / f"import-{uuid.uuid4()}.zip"
    stale.write_bytes(b"PK\x03\x04 the words of a story a killed import decrypted")
    seen: dict[str, int] = {}

    def checking(done: int, total: int) -> None:
        seen.update({p.name: p.stat().st_mode & 0o777 for p in staged.iterdir()})

    report = import_bundle(coordinator, bundle, actor="c", checking=checking)
    assert report.outcome is Outcome.IMPORTED, report.summary()
    assert stale.name not in seen
    (plaintext,) = [name for name in seen if name.endswith(".zip")]
    assert plaintext.startswith("import-") and seen[plaintext] == 0o600
    assert files_under(staged) == []
