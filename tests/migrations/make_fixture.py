"""Made tests/migrations/fixtures/schema-NNNN.sqlite3: a store as schema NNNN left it.

Each fixture holds the same small story, written with plain SQL (so it does not depend on
today's models) into a store migrated to that revision — at 0002 and later, the FTS5 triggers
index it as it goes in. Kept to show how the fixtures were made; they are committed and never
regenerated, because each must stay exactly what a user's database looked like at that schema.
Make one for every released schema:

    python tests/migrations/make_fixture.py 0001
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from alembic import command

from storykeeper.core.db import create_sqlite_engine, migrations_config

FIXTURES = Path(__file__).parent / "fixtures"


def main(revision: str) -> None:
    target = FIXTURES / f"schema-{revision}.sqlite3"
    target.unlink(missing_ok=True)
    engine = create_sqlite_engine(target)
    with engine.begin() as connection:
        command.upgrade(migrations_config(connection), revision)
    engine.dispose()
    db = sqlite3.connect(target)
    now = "2026-11-30 09:00:00.000000"
    db.executescript(
        f"""
        INSERT INTO settings VALUES ('device_id', '0b5e7f4e-9c1f-4f7e-8a53-6a1d2e3f4a5b');
        INSERT INTO storytellers VALUES
          (1, '11111111-1111-4111-8111-111111111111', 'Edna Walsh', 'Quiet Heron 42', '80_plus',
           '["speaking"]', 'Short visits.', '{now}', '{now}');
        INSERT INTO supporters VALUES
          (1, '22222222-2222-4222-8222-222222222222', 'Rhys Morgan', 'independent_advocate',
           'Valley Advocacy', '', '{now}', '{now}');
        INSERT INTO stories VALUES
          (1, '33333333-3333-4333-8333-333333333333', 1, 1, 'Tea with my neighbour',
           'My neighbour comes round for tea on Thursdays and we talk about the old mill.',
           'Very cheerful today.', '2026-11-20', 'home', 'spoken_written_down', 'en', 'final', 2,
           '0b5e7f4e-9c1f-4f7e-8a53-6a1d2e3f4a5b', '{now}', '{now}', 'given', '2027-05-20');
        INSERT INTO story_themes VALUES
          (1, (SELECT id FROM themes WHERE name = 'Friends, family and community'), 'enabler');
        INSERT INTO consent_records VALUES
          (1, '44444444-4444-4444-8444-444444444444', 1, 1, 'given', 'own_consent', 'Edna Walsh',
           '', 1, 1, 1, 0, 0, 'verbal', 'Yes, people should know.', 1, '', '', NULL, '',
           '2026-11-20', '2027-05-20', '{now}');
        """
    )
    db.commit()
    db.execute("VACUUM")
    db.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to commit
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
