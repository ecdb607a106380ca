"""``storykeeper trust hand-over OLD NEW``: a sender's new key takes over their records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storykeeper.__main__ import main
from storykeeper.core.models import AuditEventRow
from storykeeper.paths import resolve_paths
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _trust(capsys: pytest.CaptureFixture[str], coordinator: str, sender: Path, label: str) -> str:
    """Trust ``sender``'s key at the coordinator's; its key id."""
    pub = sender.parent / f"{sender.name}.pub"
    run(capsys, "--data-dir", str(sender), "keys", "export-public", str(pub))
    code, _, err = run(
        capsys, "--data-dir", coordinator, "trust", "add", str(pub), "--label", label
    )
    assert code == 0, err
    shown = run(capsys, "--data-dir", str(sender), "keys", "show", "--json")[1]
    return str(json.loads(shown)["key_id"])


def test_the_old_keys_records_are_handed_to_the_new_key_and_audited(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old_laptop, new_laptop = tmp_path / "old-laptop", tmp_path / "new-laptop"
    coordinator = str(tmp_path / "coordinator")
    out = tmp_path / "out"
    out.mkdir()
    run(capsys, "--data-dir", str(old_laptop), "demo-data", "--stories", "20", "--seed", "3")
    recipient = json.loads(run(capsys, "--data-dir", coordinator, "keys", "show", "--json")[1])[
        "age_recipient"
    ]
    old = _trust(capsys, coordinator, old_laptop, "Priya")
    new = _trust(capsys, coordinator, new_laptop, "Priya (new laptop)")
    run(capsys, "--data-dir", str(old_laptop), "export", "--out", str(out), "--to", recipient)
    (bundle,) = out.iterdir()
    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(bundle), "--json")
    stories = sum(1 for line in json.loads(said)[0]["stories"] if line["action"] == "new")
    assert code == 0 and stories > 0

    code, said, err = run(capsys, "--data-dir", coordinator, "trust", "hand-over", old, new)
    assert (code, err) == (0, "")
    assert said.startswith(
        f"Handed to Priya (new laptop) ({new}) what Priya ({old}) sent: {stories:,} stories, "
    )
    with open_as_the_program(resolve_paths(Path(coordinator))) as store, store.read() as session:
        event = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "signer.handed_over")
        ).one()
    assert event.entity_uuid == old and json.loads(event.details)["stories"] == stories


def test_a_hand_over_to_the_same_key_exits_1_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    coordinator = str(tmp_path / "coordinator")
    old = _trust(capsys, coordinator, tmp_path / "laptop", "Priya")
    code, said, err = run(capsys, "--data-dir", coordinator, "trust", "hand-over", old, old)
    assert (code, said) == (1, "")
    assert err.strip().splitlines() == [
        "storykeeper: error: Choose two different keys: the old one and the sender's new one."
    ]
