"""The coordinators this computer sends bundles to, each known by an age recipient key.

Recipients are public keys (``age1…``): adding one needs no secret, only care that it is the
coordinator's — the label says whose, and the key is shown in full to compare.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyrage import x25519
from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.errors import NotFoundError, ValidationError
from storykeeper.core.models import RecipientRow
from storykeeper.core.validation import clean_line


@dataclass(frozen=True)
class Recipient:
    age_recipient: str
    label: str
    added_at: dt.datetime
    added_by: str


def parse_recipient(text: str) -> str:
    """The recipient in its canonical form, or a message saying what is wrong with it."""
    candidate = text.strip()
    if not candidate.startswith("age1"):
        raise ValidationError(
            f"“{candidate[:20]}” is not an age recipient: they start with “age1” (the coordinator "
            "finds theirs with “storykeeper keys show”, or in the “# public key:” line of an "
            "age-keygen file).",
            "age_recipient",
        )
    try:
        return str(x25519.Recipient.from_str(candidate))
    except Exception as exc:  # pyrage's RecipientError
        raise ValidationError(
            "That age recipient is damaged (a character is wrong or missing): copy it again.",
            "age_recipient",
        ) from exc


def _recipient(row: RecipientRow) -> Recipient:
    return Recipient(row.age_recipient, row.label, row.added_at, row.added_by)


def add_recipient(session: Session, age_recipient: str, label: str) -> Recipient:
    key = parse_recipient(age_recipient)
    name = clean_line(label, "label", "The label", max_length=200, required=True)
    if session.scalar(select(RecipientRow).where(RecipientRow.age_recipient == key)):
        raise ValidationError(f"That recipient is already here ({key}).", "age_recipient")
    row = RecipientRow(
        age_recipient=key,
        label=name,
        added_at=clock.now(),
        added_by=str(session.info.get("actor", "unknown")),
    )
    session.add(row)
    session.flush()
    audit.record(session, "recipient.added", "recipient", key, {"label": name})
    return _recipient(row)


def list_recipients(session: Session) -> list[Recipient]:
    rows = session.scalars(select(RecipientRow).order_by(RecipientRow.label, RecipientRow.id))
    return [_recipient(r) for r in rows]


def remove_recipient(session: Session, age_recipient: str) -> None:
    key = age_recipient.strip()
    row = session.scalar(select(RecipientRow).where(RecipientRow.age_recipient == key))
    if row is None:
        raise NotFoundError(f"No recipient “{key}” is set up: see “storykeeper recipients list”.")
    session.delete(row)
    session.flush()
    audit.record(session, "recipient.removed", "recipient", key, {"label": row.label})
