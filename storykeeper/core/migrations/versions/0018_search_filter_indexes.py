"""Narrow indexes for the story list's filters, so that filtering never reads the story rows.

A story's row holds its words, so the rows are most of the file (104 MB of 535 at 100,000
stories). A filter that SQLite answered from an index but then sorted by the date last changed,
or checked a second column for, read the row of every story it found: "polarity enabler" read
63,000 rows for a page of 200 (0.3-0.6 s on an encrypted store, whose page cache of 32 MB
cannot hold them and decrypts each page again). These indexes carry every column the list
filters on, beside the id and the date last changed, 10 MB each:

- ``ix_stories_list`` (updated_at, id, …): the list walked newest first, filters checked in the
  index, stopping at the page's last story. It replaces ``ix_stories_updated_at``, its first
  column.
- ``ix_stories_filters`` (id, updated_at, …): a story looked up by id (a search's matches, a
  theme's stories) without its row.
- ``ix_stories_review_due`` (consent_state, consent_review_by): the review-due stories counted
  from one index. It replaces ``ix_stories_consent_state``, its first column.

A store whose planner statistics were already gathered gets them for the new indexes too, as
SQLite plans without statistics for an index it has none for. Written by hand and frozen.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from alembic import op
from sqlalchemy import text

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Frozen copy of models.LIST_FILTER_COLUMNS at this revision.
_FILTER_COLUMNS = (
    "status, consent_state, consent_review_by, told_on, setting, how_told, supporter_id, "
    "storyteller_id"
)


def upgrade() -> None:
    op.execute("DROP INDEX ix_stories_updated_at")
    op.execute("DROP INDEX ix_stories_consent_state")
    op.execute(f"CREATE INDEX ix_stories_list ON stories (updated_at, id, {_FILTER_COLUMNS})")
    op.execute(f"CREATE INDEX ix_stories_filters ON stories (id, updated_at, {_FILTER_COLUMNS})")
    op.execute("CREATE INDEX ix_stories_review_due ON stories (consent_state, consent_review_by)")
    analysed = op.get_bind().execute(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1' AND type = 'table'")
    )
    if analysed.scalar():
        op.execute("ANALYZE stories")


def downgrade() -> None:
    op.execute("DROP INDEX ix_stories_review_due")
    op.execute("DROP INDEX ix_stories_filters")
    op.execute("DROP INDEX ix_stories_list")
    op.execute("CREATE INDEX ix_stories_consent_state ON stories (consent_state)")
    op.execute("CREATE INDEX ix_stories_updated_at ON stories (updated_at)")
