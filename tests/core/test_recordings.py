"""Recordings in progress are claimed, kept as "Recording N", and recovered after a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from storykeeper.core import recordings, stories
from storykeeper.core.attachments import MediaStore
from storykeeper.core.db import Store
from storykeeper.core.recording_marks import (
    clock_text,
    format_mark,
    mark_at,
    marks_in,
    recording_title,
)
from storykeeper.core.vocabulary import AttachmentKind
from tests.factories import make_story

SOUND = os.urandom(4096)  # what the recorder wrote; only its bytes matter here


@pytest.fixture
def media(store: Store) -> MediaStore:
    return store.media


@pytest.fixture
def folder(store: Store) -> recordings.RecordingsFolder:
    return recordings.RecordingsFolder(store.paths.recordings_dir, store.sealing_key("recordings"))


def recorded(
    folder: recordings.RecordingsFolder, story_id: str, sound: bytes = SOUND
) -> recordings.ActiveRecording:
    """A recording under way whose encoder has written ``sound``."""
    active = folder.begin(story_id)
    os.write(active.encoded.fileno(), sound)
    return active


def spooled(
    folder: recordings.RecordingsFolder, story_id: str, samples: bytes
) -> recordings.ActiveRecording:
    """A recording under way whose safety copy holds ``samples`` (16 kHz mono), in the pieces
    the microphone delivers."""
    active = recorded(folder, story_id)
    active.start_spool(16000, 1)
    for start in range(0, len(samples), 640):
        active.spool(samples[start : start + 640])
    return active


def every_byte_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_recording_being_made_is_never_taken_for_a_leftover(
    store: Store, folder: recordings.RecordingsFolder
) -> None:
    story = make_story(store)
    active = recorded(folder, story.id)
    assert folder.leftovers() == []
    # Another copy of the program cannot claim it either: the lock is the operating system's.
    with pytest.raises(Timeout):
        FileLock(active.recording.lock_path).acquire(timeout=0)
    active.release()
    assert [r.id for r in folder.leftovers()] == [active.recording.id]
    assert folder.leftovers()[0].story_id == story.id


def test_kept_recordings_are_numbered_and_leave_nothing_behind(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    story = make_story(store)
    names = []
    for n in range(2):
        active = recorded(folder, story.id, SOUND + bytes([n]))
        with store.write(actor="test") as session:
            attachment = recordings.keep(session, media, active.recording)
        recordings.forget(active.recording)
        active.release()
        names.append(attachment.original_name)
        assert attachment.kind is AttachmentKind.AUDIO
        assert media.open(attachment.sha256).read() == SOUND + bytes([n])
    assert names == ["Recording 1.flac", "Recording 2.flac"]
    assert list(folder.root.iterdir()) == []
    with store.read() as session:
        assert [a.original_name for a in stories.get_story(session, story.id).attachments] == names


def test_a_crash_leftover_is_recovered_into_its_story(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    story = make_story(store, title="Tuesday at the club")
    voice = os.urandom(16000 * 2)
    spooled(folder, story.id, voice).release()  # as if the process died: the lock goes with it
    with store.write(actor="test") as session:
        recovery = recordings.recover_interrupted(session, media, folder)
    assert [r.story_title for r in recovery.recovered] == ["Tuesday at the club"]
    assert recovery.recovered[0].attachment.original_name == "Recording 1 (recovered).wav"
    for leftover in recovery.to_remove:
        recordings.forget(leftover)
    assert list(folder.root.iterdir()) == []
    with store.read() as session:
        (kept,) = stories.get_story(session, story.id).attachments
    assert media.open(kept.sha256).read().endswith(voice)


def test_nothing_of_the_voice_is_in_the_recordings_folder_in_the_clear(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    """The encoder's file has no name in any folder, and the safety copy is sealed; what a
    crash recovers goes into the media store sealed too."""
    story = make_story(store)
    voice = os.urandom(16000 * 2)
    active = spooled(folder, story.id, voice)
    assert sorted(p.suffix for p in folder.root.iterdir()) == [".json", ".lock", ".pcm"]
    on_disk = every_byte_under(folder.root)
    assert voice[:64] not in on_disk and voice[-64:] not in on_disk
    assert SOUND[:64] not in on_disk
    active.release()
    with store.write(actor="test") as session:
        (recovered,) = recordings.recover_interrupted(session, media, folder).recovered
    stored = media.path_for(recovered.attachment.sha256).read_bytes()
    assert voice[:64] not in stored and voice[-64:] not in stored
    assert b"RIFF" not in stored


def test_a_safety_copy_torn_by_a_kill_is_recovered_up_to_the_tear(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    story = make_story(store)
    voice = os.urandom(16000 * 2)
    active = spooled(folder, story.id, voice)
    active.release()
    spool = active.recording.spool
    with spool.open("r+b") as torn:  # the last append only half on the disk
        torn.truncate(spool.stat().st_size - 300)
    with store.write(actor="test") as session:
        (recovered,) = recordings.recover_interrupted(session, media, folder).recovered
    with media.open(recovered.attachment.sha256) as kept:
        assert recordings.duration_ms(kept) == 980  # the last 640 bytes (20 ms) are gone
        kept.seek(44)
        assert kept.read() == voice[:-640]


def test_an_older_versions_plain_leftovers_are_still_recovered(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    """Before recordings were sealed, a crash left ``<id>.flac`` and a raw ``<id>.pcm``."""
    story = make_story(store)
    with_spool = recorded(folder, story.id)
    with_spool.start_spool(16000, 1)
    with_spool.release()
    voice = os.urandom(16000 * 2)
    with_spool.recording.spool.write_bytes(voice)
    only_flac = recorded(folder, story.id)
    only_flac.release()
    only_flac.audio.write_bytes(SOUND)
    with store.write(actor="test") as session:
        recovery = recordings.recover_interrupted(session, media, folder)
    contents = sorted(media.open(r.attachment.sha256).read() for r in recovery.recovered)
    assert len(contents) == 2
    assert SOUND in contents
    assert any(c.endswith(voice) and c.startswith(b"RIFF") for c in contents)
    for leftover in recovery.to_remove:
        recordings.forget(leftover)
    assert list(folder.root.iterdir()) == []


def test_empty_leftovers_and_those_of_deleted_stories_are_removed_not_attached(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    kept = make_story(store, title="Kept")
    gone = make_story(store, title="Gone")
    recorded(folder, kept.id, b"fLaC").release()  # the crash came before any sound
    recorded(folder, gone.id).release()
    with store.write(actor="test") as session:
        stories.delete_story(session, gone.id, note="asked to")
    with store.write(actor="test") as session:
        recovery = recordings.recover_interrupted(session, media, folder)
    assert recovery.recovered == []
    assert recovery.failed == []
    assert len(recovery.to_remove) == 2
    assert list(media.stored_hashes()) == []


def test_a_leftover_that_cannot_be_attached_stays_for_another_try(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    story = make_story(store)
    active = spooled(folder, story.id, os.urandom(16000 * 2))
    active.release()
    # A safety copy this store's key does not open (another store's, or damaged).
    other = recordings.RecordingsFolder(folder.root, os.urandom(32))
    with store.write(actor="test") as session:
        recovery = recordings.recover_interrupted(session, media, other)
    assert recovery.recovered == []
    assert [r.id for r, _why in recovery.failed] == [active.recording.id]
    assert "restore it from a backup" in recovery.failed[0][1]
    assert active.recording.spool.exists() and active.recording.sidecar.exists()
    with store.read() as session:
        assert stories.get_story(session, story.id).attachments == ()


def test_a_damaged_sidecar_is_skipped(store: Store, folder: recordings.RecordingsFolder) -> None:
    story = make_story(store)
    active = recorded(folder, story.id)
    active.release()
    active.recording.sidecar.write_text('{"id": "cut sho', encoding="utf-8")
    assert folder.leftovers() == []


def test_duration_is_none_for_what_is_not_flac(tmp_path: Path) -> None:
    noise = tmp_path / "noise.flac"
    noise.write_bytes(SOUND)
    assert recordings.duration_ms(noise) is None


@pytest.mark.parametrize(
    ("ms", "text"), [(0, "00:00"), (59_999, "00:59"), (195_000, "03:15"), (3_723_000, "1:02:03")]
)
def test_clock_text(ms: int, text: str) -> None:
    assert clock_text(ms) == text


def test_marks_are_found_where_they_are_written() -> None:
    notes = (
        f"She laughed {format_mark('Recording 2', 195_000)} about the bus, "
        f"then {format_mark('Recording 1 (recovered)', 3_723_000)}. "
        "[not a mark] [Recording 1, 3:75]"
    )
    found = marks_in(notes)
    assert [(m.recording, m.ms) for m in found] == [
        ("Recording 2", 195_000),
        ("Recording 1 (recovered)", 3_723_000),
    ]
    first = found[0]
    assert notes[first.start : first.end] == "[Recording 2, 03:15]"
    assert mark_at(notes, first.start) == first
    assert mark_at(notes, first.end) == first
    assert mark_at(notes, first.end + 2) is None


def test_recording_titles() -> None:
    assert recording_title("Recording 3.flac") == "Recording 3"
    assert recording_title("Recording 4 (recovered).wav") == "Recording 4 (recovered)"
    assert recording_title("notes.flac") == "notes.flac"
    assert recording_title("interview.mp3") == "interview.mp3"
    assert recordings.next_number(["Recording 1.flac", "Recording 4 (recovered).flac", "x"]) == 5
    assert recordings.next_number([]) == 1


def test_the_safety_copy_is_what_a_crash_recovers_as_wav(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    story = make_story(store)
    two_seconds = os.urandom(2 * 16000 * 2)
    active = spooled(folder, story.id, two_seconds)
    active.spool(b"\x01")  # half a sample, as a crash mid-write leaves
    active.release()
    with store.write(actor="test") as session:
        recovery = recordings.recover_interrupted(session, media, folder)
    (recovered,) = recovery.recovered
    assert recovered.attachment.original_name == "Recording 1 (recovered).wav"
    assert recovered.attachment.media_type == "audio/x-wav"
    with media.open(recovered.attachment.sha256) as kept:
        assert recordings.duration_ms(kept) == 2000
        assert kept.read().endswith(two_seconds)
    for leftover in recovery.to_remove:
        recordings.forget(leftover)
    assert list(folder.root.iterdir()) == []


def test_a_plain_stores_leftover_is_recovered_after_the_store_is_encrypted(
    store: Store, media: MediaStore, folder: recordings.RecordingsFolder
) -> None:
    """A crash while recording in a plain store, then the store converted, then a start."""
    story = make_story(store)
    voice = os.urandom(16000 * 2)
    plain_folder = recordings.RecordingsFolder(folder.root)
    spooled(plain_folder, story.id, voice).release()
    with store.write(actor="test") as session:
        (recovered,) = recordings.recover_interrupted(session, media, folder).recovered
    assert media.open(recovered.attachment.sha256).read().endswith(voice)
