"""The first schema: people, stories, themes, consent, attachments, audit log, tombstones.

Written by hand and frozen: it must build exactly this schema forever, whatever the models become,
so it names every column and the seeded themes literally rather than importing them.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEEDED_THEMES = [
    "Choice and control",
    "Personal budgets and direct payments",
    "Being listened to",
    "Staff attitudes and continuity",
    "Information and advice",
    "Red tape and paperwork",
    "Money and charges",
    "Getting out and about",
    "Friends, family and community",
    "Activities and interests",
    "Health services",
    "Housing and home",
    "Technology and social media",
    "Advocacy",
    "Support for carers",
]


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.create_table(
        "storytellers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("pseudonym", sa.String(100), nullable=False),
        sa.Column("age_band", sa.String(20), nullable=True),
        sa.Column("communication", sa.Text(), nullable=False),
        sa.Column("support_needs", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_storytellers"),
        sa.UniqueConstraint("uuid", name="uq_storytellers_uuid"),
        sa.UniqueConstraint("pseudonym", name="uq_storytellers_pseudonym"),
    )
    op.create_table(
        "supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supporters"),
        sa.UniqueConstraint("uuid", name="uq_supporters_uuid"),
    )
    themes = op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100, collation="NOCASE"), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("seeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_themes"),
        sa.UniqueConstraint("name", name="uq_themes_name"),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("storyteller_id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("own_words", sa.Text(), nullable=False),
        sa.Column("recorder_notes", sa.Text(), nullable=False),
        sa.Column("told_on", sa.Date(), nullable=True),
        sa.Column("setting", sa.String(20), nullable=True),
        sa.Column("how_told", sa.String(30), nullable=True),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("origin_device", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("consent_state", sa.String(30), nullable=False),
        sa.Column("consent_review_by", sa.Date(), nullable=True),
        sa.CheckConstraint("revision >= 1", name="ck_stories_revision_positive"),
        sa.ForeignKeyConstraint(
            ["storyteller_id"],
            ["storytellers.id"],
            name="fk_stories_storyteller_id_storytellers",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name="fk_stories_supporter_id_supporters",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
        sa.UniqueConstraint("uuid", name="uq_stories_uuid"),
    )
    for column in (
        "status",
        "storyteller_id",
        "supporter_id",
        "told_on",
        "updated_at",
        "consent_state",
        "consent_review_by",
    ):
        op.create_index(f"ix_stories_{column}", "stories", [column])
    op.create_table(
        "story_themes",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("polarity", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_story_themes_story_id_stories",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name="fk_story_themes_theme_id_themes", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("story_id", "theme_id", name="pk_story_themes"),
    )
    op.create_index(
        "ix_story_themes_theme_polarity", "story_themes", ["theme_id", "polarity", "story_id"]
    )
    op.create_index("ix_story_themes_polarity", "story_themes", ["polarity", "story_id"])
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(30), nullable=False),
        sa.Column("basis", sa.String(40), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("capacity_notes", sa.Text(), nullable=False),
        sa.Column("share_with_coordinator", sa.Boolean(), nullable=False),
        sa.Column("anonymised_in_reports", sa.Boolean(), nullable=False),
        sa.Column("quote_anonymised", sa.Boolean(), nullable=False),
        sa.Column("publish_with_name", sa.Boolean(), nullable=False),
        sa.Column("share_media", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(30), nullable=False),
        sa.Column("persons_words", sa.Text(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("consulted", sa.Text(), nullable=False),
        sa.Column("advocate_involved", sa.Boolean(), nullable=True),
        sa.Column("best_interests_reasons", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("version >= 1", name="ck_consent_records_version_positive"),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_consent_records_story_id_stories",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"],
            ["supporters.id"],
            name="fk_consent_records_witness_id_supporters",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consent_records"),
        sa.UniqueConstraint("uuid", name="uq_consent_records_uuid"),
        sa.UniqueConstraint("story_id", "version", name="uq_consent_records_story_version"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("size >= 0", name="ck_attachments_size_not_negative"),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_attachments_story_id_stories", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("uuid", name="uq_attachments_uuid"),
    )
    op.create_index("ix_attachments_story_id", "attachments", ["story_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("entity_uuid", sa.String(36), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.UniqueConstraint("hash", name="uq_audit_events_hash"),
    )
    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_uuid", sa.String(36), nullable=False),
        sa.Column("storyteller_uuid", sa.String(36), nullable=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("last_revision", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tombstones"),
        sa.UniqueConstraint("story_uuid", name="uq_tombstones_story_uuid"),
    )
    seeded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.bulk_insert(
        themes,
        [
            {"name": name, "description": "", "seeded": True, "created_at": seeded_at}
            for name in SEEDED_THEMES
        ],
    )


def downgrade() -> None:
    for table in (
        "tombstones",
        "audit_events",
        "attachments",
        "consent_records",
        "story_themes",
        "stories",
        "themes",
        "supporters",
        "storytellers",
        "settings",
    ):
        op.drop_table(table)
