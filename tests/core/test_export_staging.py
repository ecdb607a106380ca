"""The start's sweep of killed exports never touches an export another process is writing, and
removes only partial bundle files, whatever a note says."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from pathlib import Path

from storykeeper.core.bundle.staging import sweep_leftovers

#: An export in progress in another process: it stages its files, says so, and waits.
EXPORTING = """
import sys
from pathlib import Path
from storykeeper.core.bundle.staging import ExportStaging

with ExportStaging(Path(sys.argv[1]), sys.argv[2]) as staged:
    staged.zipped.write_bytes(b"the stories, in plain words")
    staged.outside(Path(sys.argv[3]), ".age").write_bytes(b"age-encryption.org/v1 ...")
    print("staged", flush=True)
    sys.stdin.read()
"""


def test_a_running_export_is_left_alone_and_a_killed_one_swept(
    data_dir: Path, tmp_path: Path
) -> None:
    staging, out = data_dir / "tmp", tmp_path / "usb-stick"
    out.mkdir()
    bundle_id = str(uuid.uuid4())
    exporting = subprocess.Popen(
        [sys.executable, "-c", EXPORTING, str(staging), bundle_id, str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert exporting.stdout is not None
        assert exporting.stdout.readline() == "staged\n"
        before = sorted(p.name for p in [*staging.iterdir(), *out.iterdir()])
        assert sweep_leftovers(data_dir) == 0
        assert sorted(p.name for p in [*staging.iterdir(), *out.iterdir()]) == before
    finally:
        exporting.send_signal(signal.SIGKILL)
        exporting.wait(timeout=60)

    assert sweep_leftovers(data_dir) == 1
    assert list(staging.iterdir()) == []
    assert list(out.iterdir()) == []


def test_a_note_can_only_remove_partial_bundle_files(data_dir: Path, tmp_path: Path) -> None:
    staging = data_dir / "tmp"
    staging.mkdir(parents=True)
    bundle_id = str(uuid.uuid4())
    precious = tmp_path / "thesis.odt"
    precious.write_text("years of work", encoding="utf-8")
    partial = tmp_path / f".storykeeper-partial-{bundle_id}.age"
    partial.write_bytes(b"age-encryption.org/v1 ...")
    (staging / f"export-{bundle_id}.target").write_text(f"{precious}\n{partial}\n")

    assert sweep_leftovers(data_dir) == 1
    assert precious.read_text(encoding="utf-8") == "years of work"
    assert not partial.exists()
    assert list(staging.iterdir()) == []
