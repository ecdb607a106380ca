"""The check's work without a window: what it finds, and removing only what no story uses."""

from __future__ import annotations

from pathlib import Path

from storykeeper.core import stories
from storykeeper.core.attachments import add_attachment
from storykeeper.core.audit import recent_events
from storykeeper.core.db import Store
from storykeeper.gui.ops import check as check_ops
from tests.factories import make_story


def test_the_check_names_each_step_and_finds_a_file_no_story_uses(
    store: Store, tmp_path: Path
) -> None:
    media = store.media
    story = make_story(store)
    photo = tmp_path / "bus.jpg"
    photo.write_bytes(b"a photo a story uses")
    with store.write(actor="test") as session:
        add_attachment(session, media, story.id, photo)
    left = tmp_path / "left.pdf"
    left.write_bytes(b"a document whose story was deleted")
    with store.write(actor="test") as session:
        add_attachment(session, media, story.id, left)
    with store.write(actor="test") as session:
        stories.delete_story(session, story.id)
    steps: list[str] = []
    report = check_ops.check(store, steps.append)
    assert steps and len(steps) == len(set(steps))
    assert report.removable_files == 2


def test_removing_unused_files_keeps_every_file_a_story_uses(store: Store, tmp_path: Path) -> None:
    media = store.media
    kept_story, gone_story = make_story(store), make_story(store, title="Deleted later")
    photo = tmp_path / "bus.jpg"
    photo.write_bytes(b"a photo a story uses")
    orphan = tmp_path / "orphan.pdf"
    orphan.write_bytes(b"a document of a deleted story")
    with store.write(actor="test") as session:
        kept = add_attachment(session, media, kept_story.id, photo)
        lost = add_attachment(session, media, gone_story.id, orphan)
    with store.write(actor="test") as session:
        stories.delete_story(session, gone_story.id)

    on_disk = media.path_for(lost.sha256).stat().st_size  # sealed: a little over the content
    repaired = check_ops.remove_unused_files(store, actor="advocate")

    assert (repaired.unused_files, repaired.unused_bytes) == (1, on_disk)
    assert not media.path_for(lost.sha256).exists()
    assert media.open(kept.sha256).read() == b"a photo a story uses"
    with store.read() as session:
        event = recent_events(session, limit=1)[0]
    assert (event.action, event.actor) == ("media.unused_removed", "advocate")
    assert check_ops.remove_unused_files(store, actor="advocate").files == 0
