"""SQLAlchemy 2 declarative models: the shape of the local store.

Rows never leave the core: the domain modules turn them into frozen dataclasses before returning.
The schema itself is created and upgraded only by the Alembic migrations in ``migrations/``; these
models must match the newest migration (a test compares them).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from storykeeper.core import clock
from storykeeper.core.digests import field_digests

# Named constraints let Alembic's batch mode on SQLite find and alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores naive UTC, returns aware UTC: SQLite has no time zones, people do."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use storykeeper.core.clock.now()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SettingRow(Base):
    """Small facts about this store: the device id, the audit chain's head."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StorytellerRow(Base):
    __tablename__ = "storytellers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    display_name: Mapped[str] = mapped_column(String(200))
    pseudonym: Mapped[str] = mapped_column(String(100), unique=True)
    age_band: Mapped[str | None] = mapped_column(String(20))
    # A JSON list of Communication values, in the person's order of preference.
    communication: Mapped[str] = mapped_column(Text, default="[]")
    support_needs: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The trusted signer whose bundle brought it here (None: made on this computer). Only
    #: that signer's bundles may change it (migration 0014).
    signer_key_id: Mapped[str | None] = mapped_column(String(16))

    stories: Mapped[list[StoryRow]] = relationship(back_populates="storyteller")


class SupporterRow(Base):
    __tablename__ = "supporters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The trusted signer whose bundle brought it here (None: made on this computer). Only
    #: that signer's bundles may change it (migration 0014).
    signer_key_id: Mapped[str | None] = mapped_column(String(16))


