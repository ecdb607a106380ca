"""Migrations: from nothing, from a database of each released schema, in step with the models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storykeeper.core import check, consent, search, stories, themes
from storykeeper.core.db import Store, current_revision, head_revision, migrations_config
from storykeeper.core.models import Base, StoryRow
from storykeeper.core.vocabulary import ConsentScope, HowTold, Polarity, Setting, StoryStatus
from storykeeper.paths import DataPaths
from tests.factories import given, make_story

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_migrations_form_one_line() -> None:
    scripts = ScriptDirectory.from_config(migrations_config())
    assert len(scripts.get_heads()) == 1
    assert [s.revision for s in scripts.walk_revisions()] == [
        "0013",
        "0012",
        "0011",
        "0010",
        "0009",
        "0008",
        "0007",
        "0006",
        "0005",
        "0004",
        "0003",
        "0002",
        "0001",
    ]


def test_from_an_empty_database_the_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection, warnings.catch_warnings():
        # SQLAlchemy cannot read an index on an expression back: it is compared below instead.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        differences = compare_metadata(context, Base.metadata)
        made = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_stories_title_sort'"
        ).scalar()
    # The FTS5 table and its shadow tables are made by hand in SQL and have no model.
    differences = [
        d
        for d in differences
        if not (d[0] == "remove_table" and d[1].name.startswith("story_fts"))
        and not (d[0] == "add_index" and d[1].name == "ix_stories_title_sort")
    ]
    assert differences == []
    (modelled,) = [i for i in StoryRow.__table__.indexes if i.name == "ix_stories_title_sort"]
    (expression,) = modelled.expressions
    assert made == f"CREATE INDEX ix_stories_title_sort ON stories ({expression.text})"


# Every fixture holds the same store: Edna Walsh's one story, with a theme and given consent.
@pytest.mark.parametrize("schema", ["0001", "0002", "0004"])
def test_a_released_schema_database_upgrades_with_its_data(paths: DataPaths, schema: str) -> None:
    paths.ensure()
    shutil.copy(FIXTURES / f"schema-{schema}.sqlite3", paths.database)
    with Store.open(paths) as store:
        assert current_revision(store.engine) == head_revision()
        assert store.device_id == "0b5e7f4e-9c1f-4f7e-8a53-6a1d2e3f4a5b"
        with store.read() as session:
            story = stories.get_story(session, "33333333")
            assert story.title == "Tea with my neighbour"
            assert story.storyteller.name == "Edna Walsh"
            agreed = consent.current_consent(session, story.id)
            assert agreed is not None
            # 0012 added the recording scope: consent given before it never agreed to recording.
            assert ConsentScope.RECORD_AUDIO not in agreed.scopes
            assert ConsentScope.SHARE_WITH_COORDINATOR in agreed.scopes
            assert not consent.may_record_audio(session, story.id)
            # 0002 indexed the stories that were already there.
            found = search.search_stories(session, search.StoryFilter(text="mill"))
            assert [s.id for s in found.items] == [story.id]
            # 0003 began each story's history with what it says now; a fixture made after it
            # holds a story written with plain SQL, which has no history yet.
            backfilled = [
                stories.StoryVersion(
                    revision=2,
                    saved_at=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
                    actor="migration",
                    title="Tea with my neighbour",
                    own_words=story.own_words,
                    recorder_notes="Very cheerful today.",
                    fields=story.fields,
                )
            ]
            assert stories.story_versions(session, story.id) == (
                backfilled if schema < "0003" else []
            )
        assert story.fields.themes == (
            stories.ThemeLink("Friends, family and community", Polarity.ENABLER),
        )
        assert story.fields.told_on == dt.date(2026, 11, 20)
        report = check.check_store(store)
        assert report.problems == ()
        # The history goes on from there: a save by a person is a new version.
        with store.write(actor="advocate") as session:
            stories.update_story(
                session, story.id, dataclasses.replace(story.fields, title="Tea on Thursdays")
            )
            history = stories.story_versions(session, story.id)
        assert [(v.revision, v.actor, v.title) for v in history] == [
            (3, "advocate", "Tea on Thursdays"),
            *([(2, "migration", "Tea with my neighbour")] if schema < "0003" else []),
        ]
    backups = list(paths.backups_dir.glob("*.sqlite3"))
    assert len(backups) == 1


def test_the_backfill_writes_what_the_program_writes(store: Store) -> None:
    """Stories saved at 0002 get the same history from 0003's SQL as the program would write."""
    bare = make_story(store, title="", own_words="", teller="Ann Jones", themes=())
    with store.write(actor="test") as session:
        themes.create_theme(session, "Côr a chân")
    one_theme = make_story(store, teller="Siân Pryce", themes=(("Côr a chân", Polarity.MIXED),))
    full = make_story(store, teller="Gwen Davies")
    with store.write(actor="test") as session:
        consent.record_consent(session, full.id, given())  # a final story needs consent
        full = stories.update_story(
            session,
            full.id,
            dataclasses.replace(
                full.fields,
                told_on=dt.date(2026, 9, 1),
                setting=Setting.CARE_HOME,
                how_told=HowTold.PROXY_ACCOUNT,
                language="cy",
                status=StoryStatus.FINAL,
                themes=stories.theme_links(
                    [("Money and charges", "barrier"), ("advocacy", "mixed")]
                ),
            ),
        )
    saved = [bare, one_theme, full]
    written = _details(store)
    from alembic import command

    with store.engine.begin() as connection:
        command.downgrade(migrations_config(connection), "0002")
    with store.engine.begin() as connection:
        command.upgrade(migrations_config(connection), "head")
    with store.read() as session:
        for story in saved:
            (version,) = stories.story_versions(session, story.id)
            now = stories.get_story(session, story.id)
            assert version.fields == now.fields
            assert (version.revision, version.saved_at, version.actor) == (
                now.revision,
                now.updated_at,
                "migration",
            )
    backfilled = _details(store)
    # The same JSON text, but for the order of several themes (readers sort them).
    assert backfilled[:2] == written[:2]
    assert _themes_sorted(backfilled[2]) == _themes_sorted(written[2])


