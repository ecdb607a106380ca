"""Search: prefix indexes of 1, 2 and 3 letters, so search-as-you-type stays fast.

A person's last word is searched as a prefix while they type ("pa" finds "payments"). Without a
prefix index FTS5 merges the lists of every word with that beginning, for each query and again
for each snippet: at 100,000 stories "p" took 5 s and "pa" 1.5 s, almost all of it making the
page's snippets. With these indexes both take a few milliseconds (docs/performance.md); the
database grows by about 40%.

The index is made again from its source view; the triggers that keep it in step are unchanged.
Written by hand and frozen.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = "title, own_words, recorder_notes, storyteller"
_OPTIONS = (
    "content='story_search_source', content_rowid='rowid', "
    "tokenize='porter unicode61 remove_diacritics 2'"
)


def _make_index(prefixes: str) -> None:
    op.execute("DROP TABLE story_fts")
    op.execute(f"CREATE VIRTUAL TABLE story_fts USING fts5({_COLUMNS}, {_OPTIONS}{prefixes})")
    op.execute("INSERT INTO story_fts(story_fts) VALUES('rebuild')")


def upgrade() -> None:
    _make_index(", prefix='1 2 3'")


def downgrade() -> None:
    _make_index("")
