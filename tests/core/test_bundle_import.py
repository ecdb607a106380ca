"""Importing bundles between two real data folders: an advocate's and a coordinator's."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import func, select

from storykeeper.core import consent, stories, trust
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.importer import ImportCancelled, import_bundle
from storykeeper.core.bundle.report import Action, Outcome, history, lines
from storykeeper.core.bundle.writer import Selection
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.keys import AGE_IDENTITY
from storykeeper.core.models import (
    StoryOriginRow,
    StoryRow,
)
from storykeeper.core.vocabulary import ConsentScope
from storykeeper.paths import resolve_paths
from tests.exchange import export, shared, snapshot, trust_advocate, withdraw_fully
from tests.factories import given, make_story


def test_stories_cross_once_with_their_origin_and_a_kept_report(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    first, second = shared(store, "The bus"), shared(store, "The garden")
    make_story(store, title="No consent yet")  # stays behind
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")

    report = import_bundle(coordinator, bundle, actor="coordinator")
    assert report.outcome is Outcome.IMPORTED
    assert report.signer_label == "Priya (advocate)"
    assert {(line.story_id, line.action, line.title) for line in report.stories} == {
        (first.id, Action.NEW, "The bus"),
        (second.id, Action.NEW, "The garden"),
    }
    with coordinator.read() as session:
        here = stories.get_story(session, first.id)
        assert here.own_words == first.own_words
        assert here.revision == 2  # made, then consent recorded
        # Sent without the name: a pseudonymous storyteller id, never the real one (issue 17).
        assert here.storyteller.id != first.storyteller.id
        assert here.storyteller.name == first.storyteller_pseudonym
        # Its history holds the version that came in, whole enough to restore.
        (version,) = stories.story_versions(session, first.id)
        assert version.fields == here.fields
        assert version.actor == "Priya (advocate) (imported)"
        assert consent.current_consent(session, first.id).scopes == given().scopes  # type: ignore[union-attr]
        origin = session.get(
            StoryOriginRow, session.scalar(select(StoryRow.id).where(StoryRow.uuid == first.id))
        )
        assert origin is not None and origin.bundle_id == report.bundle_id
        (entry,) = history(session)
        assert entry.counts[Action.NEW] == 2 and entry.report.outcome is Outcome.IMPORTED
        assert {line.title for line in lines(session, entry.id)} == {"The bus", "The garden"}

    before = snapshot(coordinator)
    again = import_bundle(coordinator, bundle, actor="coordinator")
    assert again.outcome is Outcome.ALREADY_IMPORTED and again.ok
    assert again.summary().startswith("Already imported on ")
    # Nothing changed but the ledger's note that it was offered again.
    assert snapshot(coordinator) == {**before, "imported": before["imported"] + 1}  # type: ignore[operator]


def test_a_newer_revision_updates_and_an_older_one_never_overwrites(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    old_bundle = export(store, coordinator, tmp_path / "old")
    with store.write(actor="test") as session:
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, own_words="Now on Wednesdays.")
        )
    new_bundle = export(store, coordinator, tmp_path / "new", Selection.SINCE_LAST)

    assert import_bundle(coordinator, new_bundle, actor="c").stories[0].action is Action.NEW
    replayed = import_bundle(coordinator, old_bundle, actor="c")
    assert replayed.outcome is Outcome.IMPORTED
    (line,) = replayed.stories
    assert line.action is Action.SKIPPED
    assert line.detail == "this computer already has a newer revision (3)"
    with coordinator.read() as session:
        assert stories.get_story(session, story.id).own_words == "Now on Wednesdays."

    with store.write(actor="test") as session:
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, own_words="Fridays too.")
        )
    newest = export(store, coordinator, tmp_path / "newest", Selection.SINCE_LAST)
    (line,) = import_bundle(coordinator, newest, actor="c").stories
    assert (line.action, line.detail) == (Action.UPDATED, "revision 4 in place of revision 3")
    with coordinator.read() as session:
        assert stories.get_story(session, story.id).own_words == "Fridays too."
        versions = stories.story_versions(session, story.id)
        assert [v.own_words for v in versions][:2] == ["Fridays too.", "Now on Wednesdays."]


def test_a_withdrawal_purges_the_story_and_its_media_leaving_a_tombstone(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    scopes = given().scopes | {ConsentScope.SHARE_MEDIA}
    story = shared(store, "The bus", scopes=scopes)
    photo = tmp_path / "drawing.png"
    photo.write_bytes(b"\x89PNG a drawing of the minibus")
    with store.write(actor="test") as session:
        attachment = add_attachment(session, store.media, story.id, photo)
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c")
    assert report.media_files == 1
    coordinator_media = coordinator.media
    assert coordinator_media.verify(attachment.sha256) is None

    withdraw_fully(store, story.id, "I would rather keep it to myself now.")
    report = import_bundle(
        coordinator,
        export(store, coordinator, tmp_path / "b", Selection.SINCE_LAST),
        actor="c",
    )
    (line,) = report.stories
    assert line.action is Action.WITHDRAWN
    assert line.detail.endswith(": its content and media go, a tombstone stays")
    with coordinator.read() as session:
        assert session.scalar(select(StoryRow.id).where(StoryRow.uuid == story.id)) is None
        (tombstone,) = stories.list_tombstones(session)
        assert tombstone.story_id == story.id and tombstone.reason.value == "withdrawn"
        assert "withdrawn" in tombstone.note
    assert coordinator_media.verify(attachment.sha256) == "missing"
    # The words are gone from the file itself, not only hidden.
    assert b"minibus comes every Tuesday" not in coordinator.paths.database.read_bytes()


def test_a_withdrawal_for_a_story_never_received_keeps_it_out_for_good(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    early = export(store, coordinator, tmp_path / "early")  # made, but not brought in yet
    withdraw_fully(store, story.id)
    late = export(store, coordinator, tmp_path / "late", Selection.SINCE_LAST)
    (line,) = import_bundle(coordinator, late, actor="c").stories
    assert line.action is Action.WITHDRAWN
    assert line.detail.endswith(
        "; not held here, so only a tombstone is kept, and the story can never be imported later"
    )
    (line,) = import_bundle(coordinator, early, actor="c").stories
    assert line.action is Action.SKIPPED
    assert line.detail.startswith("it was withdrawn here on ")
    with coordinator.read() as session:
        assert session.scalar(select(func.count(StoryRow.id))) == 0


def test_a_revoked_senders_new_bundles_are_refused_and_earlier_imports_stay(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    key_id = store.keys.show().signing.key_id
    with coordinator.write(actor="test") as session:
        trust.revoke_signer(session, key_id)
    shared(store, "After the revocation")
    before = snapshot(coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "b"), actor="c")
    assert report.outcome is Outcome.REFUSED
    assert report.reason.startswith(
        f"The bundle is signed by the key of Priya (advocate) (key id {key_id}), which was "
        "revoked on "
    )
    assert report.untrusted_public_key is None  # a revoked key is not offered for trust
    assert snapshot(coordinator) == before
    with coordinator.read() as session:
        assert stories.get_story(session, story.id).title == "The bus"
        assert history(session)[0].report.reason == report.reason


def test_an_unknown_sender_is_refused_with_a_key_to_check_and_trust(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "The bus")
    bundle = export(store, coordinator, tmp_path / "a")
    before = snapshot(coordinator)
    report = import_bundle(coordinator, bundle, actor="c")
    mine = store.keys.show().signing
    assert report.outcome is Outcome.REFUSED
    assert f"unknown key with fingerprint {mine.fingerprint}" in report.reason
    assert report.untrusted_public_key == mine.public_key
    assert snapshot(coordinator) == before
    with coordinator.write(actor="test") as session:
        trust.add_signer(session, report.untrusted_public_key, "Priya")
    assert import_bundle(coordinator, bundle, actor="c").outcome is Outcome.IMPORTED


def test_a_dry_run_changes_nothing_and_says_what_would_happen(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "The bus")
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "a")
    before = snapshot(coordinator)
    report = import_bundle(coordinator, bundle, actor="c", dry_run=True)
    assert report.dry_run and report.count(Action.NEW) == 1
    assert report.summary().startswith("Dry run, nothing kept")
    assert snapshot(coordinator) == before
    assert import_bundle(coordinator, bundle, actor="c").count(Action.NEW) == 1


def test_a_cancelled_import_changes_nothing(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "The bus")
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "a")
    before = snapshot(coordinator)
    with pytest.raises(ImportCancelled):
        import_bundle(coordinator, bundle, actor="c", cancelled=lambda: True)
    assert snapshot(coordinator) == before


def test_only_the_sender_of_a_story_may_update_or_withdraw_it(
    store: Store, store_key: bytes, coordinator: Store, tmp_path: Path
) -> None:
    """Another trusted advocate's bundle cannot overwrite or purge someone else's story."""
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    with coordinator.read() as session:
        assert stories.get_story(session, story.id).title == "The bus"
    # The same story, later, signed by a second advocate's key (their data folder is a copy).
    import shutil

    other_dir = tmp_path / "other"
    shutil.copytree(store.paths.data_dir, other_dir)
    shutil.rmtree(other_dir / "keys")
    with Store.open(resolve_paths(other_dir), store_key) as other:
        with other.write(actor="test") as session:
            stories.update_story(
                session, story.id, dataclasses.replace(story.fields, own_words="Changed.")
            )
        trust_advocate(other, coordinator, "Someone else")
        (line,) = import_bundle(
            coordinator, export(other, coordinator, tmp_path / "b"), actor="c"
        ).stories
    assert line.action is Action.SKIPPED
    assert line.detail.startswith("it came from another sender (key ")
    with coordinator.read() as session:
        assert stories.get_story(session, story.id).own_words == story.own_words


def test_checking_every_file_is_reported_and_cancel_is_heard_before_anything_changes(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "The bus")
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "a")
    before = snapshot(coordinator)
    checked: list[tuple[int, int]] = []
    applied: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelled):
        import_bundle(
            coordinator,
            bundle,
            actor="c",
            checking=lambda done, total: checked.append((done, total)),
            progress=lambda done, total: applied.append((done, total)),
            cancelled=lambda: bool(checked),  # cancel once the checking has begun
        )
    # bagit.txt, bag-info.txt, two manifests, the signature, bundle.json and one story
    assert checked == [(0, 7)]
    assert applied == []
    assert snapshot(coordinator) == before


def test_an_imported_story_is_read_only_here_so_its_senders_updates_are_never_lost(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """A change made here would raise the revision and make the sender's next one "older"."""
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    changes = [
        lambda s: stories.update_story(
            s, story.id, dataclasses.replace(story.fields, title="Edited here")
        ),
        lambda s: consent.record_consent(s, story.id, given()),
        lambda s: add_attachment(s, coordinator.media, story.id, photo),
    ]
    for change in changes:
        with pytest.raises(ValidationError) as refused, coordinator.write(actor="c") as session:
            change(session)
        assert refused.value.message.startswith(
            "This story came in a bundle from Priya (advocate), so it is read-only here"
        )
    with coordinator.write(actor="c") as session:  # deleting it stays possible
        stories.delete_story(session, story.id)


