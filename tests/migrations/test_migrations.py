"""Migrations: from nothing, from a real first-schema database, and in step with the models."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storykeeper.core import check, consent, search, stories
from storykeeper.core.db import Store, current_revision, head_revision, migrations_config
from storykeeper.core.models import Base
from storykeeper.paths import DataPaths

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_migrations_form_one_line() -> None:
    scripts = ScriptDirectory.from_config(migrations_config())
    assert len(scripts.get_heads()) == 1
    assert [s.revision for s in scripts.walk_revisions()][-1] == "0001"


def test_from_an_empty_database_the_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        differences = compare_metadata(context, Base.metadata)
    # The FTS5 table and its shadow tables are made by hand in SQL and have no model.
    differences = [
        d for d in differences if not (d[0] == "remove_table" and d[1].name.startswith("story_fts"))
    ]
    assert differences == []


def test_a_first_schema_database_upgrades_with_its_data(paths: DataPaths) -> None:
    paths.ensure()
    shutil.copy(FIXTURES / "schema-0001.sqlite3", paths.database)
    with Store.open(paths) as store:
        assert current_revision(store.engine) == head_revision()
        assert store.device_id == "0b5e7f4e-9c1f-4f7e-8a53-6a1d2e3f4a5b"
        with store.read() as session:
            story = stories.get_story(session, "33333333")
            assert story.title == "Tea with my neighbour"
            assert story.storyteller.name == "Edna Walsh"
            assert consent.current_consent(session, story.id) is not None
            # 0002 indexed the stories that were already there.
            found = search.search_stories(session, search.StoryFilter(text="mill"))
            assert [s.id for s in found.items] == [story.id]
        report = check.check_store(store)
        assert report.problems == ()
    backups = list(paths.backups_dir.glob("*.sqlite3"))
    assert len(backups) == 1


def test_downgrade_to_the_first_schema_and_back(store: Store) -> None:
    from alembic import command

    with store.engine.begin() as connection:
        command.downgrade(migrations_config(connection), "0001")
    with store.engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert "story_fts" not in tables
    with store.engine.begin() as connection:
        command.upgrade(migrations_config(connection), "head")
    assert current_revision(store.engine) == head_revision()
