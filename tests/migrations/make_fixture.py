"""Made tests/migrations/fixtures/schema-NNNN.sqlite3: a store as schema NNNN left it.

Each fixture holds the same small story, written with plain SQL (so it does not depend on
today's models) into a store migrated to that revision — at 0002 and later, the FTS5 triggers
index it as it goes in. From 0003 on, each revision that added a table (or a column) also gets
a row in it, written as that revision's schema takes it, so that upgrading the fixture shows
that table's data surviving every later migration (``ADDED_AT``: what each revision adds; a
fixture holds everything up to its own revision). Kept to show how the fixtures were made; they
are committed and never regenerated, because each must stay exactly what a user's database
looked like at that schema. schema-0001, -0002 and -0004 were made before ``ADDED_AT``: they
hold the story alone. Make one for every released schema:

    python tests/migrations/make_fixture.py 0005
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from alembic import command

from storykeeper.core.db import create_sqlite_engine, migrations_config

FIXTURES = Path(__file__).parent / "fixtures"

NOW = "2026-11-30 09:00:00.000000"
DEVICE = "0b5e7f4e-9c1f-4f7e-8a53-6a1d2e3f4a5b"

#: Edna Walsh's one story, with a theme and her given consent (every fixture holds it).
STORY = f"""
    INSERT INTO settings VALUES ('device_id', '{DEVICE}');
    INSERT INTO storytellers VALUES
      (1, '11111111-1111-4111-8111-111111111111', 'Edna Walsh', 'Quiet Heron 42', '80_plus',
       '["speaking"]', 'Short visits.', '{NOW}', '{NOW}');
    INSERT INTO supporters VALUES
      (1, '22222222-2222-4222-8222-222222222222', 'Rhys Morgan', 'independent_advocate',
       'Valley Advocacy', '', '{NOW}', '{NOW}');
    INSERT INTO stories VALUES
      (1, '33333333-3333-4333-8333-333333333333', 1, 1, 'Tea with my neighbour',
       'My neighbour comes round for tea on Thursdays and we talk about the old mill.',
       'Very cheerful today.', '2026-11-20', 'home', 'spoken_written_down', 'en', 'final', 2,
       '{DEVICE}', '{NOW}', '{NOW}', 'given', '2027-05-20');
    INSERT INTO story_themes VALUES
      (1, (SELECT id FROM themes WHERE name = 'Friends, family and community'), 'enabler');
    INSERT INTO consent_records
      (id, uuid, story_id, version, decision, basis, decided_by, capacity_notes,
       share_with_coordinator, anonymised_in_reports, quote_anonymised, publish_with_name,
       share_media, method, persons_words, witness_id, conditions, consulted,
       advocate_involved, best_interests_reasons, decided_on, review_by, recorded_at)
    VALUES
      (1, '44444444-4444-4444-8444-444444444444', 1, 1, 'given', 'own_consent', 'Edna Walsh',
       '', 1, 1, 1, 0, 0, 'verbal', 'Yes, people should know.', 1, '', '', NULL, '',
       '2026-11-20', '2027-05-20', '{NOW}');