class ThemeRow(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Themes travel between machines by name (BUNDLE.md), so names are unique ignoring case.
    name: Mapped[str] = mapped_column(String(100, collation="NOCASE"), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    seeded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


#: The story columns the list filters on, kept in the list's narrow indexes (migration 0018).
LIST_FILTER_COLUMNS = (
    "status",
    "consent_state",
    "consent_review_by",
    "told_on",
    "setting",
    "how_told",
    "supporter_id",
    "storyteller_id",
)


class StoryRow(Base):
    __tablename__ = "stories"
    __table_args__ = (
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_stories_status", "status"),
        Index("ix_stories_storyteller_id", "storyteller_id"),
        Index("ix_stories_supporter_id", "supporter_id"),
        Index("ix_stories_told_on", "told_on"),
        Index("ix_stories_consent_review_by", "consent_review_by"),
        # The list's filters answered without reading a story's wide row (migration 0018):
        # walked in the list's order, looked up by id, and the review-due stories.
        Index("ix_stories_list", "updated_at", "id", *LIST_FILTER_COLUMNS),
        Index("ix_stories_filters", "id", "updated_at", *LIST_FILTER_COLUMNS),
        Index("ix_stories_review_due", "consent_state", "consent_review_by"),
        # The list sorted by title as shown (search.TITLE_SORT_SQL; migration 0011).
        Index(
            "ix_stories_title_sort",
            text(
                "CASE WHEN consent_state = 'withdrawn' THEN '(consent withdrawn: content hidden)' "
                "ELSE lower(title) END"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    storyteller_id: Mapped[int] = mapped_column(ForeignKey("storytellers.id", ondelete="RESTRICT"))
    supporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("supporters.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    own_words: Mapped[str] = mapped_column(Text, default="")
    recorder_notes: Mapped[str] = mapped_column(Text, default="")
    told_on: Mapped[dt.date | None] = mapped_column(Date)
    setting: Mapped[str | None] = mapped_column(String(20))
    how_told: Mapped[str | None] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(35), default="en")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    origin_device: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Derived from the newest consent record and kept in step by consent.record_consent, so the
    # consent filters use an index; `check` recomputes it and reports any difference.
    consent_state: Mapped[str] = mapped_column(String(30), default="none")
    consent_review_by: Mapped[dt.date | None] = mapped_column(Date)
    # One digest per field of DIGESTED_FIELDS (core/digests.py), set on every flush; migration
    # 0013. `check` names the field whose value no longer matches.
    content_digest: Mapped[str] = mapped_column(Text, server_default="")

    storyteller: Mapped[StorytellerRow] = relationship(back_populates="stories")
    supporter: Mapped[SupporterRow | None] = relationship()
    themes: Mapped[list[StoryThemeRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    def bump_revision(self) -> None:
        """Mark a saved change to the story or to anything that travels with it (consent,
        attachments), so the newest copy wins wherever it is imported."""
        self.revision += 1
        self.updated_at = clock.now()


class StoryThemeRow(Base):
    __tablename__ = "story_themes"
    __table_args__ = (
        Index("ix_story_themes_theme_polarity", "theme_id", "polarity", "story_id"),
        Index("ix_story_themes_polarity", "polarity", "story_id"),
    )

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True
    )
    polarity: Mapped[str] = mapped_column(String(10))

    theme: Mapped[ThemeRow] = relationship()


class StoryVersionRow(Base):
    """A saved version of a story's wording and fields, so earlier wording can be looked back at.

    Written by ``stories.create_story`` and ``stories.update_story`` only (consent and attachments
    raise the revision but are not part of this history). Saves by one actor less than
    ``stories.VERSION_COALESCE`` apart overwrite the newest version instead of adding one, so
    autosaves while someone types make one version, not hundreds. Deleted with the story.
    """

    __tablename__ = "story_versions"
    __table_args__ = (
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_story_versions_story_id", "story_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    own_words: Mapped[str] = mapped_column(Text, default="")
    recorder_notes: Mapped[str] = mapped_column(Text, default="")
    # JSON object of the other fields: told_on (ISO date or null), setting, how_told, language,
    # status, storyteller_uuid, supporter_uuid (or null), themes as [[name, polarity], ...].
    details: Mapped[str] = mapped_column(Text, default="{}")
    content_digest: Mapped[str] = mapped_column(Text, server_default="")


class ConsentRecordRow(Base):
    """One version of a story's consent. Append-only: never updated, never deleted on its own."""

    __tablename__ = "consent_records"
    __table_args__ = (
        UniqueConstraint("story_id", "version", name="uq_consent_records_story_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(30))
    basis: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(200))
    capacity_notes: Mapped[str] = mapped_column(Text, default="")
    share_with_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised_in_reports: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_with_name: Mapped[bool] = mapped_column(Boolean, default=False)
    share_media: Mapped[bool] = mapped_column(Boolean, default=False)
    # Added by migration 0012: versions recorded before it read as "not agreed".
    record_audio: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    method: Mapped[str] = mapped_column(String(30))
    persons_words: Mapped[str] = mapped_column(Text, default="")
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id", ondelete="SET NULL"))
    conditions: Mapped[str] = mapped_column(Text, default="")
    # Best-interests decisions (Mental Capacity Act 2005, s.4): who was consulted, whether an
    # advocate or IMCA took part, and why the decision is in the person's interests.
    consulted: Mapped[str] = mapped_column(Text, default="")
    advocate_involved: Mapped[bool | None] = mapped_column(Boolean)
    best_interests_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date] = mapped_column(Date)
    review_by: Mapped[dt.date | None] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    content_digest: Mapped[str] = mapped_column(Text, server_default="")
    # The Mental Capacity Act record (migration 0016; "" in versions recorded before it: "not
    # recorded"). Each assessment and best-interests record is a JSON document of its own
    # (consent.CapacityAssessment, consent.BestInterests): a version is written once, whole.
    capacity_assessment: Mapped[str] = mapped_column(Text, default="", server_default="")
    best_interests: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The independent advocate or IMCA who took part, by name.
    advocate_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: The attorney's LPA reference or the deputy's court order number.
    representative_reference: Mapped[str] = mapped_column(
        String(100), default="", server_default=""
    )

    witness: Mapped[SupporterRow | None] = relationship()


class PersonMentionedRow(Base):
    """Someone a story names besides the storyteller (migration 0016): the name as written and
    the role that stands in for it ("[her daughter]") wherever the name may not go."""

    __tablename__ = "story_people_mentioned"
    __table_args__ = (UniqueConstraint("story_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))


class AttachmentRow(Base):
    """Metadata of a file attached to a story; the bytes live under media/ by SHA-256."""

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_story_id", "story_id"),
        Index("ix_attachments_sha256", "sha256"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # What the picture shows, in the advocate's words (migration 0017): the screen reader's name
    # for it. Kept on this computer; bundles do not carry it.
    caption: Mapped[str] = mapped_column(String(500), default="", server_default="")


class AuditEventRow(Base):
    """Append-only, hash-chained: each event carries the hash of the one before it."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class WithdrawalNoticeRow(Base):
    """A withdrawal the coordinator has to hear about; sent with the next bundle.

    Keyed by the story's UUID only (no foreign key), so it survives the story's purge.
    """

    __tablename__ = "withdrawal_notices"
    __table_args__ = (
        Index("ix_withdrawal_notices_story_uuid", "story_uuid"),
        Index("ix_withdrawal_notices_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_uuid: Mapped[str] = mapped_column(String(36))
    consent_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    decision: Mapped[str] = mapped_column(String(30))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_in_bundle: Mapped[str | None] = mapped_column(String(36))


class WithdrawalNoticeSendRow(Base):
    """One recipient a withdrawal notice went to (migration 0016): a notice goes only to the
    recipients who were sent its story, each once ("plain" stands for a plain bundle)."""

    __tablename__ = "withdrawal_notice_sends"
    __table_args__ = (UniqueConstraint("notice_id", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("withdrawal_notices.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(80))
    bundle_id: Mapped[str] = mapped_column(String(36))


class RecipientRow(Base):
    """A coordinator's age recipient key that bundles from this computer are encrypted to."""

    __tablename__ = "recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    age_recipient: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))


class TrustedSignerRow(Base):
    """A minisign public key whose bundles this computer accepts (until revoked)."""

    __tablename__ = "trusted_signers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ExportRow(Base):
    """One bundle written by this computer (the export ledger)."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(500))
    #: JSON list of the age recipients it was encrypted to (empty for a plain bundle).
    recipients: Mapped[str] = mapped_column(Text)
    plain: Mapped[bool] = mapped_column(Boolean)
    withdrawals: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[ExportItemRow]] = relationship(
        back_populates="export", cascade="all, delete-orphan", passive_deletes=True
    )


class ExportItemRow(Base):
    """One story, at one revision, in one exported bundle."""

    __tablename__ = "export_items"
    __table_args__ = (Index("ix_export_items_story_uuid", "story_uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"))
    story_uuid: Mapped[str] = mapped_column(String(36))
    revision: Mapped[int] = mapped_column(Integer)
    export: Mapped[ExportRow] = relationship(back_populates="items")


class TombstoneRow(Base):
    """What remains of a deleted or withdrawn story: that it existed and why it is gone."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    storyteller_uuid: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    last_revision: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    #: For a withdrawal of a story never held here, the signer who sent it: the tombstone keeps
    #: out only that signer's story of this id. None: a story held here was withdrawn or
    #: deleted, and its id stays out for good, whoever sends it.
    signer_key_id: Mapped[str | None] = mapped_column(String(16))


class ImportRow(Base):
    """One bundle this computer tried to import (the import ledger), with its report's counts."""

    __tablename__ = "imports"
    __table_args__ = (
        Index("ix_imports_bundle_id", "bundle_id"),
        Index("ix_imports_file_digest", "file_digest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    #: imported, already_imported or refused.
    outcome: Mapped[str] = mapped_column(String(20))
    #: For a refused bundle, the one reason in words.
    reason: Mapped[str] = mapped_column(Text, default="")
    bundle_id: Mapped[str | None] = mapped_column(String(36))
    signer_key_id: Mapped[str | None] = mapped_column(String(16))
    signer_label: Mapped[str] = mapped_column(String(200), default="")
    stories_new: Mapped[int] = mapped_column(Integer, default=0)
    stories_updated: Mapped[int] = mapped_column(Integer, default=0)
    stories_skipped: Mapped[int] = mapped_column(Integer, default=0)
    stories_withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    media_files: Mapped[int] = mapped_column(Integer, default=0)
    #: For an age file: SHA-256 of its header, payload nonce and size (``report.file_digest``).
    file_digest: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 of the signed tag manifest: the bundle's whole contents (``report.content_digest``).
    content_digest: Mapped[str | None] = mapped_column(String(64))


class ImportItemRow(Base):
    """What one import did with one story. Holds no content, so a purge leaves nothing here."""

    __tablename__ = "import_items"
    __table_args__ = (Index("ix_import_items_import_id", "import_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    story_uuid: Mapped[str] = mapped_column(String(36))
    #: new, updated, skipped or withdrawn.
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")


class StoryOriginRow(Base):
    """Where an imported story came from: who signed the bundle, and which bundle."""

    __tablename__ = "story_origins"
    __table_args__ = (Index("ix_story_origins_signer_key_id", "signer_key_id"),)

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    signer_key_id: Mapped[str] = mapped_column(String(16))
    bundle_id: Mapped[str] = mapped_column(String(36))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


#: The fields each row's ``content_digest`` covers: what a person wrote or decided. Left out are
#: ids, the revision and time stamps (they change with every save, or with a person removed
#: elsewhere: a witness deleted sets ``witness_id`` to NULL), and the derived consent state
#: (`check` recomputes that from the versions). Migration 0013 names the same columns.
DIGESTED_FIELDS: dict[type[Base], tuple[str, ...]] = {
    StoryRow: (
        "title",
        "own_words",
        "recorder_notes",
        "told_on",
        "setting",
        "how_told",
        "language",
        "status",
    ),
    StoryVersionRow: ("title", "own_words", "recorder_notes", "details"),
    ConsentRecordRow: (
        "decision",
        "basis",
        "decided_by",
        "capacity_notes",
        "share_with_coordinator",
        "anonymised_in_reports",
        "quote_anonymised",
        "publish_with_name",
        "share_media",
        "record_audio",
        "method",
        "persons_words",
        "conditions",
        "consulted",
        "advocate_involved",
        "best_interests_reasons",
        "decided_on",
        "review_by",
        # Added by migration 0016: see DIGESTED_WHEN_RECORDED.
        "capacity_assessment",
        "best_interests",
        "advocate_name",
        "representative_reference",
    ),
}
#: Fields added after migration 0013, digested only when they hold something: a version without
#: them keeps, and is given, exactly the digest it had before they existed, and `check` reads a
#: field with no digest as "must still be empty" (digests.changed_fields).
DIGESTED_WHEN_RECORDED = frozenset(
    {"capacity_assessment", "best_interests", "advocate_name", "representative_reference"}
)


def content_digest(model: type[Base], values: Mapping[str, Any]) -> str:
    """The ``content_digest`` of a row of ``model`` with these values. A field not given, or
    None, takes its column's default, as the INSERT will: a digest must describe what is stored.
    """
    columns = model.__table__.c  # type: ignore[attr-defined]
    filled: dict[str, Any] = {}
    for name in DIGESTED_FIELDS[model]:
        value = values.get(name)
        default = columns[name].default
        if value is None and default is not None and default.is_scalar:
            value = default.arg
        filled[name] = value
    return field_digests(
        filled,
        [
            name
            for name in DIGESTED_FIELDS[model]
            if name not in DIGESTED_WHEN_RECORDED or filled[name] not in (None, "")
        ],
    )


def with_content_digests(model: type[Base], rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a bulk ``insert(model)``, each with its digest (rows of other models as given).

    Bulk inserts (demo data, imports) bypass the ORM's flush events below, so they call this.
    """
    if model not in DIGESTED_FIELDS:
        return list(rows)
    return [{**row, "content_digest": content_digest(model, row)} for row in rows]


def _set_content_digest(_mapper: Mapper[Any], _connection: Connection, target: Base) -> None:
    model = type(target)
    target.content_digest = content_digest(  # type: ignore[attr-defined]
        model, {name: getattr(target, name) for name in DIGESTED_FIELDS[model]}
    )


# Every ORM insert and update sets the digest just before it is written, so no service that
# saves a story, a version or a consent version can forget to (a forgotten one would show as
# damage at the next check).
for _model in DIGESTED_FIELDS:
    event.listen(_model, "before_insert", _set_content_digest)
    event.listen(_model, "before_update", _set_content_digest)
