"""A bundle this program writes passes the four commands in BUNDLE.md, with the stock tools:

age --decrypt -i coordinator-key.txt -o B.zip B.zip.age
python3 -m zipfile -e B.zip .
minisign -V -p signer.pub -m B/tagmanifest-sha512.txt
bagit.py --validate B
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storykeeper.__main__ import main


@pytest.fixture(autouse=True)
def stock_tools() -> None:
    missing = [t for t in ("minisign", "age", "age-keygen") if shutil.which(t) is None]
    assert not missing, (
        f"{', '.join(missing)} not found: run packaging/linux/install-system-deps --test"
    )


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=True, timeout=120, cwd=cwd
    )


def bagit_program() -> str:
    found = shutil.which("bagit.py") or str(Path(sys.executable).parent / "bagit.py")
    assert Path(found).exists(), "bagit.py not found: pip install the test extras"
    return found


def test_the_four_commands_succeed_on_an_exported_bundle(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo-data", "--stories", "1000", "--seed", "7"]) == 0
    coordinator = tmp_path / "coordinator-key.txt"
    run("age-keygen", "-o", coordinator)
    recipient = next(
        line.split(": ", 1)[1]
        for line in coordinator.read_text().splitlines()
        if line.startswith("# public key: ")
    )
    assert main(["recipients", "add", recipient, "--label", "Coordinator"]) == 0
    assert main(["keys", "export-public", str(tmp_path / "signer.pub")]) == 0
    out = tmp_path / "out"
    out.mkdir()
    capsys.readouterr()
    assert main(["export", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Left out" in said  # demo data has stories without consent to share
    (bundle,) = out.iterdir()
    assert bundle.name.endswith(".zip.age")

    run("age", "--decrypt", "-i", coordinator, "-o", tmp_path / "B.zip", bundle)
    run(sys.executable, "-m", "zipfile", "-e", tmp_path / "B.zip", tmp_path / "x")
    (bag,) = (tmp_path / "x").iterdir()
    verified = run(
        "minisign", "-V", "-p", tmp_path / "signer.pub", "-m", bag / "tagmanifest-sha512.txt"
    )
    assert "Signature and comment signature verified" in verified.stdout + verified.stderr
    assert f"to {recipient}" in verified.stdout + verified.stderr  # the trusted comment binds it
    validated = run(bagit_program(), "--validate", bag)
    assert "is valid" in validated.stderr

    # One changed byte in a story is caught by bagit; one in the manifest, by the signature.
    story = next((bag / "data" / "stories").iterdir())
    story.write_bytes(story.read_bytes().replace(b'"revision"', b'"revisioN"', 1))
    with pytest.raises(subprocess.CalledProcessError):
        run(bagit_program(), "--validate", bag)
    manifest = bag / "tagmanifest-sha512.txt"
    manifest.write_bytes(manifest.read_bytes().replace(b"bagit.txt", b"bagit.txT"))
    with pytest.raises(subprocess.CalledProcessError):
        run("minisign", "-V", "-p", tmp_path / "signer.pub", "-m", manifest)


def test_a_killed_export_leaves_no_bundle(tmp_path: Path, data_dir: Path) -> None:
    """Killed mid-way (SIGKILL, no chance to tidy up): no bundle, and the next export sweeps."""
    import os
    import signal

    assert main(["demo-data", "--stories", "3000", "--seed", "3"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    program = [sys.executable, "-m", "storykeeper", "export", "--out", str(out), "--plain"]
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(data_dir)}
    exporting = subprocess.Popen(
        program, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # Wait for the partial file to appear (the export is under way), then kill it.
        while exporting.poll() is None and not list(out.glob(".storykeeper-partial-*")):
            os.sched_yield()
        if exporting.poll() is None:
            exporting.send_signal(signal.SIGKILL)
        exporting.wait(timeout=60)
    finally:
        if exporting.poll() is None:
            exporting.kill()
    assert exporting.returncode == -signal.SIGKILL, "the export finished before it could be killed"
    assert [p for p in out.iterdir() if not p.name.startswith(".storykeeper-partial-")] == []
    assert main(["export", "--out", str(out), "--plain"]) == 0
    (bundle,) = out.iterdir()  # the leftover partial file was swept away
    assert bundle.name.endswith(".zip")
