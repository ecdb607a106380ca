"""A copy of a bundle imported before: the intact one changes nothing, a damaged one is refused
saying so (issue 16, section 2)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.paths import resolve_paths
from tests.exchange import snapshot
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, Path, dict[str, str]]:
    """A coordinator that trusts an advocate of 40 demo stories and imported their bundle; the
    bundle file and the import's report."""
    advocate, coordinator = str(tmp_path / "advocate"), str(tmp_path / "coordinator")
    out = tmp_path / "out"
    out.mkdir()
    run(capsys, "--data-dir", advocate, "demo-data", "--stories", "40", "--seed", "5")
    _, shown, _ = run(capsys, "--data-dir", coordinator, "keys", "show", "--json")
    recipient = json.loads(shown)["age_recipient"]
    code, said, _ = run(
        capsys, "--data-dir", advocate, "export", "--out", str(out), "--to", recipient, "--json"
    )
    assert code == 0
    bundle = Path(json.loads(said)["path"])
    _, shown, _ = run(capsys, "--data-dir", advocate, "keys", "show", "--json")
    public = json.loads(shown)["public_key"]
    assert (
        run(capsys, "--data-dir", coordinator, "trust", "add", public, "--label", "Priya")[0] == 0
    )
    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(bundle), "--json")
    assert code == 0
    (report,) = json.loads(said)
    assert report["outcome"] == "imported"
    return coordinator, bundle, report


def test_a_damaged_copy_of_an_imported_bundle_exits_1_saying_the_intact_one_came_in(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, imported: tuple[str, Path, dict[str, str]]
) -> None:
    """Same age header, same size, one byte changed in the encrypted stories: the header alone
    took it for the bundle imported before ("Already imported", exit 0)."""
    coordinator, bundle, report = imported
    damaged = tmp_path / "copy" / bundle.name
    damaged.parent.mkdir()
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    with open_as_the_program(resolve_paths(coordinator)) as store:
        before = snapshot(store)
    code, said, err = run(capsys, "--data-dir", coordinator, "import", str(damaged))
    assert code == 1, said
    day = report["checked_at"][:10]
    assert said.strip().splitlines() == [
        f"{damaged}: Refused: The bundle {report['bundle_id']} from Priya was imported intact "
        f"on {day}; this copy is damaged (it cannot be authenticated). Nothing changed."
    ]
    assert len(said.strip().splitlines()) == 1 and "Traceback" not in err
    with open_as_the_program(resolve_paths(coordinator)) as store:
        assert snapshot(store) == before
    code, ledger, _ = run(capsys, "--data-dir", coordinator, "imports", "--json")
    newest = json.loads(ledger)[0]["report"]
    assert newest["outcome"] == "refused" and "this copy is damaged" in newest["reason"]


def test_the_intact_file_again_is_already_imported_within_a_second(
    capsys: pytest.CaptureFixture[str], imported: tuple[str, Path, dict[str, str]]
) -> None:
    coordinator, bundle, _ = imported
    started = time.monotonic()
    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(bundle))
    took = time.monotonic() - started
    assert code == 0 and "Already imported on " in said
    print(f"re-import of the intact file took {took:.3f} s")