"""

_DETAILS = (
    '{"how_told":"spoken_written_down","language":"en","setting":"home","status":"%s",'
    '"storyteller_uuid":"11111111-1111-4111-8111-111111111111",'
    '"supporter_uuid":"22222222-2222-4222-8222-222222222222",'
    '"themes":[["Friends, family and community","enabler"]],"told_on":"2026-11-20"}'
)

_ARTHUR_DETAILS = (
    '{"how_told":"own_words_written","language":"en","setting":"community","status":"final",'
    '"storyteller_uuid":"99999999-9999-4999-8999-999999999999","supporter_uuid":null,'
    '"themes":[],"told_on":"2026-11-18"}'
)

#: Each revision that added a table or a column, and a row for it as that revision took it.
ADDED_AT: dict[str, str] = {
    # Story history: the story's first draft, and what it says now (as the program saves it).
    "0003": f"""
        INSERT INTO story_versions
          (story_id, revision, saved_at, actor, title, own_words, recorder_notes, details)
        VALUES
          (1, 1, '2026-11-29 16:30:00.000000', 'advocate', 'Tea with my neighbour',
           'My neighbour comes round for tea.', '', '{_DETAILS % "draft"}'),
          (1, 2, '{NOW}', 'advocate', 'Tea with my neighbour',
           'My neighbour comes round for tea on Thursdays and we talk about the old mill.',
           'Very cheerful today.', '{_DETAILS % "final"}');
    """,
    # A second story of Edna's was shared, then withdrawn and purged: its tombstone stays, and
    # the notice telling the coordinator waits for the next bundle.
    "0004": """
        INSERT INTO tombstones
          (story_uuid, storyteller_uuid, reason, note, last_revision, occurred_at, actor)
        VALUES
          ('55555555-5555-4555-8555-555555555555', '11111111-1111-4111-8111-111111111111',
           'withdrawn', '', 3, '2026-11-25 14:00:00.000000', 'advocate');
        INSERT INTO withdrawal_notices
          (story_uuid, consent_uuid, decision, decided_on, recorded_at, sent_at, sent_in_bundle)
        VALUES
          ('55555555-5555-4555-8555-555555555555', '66666666-6666-4666-8666-666666666666',
           'withdrawn', '2026-11-25', '2026-11-25 14:00:00.000000', NULL, NULL);
    """,
    "0005": """
        INSERT INTO recipients (age_recipient, label, added_at, added_by)
        VALUES ('age12r8anxp2etx78nrr54re7y5ypkmuwh7tt7r7v70c2f9kxjl0xusqasljpq',
                'Valley coordinator', '2026-11-30 08:00:00.000000', 'advocate');
    """,
    # The story as it is now went out in a bundle to that coordinator.
    "0006": """
        INSERT INTO exports
          (id, bundle_id, created_at, created_by, file_name, recipients, plain, withdrawals)
        VALUES
          (1, '77777777-7777-4777-8777-777777777777', '2026-11-30 09:30:00.000000', 'advocate',
           'storykeeper-77777777-7777-4777-8777-777777777777.zip.age',
           '["age12r8anxp2etx78nrr54re7y5ypkmuwh7tt7r7v70c2f9kxjl0xusqasljpq"]', 0, 0);
        INSERT INTO export_items (export_id, story_uuid, revision)
        VALUES (1, '33333333-3333-4333-8333-333333333333', 2);
    """,
    "0007": """
        INSERT INTO trusted_signers
          (key_id, public_key, label, added_at, added_by, revoked_at)
        VALUES
          ('6C5FB9076645AE3', 'RWTjWmR2kPvFBqMeKnBk9zwQJhEybxuzuRNIpTkPIsUt2inmN/pSFr1k',
           'Priya (advocate)', '2026-11-30 08:15:00.000000', 'coordinator', NULL);
    """,
    # Priya's bundle brought Arthur Pugh's story: the ledger, its line, and where it came from.
    "0008": f"""
        INSERT INTO storytellers VALUES
          (2, '99999999-9999-4999-8999-999999999999', 'Arthur Pugh', 'Amber Otter 7', '65_79',
           '["speaking"]', '', '{NOW}', '{NOW}');
        INSERT INTO stories VALUES
          (2, '88888888-8888-4888-8888-888888888888', 2, NULL, 'The bus to market',
           'Every Tuesday the bus took us down the valley to the market.', '', '2026-11-18',
           'community', 'own_words_written', 'en', 'final', 2, '6C5FB9076645AE3',
           '2026-11-30 10:00:00.000000', '2026-11-30 10:00:00.000000', 'given', '2027-05-18');
        INSERT INTO consent_records
          (id, uuid, story_id, version, decision, basis, decided_by, capacity_notes,
           share_with_coordinator, anonymised_in_reports, quote_anonymised, publish_with_name,
           share_media, method, persons_words, witness_id, conditions, consulted,
           advocate_involved, best_interests_reasons, decided_on, review_by, recorded_at)
        VALUES
          (2, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 2, 1, 'given', 'own_consent',
           'Arthur Pugh', '', 1, 1, 1, 0, 0, 'signed_form', '', NULL, '', '', NULL, '',
           '2026-11-18', '2027-05-18', '2026-11-30 10:00:00.000000');
        INSERT INTO story_versions
          (story_id, revision, saved_at, actor, title, own_words, recorder_notes, details)
        VALUES
          (2, 2, '2026-11-30 10:00:00.000000', 'Priya (advocate) (imported)',
           'The bus to market', 'Every Tuesday the bus took us down the valley to the market.',
           '', '{_ARTHUR_DETAILS}');
        INSERT INTO imports
          (id, file_name, checked_at, actor, outcome, reason, bundle_id, signer_key_id,
           signer_label, stories_new, stories_updated, stories_skipped, stories_withdrawn,
           media_files)
        VALUES
          (1, 'storykeeper-bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb.zip.age',
           '2026-11-30 10:00:00.000000', 'coordinator', 'imported', '',
           'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '6C5FB9076645AE3', 'Priya (advocate)',
           1, 0, 0, 0, 0);
        INSERT INTO import_items (import_id, story_uuid, action, detail)
        VALUES (1, '88888888-8888-4888-8888-888888888888', 'new', '');
        INSERT INTO story_origins (story_id, signer_key_id, bundle_id, imported_at)
        VALUES (2, '6C5FB9076645AE3', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
                '2026-11-30 10:00:00.000000');
    """,
    "0010": """
        UPDATE imports
        SET file_digest = 'ec6ee75a219162f44307e0c20d4e8cc876467c5095598256e1582b3abcbfe427'
        WHERE id = 1;
    """,
    # Edna said yes to being recorded: a second consent version keeps the first and adds it
    # (decided today, review date kept), and bumps the story's revision as consent does.
    "0012": """
        INSERT INTO consent_records
          (id, uuid, story_id, version, decision, basis, decided_by, capacity_notes,
           share_with_coordinator, anonymised_in_reports, quote_anonymised, publish_with_name,
           share_media, record_audio, method, persons_words, witness_id, conditions, consulted,
           advocate_involved, best_interests_reasons, decided_on, review_by, recorded_at)
        VALUES
          (3, 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 1, 2, 'given', 'own_consent',
           'Edna Walsh', '', 1, 1, 1, 0, 0, 1, 'verbal', 'You can record me, love.', 1, '', '',
           NULL, '', '2026-11-30', '2027-05-20', '2026-11-30 11:00:00.000000');
        UPDATE stories SET revision = 3, updated_at = '2026-11-30 11:00:00.000000' WHERE id = 1;
    """,
}


def main(revision: str) -> None:
    target = FIXTURES / f"schema-{revision}.sqlite3"
    target.unlink(missing_ok=True)
    engine = create_sqlite_engine(target)
    with engine.begin() as connection:
        command.upgrade(migrations_config(connection), revision)
    engine.dispose()
    db = sqlite3.connect(target)
    db.executescript(STORY)
    for added_at, rows in ADDED_AT.items():
        if added_at <= revision:
            db.executescript(rows)
    db.commit()
    db.execute("VACUUM")
    db.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to commit
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
