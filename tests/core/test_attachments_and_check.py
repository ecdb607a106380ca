"""Attachments are content-addressed and written atomically; `check` finds what is wrong."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core import attachments, stories
from storykeeper.core.check import Severity, check_store
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import AttachmentKind
from tests.factories import make_story


@pytest.fixture
def media(store: Store) -> attachments.MediaStore:
    return store.media


def test_a_file_is_stored_under_its_hash(
    store: Store, media: attachments.MediaStore, tmp_path: Path
) -> None:
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8 pretend jpeg " * 1000)
    story = make_story(store)
    with store.write(actor="test") as session:
        added = attachments.add_attachment(session, media, story.id, photo)
    assert added.kind is AttachmentKind.PHOTO
    assert added.media_type == "image/jpeg"
    assert added.size == photo.stat().st_size
    stored = media.path_for(added.sha256)
    assert media.open(added.sha256).read() == photo.read_bytes()
    assert stored.parent.name == added.sha256[:2]
    assert not list(media.root.glob(".incoming-*"))
    with store.read() as session:
        again = stories.get_story(session, story.id)
    assert again.attachments == (added,)
    assert again.revision == story.revision + 1


def test_the_same_bytes_are_stored_once(media: attachments.MediaStore) -> None:
    a = media.put_stream(io.BytesIO(b"same"))
    b = media.put_stream(io.BytesIO(b"same"))
    assert a == b
    assert list(media.stored_hashes()) == [a.sha256]


def test_a_failed_copy_leaves_no_partial_file(media: attachments.MediaStore) -> None:
    class Breaks(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("USB stick pulled out")
            return b"x" * 1000

    with pytest.raises(OSError, match="USB stick"):
        media.put_stream(Breaks())  # type: ignore[arg-type]
    assert list(media.root.iterdir()) == []


def test_missing_source_file_gives_a_clear_message(
    store: Store, media: attachments.MediaStore, tmp_path: Path
) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError, match="does not exist"), store.write(actor="t") as session:
        attachments.add_attachment(session, media, story.id, tmp_path / "nope.flac")


def _story_with_attachment(store: Store, tmp_path: Path) -> attachments.Attachment:
    recording = tmp_path / "interview.flac"
    recording.write_bytes(b"fLaC pretend audio" * 100)
    story = make_story(store)
    with store.write(actor="test") as session:
        return attachments.add_attachment(session, store.media, story.id, recording)


def test_check_passes_on_a_healthy_store(store: Store, tmp_path: Path) -> None:
    _story_with_attachment(store, tmp_path)
    report = check_store(store)
    assert report.ok, report.problems
    assert report.problems == ()
    assert report.checked["attachment files"] == 1


def test_check_finds_a_missing_attachment(store: Store, tmp_path: Path) -> None:
    added = _story_with_attachment(store, tmp_path)
    store.media.path_for(added.sha256).unlink()
    report = check_store(store)
    assert not report.ok
    assert [p.message for p in report.problems] == [
        f"attachment file {added.sha256[:12]}… (interview.flac) is missing"
    ]


def test_check_finds_a_damaged_attachment(store: Store, tmp_path: Path) -> None:
    added = _story_with_attachment(store, tmp_path)
    path = store.media.path_for(added.sha256)
    path.write_bytes(b"something else")
    report = check_store(store)
    assert not report.ok
    assert "is damaged" in report.problems[0].message


def test_check_warns_about_files_no_story_uses(store: Store, tmp_path: Path) -> None:
    added = _story_with_attachment(store, tmp_path)
    with store.write(actor="test") as session:
        story_id = session.execute(text("SELECT uuid FROM stories")).scalar_one()
        _, unused = stories.delete_story(session, story_id)
    assert unused == [added.sha256]
    report = check_store(store)
    assert report.ok
    assert [p.severity for p in report.problems] == [Severity.WARNING]


def test_check_finds_an_edited_audit_event(store: Store) -> None:
    make_story(store)
    with store.write(actor="tamper") as session:
        session.execute(text("UPDATE audit_events SET details = '{}' WHERE seq = 3"))
    report = check_store(store)
    assert not report.ok
    assert report.problems[0].area == "audit"


def test_check_finds_consent_state_out_of_step(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="tamper") as session:
        session.execute(text("UPDATE stories SET consent_state = 'given'"))
    report = check_store(store)
    assert [p.area for p in report.problems] == ["consent"]
    assert story.id[:8] in report.problems[0].message


def test_check_finds_a_search_index_out_of_step(store: Store) -> None:
    story = make_story(store, own_words="Words that will be dropped from the index.")
    with store.write(actor="tamper") as session:
        # Lose the index's update the way a bug might: the story is saved by the program (its
        # content digest matches), but the index never hears of it.
        session.execute(text("DROP TRIGGER story_fts_after_update"))
    with store.write(actor="test") as session:
        stories.update_story(
            session,
            story.id,
            dataclasses.replace(story.fields, own_words="changed behind the index"),
        )
    report = check_store(store)
    assert [p.area for p in report.problems] == ["search"]
    assert "(rebuild it)" in report.problems[0].message


def test_a_file_added_again_before_its_clean_up_is_kept(store: Store, tmp_path: Path) -> None:
    """Remove a photo, add the same photo again at once: the clean-up must not take its file."""
    media = store.media
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8 the same garden " * 100)
    story = make_story(store)
    with store.write(actor="test") as session:
        first = attachments.add_attachment(session, media, story.id, photo)
    with store.write(actor="test") as session:
        removed = attachments.remove_attachment(session, first.id)
    assert removed.unused_sha256 == first.sha256
    with store.write(actor="test") as session:  # queued before the clean-up ran
        attachments.add_attachment(session, media, story.id, photo)
    with store.write(actor="test") as session:
        assert attachments.discard_if_unused(session, media, [first.sha256]) == []
    assert media.verify(first.sha256) is None
    assert check_store(store).ok

    other = tmp_path / "other.jpg"
    other.write_bytes(b"\xff\xd8 another " * 100)
    with store.write(actor="test") as session:
        gone = attachments.add_attachment(session, media, story.id, other)
    with store.write(actor="test") as session:
        attachments.remove_attachment(session, gone.id)
    with store.write(actor="test") as session:
        assert attachments.discard_if_unused(session, media, [gone.sha256]) == [gone.sha256]
    assert media.verify(gone.sha256) == "missing"
