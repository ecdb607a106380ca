"""Imports: the digest of each imported bundle's signed contents, so the same signer's bundle id
offered again with other contents is refused as a conflict, not taken for the bundle imported
before (issue 16).

The digest is SHA-256 over ``tagmanifest-sha512.txt``, the file the signature covers, which
covers every other file through the manifests. Imports before this revision have none: their
bundle ids are answered "already imported", as before. Written by hand and frozen.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("imports", sa.Column("content_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+), not a batch copy of the table: dropping the old
    # ``imports`` would cascade to ``import_items`` and lose every import's lines.
    op.execute("ALTER TABLE imports DROP COLUMN content_digest")
