"""Made tests/migrations/fixtures/schema-0002.sqlite3: a store as the second schema left it.

The same data as the first-schema fixture, written the same way, in a store upgraded to "0002"
(so the FTS5 triggers indexed the story as it was inserted). Kept to show how the fixture was
made; it is committed and never regenerated, because it must stay exactly what a user's database
looked like at that schema. Rows are written with plain SQL so the fixture does not depend on
today's models.

    python tests/migrations/make_fixture_0002.py
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from storykeeper.core.db import create_sqlite_engine, migrations_config

TARGET = Path(__file__).parent / "fixtures" / "schema-0002.sqlite3"


def main() -> None:
    TARGET.unlink(missing_ok=True)
    engine = create_sqlite_engine(TARGET)
    with engine.begin() as connection:
        command.upgrade(migrations_config(connection), "0002")
    engine.dispose()
    db = sqlite3.connect(TARGET)
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
    main()
