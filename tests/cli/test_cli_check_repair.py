"""`storykeeper check --repair`: unused media removed, files a story uses never, and nothing at
all while the database itself is in doubt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.core import stories
from storykeeper.core.attachments import Attachment, add_attachment
from storykeeper.core.db import Store, connect_driver
from storykeeper.core.key_derivation import derive
from storykeeper.core.store_keys import StoreKeys
from storykeeper.paths import resolve_paths
from tests.factories import make_story
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def attach(store: Store, story_id: str, path: Path, content: bytes) -> Attachment:
    path.write_bytes(content)
    with store.write(actor="test") as session:
        return add_attachment(session, store.media, story_id, path)


def store_with_a_used_and_an_unused_file(tmp_path: Path) -> tuple[Path, Path]:
    """A story with its photo, and the file of a deleted story that was never discarded."""
    with open_as_the_program(resolve_paths()) as store:
        kept = attach(store, make_story(store).id, tmp_path / "kept.jpg", b"\xff\xd8 kept")
        gone_story = make_story(store, teller="Someone Else")
        gone = attach(store, gone_story.id, tmp_path / "gone.png", b"\x89PNG gone" * 200)
        with store.write(actor="test") as session:
            stories.delete_story(session, gone_story.id)  # its file is left behind
        media = store.media
        return media.path_for(kept.sha256), media.path_for(gone.sha256)


def test_check_repair_removes_unused_files_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kept, unused = store_with_a_used_and_an_unused_file(tmp_path)

    code, out, _ = run(capsys, "check")
    assert code == 0
    assert (
        "WARNING: attachments: 1 media file belongs to no story any more (1.8 KB) and can be "
        "removed\n" in out
    )
    assert "All is well (" in out
    assert out.endswith("Run “storykeeper check --repair” to remove the unused files.\n")
    assert unused.exists()  # a plain check changes nothing

    code, out, err = run(capsys, "check", "--repair")
    assert code == 0
    assert out.endswith("Removed 1 unused file (1.8 KB) that no story refers to.\n")
    assert "checking for unused files to remove…" in err
    assert not unused.exists()
    with open_as_the_program(resolve_paths()) as store, store.media.open(kept.name) as photo:
        assert photo.read() == b"\xff\xd8 kept"  # the used file, kept (sealed) as it was

    code, out, _ = run(capsys, "check", "--repair", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True and report["problems"] == []
    assert (report["removable_files"], report["removable_bytes"]) == (0, 0)
    assert report["repair"] == {
        "removed_files": 0,
        "removed_bytes": 0,
        "unused_files": 0,
        "unfinished_copies": 0,
    }
    assert kept.exists()


def test_check_repair_json_says_what_was_removed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _kept, unused = store_with_a_used_and_an_unused_file(tmp_path)
    on_disk = unused.stat().st_size  # 1,800 bytes sealed: a little more
    code, out, err = run(capsys, "check", "--repair", "--json")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert (report["removable_files"], report["removable_bytes"]) == (1, on_disk)
    assert [p["severity"] for p in report["problems"]] == ["warning"]
    assert report["repair"]["removed_files"] == 1
    assert report["repair"]["removed_bytes"] == on_disk
    assert not unused.exists()


def test_a_damaged_file_a_story_uses_is_found_and_never_removed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kept, unused = store_with_a_used_and_an_unused_file(tmp_path)
    kept.write_bytes(b"overwritten by accident")

    code, out, _ = run(capsys, "check", "--repair")
    assert code == 1  # the check's verdict: a story's file is damaged
    assert "ERROR: attachments: attachment file " in out
    assert "(kept.jpg) is damaged (its content now hashes to " in out
    assert "Removed 1 unused file (1.8 KB)" in out
    assert kept.read_bytes() == b"overwritten by accident"  # kept for whoever can mend it
    assert not unused.exists()


def test_nothing_is_removed_while_the_database_is_in_doubt(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _kept, unused = store_with_a_used_and_an_unused_file(tmp_path)
    # A row pointing at a story that is not there: the database can no longer be trusted to
    # say which files are in use. (Written past the program, as damage would be.)
    store_key = StoreKeys(resolve_paths().data_dir).from_keyring()
    assert store_key is not None
    database = connect_driver(resolve_paths().database, derive(store_key, "database"))
    with database:
        database.execute(
            "INSERT INTO attachments (uuid, story_id, kind, sha256, size, media_type, "
            "original_name, created_at) VALUES ('0000dead-0000-0000-0000-000000000000', 9999, "
            "'photo', ?, 1, 'image/png', 'x.png', '2026-01-01 00:00:00.000000')",
            ("0" * 64,),
        )
    database.close()

    code, out, _ = run(capsys, "check", "--repair")
    assert code == 1
    assert "ERROR: database: row " in out
    assert out.endswith(
        "Unused files are not removed while the database itself has problems: it cannot be "
        "trusted to say which files are still in use. Restore a backup first.\n"
    )
    assert unused.exists()

    code, out, _ = run(capsys, "check", "--repair", "--json")
    report = json.loads(out)
    assert code == 1 and report["repair"]["refused"].startswith("Unused files are not removed")
    assert unused.exists()


def test_check_help_mentions_repair(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "--repair" in capsys.readouterr().out
