"""Full-text search over stories: an FTS5 index kept in step by triggers.

The index reads its text from the view ``story_search_source`` (title, own words, recorder's
notes, and the storyteller's name and pseudonym), so the words are stored once, in the tables.
SQLite 3.40 (Debian 12, Python 3.11) has no contentless-delete tables, so the triggers hand FTS5
the old values to remove: they must match exactly what was indexed, which is why the storyteller's
text is built by the same expression everywhere.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The storyteller's searchable text, for a storyteller row aliased as `t`.
_TELLER = "t.display_name || ' ' || t.pseudonym"


def _teller_of(story_alias: str) -> str:
    return f"(SELECT {_TELLER} FROM storytellers AS t WHERE t.id = {story_alias}.storyteller_id)"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE VIEW story_search_source AS
        SELECT s.id AS rowid, s.title AS title, s.own_words AS own_words,
               s.recorder_notes AS recorder_notes, {_TELLER} AS storyteller
        FROM stories AS s JOIN storytellers AS t ON t.id = s.storyteller_id
        """
    )
    op.execute(
        """
        CREATE VIRTUAL TABLE story_fts USING fts5(
            title, own_words, recorder_notes, storyteller,
            content='story_search_source', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER story_fts_after_insert AFTER INSERT ON stories BEGIN
            INSERT INTO story_fts (rowid, title, own_words, recorder_notes, storyteller)
            VALUES (new.id, new.title, new.own_words, new.recorder_notes, {_teller_of("new")});
        END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER story_fts_after_delete AFTER DELETE ON stories BEGIN
            INSERT INTO story_fts (story_fts, rowid, title, own_words, recorder_notes, storyteller)
            VALUES ('delete', old.id, old.title, old.own_words, old.recorder_notes,
                    {_teller_of("old")});
        END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER story_fts_after_update
        AFTER UPDATE OF title, own_words, recorder_notes, storyteller_id ON stories BEGIN
            INSERT INTO story_fts (story_fts, rowid, title, own_words, recorder_notes, storyteller)
            VALUES ('delete', old.id, old.title, old.own_words, old.recorder_notes,
                    {_teller_of("old")});
            INSERT INTO story_fts (rowid, title, own_words, recorder_notes, storyteller)
            VALUES (new.id, new.title, new.own_words, new.recorder_notes, {_teller_of("new")});
        END
        """
    )
    # A renamed storyteller: re-index each of their stories under the new name.
    op.execute(
        """
        CREATE TRIGGER story_fts_after_storyteller_rename
        AFTER UPDATE OF display_name, pseudonym ON storytellers BEGIN
            INSERT INTO story_fts (story_fts, rowid, title, own_words, recorder_notes, storyteller)
            SELECT 'delete', s.id, s.title, s.own_words, s.recorder_notes,
                   old.display_name || ' ' || old.pseudonym
            FROM stories AS s WHERE s.storyteller_id = old.id;
            INSERT INTO story_fts (rowid, title, own_words, recorder_notes, storyteller)
            SELECT s.id, s.title, s.own_words, s.recorder_notes,
                   new.display_name || ' ' || new.pseudonym
            FROM stories AS s WHERE s.storyteller_id = new.id;
        END
        """
    )
    # Stories stored before this revision are indexed now.
    op.execute("INSERT INTO story_fts (story_fts) VALUES ('rebuild')")


def downgrade() -> None:
    for trigger in (
        "story_fts_after_storyteller_rename",
        "story_fts_after_update",
        "story_fts_after_delete",
        "story_fts_after_insert",
    ):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE story_fts")
    op.execute("DROP VIEW story_search_source")
