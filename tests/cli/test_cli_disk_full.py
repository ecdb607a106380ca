"""A full disk, said plainly: one line naming the folder, never SQL, a traceback or a story.

Each command runs as the installed program would, in a child process, with its data folder on
a real small tmpfs that fills up (tests/full_disk.py). The log goes to another disk (the
platform's own places, through XDG_DATA_HOME and XDG_STATE_HOME), so that whatever the program
logs about the failure can be read afterwards and searched for the stories' words; one test
keeps the log on the full disk too, where logging itself fails and must fail quietly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyrage import x25519
from sqlalchemy import select

from storykeeper.__main__ import main
from storykeeper.core.models import StoryRow
from storykeeper.paths import DATA_DIR_ENV, resolve_paths
from tests.full_disk import fill, small_disk
from tests.unlocking import open_as_the_program

#: A guard against a child that hangs, not a measure of speed.
CHILD_DEADLINE = 300
#: What a log or a message must never hold: SQL, its parameters, SQLAlchemy's web links.
NEVER_SHOWN = ("INSERT INTO", "SELECT ", "[parameters", "sqlalche.me", "Traceback")


@dataclass(frozen=True)
class Places:
    disk: Path  # the small tmpfs
    data_dir: Path  # the data folder, on it
    log_file: Path  # the log, on another disk
    env: dict[str, str]


@pytest.fixture
def places(tmp_path: Path) -> Iterator[Places]:
    """The platform's data folder on a small disk; its log folder elsewhere."""
    env = {k: v for k, v in os.environ.items() if k != DATA_DIR_ENV}
    env |= {"XDG_DATA_HOME": str(tmp_path / "disk"), "XDG_STATE_HOME": str(tmp_path / "state")}
    with small_disk(tmp_path / "disk", "2m") as disk:
        yield Places(
            disk=disk,
            data_dir=disk / "Storykeeper",
            log_file=tmp_path / "state" / "Storykeeper" / "log" / "storykeeper.log",
            env=env,
        )


def program(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storykeeper", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_DEADLINE,
        check=False,
    )


def story_words(data_dir: Path) -> list[str]:
    """Each story's title and the start of its own words."""
    with open_as_the_program(resolve_paths(data_dir)) as store, store.read() as session:
        rows = session.execute(select(StoryRow.title, StoryRow.own_words)).all()
    return [text for title, own_words in rows for text in (title, own_words[:40])]


def demo_words(tmp_path: Path, stories: int, seed: int) -> list[str]:
    """The words ``demo-data`` makes for ``stories`` and ``seed``, made on a disk with room."""
    reference = tmp_path / "reference"
    assert main(["--data-dir", str(reference), "demo-data", "--stories", str(stories),
                 "--seed", str(seed)]) == 0  # fmt: skip
    return story_words(reference)


def assert_disk_full_said(
    ran: subprocess.CompletedProcess[str], folder: Path, log: str, words: list[str]
) -> None:
    assert ran.returncode == 1, ran.stderr[-3000:]
    lines = ran.stderr.splitlines()
    assert len(lines) == 1, ran.stderr[-3000:]
    line = lines[0]
    assert line.startswith(
        f"storykeeper: error: The disk holding {folder} is full: free some space on it and try "
        "again."
    ), ran.stderr[-3000:]
    said = ran.stderr + log
    assert [w for w in NEVER_SHOWN if w in said] == []
    assert [w for w in words if w in said] == []


def test_demo_data_on_a_full_disk(places: Places, tmp_path: Path) -> None:
    words = demo_words(tmp_path, 3000, seed=2)
    ran = program(places.env, "demo-data", "--stories", "3000", "--seed", "2")
    assert_disk_full_said(ran, places.data_dir, places.log_file.read_text(), words)
    assert ran.stderr.endswith("Nothing was changed.\n")


def test_import_on_a_full_disk(places: Places, tmp_path: Path) -> None:
    advocate = tmp_path / "advocate"
    a = ["--data-dir", str(advocate)]
    # Under 1,000 stories in the bundle, so that import prints no progress lines.
    assert main([*a, "demo-data", "--stories", "1100", "--seed", "3"]) == 0
    keys = program(places.env, "keys", "show", "--json")
    assert keys.returncode == 0, keys.stderr
    signer = json.loads(program(places.env, *a, "keys", "show", "--json").stdout)
    out = tmp_path / "out"
    out.mkdir()
    to = json.loads(keys.stdout)["age_recipient"]
    assert main([*a, "export", "--out", str(out), "--to", to]) == 0
    (bundle,) = out.iterdir()
    trusted = program(places.env, "trust", "add", signer["public_key"], "--label", "Advocate")
    assert trusted.returncode == 0, trusted.stderr  # the bundle is far larger than the room left

    ran = program(places.env, "import", str(bundle))
    assert_disk_full_said(ran, places.data_dir, places.log_file.read_text(), story_words(advocate))


def test_opening_the_store_on_a_full_disk_is_not_called_damage(
    places: Places, tmp_path: Path
) -> None:
    made = program(places.env, "demo-data", "--stories", "50", "--seed", "4")
    assert made.returncode == 0, made.stderr
    words = story_words(places.data_dir)
    fill(places.disk)

    ran = program(places.env, "list")
    assert_disk_full_said(ran, places.data_dir, places.log_file.read_text(), words)
    assert "damaged" not in ran.stderr
    assert "backup" not in ran.stderr


def test_export_to_a_full_disk_says_so_and_leaves_nothing_there(tmp_path: Path) -> None:
    advocate = tmp_path / "advocate"
    a = ["--data-dir", str(advocate)]
    assert main([*a, "demo-data", "--stories", "600", "--seed", "6"]) == 0
    words = story_words(advocate)
    with small_disk(tmp_path / "stick", "64k") as stick:
        coordinator = str(x25519.Identity.generate().to_public())
        ran = program(dict(os.environ), *a, "export", "--out", str(stick), "--to", coordinator)
        assert_disk_full_said(
            ran, stick, (advocate / "logs" / "storykeeper.log").read_text(), words
        )
        assert ran.stderr.endswith("No bundle was written.\n")
        assert list(stick.iterdir()) == []


def test_logging_on_the_full_disk_fails_quietly(tmp_path: Path) -> None:
    """The log is in the full data folder too: the person still sees one line, not Python's
    "--- Logging error ---" reports."""
    words = demo_words(tmp_path, 3000, seed=2)
    with small_disk(tmp_path / "disk", "2m") as disk:
        env = {**os.environ, DATA_DIR_ENV: str(disk / "data")}
        ran = program(env, "demo-data", "--stories", "3000", "--seed", "2")
        log = (disk / "data" / "logs" / "storykeeper.log").read_text()
    assert_disk_full_said(ran, disk / "data", log, words)
