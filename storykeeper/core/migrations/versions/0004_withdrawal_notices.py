"""Withdrawal notices: the queue of withdrawals the coordinator must be told about.

When consent for a story that was shared is withdrawn (or no longer covers sharing), a notice is
queued here. It names the story only by its UUID, so it outlives the story's purged content, and
the next bundle carries it so the coordinator purges their copy.

Written by hand and frozen.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "withdrawal_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_uuid", sa.String(36), nullable=False),
        sa.Column("consent_uuid", sa.String(36), nullable=False),
        sa.Column("decision", sa.String(30), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sent_in_bundle", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_withdrawal_notices"),
        sa.UniqueConstraint("consent_uuid", name="uq_withdrawal_notices_consent_uuid"),
    )
    op.create_index("ix_withdrawal_notices_story_uuid", "withdrawal_notices", ["story_uuid"])
    op.create_index("ix_withdrawal_notices_sent_at", "withdrawal_notices", ["sent_at"])


def downgrade() -> None:
    op.drop_table("withdrawal_notices")