def _details(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT details FROM story_versions ORDER BY story_id")
            ).scalars()
        )


def _themes_sorted(details: str) -> dict[str, object]:
    parsed = json.loads(details)
    parsed["themes"] = sorted(parsed["themes"])
    return parsed


def test_downgrade_to_the_first_schema_and_back(store: Store) -> None:
    from alembic import command

    with store.engine.begin() as connection:
        command.downgrade(migrations_config(connection), "0001")
    with store.engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert "story_fts" not in tables
    assert "story_versions" not in tables
    with store.engine.begin() as connection:
        command.upgrade(migrations_config(connection), "head")
    assert current_revision(store.engine) == head_revision()


def test_0013_digests_the_columns_the_program_digests() -> None:
    """The migration names its columns literally (it is frozen); today they are the same."""
    from importlib import import_module

    from storykeeper.core.models import DIGESTED_FIELDS

    migration = import_module("storykeeper.core.migrations.versions.0013_content_digests")
    digested_today = {
        model.__tablename__: fields  # type: ignore[attr-defined]
        for model, fields in DIGESTED_FIELDS.items()
    }
    named_in_the_migration = migration.DIGESTED
    assert named_in_the_migration == digested_today


def test_0013_fills_the_digests_the_program_writes(store: Store) -> None:
    """Stories, versions and consent saved before 0013 get the very digests the program gives
    them, so a migrated store checks clean, and a change made after is still found."""
    story = make_story(store, notes="Met at the day centre.", teller="Gwen Davies")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(review_by=dt.date(2027, 6, 1)))
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, told_on=dt.date(2026, 9, 1))
        )
    written = _digests(store)
    from alembic import command

    with store.engine.begin() as connection:
        command.downgrade(migrations_config(connection), "0012")
    with store.engine.begin() as connection:
        command.upgrade(migrations_config(connection), "head")
    assert _digests(store) == written
    assert all(digest for digest in written)
    assert check.check_store(store).problems == ()


def _digests(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT content_digest FROM stories UNION ALL "
                    "SELECT content_digest FROM story_versions UNION ALL "
                    "SELECT content_digest FROM consent_records"
                )
            ).scalars()
        )