def test_the_same_file_again_is_known_without_decrypting_it(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """Re-importing a bundle is known by its age header (and checked whole by decrypting into
    nothing, which costs no reading of the zip); with no key left to check it, the header's
    answer stands."""
    shared(store, "The bus")
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "a")
    assert import_bundle(coordinator, bundle, actor="c").outcome is Outcome.IMPORTED
    # Take away the key that could decrypt it: only the header can answer now.
    identity = coordinator.keys.folder / AGE_IDENTITY
    identity.rename(identity.with_suffix(".away"))
    before = snapshot(coordinator)
    again = import_bundle(coordinator, bundle, actor="c")
    assert again.outcome is Outcome.ALREADY_IMPORTED
    assert again.signer_label == "Priya (advocate)"
    assert snapshot(coordinator) == {**before, "imported": before["imported"] + 1}  # type: ignore[operator]
    # Another encryption of the same bundle is a different file: it is decrypted, then known
    # by its bundle id.
    identity.with_suffix(".away").rename(identity)
    plain = tmp_path / "plain.zip"
    plain.write_bytes(pyrage.decrypt(bundle.read_bytes(), coordinator.keys.age_identities()))
    resealed = tmp_path / "resealed.zip.age"
    recipient = coordinator.keys.age_identities()[0].to_public()
    resealed.write_bytes(pyrage.encrypt(plain.read_bytes(), [recipient]))
    assert import_bundle(coordinator, resealed, actor="c").outcome is Outcome.ALREADY_IMPORTED
