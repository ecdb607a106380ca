"""``storykeeper import`` and ``imports`` between two data folders, as a coordinator uses them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from storykeeper.__main__ import main
from storykeeper.core.vocabulary import StoryStatus
from storykeeper.paths import resolve_paths
from tests.cli.large_bundle import large_bundle
from tests.factories import make_story
from tests.pipes import next_line
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str, Path]:
    """An advocate with 40 demo stories, a coordinator, and a bundle from one to the other."""
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
    return advocate, coordinator, Path(json.loads(said)["path"])


def test_an_unknown_sender_then_trusted_then_imported_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, folders: tuple[str, str, Path]
) -> None:
    advocate, coordinator, bundle = folders
    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(bundle))
    assert code == 1
    _, shown, _ = run(capsys, "--data-dir", advocate, "keys", "show", "--json")
    signing = json.loads(shown)
    assert f"unknown key with fingerprint {signing['fingerprint']}" in said
    assert f"storykeeper trust add {signing['public_key']} --label" in said

    code, _, _ = run(
        capsys,
        "--data-dir",
        coordinator,
        "trust",
        "add",
        signing["public_key"],
        "--label",
        "Priya",
    )
    assert code == 0
    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(bundle), "--json")
    assert code == 0
    (report,) = json.loads(said)
    assert report["outcome"] == "imported" and report["signer_label"] == "Priya"
    new = [line for line in report["stories"] if line["action"] == "new"]
    assert new and all(line["title"] for line in new)
    withdrawn = [line for line in report["stories"] if line["action"] == "withdrawn"]
    assert len(new) + len(withdrawn) == len(report["stories"])
    code, listed, _ = run(capsys, "--data-dir", coordinator, "list", "--limit", "5")
    assert code == 0 and "FROM" in listed.splitlines()[0] and "Priya" in listed
    code, shown_story, _ = run(capsys, "--data-dir", coordinator, "show", new[0]["story_id"])
    assert code == 0 and "Came from:    Priya, in bundle " + report["bundle_id"] in shown_story

    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(bundle))
    assert code == 0 and "Already imported on " in said
    code, ledger, _ = run(capsys, "--data-dir", coordinator, "imports", "--json")
    again, imported, refused = json.loads(ledger)
    assert refused["report"]["reason"].startswith("The bundle is signed by an unknown key")
    code, ledger, _ = run(capsys, "--data-dir", coordinator, "imports")
    name = bundle.name
    assert ledger.splitlines() == [
        f"WHEN              FILE{' ' * (len(name) - 4)}  FROM   OUTCOME",
        f"{_when(again)}  {name}  Priya  already imported: nothing changed",
        f"{_when(imported)}  {name}  Priya  {len(new)} new, 0 updated, 0 skipped, "
        f"{len(withdrawn)} withdrawn",
        f"{_when(refused)}  {name}  —      refused: {refused['report']['reason']}",
    ]


def _when(entry: dict[str, Any]) -> str:
    """When the ledger says a bundle was checked, in this computer's time, as the table shows it."""
    checked = dt.datetime.fromisoformat(entry["report"]["checked_at"])
    return checked.astimezone().strftime("%Y-%m-%d %H:%M")


def test_the_import_report_is_a_table_of_stories_lined_up_by_the_places_text_takes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    advocate, coordinator = tmp_path / "advocate", str(tmp_path / "coordinator")
    with open_as_the_program(resolve_paths(advocate)) as store:
        wang = make_story(
            store,
            title="王秀英的故事：我们每个星期二坐小巴去日间中心，然后一起吃午饭",
            teller="王秀英",
            status=StoryStatus.FINAL,
        )
        bus = make_story(store, title="The day centre bus", status=StoryStatus.FINAL)
    _, shown, _ = run(capsys, "--data-dir", coordinator, "keys", "show", "--json")
    recipient = json.loads(shown)["age_recipient"]
    out = tmp_path / "out"
    out.mkdir()
    code, said, _ = run(
        capsys,
        "--data-dir",
        str(advocate),
        "export",
        "--out",
        str(out),
        "--to",
        recipient,
        "--json",
    )
    assert code == 0
    exported = json.loads(said)
    bundle = exported["path"]
    _, shown, _ = run(capsys, "--data-dir", str(advocate), "keys", "show", "--json")
    signing = json.loads(shown)
    run(capsys, "--data-dir", coordinator, "trust", "add", signing["public_key"], "--label", "P")

    code, said, _ = run(capsys, "--data-dir", coordinator, "import", bundle)
    assert code == 0
    lines = said.splitlines()
    assert lines[:3] == [
        f"{bundle}: Imported: 2 new, 0 updated, 0 skipped, 0 withdrawn.",
        f"  from P (key {signing['key_id']}), bundle {exported['bundle_id']}",
        f"  ACTION  ID        {'TITLE':60}  DETAIL",
    ]
    # Each of the Chinese title's 30 characters takes two places: the column is 60 wide.
    assert sorted(lines[3:]) == sorted(
        [
            f"  new     {wang.id[:8]}  王秀英的故事：我们每个星期二坐小巴去日间中心，"
            f"然后一起吃午饭  revision {wang.revision}",
            f"  new     {bus.id[:8]}  {'The day centre bus':60}  revision {bus.revision}",
        ]
    )


