"""Size limits measured before any copy, removing an attachment, and `repair_store` removing
only what no story refers to (never a file an add is storing at that very moment)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from storykeeper.core import attachments, stories
from storykeeper.core.attachments import (
    AUDIO_IMPORT_MAX_BYTES,
    DOCUMENT_MAX_BYTES,
    MB,
    PHOTO_MAX_BYTES,
    SIZE_LIMITS,
    MediaStore,
    add_attachment,
    list_attachments,
    measure,
    remove_attachment,
    size_in_words,
)
from storykeeper.core.audit import recent_events
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.check import STEPS, CheckReport, Problem, Severity, check_store, repair_store
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.models import AttachmentRow
from storykeeper.core.vocabulary import AttachmentKind, ConsentScope
from storykeeper.paths import resolve_paths
from tests.exchange import export, trust_advocate
from tests.factories import given, make_story


def sparse(path: Path, size: int) -> Path:
    """A file that says it is ``size`` bytes without taking the room (or the time) to write."""
    with path.open("wb") as out:
        out.truncate(size)
    return path


def nothing_staged(media: MediaStore) -> bool:
    return not media.root.exists() or not list(media.root.glob(".incoming-*"))


@pytest.fixture
def media(store: Store) -> MediaStore:
    return store.media


# --- limits ------------------------------------------------------------------------------------


def test_the_limits_are_named_and_as_promised() -> None:
    assert PHOTO_MAX_BYTES == DOCUMENT_MAX_BYTES == 100 * MB
    assert AUDIO_IMPORT_MAX_BYTES == 500 * MB
    assert SIZE_LIMITS == {
        AttachmentKind.PHOTO: PHOTO_MAX_BYTES,
        AttachmentKind.DOCUMENT: DOCUMENT_MAX_BYTES,
        AttachmentKind.AUDIO: AUDIO_IMPORT_MAX_BYTES,
    }


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1.0 KB"),
        (340_000, "340 KB"),
        (1_500_000, "1.5 MB"),
        (212 * MB, "212 MB"),
        (999_600_000, "1.0 GB"),
        (2_345_000_000, "2.3 GB"),
    ],
)
def test_sizes_in_words(size: int, words: str) -> None:
    assert size_in_words(size) == words


def test_a_document_too_large_is_refused_before_a_byte_is_copied(
    store: Store, media: MediaStore, tmp_path: Path
) -> None:
    scan = sparse(tmp_path / "scan.pdf", 212 * MB)
    story = make_story(store)
    with pytest.raises(ValidationError) as refused, store.write(actor="t") as session:
        add_attachment(session, media, story.id, scan)
    assert refused.value.message == (
        "“scan.pdf” is 212 MB; a document can be at most 100 MB. Make it smaller (for example, "
        "scan it at a lower resolution) or keep it elsewhere."
    )
    assert list(media.stored_hashes()) == [] and nothing_staged(media)
    with store.read() as session:
        assert stories.get_story(session, story.id).revision == story.revision


def test_a_photo_just_over_the_limit_says_so(
    store: Store, media: MediaStore, tmp_path: Path
) -> None:
    photo = sparse(tmp_path / "garden.jpg", PHOTO_MAX_BYTES + 1)
    story = make_story(store)
    with pytest.raises(ValidationError) as refused, store.write(actor="t") as session:
        add_attachment(session, media, story.id, photo)
    assert refused.value.message.startswith(
        "“garden.jpg” is just over 100 MB; a photo can be at most 100 MB. Make it smaller "
        "(for example, save it at a lower resolution or as a JPEG)"
    )


def test_an_audio_file_from_outside_may_be_larger_than_a_photo(tmp_path: Path) -> None:
    talk = sparse(tmp_path / "interview.mp3", 150 * MB)
    limit = SIZE_LIMITS[AttachmentKind.AUDIO]
    assert measure(talk, talk.name, AttachmentKind.AUDIO, limit) == 150 * MB
    with pytest.raises(ValidationError, match="a photo can be at most 100 MB"):
        measure(talk, talk.name, AttachmentKind.PHOTO, SIZE_LIMITS[AttachmentKind.PHOTO])
    huge = sparse(tmp_path / "day.mp3", 501 * MB)
    with pytest.raises(
        ValidationError, match=r"“day\.mp3” is 501 MB; an audio file can be at most"
    ):
        measure(huge, huge.name, AttachmentKind.AUDIO, limit)
    assert measure(huge, huge.name, AttachmentKind.AUDIO, None) == 501 * MB


def test_the_limit_is_the_kinds_unless_told_otherwise(
    store: Store, media: MediaStore, tmp_path: Path
) -> None:
    story = make_story(store)
    note = tmp_path / "note.txt"
    note.write_bytes(b"0123456789")
    with store.write(actor="t") as session:
        exactly = add_attachment(session, media, story.id, note, limit=10)
    assert exactly.size == 10 and exactly.kind is AttachmentKind.DOCUMENT
    with pytest.raises(ValidationError, match="at most 9 bytes"), store.write(actor="t") as s:
        add_attachment(s, media, story.id, note, limit=9)
    # A recording made in the program: no limit, and the name it is given.
    recording = tmp_path / "9f1c.flac"
    recording.write_bytes(b"fLaC" + b"\0" * 2000)
    with store.write(actor="t") as session:
        kept = add_attachment(
            session,
            media,
            story.id,
            recording,
            kind=AttachmentKind.AUDIO,
            limit=None,
            original_name="Recording 1.flac",
        )
    assert (kept.original_name, kept.media_type, kept.kind) == (
        "Recording 1.flac",
        "audio/flac",
        AttachmentKind.AUDIO,
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: sparse(folder / "blank.png", 0), "“blank.png” is empty"),
        (lambda folder: (folder / "Photos").mkdir() or folder / "Photos", "is a folder"),
        (lambda folder: folder / "gone.jpg", "does not exist"),
    ],
)
def test_files_that_cannot_be_attached_are_refused_in_words(
    store: Store, media: MediaStore, tmp_path: Path, make: object, message: str
) -> None:
    story = make_story(store)
    source = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ValidationError, match=message), store.write(actor="t") as session:
        add_attachment(session, media, story.id, source)
    assert list(media.stored_hashes()) == [] and nothing_staged(media)


def test_a_file_that_grows_while_it_is_copied_is_refused_and_leaves_nothing(
    media: MediaStore, tmp_path: Path
) -> None:
    source = tmp_path / "growing.jpg"
    source.write_bytes(b"x" * (3 * attachments.CHUNK))
    with pytest.raises(ValidationError, match="grew"):
        media.put_file(source, limit=attachments.CHUNK, message="it grew")
    assert list(media.stored_hashes()) == [] and nothing_staged(media)


# --- removing and listing ----------------------------------------------------------------------


def test_removing_an_attachment_bumps_the_revision_audits_and_frees_its_file(
    store: Store, media: MediaStore, tmp_path: Path
) -> None:
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8 the garden")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF a letter")
    story = make_story(store)
    other = make_story(store, teller="Bryn Hughes")
    with store.write(actor="t") as session:
        first = add_attachment(session, media, story.id, photo)
        second = add_attachment(session, media, story.id, letter)
        add_attachment(session, media, other.id, letter)  # the same bytes, in another story
    with store.read() as session:
        assert list_attachments(session, story.id[:8]) == [first, second]

    with store.write(actor="advocate") as session:
        removed = remove_attachment(session, first.id)
    assert removed.attachment == first and removed.story_id == story.id
    assert removed.story_revision == story.revision + 3
    assert removed.unused_sha256 == first.sha256
    # Still on disk until the caller discards it after the commit.
    assert media.path_for(first.sha256).exists()
    with store.read() as session:
        assert list_attachments(session, story.id) == [second]
        assert stories.get_story(session, story.id).revision == removed.story_revision
        event = recent_events(session, limit=1)[0]
    assert (event.action, event.actor, event.entity_id) == (
        "attachment.removed",
        "advocate",
        story.id,
    )
    assert event.details == {
        "sha256": first.sha256,
        "kind": "photo",
        "revision": removed.story_revision,
    }

    # The letter is still another story's: its file must stay.
    with store.write(actor="advocate") as session:
        assert remove_attachment(session, second.id).unused_sha256 is None


def test_an_imported_storys_attachments_cannot_be_removed_here(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = make_story(store, title="With a drawing")
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(b"\x89PNG a drawing")
    with store.write(actor="t") as session:
        from storykeeper.core import consent

        consent.record_consent(
            session,
            story.id,
            given(
                scopes=frozenset({ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.SHARE_MEDIA})
            ),
        )
        add_attachment(session, store.media, story.id, drawing)
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    with coordinator.read() as session:
        (arrived,) = list_attachments(session, story.id)
    with pytest.raises(ValidationError) as refused, coordinator.write(actor="c") as session:
        remove_attachment(session, arrived.id)
    assert refused.value.message.startswith("This story came in a bundle from Priya (advocate)")
    with coordinator.read() as session:
        assert list_attachments(session, story.id) == [arrived]


# --- check and repair --------------------------------------------------------------------------


def _orphan(store: Store, media: MediaStore, tmp_path: Path, content: bytes) -> str:
    """A media file whose story was deleted and whose file was never discarded (a crash)."""
    source = tmp_path / "left-behind.jpg"
    source.write_bytes(content)
    story = make_story(store, teller="Left Behind")
    with store.write(actor="t") as session:
        added = add_attachment(session, media, story.id, source)
    with store.write(actor="t") as session:
        _tombstone, unused = stories.delete_story(session, story.id)
    assert unused == [added.sha256]
    return added.sha256


def test_repair_removes_unused_files_and_old_unfinished_copies_and_nothing_else(
    store: Store, media: MediaStore, tmp_path: Path
) -> None:
    kept_source = tmp_path / "kept.jpg"
    kept_source.write_bytes(b"a photo a story uses")
    story = make_story(store)
    with store.write(actor="t") as session:
        kept = add_attachment(session, media, story.id, kept_source)
    orphan = _orphan(store, media, tmp_path, b"x" * 3000)
    old_copy = media.root / ".incoming-crashed"
    old_copy.write_bytes(b"y" * 500)
    an_hour_ago = time.time() - 3700
    os.utime(old_copy, (an_hour_ago, an_hour_ago))
    copying_now = media.root / ".incoming-busy"
    copying_now.write_bytes(b"z" * 10)
    stranger = media.root / kept.sha256[:2] / "notes.txt"  # not named by a hash: not ours
    stranger.write_text("someone's own file")

    # Room given back is counted on the disk: a sealed file is a little larger than its content.
    orphan_size = media.path_for(orphan).stat().st_size
    report = check_store(store)
    assert report.ok
    assert (report.removable_files, report.removable_bytes) == (2, orphan_size + 500)
    assert [p.message for p in report.problems] == [
        "1 media file belongs to no story any more (3.0 KB) and can be removed",
        "1 unfinished copy left by an interrupted import or a crash (500 bytes) can be removed",
    ]
    assert {p.severity for p in report.problems} == {Severity.WARNING}
    assert report.repair_refused is None

    repaired = repair_store(store, actor="advocate")
    assert (repaired.unused_files, repaired.unused_bytes) == (1, orphan_size)
    assert (repaired.partial_copies, repaired.partial_bytes) == (1, 500)
    assert repaired.summary() == "Removed 2 unused files (3.5 KB) that no story refers to."
    assert not media.path_for(orphan).exists() and not old_copy.exists()
    assert media.open(kept.sha256).read() == b"a photo a story uses"
    assert copying_now.exists() and stranger.exists()
    with store.read() as session:
        event = recent_events(session, limit=1)[0]
    assert (event.action, event.actor) == ("media.unused_removed", "advocate")
    assert event.details == {"files": 1, "bytes": orphan_size, "unfinished_copies": 1}

    again = check_store(store)
    assert again.problems == () and again.removable_files == 0
    assert repair_store(store).summary() == "Nothing needed removing."


def test_repair_never_removes_a_file_whose_add_has_not_committed_yet(
    store: Store, media: MediaStore, tmp_path: Path, store_key: bytes
) -> None:
    """Another copy of the program (its own Store, its own connection) is adding a photo: the
    file is stored, its row not yet committed. The repair waits for it, and keeps the file."""
    photo = tmp_path / "arriving.jpg"
    photo.write_bytes(b"a photo being attached elsewhere")
    story = make_story(store)
    stored, go_on = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def other_program() -> None:
        try:
            with (
                Store.open(resolve_paths(), store_key) as other,
                other.write(actor="other") as session,
            ):
                add_attachment(session, other.media, story.id, photo)
                stored.set()
                assert go_on.wait(10)
        except BaseException as exc:
            failures.append(exc)
            stored.set()

    adding = threading.Thread(target=other_program)
    adding.start()
    assert stored.wait(10) and not failures
    (sha,) = media.stored_hashes()
    repaired: list[object] = []
    repairing = threading.Thread(target=lambda: repaired.append(repair_store(store)))
    repairing.start()
    repairing.join(0.5)
    assert repairing.is_alive()  # waiting for the other program's transaction
    go_on.set()
    adding.join(10)
    repairing.join(10)
    assert not failures
    assert repaired and repaired[0].files == 0  # type: ignore[attr-defined]
    assert media.path_for(sha).exists()
    with store.read() as session:
        assert session.scalars(select(AttachmentRow.sha256)).all() == [sha]


def test_the_check_reports_each_step_in_order(store: Store) -> None:
    said: list[str] = []
    check_store(store, said.append)
    assert tuple(said) == STEPS


def test_a_damaged_database_blocks_the_repair_and_other_problems_do_not() -> None:
    for area in ("database", "schema"):
        report = CheckReport((Problem(area, "broken"),), removable_files=3)
        assert report.repair_refused is not None
        assert report.repair_refused.startswith("Unused files are not removed while the database")
    for area in ("attachments", "audit", "consent", "search"):
        assert CheckReport((Problem(area, "broken"),)).repair_refused is None
