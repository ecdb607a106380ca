"""Photo captions (issue 20): written by the advocate, kept on this computer, the screen reader's
name for the picture; a caption change is no damage to `check`, and no new revision."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from storykeeper.core import attachments, audit, captions, stories
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import ConsentScope
from tests.exchange import export, shared, trust_advocate
from tests.factories import make_story


def _story_and_photo(store: Store, tmp_path: Path) -> tuple[str, attachments.Attachment]:
    picture = tmp_path / "garden.jpg"
    picture.write_bytes(b"\xff\xd8 pretend jpeg " * 100)
    story = make_story(store)
    with store.write(actor="test") as session:
        return story.id, attachments.add_attachment(session, store.media, story.id, picture)


def _photo(store: Store, tmp_path: Path) -> attachments.Attachment:
    return _story_and_photo(store, tmp_path)[1]


def test_a_new_photo_has_no_caption_yet(store: Store, tmp_path: Path) -> None:
    assert _photo(store, tmp_path).caption == ""


def test_a_caption_is_kept_cleaned_and_read_back_with_the_story(
    store: Store, tmp_path: Path
) -> None:
    story_id, photo = _story_and_photo(store, tmp_path)
    with store.write(actor="test") as session:
        captioned = captions.set_caption(
            session, photo.id, "  Mum and Dad\nin the garden, 1962 \x07 "
        ).attachment
    assert captioned.caption == "Mum and Dad in the garden, 1962"
    with store.read() as session:
        (listed,) = attachments.list_attachments(session, story_id)
    assert listed.caption == "Mum and Dad in the garden, 1962"
    assert listed.id == photo.id


def test_an_empty_caption_takes_the_caption_away(store: Store, tmp_path: Path) -> None:
    photo = _photo(store, tmp_path)
    with store.write(actor="test") as session:
        captions.set_caption(session, photo.id, "The old bakery")
    with store.write(actor="test") as session:
        assert captions.set_caption(session, photo.id, "   ").attachment.caption == ""


def test_a_caption_too_long_is_refused_in_words_and_nothing_changes(
    store: Store, tmp_path: Path
) -> None:
    story_id, photo = _story_and_photo(store, tmp_path)
    too_long = "x" * (captions.CAPTION_MAX + 1)
    refused = pytest.raises(ValidationError, match=r"too long .* most it can hold is 500")
    with refused, store.write(actor="test") as session:
        captions.set_caption(session, photo.id, too_long)
    with store.read() as session:
        (listed,) = attachments.list_attachments(session, story_id)
    assert listed.caption == ""


def test_a_caption_change_is_no_new_revision_and_no_damage_to_check(
    store: Store, tmp_path: Path
) -> None:
    """Captions stay on this computer (bundles do not carry them), so changing one is not a
    change the coordinator must receive, and `check` must not take it for damage."""
    story_id, photo = _story_and_photo(store, tmp_path)
    with store.read() as session:
        before = stories.get_story(session, story_id).revision
    with store.write(actor="test") as session:
        captioned = captions.set_caption(session, photo.id, "Her first day at the mill")
    assert captioned.story_id == story_id
    with store.read() as session:
        assert stories.get_story(session, story_id).revision == before
    report = check_store(store)
    assert report.problems == ()


def test_the_audit_log_says_a_caption_changed_without_its_words(
    store: Store, tmp_path: Path
) -> None:
    photo = _photo(store, tmp_path)
    with store.write(actor="test") as session:
        captions.set_caption(session, photo.id, "Aunt Bessie at the seaside")
    with store.read() as session:
        newest = audit.recent_events(session, limit=1)[0]
    assert newest.action == "attachment.captioned"
    assert "Bessie" not in str(newest.details) and "seaside" not in str(newest.details)


def test_a_caption_stays_here_and_an_imported_photo_s_caption_is_read_only(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """Bundles do not carry captions (the format is unchanged): neither a plain bundle's bytes
    nor the coordinator's copy hold it, and the imported story's caption cannot be set there."""
    story = shared(store, "The pier", scopes=frozenset(ConsentScope))
    picture = tmp_path / "pier.jpg"
    picture.write_bytes(b"\xff\xd8 pretend jpeg of the pier " * 100)
    with store.write(actor="test") as session:
        photo = attachments.add_attachment(session, store.media, story.id, picture)
        captions.set_caption(session, photo.id, "Aunt Bessie on the pier")
    trust_advocate(store, coordinator)
    plain = export(store, coordinator, tmp_path / "plain", plain=True)
    with zipfile.ZipFile(plain) as bundle:
        carried = b"".join(bundle.read(name) for name in bundle.namelist())
    assert b"Bessie" not in carried
    import_bundle(coordinator, export(store, coordinator, tmp_path / "usb"), actor="coordinator")
    with coordinator.read() as session:
        (received,) = attachments.list_attachments(session, story.id)
    assert received.caption == ""
    refused = pytest.raises(ValidationError, match="read-only here")
    with refused, coordinator.write(actor="coordinator") as session:
        captions.set_caption(session, received.id, "A day out")