def test_the_list_shows_a_revoked_senders_whole_name_and_mark(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, folders: tuple[str, str, Path]
) -> None:
    advocate, coordinator, bundle = folders
    _, shown, _ = run(capsys, "--data-dir", advocate, "keys", "show", "--json")
    signing = json.loads(shown)
    sender = "Priya Shah, north team"
    run(capsys, "--data-dir", coordinator, "trust", "add", signing["public_key"], "--label", sender)
    assert run(capsys, "--data-dir", coordinator, "import", str(bundle))[0] == 0
    assert run(capsys, "--data-dir", coordinator, "trust", "revoke", signing["key_id"])[0] == 0
    code, listed, _ = run(capsys, "--data-dir", coordinator, "list", "--limit", "3")
    assert code == 0
    heading, *rows = listed.splitlines()[:4]
    assert f"  {'FROM':{len(sender) + 14}}  TITLE" in heading
    assert [f"  {sender} (key revoked)  " in row for row in rows] == [True, True, True]


def test_one_bad_file_among_good_ones_exits_1_and_the_rest_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, folders: tuple[str, str, Path]
) -> None:
    advocate, coordinator, bundle = folders
    run(capsys, "--data-dir", advocate, "keys", "export-public", str(tmp_path / "a.pub"))
    run(capsys, "--data-dir", coordinator, "trust", "add", str(tmp_path / "a.pub"), "--label", "A")
    broken = tmp_path / "broken.zip.age"
    broken.write_bytes(bundle.read_bytes()[:-100])
    code, said, _ = run(
        capsys, "--data-dir", coordinator, "import", str(broken), str(bundle), "--dry-run"
    )
    assert code == 1
    assert f"{broken}: Refused: " in said
    assert f"{bundle}: Dry run, nothing kept — would import: " in said
    code, listed, _ = run(capsys, "--data-dir", coordinator, "list")
    assert "There are no stories yet" in listed
    code, ledger, _ = run(capsys, "--data-dir", coordinator, "imports")
    assert "No bundles imported yet" in ledger  # a dry run keeps nothing, not even its report

    code, said, _ = run(capsys, "--data-dir", coordinator, "import", str(broken), str(bundle))
    assert code == 1
    assert f"{bundle}: Imported: " in said
    code, ledger, _ = run(capsys, "--data-dir", coordinator, "imports", "--json")
    outcomes = [entry["report"]["outcome"] for entry in json.loads(ledger)]
    assert outcomes == ["imported", "refused"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["import"])
    assert exited.value.code == 2
    code, said, _ = run(capsys, "import", "/nowhere/at/all.zip.age")
    assert code == 1 and "Cannot read /nowhere/at/all.zip.age" in said
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["imports", "--limit", "-3"])
    assert exited.value.code == 2
    assert "--limit: must be 0 or more" in capsys.readouterr().err


def test_a_killed_import_leaves_the_store_as_before_and_a_second_try_succeeds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """SIGKILL part-way through the transaction: no story, no ledger entry, `check` clean."""
    import os
    import signal
    import subprocess
    import sys

    made = large_bundle(tmp_path, plain=True)
    coordinator, bundle = made.coordinator, made.path
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(coordinator)}
    importing = subprocess.Popen(
        [sys.executable, "-m", "storykeeper", "import", bundle, "--accept-plain"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The first progress line: stories are being written inside the open transaction.
        awaited = "the import to start writing stories"
        line = next_line(importing.stderr, 60, awaited)
        while line and not line.endswith(" stories…\n"):
            assert "checked " in line, line  # first, every file's hash is checked
            line = next_line(importing.stderr, 60, awaited)
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=60)
    finally:
        if importing.poll() is None:
            importing.kill()
    assert importing.returncode == -signal.SIGKILL, "the import finished before it was killed"

    code, listed, _ = run(capsys, "--data-dir", str(coordinator), "list", "--json")
    assert code == 0 and json.loads(listed)["total"] == 0
    code, ledger, _ = run(capsys, "--data-dir", str(coordinator), "imports", "--json")
    assert json.loads(ledger) == []
    code, _, _ = run(capsys, "--data-dir", str(coordinator), "check")
    assert code == 0
    code, said, _ = run(
        capsys, "--data-dir", str(coordinator), "import", bundle, "--json", "--accept-plain"
    )
    assert code == 0
    (report,) = json.loads(said)
    new = sum(1 for line in report["stories"] if line["action"] == "new")
    assert new == made.stories
    code, listed, _ = run(capsys, "--data-dir", str(coordinator), "list", "--json")
    assert json.loads(listed)["total"] == new > 1000
