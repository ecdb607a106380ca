"""Trusted signers: whose bundles a coordinator accepts, each a minisign public key with a label.

A key is added from its ``.pub`` file or its one pasted line, and shown with its fingerprint so
the coordinator can compare it with the advocate by phone before relying on it. Revoking keeps
the record (and when): bundles the key signed after that are refused, and bundles already
imported stay, marked by who signed them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

import minisign
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.errors import NotFoundError, ValidationError
from storykeeper.core.keys import fingerprint, key_id_text
from storykeeper.core.models import (
    StoryOriginRow,
    StorytellerRow,
    SupporterRow,
    TombstoneRow,
    TrustedSignerRow,
)
from storykeeper.core.validation import clean_line


@dataclass(frozen=True)
class TrustedSigner:
    key_id: str
    public_key: str
    fingerprint: str
    label: str
    added_at: dt.datetime
    added_by: str
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def minisign_key(self) -> minisign.PublicKey:
        return minisign.PublicKey.from_base64(self.public_key)


def parse_public_key(text: str) -> minisign.PublicKey:
    """A minisign public key from a ``.pub`` file's text or from its base64 line alone."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    candidate = lines[-1] if lines else ""
    try:
        key = minisign.PublicKey.from_base64(candidate)
        base64.b64decode(candidate, validate=True)
    except (minisign.Error, binascii.Error, ValueError) as exc:
        raise ValidationError(
            "That is not a minisign public key. It is the line after “untrusted comment:” in the "
            "sender's .pub file (from “storykeeper keys export-public”), starting with “RW”.",
            "public_key",
        ) from exc
    return key


def _signer(row: TrustedSignerRow) -> TrustedSigner:
    raw = base64.b64decode(row.public_key)
    return TrustedSigner(
        key_id=row.key_id,
        public_key=row.public_key,
        fingerprint=fingerprint(raw[10:]),
        label=row.label,
        added_at=row.added_at,
        added_by=row.added_by,
        revoked_at=row.revoked_at,
    )


def add_signer(session: Session, public_key_text: str, label: str) -> TrustedSigner:
    key = parse_public_key(public_key_text)
    line = key.to_base64().decode("ascii")
    key_id = key_id_text(base64.b64decode(line)[2:10])
    name = clean_line(label, "label", "The label", max_length=200, required=True)
    existing = session.scalar(select(TrustedSignerRow).where(TrustedSignerRow.key_id == key_id))
    if existing is not None:
        state = "revoked" if existing.revoked_at else "trusted"
        raise ValidationError(
            f"That key ({key_id}) is already here as “{existing.label}” ({state}).", "public_key"
        )
    row = TrustedSignerRow(
        key_id=key_id,
        public_key=line,
        label=name,
        added_at=clock.now(),
        added_by=str(session.info.get("actor", "unknown")),
    )
    session.add(row)
    session.flush()
    audit.record(session, "signer.trusted", "signer", key_id, {"label": name})
    return _signer(row)


def list_signers(session: Session) -> list[TrustedSigner]:
    rows = session.scalars(select(TrustedSignerRow).order_by(TrustedSignerRow.label))
    return [_signer(r) for r in rows]


def active_keys(session: Session) -> list[minisign.PublicKey]:
    """The keys whose bundles are accepted now."""
    return [s.minisign_key() for s in list_signers(session) if s.active]


def revoke_signer(session: Session, key_id: str) -> TrustedSigner:
    wanted = key_id.strip().upper()
    row = session.scalar(select(TrustedSignerRow).where(TrustedSignerRow.key_id == wanted))
    if row is None:
        raise NotFoundError(f"No trusted signer has key id {wanted}: see “storykeeper trust list”.")
    if row.revoked_at is not None:
        raise ValidationError(f"{row.label} ({wanted}) was already revoked.")
    row.revoked_at = clock.now()
    session.flush()
    audit.record(session, "signer.revoked", "signer", wanted, {"label": row.label})
    return _signer(row)


@dataclass(frozen=True)
class HandOver:
    """What one key's records became when they were handed to another key."""

    old: TrustedSigner
    new: TrustedSigner
    stories: int
    storytellers: int
    supporters: int
    withdrawals: int

    @property
    def total(self) -> int:
        return self.stories + self.storytellers + self.supporters + self.withdrawals


#: The tables whose rows belong to a signer (issue 16): only that signer's bundles may change
#: them, so a sender's new key needs them handed over, explicitly, to carry on.
OWNED = (StoryOriginRow, StorytellerRow, SupporterRow, TombstoneRow)


def _trusted(session: Session, key_id: str) -> TrustedSignerRow:
    wanted = key_id.strip().upper()
    row = session.scalar(select(TrustedSignerRow).where(TrustedSignerRow.key_id == wanted))
    if row is None:
        raise NotFoundError(f"No trusted signer has key id {wanted}: see “storykeeper trust list”.")
    return row


def owned_counts(session: Session, key_id: str) -> dict[type, int]:
    """How many records of each kind the key's bundles brought here and own."""
    return {
        model: session.scalar(
            select(func.count()).select_from(model).where(model.signer_key_id == key_id)
        )
        or 0
        for model in OWNED
    }


def hand_over(session: Session, old_key_id: str, new_key_id: str) -> HandOver:
    """Give every record the old key's bundles brought here to the new key (a new laptop, say).

    Records belong to the signer that first sent them, and only that signer's bundles may change
    or withdraw them; when a sender's key is replaced, nothing moves them by itself. This is the
    coordinator's explicit step, kept in the audit log. The new key must be trusted now; the old
    one may be revoked already (it usually is).
    """
    old, new = _trusted(session, old_key_id), _trusted(session, new_key_id)
    if old.key_id == new.key_id:
        raise ValidationError("Choose two different keys: the old one and the sender's new one.")
    if new.revoked_at is not None:
        raise ValidationError(
            f"{new.label} ({new.key_id}) is revoked: trust the sender's new key before handing "
            "records to it."
        )
    counts = owned_counts(session, old.key_id)
    for model in OWNED:
        session.execute(
            update(model)
            .where(model.signer_key_id == old.key_id)
            .values(signer_key_id=new.key_id)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    result = HandOver(
        old=_signer(old),
        new=_signer(new),
        stories=counts[StoryOriginRow],
        storytellers=counts[StorytellerRow],
        supporters=counts[SupporterRow],
        withdrawals=counts[TombstoneRow],
    )
    audit.record(
        session,
        "signer.handed_over",
        "signer",
        old.key_id,
        {
            "to": new.key_id,
            "old_label": old.label,
            "new_label": new.label,
            "stories": result.stories,
            "storytellers": result.storytellers,
            "supporters": result.supporters,
            "withdrawals": result.withdrawals,
        },
    )
    return result
