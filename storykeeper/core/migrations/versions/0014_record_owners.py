"""Record owners: the signer each imported storyteller, supporter and tombstone belongs to.

At the coordinator's every imported record belongs to the signer that first sent it (issue 16):
a record of one signer can be created, changed or withdrawn only by that signer's bundles.
Stories already say so (``story_origins``); storytellers, supporters and tombstones now carry
``signer_key_id`` too, empty for records made on this computer.

Filled from what is known: a storyteller or supporter takes the signer of the earliest imported
story that names them (as storyteller, supporter or consent witness). A tombstone left by a
withdrawal for a story never held here (revision 0) takes the signer of the earliest imported
bundle that withdrew it, and keeps out that signer's story only; any other tombstone (a story
held here, then withdrawn or deleted) keeps its id out for good, from anyone, as before. A
record no import names stays this computer's own.

Written by hand and frozen.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OWNED = ("storytellers", "supporters", "tombstones")


def upgrade() -> None:
    # A nullable column is added in place: no table is copied, so the search view over
    # storytellers and the foreign keys to them are left as they are.
    for table in OWNED:
        op.add_column(table, sa.Column("signer_key_id", sa.String(16), nullable=True))
    op.execute(
        """
        UPDATE storytellers SET signer_key_id = (
            SELECT o.signer_key_id FROM stories AS s
            JOIN story_origins AS o ON o.story_id = s.id
            WHERE s.storyteller_id = storytellers.id
            ORDER BY o.imported_at, s.id LIMIT 1
        )
        """
    )
    # A storyteller whose imported stories were all withdrawn since: their tombstones still
    # name them, and the ledger says whose bundle withdrew each story.
    op.execute(
        """
        UPDATE storytellers SET signer_key_id = (
            SELECT i.signer_key_id FROM tombstones AS t
            JOIN import_items AS item ON item.story_uuid = t.story_uuid
            JOIN imports AS i ON i.id = item.import_id
            WHERE t.storyteller_uuid = storytellers.uuid
              AND item.action = 'withdrawn' AND i.outcome = 'imported'
            ORDER BY i.id LIMIT 1
        )
        WHERE signer_key_id IS NULL
        """
    )
    op.execute(
        """
        UPDATE supporters SET signer_key_id = (
            SELECT o.signer_key_id FROM stories AS s
            JOIN story_origins AS o ON o.story_id = s.id
            WHERE s.supporter_id = supporters.id
               OR s.id IN (SELECT c.story_id FROM consent_records AS c
                           WHERE c.witness_id = supporters.id)
            ORDER BY o.imported_at, s.id LIMIT 1
        )
        """
    )
    op.execute(
        """
        UPDATE tombstones SET signer_key_id = (
            SELECT i.signer_key_id FROM import_items AS item
            JOIN imports AS i ON i.id = item.import_id
            WHERE item.story_uuid = tombstones.story_uuid
              AND item.action = 'withdrawn' AND i.outcome = 'imported'
            ORDER BY i.id LIMIT 1
        )
        WHERE last_revision = 0 AND reason = 'withdrawn'
        """
    )


def downgrade() -> None:
    # SQLite drops a column in place (3.35 and later); a batch copy of storytellers would
    # break the search view and the stories' foreign keys to it.
    for table in OWNED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN signer_key_id")
