"""Consent and privacy done fully (issue 17): the Mental Capacity Act record of each consent
version, the people a story mentions, and which recipients each withdrawal notice reached.

- ``consent_records`` gains the structured record of a decision the person may not make alone:
  ``capacity_assessment`` and ``best_interests`` (each a JSON document, "" when not recorded),
  the advocate or IMCA involved by name (``advocate_name``) and the attorney's or deputy's LPA or
  order reference (``representative_reference``). Every version recorded before this one keeps
  its free-text fields and reads "not recorded" for these (server default ""): consent versions
  are append-only, and nothing is guessed into them.
- ``story_people_mentioned``: other people a story names (as written) and the role that stands
  in for them wherever the name may not go.
- ``withdrawal_notice_sends``: each recipient a withdrawal notice was sent to, so a notice goes
  only to recipients who were sent the story, each once. Notices sent before this revision are
  recorded as sent to the recipients of the bundle that carried them.

Written by hand and frozen.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_CONSENT_COLUMNS = (
    ("capacity_assessment", sa.Text()),
    ("best_interests", sa.Text()),
    ("advocate_name", sa.String(200)),
    ("representative_reference", sa.String(100)),
)


def upgrade() -> None:
    for name, kind in _CONSENT_COLUMNS:
        op.add_column("consent_records", sa.Column(name, kind, nullable=False, server_default=""))
    op.create_table(
        "story_people_mentioned",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "story_id",
            sa.Integer(),
            sa.ForeignKey(
                "stories.id",
                ondelete="CASCADE",
                name="fk_story_people_mentioned_story_id_stories",
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.UniqueConstraint("story_id", "position", name="uq_story_people_mentioned_story_id"),
    )
    op.create_table(
        "withdrawal_notice_sends",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "notice_id",
            sa.Integer(),
            sa.ForeignKey(
                "withdrawal_notices.id",
                ondelete="CASCADE",
                name="fk_withdrawal_notice_sends_notice_id_withdrawal_notices",
            ),
            nullable=False,
        ),
        # An age recipient, or "plain" for a plain bundle (sent to whoever holds the file).
        sa.Column("recipient", sa.String(80), nullable=False),
        sa.Column("bundle_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("notice_id", "recipient", name="uq_withdrawal_notice_sends_notice_id"),
    )
    _backfill_sends()


def _backfill_sends() -> None:
    """A notice sent before now reached the recipients of the bundle that carried it."""
    connection = op.get_bind()
    sent = connection.execute(
        sa.text(
            "SELECT n.id, n.sent_in_bundle, e.recipients FROM withdrawal_notices n "
            "JOIN exports e ON e.bundle_id = n.sent_in_bundle WHERE n.sent_in_bundle IS NOT NULL"
        )
    ).all()
    rows = []
    for notice_id, bundle_id, recipients in sent:
        try:
            listed = json.loads(recipients or "[]")
        except ValueError:
            listed = []
        for recipient in listed or ["plain"]:
            rows.append({"notice_id": notice_id, "recipient": recipient, "bundle_id": bundle_id})
    if rows:
        connection.execute(
            sa.text(
                "INSERT INTO withdrawal_notice_sends (notice_id, recipient, bundle_id) "
                "VALUES (:notice_id, :recipient, :bundle_id)"
            ),
            rows,
        )


def downgrade() -> None:
    op.drop_table("withdrawal_notice_sends")
    op.drop_table("story_people_mentioned")
    for name, _ in reversed(_CONSENT_COLUMNS):
        op.execute(f"ALTER TABLE consent_records DROP COLUMN {name}")
