"""The window's attachment work on a real full disk (a small tmpfs): the file that does not fit
is refused in words that say the disk is full and where, and the others are still added."""

from __future__ import annotations

from pathlib import Path

from storykeeper.core.attachments import MediaStore
from storykeeper.core.db import Store
from storykeeper.gui.ops import attachments as attachment_ops
from storykeeper.paths import resolve_paths
from tests.factories import make_story
from tests.full_disk import small_disk


def test_a_file_larger_than_the_room_left_is_refused_as_a_full_disk(tmp_path: Path) -> None:
    note, photo = tmp_path / "note.txt", tmp_path / "garden.jpg"
    note.write_text("Ask about the minibus.\n", encoding="utf-8")
    photo.write_bytes(b"\xff\xd8" + bytes(3_000_000))  # larger than the whole disk
    with small_disk(tmp_path / "disk", "2m") as disk:
        paths = resolve_paths(disk / "data")
        with Store.open(paths) as store:
            story = make_story(store)
            media = MediaStore(paths.media_dir)
            with store.write(actor="test") as session:
                result = attachment_ops.add_files(session, media, story.id, [note, photo])
    assert [a.original_name for a in result.added] == ["note.txt"]
    assert result.refused == (
        f"“garden.jpg” was not added: the disk holding {paths.media_dir} is full. Free some "
        "space on it and try again.",
    )
