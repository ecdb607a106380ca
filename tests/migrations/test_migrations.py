"""Migrations: from nothing, from a database of each released schema, in step with the models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storykeeper.core import (
    check,
    consent,
    provenance,
    recipients,
    recording_consent,
    search,
    stories,
    themes,
    trust,
)
from storykeeper.core.bundle import export, report, writer
from storykeeper.core.db import Store, current_revision, head_revision, migrations_config
from storykeeper.core.models import Base, StoryRow, StorytellerRow
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    HowTold,
    Polarity,
    Setting,
    StoryStatus,
    TombstoneReason,
)
from storykeeper.paths import DataPaths
from tests.factories import given, make_story

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_migrations_form_one_line() -> None:
    scripts = ScriptDirectory.from_config(migrations_config())
    assert len(scripts.get_heads()) == 1
    assert [s.revision for s in scripts.walk_revisions()] == [
        "0018",
        "0017",
        "0016",
        "0015",
        "0014",
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


#: The newest released schema. Every revision up to and including it has a fixture: a store as
#: that schema left it, committed and never regenerated. When a release ships a new revision,
#: set this to it, add the rows its new tables or columns take to ``make_fixture.ADDED_AT``, and
#: make its fixture with ``python tests/migrations/make_fixture.py NNNN`` — not before release:
#: a migration may still change until then, and a fixture must be what users really had.
RELEASED = "0012"

FIXTURE_SCHEMAS = sorted(
    path.name.removeprefix("schema-").removesuffix(".sqlite3")
    for path in FIXTURES.glob("schema-*.sqlite3")
)

#: Made before make_fixture.py wrote rows for each revision's own tables: Edna Walsh's story
#: alone (with a theme and given consent). Every later fixture holds, besides, a row for each
#: table or column added up to its revision (``make_fixture.ADDED_AT``).
STORY_ALONE = {"0001", "0002", "0004"}

EDNA = "33333333-3333-4333-8333-333333333333"
ARTHUR = "88888888-8888-4888-8888-888888888888"
WITHDRAWN = "55555555-5555-4555-8555-555555555555"
SIGNER = "6C5FB9076645AE3"
IMPORTED_BUNDLE = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
IMPORTED_FILE_DIGEST = "ec6ee75a219162f44307e0c20d4e8cc876467c5095598256e1582b3abcbfe427"
AGE_RECIPIENT = "age12r8anxp2etx78nrr54re7y5ypkmuwh7tt7r7v70c2f9kxjl0xusqasljpq"


def at(hour: int, minute: int = 0, day: int = 30) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def holds(schema: str, added_at: str) -> bool:
    """Whether the fixture of ``schema`` holds the rows made for the revision ``added_at``."""
    return schema not in STORY_ALONE and schema >= added_at


def test_every_released_schema_has_a_fixture() -> None:
    revisions = [
        s.revision for s in ScriptDirectory.from_config(migrations_config()).walk_revisions()
    ]
    assert RELEASED in revisions, f"RELEASED names {RELEASED}, which is not a migration"
    released = sorted(r for r in revisions if r <= RELEASED)
    missing = sorted(set(released) - set(FIXTURE_SCHEMAS))
    assert missing == [], (
        f"no fixture for the released schema(s) {', '.join(missing)}: make each with "
        "`python tests/migrations/make_fixture.py NNNN` (see RELEASED)"
    )
    unreleased = sorted(set(FIXTURE_SCHEMAS) - set(released))
    assert unreleased == [], (
        f"a fixture for {', '.join(unreleased)}, which RELEASED ({RELEASED}) does not count as "
        "released: make a fixture only once its migration is released, and bump RELEASED then"
    )


@pytest.mark.parametrize("schema", FIXTURE_SCHEMAS)
def test_a_released_schema_database_upgrades_with_its_data(paths: DataPaths, schema: str) -> None:
    fixture = FIXTURES / f"schema-{schema}.sqlite3"
    with closing(sqlite3.connect(f"file:{fixture}?mode=ro", uri=True)) as made:
        assert made.execute("SELECT version_num FROM alembic_version").fetchall() == [(schema,)]
    paths.ensure()
    shutil.copy(fixture, paths.database)
    with Store.open(paths) as store:
        assert current_revision(store.engine) == head_revision()
        assert store.device_id == "0b5e7f4e-9c1f-4f7e-8a53-6a1d2e3f4a5b"
        with store.read() as session:
            story = stories.get_story(session, "33333333")
            assert story.title == "Tea with my neighbour"
            assert story.storyteller.name == "Edna Walsh"
            # 0012's fixture records Edna's yes to recording, and consent bumps the revision.
            assert story.revision == (3 if holds(schema, "0012") else 2)
            agreed = consent.current_consent(session, story.id)
            assert agreed is not None
            assert agreed.version == (2 if holds(schema, "0012") else 1)
            # 0012 added the recording scope: consent given before it never agreed to recording.
            assert (ConsentScope.RECORD_AUDIO in agreed.scopes) == holds(schema, "0012")
            assert ConsentScope.SHARE_WITH_COORDINATOR in agreed.scopes
            assert recording_consent.may_record_audio(session, story.id) == holds(schema, "0012")
            # 0002 indexed the stories that were already there; 0009 indexed prefixes again.
            found = search.search_stories(session, search.StoryFilter(text="mill"))
            assert [s.id for s in found.items] == [story.id]
            found = search.search_stories(session, search.StoryFilter(text="valley mark"))
            assert [s.id for s in found.items] == ([ARTHUR] if holds(schema, "0008") else [])
            versions = stories.story_versions(session, story.id)
            if schema < "0003":
                # 0003 began each story's history with what it says now.
                assert versions == [
                    stories.StoryVersion(
                        revision=2,
                        saved_at=at(9),
                        actor="migration",
                        title="Tea with my neighbour",
                        own_words=story.own_words,
                        recorder_notes="Very cheerful today.",
                        fields=story.fields,
                    )
                ]
            elif holds(schema, "0003"):
                # The history the program had saved: the first draft, then the story as it is.
                draft = dataclasses.replace(
                    story.fields,
                    own_words="My neighbour comes round for tea.",
                    recorder_notes="",
                    status=StoryStatus.DRAFT,
                )
                assert [(v.revision, v.saved_at, v.actor, v.fields) for v in versions] == [
                    (2, at(9), "advocate", story.fields),
                    (1, at(16, 30, day=29), "advocate", draft),
                ]
            else:
                assert versions == []  # written with plain SQL after 0003: no history yet
            _assert_the_revisions_own_rows(session, schema)
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
        newest, *earlier = history
        assert (newest.revision, newest.actor, newest.title) == (
            story.revision + 1,
            "advocate",
            "Tea on Thursdays",
        )
        assert earlier == versions
    backups = list(paths.backups_dir.glob("*.sqlite3"))
    assert len(backups) == 1


def _assert_the_revisions_own_rows(session: Session, schema: str) -> None:
    """The rows each revision's tables were given in the fixture (make_fixture.ADDED_AT), read
    back through the program's own functions after the upgrade to head."""
    notices = consent.pending_withdrawals(session)
    tombstones = stories.list_tombstones(session)
    if holds(schema, "0004"):
        (notice,) = notices
        assert (notice.story_id, notice.decision, notice.decided_on, notice.sent_at) == (
            WITHDRAWN,
            ConsentDecision.WITHDRAWN,
            dt.date(2026, 11, 25),
            None,
        )
        assert [(t.story_id, t.reason, t.last_revision) for t in tombstones] == [
            (WITHDRAWN, TombstoneReason.WITHDRAWN, 3)
        ]
    else:
        assert (notices, tombstones) == ([], [])
    assert recipients.list_recipients(session) == (
        [recipients.Recipient(AGE_RECIPIENT, "Valley coordinator", at(8), "advocate")]
        if holds(schema, "0005")
        else []
    )
    # The export ledger (0006) sent Edna's story at revision 2: "since last" leaves it out until
    # it changes (0012's consent made revision 3). Arthur's came in a bundle (0008), never sent.
    plan = writer.plan_export(session, writer.Selection.SINCE_LAST, recipients=[AGE_RECIPIENT])
    considered = {s.story_id for s in plan.stories} | {w.story_id for w in plan.left_out}
    expected = set()
    if not holds(schema, "0006") or holds(schema, "0012"):
        expected.add(EDNA)
    if holds(schema, "0008"):
        expected.add(ARTHUR)
    assert considered == expected
    # A notice goes only to those the ledger sent its story: the withdrawn story is in no
    # export (0006 sent Edna's), so no bundle tells anyone it existed (issue 17).
    assert plan.withdrawals == []
    signers = [(s.key_id, s.label, s.active, s.fingerprint) for s in trust.list_signers(session)]
    assert signers == (
        [(SIGNER, "Priya (advocate)", True, "93312 29541 87037 80945")]
        if holds(schema, "0007")
        else []
    )
    ledger = report.history(session)
    if holds(schema, "0008"):
        (entry,) = ledger
        assert (entry.report.outcome, entry.report.bundle_id, entry.report.signer_label) == (
            report.Outcome.IMPORTED,
            IMPORTED_BUNDLE,
            "Priya (advocate)",
        )
        assert entry.counts[report.Action.NEW] == 1
        assert report.lines(session, entry.id) == [
            report.StoryLine(ARTHUR, report.Action.NEW, "", "The bus to market")
        ]
        assert report.first_import(session, IMPORTED_BUNDLE, SIGNER) == at(10)
        assert report.first_import(session, IMPORTED_BUNDLE, "0123456789ABCDEF") is None
        # 0014 gives the imported story's storyteller to the signer who sent it.
        owner = session.scalar(
            select(StorytellerRow.signer_key_id)
            .join(StoryRow, StoryRow.storyteller_id == StorytellerRow.id)
            .where(StoryRow.uuid == ARTHUR)
        )
        assert owner == SIGNER
        assert provenance.origin_of(session, ARTHUR) == provenance.Origin(
            SIGNER, "Priya (advocate)", False, IMPORTED_BUNDLE, at(10)
        )
        arthur = stories.get_story(session, ARTHUR)
        assert (arthur.title, arthur.storyteller.name, arthur.revision) == (
            "The bus to market",
            "Arthur Pugh",
            2,
        )
        assert [v.actor for v in stories.story_versions(session, ARTHUR)] == [
            "Priya (advocate) (imported)"
        ]
    else:
        assert ledger == []
    known = report.imported_file(session, IMPORTED_FILE_DIGEST)
    assert (known is not None) == holds(schema, "0010")


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
    """The migration names its columns literally (it is frozen); today they are the same, but
    for the fields added since, digested only when recorded (so 0013's digests stay right)."""
    from importlib import import_module

    from storykeeper.core.models import DIGESTED_FIELDS, DIGESTED_WHEN_RECORDED

    migration = import_module("storykeeper.core.migrations.versions.0013_content_digests")
    digested_today = {
        model.__tablename__: tuple(  # type: ignore[attr-defined]
            name for name in fields if name not in DIGESTED_WHEN_RECORDED
        )
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


def test_0016_records_each_sent_notice_as_sent_to_its_bundles_recipients(
    store: Store, tmp_path: Path
) -> None:
    """A withdrawal notice sent before 0016 went to the recipients of the bundle that carried
    it: recorded so, it is not sent to them again, and nobody else is told of the story."""
    from alembic import command

    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    coordinator = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    export.export_bundle(store, actor="test", out=tmp_path, recipients=[coordinator])
    with store.write(actor="test") as session:
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="The storyteller",
                basis=ConsentBasis.OWN_CONSENT,
                method=ConsentMethod.VERBAL,
            ),
        )
    sent = export.export_bundle(store, actor="test", out=tmp_path, recipients=[coordinator])
    with store.engine.begin() as connection:
        command.downgrade(migrations_config(connection), "0015")
    with store.engine.begin() as connection:
        command.upgrade(migrations_config(connection), "head")
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT recipient, bundle_id FROM withdrawal_notice_sends")
        ).all()
    assert [tuple(row) for row in rows] == [(coordinator, sent.bundle_id)]
