"""Consent records: the ``record_audio`` scope, whether the person's voice may be recorded here.

Recording an interview needs the person's agreement, kept as part of their consent (issue 8).
Like the other scopes it is a column of its own; every version recorded before this one reads
as "not agreed" (server default false), so nothing already stored allows a recording it never
asked about. Written by hand and frozen.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "consent_records",
        sa.Column("record_audio", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # The table is copied without the column (SQLite before 3.35 cannot drop one). Its foreign
    # keys are kept as written, without reflecting the tables they point to: reflecting
    # ``stories`` would trip over its expression index (0011), which SQLAlchemy cannot read.
    with op.batch_alter_table("consent_records", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.drop_column("record_audio")
