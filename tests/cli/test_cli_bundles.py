"""``storykeeper export`` and ``verify`` between two data folders, as people use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import StoryStatus
from tests.factories import make_story
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_advocates_bundle_verifies_at_the_coordinators(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    advocate, coordinator = str(tmp_path / "advocate"), str(tmp_path / "coordinator")
    out = tmp_path / "out"
    out.mkdir()
    run(capsys, "--data-dir", advocate, "demo-data", "--stories", "60", "--seed", "2")
    _, shown, _ = run(capsys, "--data-dir", coordinator, "keys", "show", "--json")
    recipient = json.loads(shown)["age_recipient"]
    run(capsys, "--data-dir", advocate, "keys", "export-public", str(tmp_path / "advocate.pub"))

    code, _, err = run(capsys, "--data-dir", advocate, "export", "--out", str(out))
    assert code == 1 and "Nobody to encrypt the bundle to" in err
    assert list(out.iterdir()) == []
    code, said, _ = run(
        capsys, "--data-dir", advocate, "export", "--out", str(out), "--to", recipient, "--json"
    )
    assert code == 0
    exported = json.loads(said)
    bundle = Path(exported["path"])

    code, _, err = run(capsys, "--data-dir", coordinator, "verify", str(bundle))
    assert code == 1 and "signed by an unknown key" in err
    code, _, err = run(capsys, "--data-dir", advocate, "verify", str(bundle))
    assert code == 1 and "not for this computer" in err  # the advocate cannot read it back
    code, said, _ = run(
        capsys,
        "--data-dir",
        coordinator,
        "verify",
        str(bundle),
        "--signer",
        str(tmp_path / "advocate.pub"),
        "--json",
    )
    assert code == 0
    report = json.loads(said)
    assert report["bundle_id"] == exported["bundle_id"]
    assert report["stories"] == len(exported["stories"]) > 0
    assert report["recipients"] == [recipient]
    assert report["encrypted"] is True
    code, said, _ = run(
        capsys,
        "--data-dir",
        coordinator,
        "verify",
        str(bundle),
        "--signer",
        str(tmp_path / "advocate.pub"),
    )
    assert code == 0
    assert said.splitlines() == [
        f"{bundle} is a valid Storykeeper bundle (format {report['format']}).",
        f"  Bundle id:     {exported['bundle_id']}",
        f"  Signed by:     key {report['signer_key_id']}, "
        f"fingerprint {report['signer_fingerprint']}",
        f"  Encrypted to:  {recipient}",
        "  Made for:      this computer",
        f"  Carries:       {report['stories']} stories, {report['withdrawals']} withdrawals; "
        f"{report['files_checked']} files, every hash checked",
    ]

    code, _, err = run(
        capsys,
        "--data-dir",
        advocate,
        "export",
        "--out",
        str(out),
        "--since-last",
        "--to",
        recipient,
    )
    assert code == 1 and "There is nothing to export" in err  # nothing new since the last one
    assert len(list(out.iterdir())) == 1


def test_a_trusted_senders_bundles_verify_until_the_key_is_revoked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    advocate, coordinator = str(tmp_path / "advocate"), str(tmp_path / "coordinator")
    out = tmp_path / "out"
    out.mkdir()
    run(capsys, "--data-dir", advocate, "demo-data", "--stories", "30", "--seed", "4")
    recipient = json.loads(run(capsys, "--data-dir", coordinator, "keys", "show", "--json")[1])[
        "age_recipient"
    ]
    shown = json.loads(run(capsys, "--data-dir", advocate, "keys", "show", "--json")[1])
    run(capsys, "--data-dir", advocate, "keys", "export-public", str(tmp_path / "a.pub"))
    code, said, _ = run(
        capsys,
        "--data-dir",
        coordinator,
        "trust",
        "add",
        str(tmp_path / "a.pub"),
        "--label",
        "Priya",
    )
    assert code == 0 and f"Fingerprint: {shown['fingerprint']}" in said
    run(capsys, "--data-dir", advocate, "export", "--out", str(out), "--to", recipient)
    (bundle,) = out.iterdir()
    assert run(capsys, "--data-dir", coordinator, "verify", str(bundle))[0] == 0
    code, said, _ = run(capsys, "--data-dir", coordinator, "trust", "revoke", shown["key_id"])
    assert code == 0 and "Revoked Priya" in said
    code, _, err = run(capsys, "--data-dir", coordinator, "verify", str(bundle))
    assert code == 1 and "signed by an unknown key" in err
    listed = json.loads(run(capsys, "--data-dir", coordinator, "trust", "list", "--json")[1])
    assert [(s["label"], s["revoked_at"] is not None) for s in listed] == [("Priya", True)]


def test_a_story_the_coordinator_would_refuse_stops_the_export_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from sqlalchemy import text

    from storykeeper.core.stories import OWN_WORDS_MAX
    from storykeeper.paths import resolve_paths
    from tests.exchange import shared

    advocate = tmp_path / "advocate"
    with open_as_the_program(resolve_paths(advocate)) as store:
        shared(store, "A short one")
        long = shared(store, "Sixty years at the mill")
        # Longer than the store takes now: as a store from before the limit may hold.
        with store.write(actor="test") as session:
            session.execute(
                text("UPDATE stories SET own_words = :words WHERE uuid = :id"),
                {"words": "mill " * (OWN_WORDS_MAX // 5) + "!", "id": long.id},
            )
    out = tmp_path / "out"
    out.mkdir()

    code, said, err = run(
        capsys, "--data-dir", str(advocate), "export", "--out", str(out), "--plain"
    )

    assert code == 1 and said == ""
    (line,) = err.splitlines()
    assert "“Sixty years at the mill”" in line and long.id[:8] in line
    assert f"{OWN_WORDS_MAX + 1:,} characters" in line and "mill mill" not in line
    assert list(out.iterdir()) == []


def test_the_export_lists_the_stories_it_left_out_as_a_table(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    make_story(store, title="Kept and sent", status=StoryStatus.FINAL)
    held = make_story(store, title="Nobody asked yet", teller="Ann Lee")
    code, said, _ = run(capsys, "export", "--out", str(tmp_path), "--plain")
    assert code == 0
    lines = said.splitlines()
    assert lines[0].endswith("bytes): 1 story, 0 media files, 0 withdrawals.")
    start = lines.index("Left out 1 story:")
    assert lines[start + 1 :] == [
        "  STORY     TITLE             WHY",
        f"  {held.id[:8]}  Nobody asked yet  No consent has been recorded yet.",
    ]
