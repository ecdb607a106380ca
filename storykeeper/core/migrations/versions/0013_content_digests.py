"""Content digests: each story, saved version and consent version says what it held when written.

``content_digest`` holds one SHA-256 (cut to 16 hex characters) per field, as JSON, so that
`check` can name a word or a date changed outside Storykeeper (issue 15). Every row already
stored gets its digests now, from the values it holds: whatever it says today is taken as
written by the program.

The digests are computed by ``storykeeper.core.digests.field_digests``, imported rather than
copied: that module is documented as frozen (its canonical form is part of the stored data), and
a copy here could drift from it unnoticed, which would make every store migrated by this file
report damage at its first check. The columns each digest covers are named here literally, as
frozen migrations do, and equal ``models.DIGESTED_FIELDS`` today (a test compares them).

Written by hand and frozen.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storykeeper.core.digests import field_digests

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: Each table's digested columns, and the column defaults an INSERT would have filled.
DIGESTED = {
    "stories": (
        "title",
        "own_words",
        "recorder_notes",
        "told_on",
        "setting",
        "how_told",
        "language",
        "status",
    ),
    "story_versions": ("title", "own_words", "recorder_notes", "details"),
    "consent_records": (
        "decision",
        "basis",
        "decided_by",
        "capacity_notes",
        "share_with_coordinator",
        "anonymised_in_reports",
        "quote_anonymised",
        "publish_with_name",
        "share_media",
        "record_audio",
        "method",
        "persons_words",
        "conditions",
        "consulted",
        "advocate_involved",
        "best_interests_reasons",
        "decided_on",
        "review_by",
    ),
}
#: Rows read and written at a time: a store of 100,000 long stories never sits in memory whole.
BATCH = 1000


def upgrade() -> None:
    connection = op.get_bind()
    for table, fields in DIGESTED.items():
        # NOT NULL needs a default for the rows already there; they are filled straight after.
        op.add_column(
            table, sa.Column("content_digest", sa.Text(), nullable=False, server_default="")
        )
        columns = ", ".join(fields)
        last = 0
        while True:
            rows = connection.execute(
                sa.text(
                    f"SELECT id, {columns} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"
                ),
                {"last": last},
            ).all()
            if not rows:
                break
            connection.execute(
                sa.text(f"UPDATE {table} SET content_digest = :digest WHERE id = :id"),
                [
                    {
                        "id": row[0],
                        "digest": field_digests(dict(zip(fields, row[1:], strict=True)), fields),
                    }
                    for row in rows
                ],
            )
            last = rows[-1][0]


def downgrade() -> None:
    # SQLite 3.35 and later drop a column in place. Batch mode would copy the table instead,
    # and a copy of ``stories`` loses the search index's triggers (0002).
    for table in DIGESTED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN content_digest")
