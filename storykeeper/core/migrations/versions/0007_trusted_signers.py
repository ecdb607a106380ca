"""Trusted signers: the minisign public keys whose bundles this computer accepts.

A revoked signer stays listed (with when it was revoked), so bundles it signed before stay
explained. Written by hand and frozen.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trusted_signers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(100), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trusted_signers"),
        sa.UniqueConstraint("key_id", name="uq_trusted_signers_key_id"),
    )


def downgrade() -> None:
    op.drop_table("trusted_signers")
