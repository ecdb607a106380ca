"""Photo captions (issue 20): an attachment may carry a caption or description, written by the
advocate and used as the screen reader's name for the picture.

``attachments`` gains ``caption`` ("" when none has been written yet, which is every attachment
made before this revision). Captions stay on this computer: the bundle format is unchanged.

Written by hand and frozen.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "attachments",
        sa.Column("caption", sa.String(500), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE attachments DROP COLUMN caption")
