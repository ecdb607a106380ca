"""The recorder's database work without a window: asking consent, keeping a recording."""

from __future__ import annotations

import os

from storykeeper.core import consent, recordings
from storykeeper.core.db import Store
from storykeeper.core.stories import get_story
from storykeeper.core.vocabulary import AttachmentKind, ConsentScope
from storykeeper.gui.ops import recordings as recording_ops
from storykeeper.gui.ops.changes import Change, Kind
from tests.factories import given, make_story


def test_a_voice_may_be_recorded_only_once_consent_says_so(store: Store) -> None:
    story = make_story(store)
    with store.read() as session:
        assert not recording_ops.may_record(session, story.id)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=frozenset(ConsentScope)))
    with store.read() as session:
        assert recording_ops.may_record(session, story.id)


def test_a_finished_recording_is_kept_with_its_story_and_the_new_revision(store: Store) -> None:
    story = make_story(store)
    folder = recordings.RecordingsFolder(
        store.paths.recordings_dir, store.sealing_key("recordings")
    )
    media = store.media
    active = folder.begin(story.id)
    os.write(active.encoded.fileno(), b"fLaC pretend recording")  # what the encoder wrote

    with store.write(actor="test") as session:
        kept = recording_ops.keep_recording(session, media, active.recording)

    with store.read() as session:
        now = get_story(session, story.id)
    assert kept.story_id == story.id and kept.revision == now.revision
    assert (kept.attachment.original_name, kept.attachment.kind) == (
        "Recording 1.flac",
        AttachmentKind.AUDIO,
    )
    assert [a.id for a in now.attachments] == [kept.attachment.id]
    assert media.open(kept.attachment.sha256).read() == b"fLaC pretend recording"
    assert recording_ops.kept_changes(kept) == [
        Change(Kind.ATTACHMENTS, frozenset({story.id})),
        Change(Kind.STORIES, frozenset({story.id})),
    ]
    active.release()
