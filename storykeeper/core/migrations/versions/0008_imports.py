"""Imports: the ledger of bundles read here, each one's report, and where stories came from.

``imports`` keeps every attempt (imported, already imported, refused) with its reason and counts;
the bundle id of an imported one is what makes importing the same bundle again change nothing.
``import_items`` is the per-story line of the report (no story content: the title is looked up
when shown, so a purge leaves nothing behind here). ``story_origins`` remembers, for each
imported story, the signer and the bundle it came in. Written by hand and frozen.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("bundle_id", sa.String(36), nullable=True),
        sa.Column("signer_key_id", sa.String(16), nullable=True),
        sa.Column("signer_label", sa.String(200), nullable=False),
        sa.Column("stories_new", sa.Integer(), nullable=False),
        sa.Column("stories_updated", sa.Integer(), nullable=False),
        sa.Column("stories_skipped", sa.Integer(), nullable=False),
        sa.Column("stories_withdrawn", sa.Integer(), nullable=False),
        sa.Column("media_files", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
    )
    op.create_index("ix_imports_bundle_id", "imports", ["bundle_id"])
    op.create_table(
        "import_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("story_uuid", sa.String(36), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name="fk_import_items_import_id_imports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_items"),
    )
    op.create_index("ix_import_items_import_id", "import_items", ["import_id"])
    op.create_table(
        "story_origins",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("signer_key_id", sa.String(16), nullable=False),
        sa.Column("bundle_id", sa.String(36), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_story_origins_story_id_stories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", name="pk_story_origins"),
    )
    op.create_index("ix_story_origins_signer_key_id", "story_origins", ["signer_key_id"])


def downgrade() -> None:
    op.drop_index("ix_story_origins_signer_key_id", table_name="story_origins")
    op.drop_table("story_origins")
    op.drop_index("ix_import_items_import_id", table_name="import_items")
    op.drop_table("import_items")
    op.drop_index("ix_imports_bundle_id", table_name="imports")
    op.drop_table("imports")
