"""Deleting several stories at once from the list, without a window, on a real store: each as a
single delete does it (a tombstone, an audit event, its words out of the search index), in one
write, with progress, and a story already gone skipped rather than stopping the rest."""

from __future__ import annotations

from pathlib import Path

from storykeeper.core import attachments, audit, search, stories
from storykeeper.core.db import Store
from storykeeper.core.search import StoryFilter
from storykeeper.gui.ops import several
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.paths import DataPaths
from tests.database_file import database_bytes
from tests.factories import make_story


def test_each_story_is_deleted_as_one_delete_would_and_progress_is_told(
    store: Store, tmp_path: Path
) -> None:
    kept = make_story(store, title="Kept", own_words="The allotment keeps me going.")
    going = [
        make_story(store, title=f"Going {n}", own_words=f"Marmalade sandwiches number {n}.")
        for n in range(3)
    ]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the pier")
    with store.write(actor="test") as session:
        added = attachments.add_attachment(session, store.media, going[0].id, photo)
    told: list[tuple[int, int]] = []

    with store.write(actor="advocate") as session:
        result = several.delete_stories(
            session, [s.id for s in going], progress=lambda done, total: told.append((done, total))
        )

    assert result.deleted == tuple(s.id for s in going)
    assert result.gone == 0
    assert result.unused_media == [added.sha256]
    assert told == [(1, 3), (2, 3), (3, 3)]
    with store.read() as session:
        assert [s.id for s in search.search_stories(session).items] == [kept.id]
        # The words left the search index with the stories, as a single delete leaves it.
        assert search.count_stories(session, StoryFilter(text="marmalade")) == 0
        tombstones = {t.story_id for t in stories.list_tombstones(session)}
        actions = [e.action for e in audit.recent_events(session, limit=3)]
    assert tombstones == {s.id for s in going}
    assert actions == ["story.deleted"] * 3
    assert result.changes() == [
        Change.of(Kind.STORIES, *result.deleted),
        Change.of(Kind.CONSENT, *result.deleted),
        Change(Kind.ATTACHMENTS),
    ]


def test_a_story_deleted_meanwhile_is_skipped_and_the_others_still_go(store: Store) -> None:
    first, second = make_story(store, title="First"), make_story(store, title="Second")
    with store.write(actor="elsewhere") as session:
        stories.delete_story(session, first.id)

    with store.write(actor="advocate") as session:
        result = several.delete_stories(session, [first.id, second.id])

    assert result.deleted == (second.id,)
    assert result.gone == 1
    with store.read() as session:
        assert search.search_stories(session).total == 0


def test_the_deleted_stories_words_leave_the_database_file(
    plain_store: Store, paths: DataPaths
) -> None:
    """As after a single delete: the search index is merged (once), and secure_delete
    overwrites the rows, so no word of the stories is left in the file. A plain store: an
    encrypted one holds no words in the clear to begin with."""
    going = [
        make_story(plain_store, title=f"Qwertyzzz{n}", own_words=f"Zyxwvutsqr{n} at the mill.")
        for n in range(3)
    ]
    with plain_store.write(actor="advocate") as session:
        several.delete_stories(session, [s.id for s in going])
    plain_store.close()
    written = database_bytes(paths)
    for n in range(3):
        assert f"qwertyzzz{n}".encode() not in written
        assert f"zyxwvutsqr{n}".encode() not in written
