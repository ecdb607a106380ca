"""Imports: the digest of each imported file's age header, so offering the same file again is
answered without decrypting it.

An age file's header holds a fresh random key for every encryption, and its payload nonce is
random too, so the header, the nonce and the file's size name one encryption of one bundle. A
re-import of a 1 GB bundle took 3.2 s, nearly all of it decrypting (docs/performance.md).
Written by hand and frozen.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("imports", sa.Column("file_digest", sa.String(64), nullable=True))
    op.create_index("ix_imports_file_digest", "imports", ["file_digest"])


def downgrade() -> None:
    op.drop_index("ix_imports_file_digest", table_name="imports")
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("file_digest")
