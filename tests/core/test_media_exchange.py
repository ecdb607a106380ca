"""Photos, documents and recordings travel in bundles only as far as ``share_media`` allows.

Two real data folders, the real writer, importer and `check`: the coordinator ends with exactly
the files consent lets them hold, each verified by hash, and no file no story refers to.
"""

from __future__ import annotations

import os
from pathlib import Path

from storykeeper.core import consent, stories
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.writer import Selection
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import (
    AttachmentKind,
    ConsentBasis,
    ConsentMethod,
    ConsentScope,
)
from tests.exchange import export, shared, trust_advocate
from tests.factories import given


def with_media(store: Store, story_id: str, folder: Path) -> dict[str, str]:
    """A photo, a letter and a recording attached to the story: name → SHA-256."""
    folder.mkdir(exist_ok=True)
    files = {
        "drawing.png": b"\x89PNG\r\n\x1a\n" + os.urandom(2000),
        "letter.pdf": b"%PDF-1.4 " + os.urandom(2000),
        "interview.flac": b"fLaC" + os.urandom(4000),
    }
    added = {}
    with store.write(actor="test") as session:
        for name, data in files.items():
            (folder / name).write_bytes(data)
            attachment = add_attachment(session, store.media, story_id, folder / name)
            added[name] = attachment.sha256
    return added


def media_of(store: Store, story_id: str) -> dict[str, AttachmentKind]:
    with store.read() as session:
        return {a.original_name: a.kind for a in stories.get_story(session, story_id).attachments}


def no_problems(store: Store) -> list[str]:
    return [p.message for p in check_store(store).problems]


def test_with_share_media_every_file_arrives_whole(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The club", scopes=given().scopes | {ConsentScope.SHARE_MEDIA})
    hashes = with_media(store, story.id, tmp_path / "files")
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c")
    assert report.media_files == 3
    assert media_of(coordinator, story.id) == {
        "drawing.png": AttachmentKind.PHOTO,
        "letter.pdf": AttachmentKind.DOCUMENT,
        "interview.flac": AttachmentKind.AUDIO,
    }
    media = coordinator.media
    for sha256 in hashes.values():
        assert media.verify(sha256) is None
    assert sorted(media.stored_hashes()) == sorted(hashes.values())
    assert no_problems(coordinator) == []


def test_without_share_media_the_story_goes_and_its_files_stay(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The club")  # shared, but not its media
    with_media(store, story.id, tmp_path / "files")
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c")
    assert report.media_files == 0
    assert media_of(coordinator, story.id) == {}
    assert list(coordinator.media.stored_hashes()) == []
    assert no_problems(coordinator) == []


def test_taking_back_share_media_takes_the_files_back_from_the_coordinator(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The club", scopes=given().scopes | {ConsentScope.SHARE_MEDIA})
    hashes = with_media(store, story.id, tmp_path / "files")
    trust_advocate(store, coordinator)
    import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c")
    with store.write(actor="test") as session:
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="The storyteller",
                basis=ConsentBasis.OWN_CONSENT,
                method=ConsentMethod.VERBAL,
                scopes=frozenset({ConsentScope.SHARE_MEDIA}),
            ),
        )
    import_bundle(
        coordinator, export(store, coordinator, tmp_path / "b", Selection.SINCE_LAST), actor="c"
    )
    assert media_of(coordinator, story.id) == {}
    media = coordinator.media
    for sha256 in hashes.values():
        assert media.verify(sha256) == "missing"
    assert no_problems(coordinator) == []
    # The advocate keeps them: it is only sharing that was taken back.
    assert set(media_of(store, story.id)) == {"drawing.png", "letter.pdf", "interview.flac"}
