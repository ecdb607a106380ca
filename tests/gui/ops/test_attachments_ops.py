"""The photos panel's and the recorder's attachment work without a window, on a real store:
adding files one savepoint each, removing, listing, and discarding only unused files."""

from __future__ import annotations

from pathlib import Path

from storykeeper.core.db import Store
from storykeeper.core.stories import get_story
from storykeeper.gui.ops import attachments as attachment_ops
from storykeeper.gui.ops.changes import Change, Kind
from tests.factories import make_story


def revision(store: Store, story_id: str) -> int:
    with store.read() as session:
        return get_story(session, story_id).revision


def test_files_are_added_each_on_its_own_and_each_refusal_said(
    store: Store, tmp_path: Path
) -> None:
    media = store.media
    story = make_story(store)
    photo, notes = tmp_path / "bus stop.jpg", tmp_path / "notes.txt"
    photo.write_bytes(b"\xff\xd8\xff a photo")
    notes.write_text("Things to follow up.\n", encoding="utf-8")
    empty = tmp_path / "empty.pdf"
    empty.touch()
    folder = tmp_path / "a folder"
    folder.mkdir()

    with store.write(actor="test") as session:
        result = attachment_ops.add_files(session, media, story.id, [photo, empty, folder, notes])

    assert [a.original_name for a in result.added] == ["bus stop.jpg", "notes.txt"]
    assert len(result.refused) == 2
    assert "empty.pdf" in result.refused[0] and "a folder" in result.refused[1]
    assert result.revision == revision(store, story.id)
    with store.read() as session:
        listed = attachment_ops.story_attachments(session, story.id)
    assert listed.story_id == story.id
    assert [a.original_name for a in listed.attachments] == ["bus stop.jpg", "notes.txt"]
    assert attachment_ops.added_changes(result) == [
        Change(Kind.ATTACHMENTS, frozenset({story.id})),
        Change(Kind.STORIES, frozenset({story.id})),
    ]


def test_nothing_added_changes_nothing(store: Store, tmp_path: Path) -> None:
    story = make_story(store)
    before = revision(store, story.id)
    empty = tmp_path / "empty.pdf"
    empty.touch()
    with store.write(actor="test") as session:
        result = attachment_ops.add_files(session, store.media, story.id, [empty])
    assert result.added == () and len(result.refused) == 1
    assert result.revision == before == revision(store, story.id)
    assert attachment_ops.added_changes(result) == []


def test_a_removed_file_is_discarded_only_once_no_attachment_uses_it(
    store: Store, tmp_path: Path
) -> None:
    media = store.media
    first, second = make_story(store), make_story(store, title="The same photo again")
    photo = tmp_path / "bus stop.jpg"
    photo.write_bytes(b"\xff\xd8\xff a photo")
    with store.write(actor="test") as session:
        (in_first,) = attachment_ops.add_files(session, media, first.id, [photo]).added
        (in_second,) = attachment_ops.add_files(session, media, second.id, [photo]).added

    with store.write(actor="test") as session:
        removed = attachment_ops.remove_attachment(session, in_first.id)
    assert removed.unused_sha256 is None  # the second story still uses the file
    assert removed.story_revision == revision(store, first.id)
    assert attachment_ops.removed_changes(removed) == [
        Change(Kind.ATTACHMENTS, frozenset({first.id})),
        Change(Kind.STORIES, frozenset({first.id})),
    ]
    with store.write(actor="test") as session:
        assert attachment_ops.discard_unused_files(session, media, [in_first.sha256]) == []
    assert media.path_for(in_second.sha256).exists()

    with store.write(actor="test") as session:
        removed = attachment_ops.remove_attachment(session, in_second.id)
    assert removed.unused_sha256 == in_second.sha256
    with store.write(actor="test") as session:
        gone = attachment_ops.discard_unused_files(session, media, [in_second.sha256])
    assert gone == [in_second.sha256]
    assert not media.path_for(in_second.sha256).exists()
