"""`check` finds damage instead of crashing on it: damaged pages of the database file, and words
or dates changed outside Storykeeper (content digests, issue 15)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core import consent, stories
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.check import CheckCancelled, Severity, check_store, damaged_file
from storykeeper.core.db import Store
from storykeeper.core.search import StoryFilter, search_stories
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod
from storykeeper.paths import DataPaths
from tests.damage import change_a_character_on_disk, change_with_plain_sql, damage_a_stories_page
from tests.exchange import export, shared, trust_advocate
from tests.factories import given, make_story


def test_damaged_pages_are_reported_plainly_not_crashed_on(paths: DataPaths) -> None:
    with Store.open(paths) as store:
        for n in range(3):
            make_story(store, title=f"Story {n}", teller=f"Teller {n}")
    damage_a_stories_page(paths.database)
    with Store.open(paths) as store:
        report = check_store(store)
    assert not report.ok
    (problem,) = report.problems
    assert problem.area == "database"
    assert problem.severity is Severity.ERROR
    assert problem.message == (
        f"The database file is damaged (1 page). Copy the data folder ({paths.data_dir}) "
        f"somewhere safe first, then restore the newest backup from {paths.backups_dir} "
        "(see “To restore a backup” in the README)"
    )


def test_a_character_changed_in_a_storys_own_words_is_named(plain_store: Store) -> None:
    store = plain_store  # changed with SQLite itself: a plain file
    story = make_story(store, title="The day centre bus")
    change_with_plain_sql(
        store.paths.database,
        "UPDATE stories SET own_words = replace(own_words, 'Tuesday', 'Thursday') WHERE uuid = ?",
        story.id,
    )
    report = check_store(store)
    assert [(p.area, p.message) for p in report.problems] == [
        (
            "stories",
            f"story {story.id[:8]} “The day centre bus”: own words changed outside "
            "Storykeeper since it was saved",
        )
    ]
    # The triggers kept the search index in step with the changed words: no advice to rebuild.
    assert not report.ok


def test_a_character_changed_on_disk_is_named_and_no_rebuild_advised(paths: DataPaths) -> None:
    """A byte changed in the file itself: the search index no longer matches either, and
    rebuilding it would make the changed words look as if saved (issue 15)."""
    with Store.open(paths) as store:
        story = make_story(store, title="The day centre bus")
    change_a_character_on_disk(paths.database, "stories", "every Tuesday", "every Tuesdax")
    with Store.open(paths) as store:
        report = check_store(store)
        with store.read() as session:
            assert "Tuesdax" in stories.get_story(session, story.id).own_words
    assert [(p.area, p.message) for p in report.problems] == [
        (
            "stories",
            f"story {story.id[:8]} “The day centre bus”: own words changed outside "
            "Storykeeper since it was saved",
        ),
        (
            "search",
            "the search index no longer matches the stories because their words were changed "
            "outside Storykeeper (see above): do not rebuild it, restore a backup",
        ),
    ]


def test_a_changed_earlier_version_is_named_with_its_revision(plain_store: Store) -> None:
    store = plain_store  # changed with SQLite itself: a plain file
    story = make_story(store)
    with store.write(actor="advocate") as session:
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, title="A new title")
        )
    change_with_plain_sql(
        store.paths.database,
        "UPDATE story_versions SET recorder_notes = 'added later', title = 'Another' "
        "WHERE revision = 1",
    )
    report = check_store(store)
    assert [p.message for p in report.problems] == [
        f"the saved version 1 of story {story.id[:8]} “A new title” (in its history): title and "
        "recorder’s notes changed outside Storykeeper since it was saved"
    ]


def test_a_changed_consent_date_is_named(plain_store: Store) -> None:
    store = plain_store  # changed with SQLite itself: a plain file
    story = make_story(store, title="Tea on Thursdays")
    with store.write(actor="advocate") as session:
        consent.record_consent(session, story.id, given(decided_on=dt.date(2026, 11, 2)))
        consent.record_consent(session, story.id, given(decided_on=dt.date(2026, 11, 3)))
    change_with_plain_sql(
        store.paths.database,
        "UPDATE consent_records SET decided_on = '2026-10-02' WHERE version = 1",
    )
    report = check_store(store)
    assert [(p.area, p.message) for p in report.problems] == [
        (
            "consent",
            f"consent version 1 of story {story.id[:8]} “Tea on Thursdays”: date of the "
            "decision changed outside Storykeeper since it was saved",
        )
    ]


def test_a_row_written_without_a_digest_is_reported(plain_store: Store) -> None:
    store = plain_store  # changed with SQLite itself: a plain file
    story = make_story(store)
    change_with_plain_sql(
        store.paths.database, "UPDATE stories SET content_digest = '' WHERE uuid = ?", story.id
    )
    (problem,) = check_store(store).problems
    assert problem.message == (
        f"story {story.id[:8]} “The day centre bus” has no record of what was saved (it was "
        "written outside Storykeeper), so it cannot be checked"
    )


def test_what_the_program_saves_checks_clean(store: Store) -> None:
    """Every way the program writes a story, a version or consent leaves digests that match."""
    story = make_story(store, notes="Met at the day centre.")
    with store.write(actor="advocate") as session:
        consent.record_consent(session, story.id, given(review_by=dt.date(2027, 6, 1)))
        stories.update_story(
            session,
            story.id,
            dataclasses.replace(story.fields, told_on=dt.date(2026, 10, 1), title="Changed"),
        )
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
        )
    assert check_store(store).problems == ()


def test_the_quiet_check_finds_a_cut_short_file_without_hashing(
    plain_store: Store, tmp_path: Path
) -> None:
    store = plain_store  # a plain file's size; a sealed one's is in test_media_sealed.py
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the garden " * 100)
    story = make_story(store)
    media = store.media
    with store.write(actor="test") as session:
        added = add_attachment(session, media, story.id, photo)
    stored = media.path_for(added.sha256)
    stored.chmod(0o600)
    stored.write_bytes(stored.read_bytes()[:100])
    (problem,) = check_store(store, hash_files=False).problems
    assert problem.message == (
        f"attachment file {added.sha256[:12]}… (garden.jpg) is damaged (its size is now 100 "
        f"bytes, not {added.size:,})"
    )


def test_stories_imported_new_and_updated_check_clean(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """Imports write stories, versions and consent in bulk and by update: digests on all."""
    trust_advocate(store, coordinator)
    story = shared(store, "Tea on Thursdays")
    first = import_bundle(coordinator, export(store, coordinator, tmp_path / "1"), actor="test")
    assert first.ok, first.reason
    with store.write(actor="advocate") as session:
        current = stories.get_story(session, story.id)
        stories.update_story(
            session, story.id, dataclasses.replace(current.fields, title="Tea on Fridays")
        )
        consent.record_consent(session, story.id, given(review_by=dt.date(2027, 9, 1)))
    second = import_bundle(coordinator, export(store, coordinator, tmp_path / "2"), actor="test")
    assert second.ok, second.reason
    with coordinator.read() as session:
        assert stories.get_story(session, story.id).title == "Tea on Fridays"
    assert check_store(coordinator).problems == ()


def test_a_withdrawn_storys_title_is_not_quoted(plain_store: Store) -> None:
    store = plain_store  # changed with SQLite itself: a plain file
    story = make_story(store, title="Tea on Thursdays")
    with store.write(actor="advocate") as session:
        consent.record_consent(session, story.id, given())
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
        )
    change_with_plain_sql(
        store.paths.database, "UPDATE consent_records SET persons_words = 'yes' WHERE version = 2"
    )
    assert [p.message for p in check_store(store).problems] == [
        f"consent version 2 of story {story.id[:8]}: person’s words changed outside "
        "Storykeeper since it was saved"
    ]


def test_words_that_cannot_be_read_are_damage_said_once(plain_store: Store) -> None:
    """Bytes that are not text where words should be: SQLite's integrity check passes them, but
    reading them fails. Two steps trip over them; the person is told once."""
    store = plain_store  # changed with SQLite itself: a plain file
    make_story(store)
    for table in ("stories", "story_versions"):
        change_with_plain_sql(
            store.paths.database, f"UPDATE {table} SET own_words = CAST(x'ff00fe' AS TEXT)"
        )
    report = check_store(store)
    assert [(p.area, p.message) for p in report.problems] == [
        ("database", damaged_file(store.paths))
    ]


def test_a_check_asked_to_stop_stops_part_way(store: Store) -> None:
    for n in range(3):
        make_story(store, title=f"Story {n}", teller=f"Teller {n}")
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 6  # in the middle of reading the stories' digests

    with pytest.raises(CheckCancelled):
        check_store(store, cancelled=cancelled)
    assert len(asked) == 7
    # Nothing is left held: a write goes through at once.
    with store.write(actor="test") as session:
        session.execute(text("SELECT 1"))


@pytest.mark.parametrize("kind", ["encrypted", "plain"])
def test_search_index_changed_by_another_connection_is_not_called_damage(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """FTS5 keeps the index layout it last read in each connection, and SQLite's integrity check
    reads through it: a connection that searched, then sat in the pool while another connection
    (the window's writer, or the command line beside the window) deleted a story and so merged
    the index into a new segment, reported "fts5: corruption found" on a healthy store."""
    store: Store = request.getfixturevalue("store" if kind == "encrypted" else "plain_store")
    key = request.getfixturevalue("store_key") if kind == "encrypted" else None
    make_story(store, title="First")
    leaving = make_story(store, title="Second", own_words="Leaving soon")
    with store.read() as session:
        assert search_stories(session, StoryFilter(text="minibus")).total == 1
    with Store.open(store.paths, key) as beside, beside.write(actor="test") as session:
        stories.delete_story(session, leaving.id)
    report = check_store(store)
    assert report.problems == ()
    assert report.ok
