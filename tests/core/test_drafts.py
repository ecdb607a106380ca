"""The crash-safe drafts of unsaved words: whole, private, and never half-written on a full disk."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from storykeeper.core.drafts import DraftStore
from storykeeper.core.stories import StoryFields, ThemeLink
from storykeeper.core.vocabulary import HowTold, Polarity, Setting, StoryStatus

STORY_ID = "5b0e7f0a-3c1d-4a8e-9f60-2d7c1b4e8a11"

FIELDS = StoryFields(
    storyteller_id="0f7b1c9e-8d2a-4b6c-a1e3-5c9d7f2b4a60",
    title="The allotment",
    own_words="We grew leeks as long as your arm. ❤ Dad’s shed had a stove in it.",
    recorder_notes="Laughed at the leeks.",
    supporter_id=None,
    told_on=dt.date(2026, 11, 3),
    setting=Setting.HOME,
    how_told=HowTold.OWN_WORDS_WRITTEN,
    language="en",
    status=StoryStatus.FINAL,
    themes=(ThemeLink("Getting out and about", Polarity.ENABLER),),
)


def test_a_kept_draft_reads_back_whole_and_only_its_owner_can_read_it(data_dir: Path) -> None:
    drafts = DraftStore.in_data_folder(data_dir)
    drafts.keep(STORY_ID, 7, FIELDS)

    again = DraftStore.in_data_folder(data_dir).get(STORY_ID)
    assert again is not None
    assert (again.story_id, again.base_revision, again.fields) == (STORY_ID, 7, FIELDS)
    assert [draft.story_id for draft in drafts.all()] == [STORY_ID]
    assert drafts.path_of(STORY_ID).stat().st_mode & 0o777 == 0o600
    assert drafts.folder.stat().st_mode & 0o777 == 0o700
    assert [path.name for path in drafts.folder.iterdir()] == [f"{STORY_ID}.json"]

    drafts.discard(STORY_ID)
    assert drafts.get(STORY_ID) is None
    assert drafts.all() == []


def test_a_damaged_draft_is_left_for_rescue_and_the_others_still_read(data_dir: Path) -> None:
    drafts = DraftStore.in_data_folder(data_dir)
    drafts.keep(STORY_ID, 1, FIELDS)
    damaged = drafts.folder / "0d6f3a2b-1c4e-4f8a-9b7d-6e5c4b3a2f10.json"
    damaged.write_text('{"story_id": "0d6f3a2b-1c4e-4f8a-9b7', encoding="utf-8")

    assert [draft.story_id for draft in drafts.all()] == [STORY_ID]
    assert damaged.exists()


def test_a_story_id_cannot_name_another_path(data_dir: Path) -> None:
    with pytest.raises(ValueError):
        DraftStore.in_data_folder(data_dir).path_of("../settings")


# Run in a private mount namespace on a real, tiny tmpfs: keep a draft, fill the disk, keep a
# longer one. The second must fail with ENOSPC and leave the first whole and no temporary file.
FULL_DISK = """
import errno, json, os, sys
from dataclasses import replace
from pathlib import Path
from storykeeper.core.drafts import DraftStore
from tests.core.test_drafts import FIELDS, STORY_ID

disk = Path(sys.argv[1])
drafts = DraftStore(disk / "drafts")
drafts.keep(STORY_ID, 1, FIELDS)
filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
try:
    while True:
        os.write(filler, b"x" * 4096)
except OSError as exc:
    assert exc.errno == errno.ENOSPC
finally:
    os.close(filler)
try:
    drafts.keep(STORY_ID, 2, replace(FIELDS, own_words=FIELDS.own_words * 2000))
    outcome = "kept on a full disk?"
except OSError as exc:
    outcome = errno.errorcode[exc.errno]
kept = drafts.get(STORY_ID)
print(json.dumps({
    "outcome": outcome,
    "revision": kept.base_revision if kept else None,
    "words_whole": kept is not None and kept.fields == FIELDS,
    "files": sorted(path.name for path in drafts.folder.iterdir()),
}))
"""


def private_mounts() -> list[str]:
    """A private mount namespace for the child: as root directly, else as a mapped root."""
    if os.geteuid() == 0:
        return ["unshare", "--mount", "--propagation", "private"]
    return ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]


def test_a_full_disk_leaves_the_earlier_draft_whole_and_nothing_half_written(
    tmp_path: Path,
) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    quoted = shlex.quote(str(disk))
    script = f'mount -t tmpfs -o size=64k,mode=0700 tmpfs {quoted}\nexec "$@"'
    root = Path(__file__).resolve().parents[2]
    ran = subprocess.run(
        [*private_mounts(), "sh", "-euc", script, "sh", sys.executable, "-c", FULL_DISK, str(disk)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
        check=False,
    )
    if ran.returncode != 0 and "mount" in ran.stderr and "Traceback" not in ran.stderr:
        pytest.fail(
            "This test needs a small tmpfs in a private mount namespace: run it as root, or "
            "where unprivileged user namespaces are allowed (`unshare --user --map-root-user "
            f"--mount`): {ran.stderr.strip()}"
        )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "outcome": "ENOSPC",
        "revision": 1,
        "words_whole": True,
        "files": [f"{STORY_ID}.json"],
    }


def test_in_an_encrypted_store_a_draft_is_sealed_and_reads_back(data_dir: Path) -> None:
    key = os.urandom(32)
    drafts = DraftStore.in_data_folder(data_dir, key)
    drafts.keep(STORY_ID, 7, FIELDS)
    on_disk = drafts.path_of(STORY_ID).read_bytes()
    for words in (b"allotment", b"leeks", b"Laughed", "Dad’s".encode()):
        assert words not in on_disk
    again = drafts.get(STORY_ID)
    assert again is not None and again.fields == FIELDS
    # Another key (another store's) cannot read it, and it is left where it is.
    assert DraftStore.in_data_folder(data_dir, os.urandom(32)).all() == []
    assert DraftStore.in_data_folder(data_dir).all() == []
    assert drafts.path_of(STORY_ID).exists()


def test_a_plain_draft_an_older_version_left_is_still_offered_and_kept_sealed(
    data_dir: Path,
) -> None:
    DraftStore.in_data_folder(data_dir).keep(STORY_ID, 3, FIELDS)
    key = os.urandom(32)
    drafts = DraftStore.in_data_folder(data_dir, key)
    (found,) = drafts.all()
    assert found.fields == FIELDS
    drafts.keep(STORY_ID, 4, FIELDS)
    assert b"allotment" not in drafts.path_of(STORY_ID).read_bytes()
    assert drafts.get(STORY_ID) is not None
