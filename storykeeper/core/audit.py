"""The audit log: who did what, when, to which record. Append-only and hash-chained.

Each event's hash covers its own fields and the previous event's hash, and the newest event's
sequence number and hash are also kept apart as the chain's head. So an edited event breaks its
own hash, a removed event leaves a gap in the sequence or a broken link, and a removed newest
event no longer matches the head. (Someone able to rewrite the whole file could rebuild the chain;
the signed bundles are what carry proof off the machine.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import clock
from storykeeper.core.models import AuditEventRow, SettingRow

GENESIS_HASH = "0" * 64
HEAD_KEY = "audit_head"


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    details: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class AuditProblem:
    seq: int | None
    message: str


def event_hash(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_uuid: str | None,
    details: str,
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        [seq, occurred_at.isoformat(), actor, action, entity_type, entity_uuid, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _head(session: Session) -> tuple[int, str]:
    value = session.scalar(select(SettingRow.value).where(SettingRow.key == HEAD_KEY))
    if not value:
        return 0, GENESIS_HASH
    seq, _, digest = value.partition(":")
    return int(seq), digest


def record(
    session: Session,
    action: str,
    entity_type: str,
    entity_uuid: str | None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, in the caller's transaction, as the actor of ``Store.write()``."""
    seq, prev_hash = _head(session)
    seq += 1
    occurred_at = clock.now()
    actor = str(session.info.get("actor", "unknown"))
    details_text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = event_hash(
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_uuid=entity_uuid,
        details=details_text,
        prev_hash=prev_hash,
    )
    session.add(
        AuditEventRow(
            seq=seq,
            occurred_at=occurred_at,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_uuid=entity_uuid,
            details=details_text,
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    session.merge(SettingRow(key=HEAD_KEY, value=f"{seq}:{digest}"))
    session.flush()
    return AuditEvent(
        seq, occurred_at, actor, action, entity_type, entity_uuid, details or {}, digest
    )


def recent_events(session: Session, limit: int = 50) -> list[AuditEvent]:
    rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(limit))
    return [
        AuditEvent(
            row.seq,
            row.occurred_at,
            row.actor,
            row.action,
            row.entity_type,
            row.entity_uuid,
            json.loads(row.details),
            row.hash,
        )
        for row in rows
    ]


def verify_chain(session: Session) -> Iterator[AuditProblem]:
    """Walk the whole chain in order and say every place it does not hold."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    rows = session.execute(
        select(AuditEventRow).order_by(AuditEventRow.seq).execution_options(yield_per=2000)
    ).scalars()
    for row in rows:
        if row.seq != expected_seq:
            yield AuditProblem(
                row.seq,
                f"audit events {expected_seq}–{row.seq - 1} are missing (deleted from the log)",
            )
        if row.prev_hash != prev_hash:
            yield AuditProblem(
                row.seq, f"audit event {row.seq} does not follow on from the event before it"
            )
        recomputed = event_hash(
            seq=row.seq,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_uuid=row.entity_uuid,
            details=row.details,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            yield AuditProblem(
                row.seq, f"audit event {row.seq} ({row.action}) was changed after it was written"
            )
        expected_seq = row.seq + 1
        prev_hash = row.hash
    head_seq, head_hash = _head(session)
    last_seq = expected_seq - 1
    if (head_seq, head_hash) != (last_seq, prev_hash):
        yield AuditProblem(
            None,
            f"the audit log ends at event {last_seq} but its head records event {head_seq}: "
            "the newest events were removed or replaced",
        )
