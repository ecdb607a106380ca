"""Story history: saved versions of each story's wording and fields.

Every story already stored gets one version now, copied from its current row and dated when it
was last saved, so its history starts from what it says today. The other fields go into
``details`` as a JSON object of the same shape ``stories.py`` writes (themes in any order: the
reader sorts them).

Written by hand and frozen: it names every column literally rather than importing the models.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("own_words", sa.Text(), nullable=False),
        sa.Column("recorder_notes", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.CheckConstraint("revision >= 1", name="ck_story_versions_revision_positive"),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_story_versions_story_id_stories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_story_versions"),
    )
    op.create_index("ix_story_versions_story_id", "story_versions", ["story_id"])
    # One version per existing story, in one statement (fast at 100,000 stories). json_object
    # keeps its keys in the order given, which is sorted here.
    op.execute(
        """
        INSERT INTO story_versions
            (story_id, revision, saved_at, actor, title, own_words, recorder_notes, details)
        SELECT s.id, s.revision, s.updated_at, 'migration', s.title, s.own_words,
               s.recorder_notes,
               json_object(
                   'how_told', s.how_told,
                   'language', s.language,
                   'setting', s.setting,
                   'status', s.status,
                   'storyteller_uuid',
                   (SELECT t.uuid FROM storytellers AS t WHERE t.id = s.storyteller_id),
                   'supporter_uuid',
                   (SELECT p.uuid FROM supporters AS p WHERE p.id = s.supporter_id),
                   'themes',
                   json((SELECT json_group_array(json_array(th.name, st.polarity))
                         FROM story_themes AS st JOIN themes AS th ON th.id = st.theme_id
                         WHERE st.story_id = s.id)),
                   'told_on', s.told_on
               )
        FROM stories AS s
        ORDER BY s.id
        """
    )


def downgrade() -> None:
    op.drop_index("ix_story_versions_story_id", table_name="story_versions")
    op.drop_table("story_versions")
