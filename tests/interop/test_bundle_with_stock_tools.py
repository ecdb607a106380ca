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
from tests.stock_tools import require

#: How long an export of a few thousand stories may take to start writing its bundle.
PARTIAL_FILE_DEADLINE_S = 60


@pytest.fixture(autouse=True)
def stock_tools() -> None:
    require("minisign", "age", "age-keygen")


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
    """Killed mid-way (SIGKILL, no chance to tidy up): no bundle, and the next start sweeps."""
    import contextlib
    import os
    import signal
    import time

    assert main(["demo-data", "--stories", "3000", "--seed", "3"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    program = [sys.executable, "-m", "storykeeper", "export", "--out", str(out), "--plain"]
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(data_dir)}
    exporting = subprocess.Popen(
        program, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # Kill it once the partial file appears (the export is under way): staged in the data
        # folder, never in the target. Nothing announces the file, so look for it between short
        # waits on the export's own end, never past a deadline.
        deadline = time.monotonic() + PARTIAL_FILE_DEADLINE_S
        staged = data_dir / "tmp"
        while exporting.poll() is None and not list(staged.glob(".storykeeper-partial-*")):
            assert time.monotonic() < deadline, (
                f"no partial bundle file in {PARTIAL_FILE_DEADLINE_S} s: is the export stuck?"
            )
            with contextlib.suppress(subprocess.TimeoutExpired):
                exporting.wait(timeout=0.005)
        if exporting.poll() is None:
            exporting.send_signal(signal.SIGKILL)
        exporting.wait(timeout=60)
    finally:
        if exporting.poll() is None:
            exporting.kill()
    assert exporting.returncode == -signal.SIGKILL, "the export finished before it could be killed"
    assert list(out.iterdir()) == []
    assert main(["export", "--out", str(out), "--plain"]) == 0
    (bundle,) = out.iterdir()
    assert list(staged.iterdir()) == []  # the staged partial file was swept away
    assert bundle.name.endswith(".zip")


def test_a_bundle_made_by_the_stock_tools_alone_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the payload comes from Storykeeper; bagit.py bags it, minisign signs it, Python's
    zipfile zips it and age encrypts it, with keys from minisign -G and age-keygen. Storykeeper
    imports the result: the format is the standard tools', not this program's own."""
    import json

    advocate, coordinator = tmp_path / "advocate", tmp_path / "coordinator"
    assert main(["--data-dir", str(advocate), "demo-data", "--stories", "60", "--seed", "4"]) == 0
    plain = tmp_path / "plain"
    plain.mkdir()
    assert main(["--data-dir", str(advocate), "export", "--out", str(plain), "--plain"]) == 0
    (written,) = plain.iterdir()
    run(sys.executable, "-m", "zipfile", "-e", written, tmp_path / "unzipped")
    (bag,) = (tmp_path / "unzipped").iterdir()

    # The coordinator's key made by age-keygen: the summary names its recipient, as the format
    # asks (a bundle names whom it is for), and age encrypts to it below.
    run("age-keygen", "-o", tmp_path / "coordinator-key.txt")
    recipient = next(
        line.split(": ", 1)[1]
        for line in (tmp_path / "coordinator-key.txt").read_text().splitlines()
        if line.startswith("# public key: ")
    )
    # A signing key made by minisign itself, named in the payload's summary.
    run("minisign", "-G", "-W", "-p", tmp_path / "stock.pub", "-s", tmp_path / "stock.key")
    key_id = (tmp_path / "stock.pub").read_text().splitlines()[0].rsplit(" ", 1)[1]
    summary_path = bag / "data" / "bundle.json"
    summary = json.loads(summary_path.read_text())
    summary["signer_key_id"] = key_id
    summary["recipients"] = [recipient]
    summary_path.write_text(json.dumps(summary))

    stock = tmp_path / "B"
    shutil.copytree(bag / "data", stock)  # bagit.py moves a folder's contents into data/
    run(bagit_program(), "--sha512", stock)
    run("minisign", "-S", "-s", tmp_path / "stock.key", "-m", stock / "tagmanifest-sha512.txt")
    run(sys.executable, "-m", "zipfile", "-c", tmp_path / "B.zip", stock)
    run("age", "-r", recipient, "-o", tmp_path / "B.zip.age", tmp_path / "B.zip")

    c = ["--data-dir", str(coordinator)]
    assert main([*c, "keys", "import-age-identity", str(tmp_path / "coordinator-key.txt")]) == 0
    assert main([*c, "trust", "add", str(tmp_path / "stock.pub"), "--label", "Stock tools"]) == 0
    capsys.readouterr()
    assert main([*c, "import", str(tmp_path / "B.zip.age"), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["outcome"] == "imported"
    assert report["signer_key_id"] == key_id
    new = [line for line in report["stories"] if line["action"] == "new"]
    assert len(new) == len(summary["stories"]) > 0
