"""The export ledger: each bundle written, and which revision of which story it carried.

So "everything new or changed since the last export" is one query, and a coordinator's question
"did you send me that story?" has an answer. Written by hand and frozen.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("plain", sa.Boolean(), nullable=False),
        sa.Column("withdrawals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exports"),
        sa.UniqueConstraint("bundle_id", name="uq_exports_bundle_id"),
    )
    op.create_table(
        "export_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("story_uuid", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["exports.id"],
            name="fk_export_items_export_id_exports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_export_items"),
    )
    op.create_index("ix_export_items_story_uuid", "export_items", ["story_uuid"])


def downgrade() -> None:
    op.drop_table("export_items")
    op.drop_table("exports")
