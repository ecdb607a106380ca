"""Which withdrawal notices a bundle carries, and to whom each notice has gone.

A notice tells a coordinator to purge a story. It goes only to the recipients that were sent the
story (the export ledger knows: ``exports.recipients`` and the export items of each story), each
of them once (``withdrawal_notice_sends``). A notice for a story a recipient never received would
tell them that the story existed, so it is never sent to them: and because every recipient of a
bundle can read all of it, a notice goes in a bundle only when *every* recipient of that bundle
was sent its story. A plain bundle goes to whoever holds the file: it counts as the one
recipient ``PLAIN``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyrage import x25519
from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.consent import WithdrawalNotice
from storykeeper.core.models import (
    ExportItemRow,
    ExportRow,
    WithdrawalNoticeRow,
    WithdrawalNoticeSendRow,
)
from storykeeper.core.vocabulary import ConsentDecision

#: The recipient a plain bundle counts as: whoever holds the file.
PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class NoticesFor:
    """The notices a bundle to some recipients may carry, and those it must leave for others."""

    #: Oldest first: owed to one of the recipients, and every recipient was sent the story.
    pending: list[WithdrawalNotice]
    #: Owed to one of the recipients, but another recipient of this bundle never had the story:
    #: they wait for a bundle to those who did.
    held_back: int
    #: Owed only to recipients this bundle does not go to (who had those stories): they wait
    #: for a bundle to them. Said, so that a coordinator dropped from the list is not forgotten.
    for_others: int = 0


def normalised(recipients: Iterable[str]) -> list[str]:
    """Recipients as the export ledger writes them (age's own spelling), each once."""
    seen: dict[str, None] = {}
    for text in recipients:
        text = text.strip()
        if text == PLAIN:
            seen[PLAIN] = None
            continue
        try:
            seen[str(x25519.Recipient.from_str(text))] = None
        except Exception:  # pyrage's RecipientError: the writer refuses it in plain words
            seen[text] = None
    return list(seen)


def bundle_recipients(recipients: Sequence[str], plain: bool) -> list[str]:
    """Whom a bundle goes to, as sends are recorded: its age recipients, or ``PLAIN``."""
    return [PLAIN] if plain else normalised(recipients)


def _ledger_recipients(session: Session) -> set[str]:
    """Everyone the export ledger has sent a bundle to (``PLAIN`` for plain bundles)."""
    found: set[str] = set()
    for listed, plain in session.execute(select(ExportRow.recipients, ExportRow.plain)):
        if plain:
            found.add(PLAIN)
            continue
        try:
            found.update(name for name in json.loads(listed or "[]") if isinstance(name, str))
        except ValueError:
            continue
    return found


def _exports_to(session: Session, recipient: str) -> list[int]:
    """The ledger's exports that went to ``recipient`` (few rows: one per bundle written)."""
    found = []
    for export_id, listed, plain in session.execute(
        select(ExportRow.id, ExportRow.recipients, ExportRow.plain)
    ):
        if recipient == PLAIN:
            if plain:
                found.append(export_id)
            continue
        try:
            names = json.loads(listed or "[]")
        except ValueError:
            continue  # a damaged ledger row proves no send: the safe side is not to tell
        if recipient in names:
            found.append(export_id)
    return found


def _story_sent_to(session: Session, recipient: str) -> set[int]:
    """The notices whose story was sent, in an export already recorded, to ``recipient``."""
    exports = _exports_to(session, recipient)
    if not exports:
        return set()
    sent_stories = select(ExportItemRow.story_uuid).where(ExportItemRow.export_id.in_(exports))
    return set(
        session.scalars(
            select(WithdrawalNoticeRow.id).where(WithdrawalNoticeRow.story_uuid.in_(sent_stories))
        )
    )


def _already_sent_to(session: Session, recipient: str) -> set[int]:
    return set(
        session.scalars(
            select(WithdrawalNoticeSendRow.notice_id).where(
                WithdrawalNoticeSendRow.recipient == recipient
            )
        )
    )


def _notice(row: WithdrawalNoticeRow) -> WithdrawalNotice:
    return WithdrawalNotice(
        story_id=row.story_uuid,
        consent_id=row.consent_uuid,
        decision=ConsentDecision(row.decision),
        decided_on=row.decided_on,
        recorded_at=row.recorded_at,
        sent_at=row.sent_at,
        sent_in_bundle=row.sent_in_bundle,
    )


def notices_for(session: Session, recipients: Sequence[str]) -> NoticesFor:
    """What a bundle to ``recipients`` may carry (``[PLAIN]`` for a plain bundle). Reads only."""
    wanted = normalised(recipients)
    if not wanted:
        return NoticesFor([], 0)
    owed: set[int] = set()
    every_one_had_it: set[int] | None = None
    for recipient in wanted:
        had_it = _story_sent_to(session, recipient)
        owed |= had_it - _already_sent_to(session, recipient)
        every_one_had_it = had_it if every_one_had_it is None else every_one_had_it & had_it
    going = owed & (every_one_had_it or set())
    owed_elsewhere: set[int] = set()
    for other in _ledger_recipients(session) - set(wanted):
        owed_elsewhere |= _story_sent_to(session, other) - _already_sent_to(session, other)
    rows = (
        session.scalars(
            select(WithdrawalNoticeRow)
            .where(WithdrawalNoticeRow.id.in_(going))
            .order_by(WithdrawalNoticeRow.id)
        )
        if going
        else []
    )
    return NoticesFor([_notice(row) for row in rows], len(owed - going), len(owed_elsewhere - owed))


def pending_for(session: Session, recipients: Sequence[str]) -> list[WithdrawalNotice]:
    """The notices a bundle to ``recipients`` carries, oldest first: each story was sent, in an
    earlier export, to the recipients, and one of them has not had its notice yet."""
    return notices_for(session, recipients).pending


def mark_sent(
    session: Session, consent_ids: Sequence[str], bundle_id: str, recipients: Sequence[str]
) -> None:
    """Record that these notices went to ``recipients`` in bundle ``bundle_id``, each once."""
    if not consent_ids:
        return
    wanted = normalised(recipients)
    now = clock.now()
    rows = list(
        session.scalars(
            select(WithdrawalNoticeRow).where(WithdrawalNoticeRow.consent_uuid.in_(consent_ids))
        )
    )
    already = {
        (notice_id, recipient)
        for notice_id, recipient in session.execute(
            select(WithdrawalNoticeSendRow.notice_id, WithdrawalNoticeSendRow.recipient).where(
                WithdrawalNoticeSendRow.notice_id.in_([row.id for row in rows])
            )
        )
    }
    for row in rows:
        if row.sent_at is None:  # the first bundle that carried it, as before sends were kept
            row.sent_at = now
            row.sent_in_bundle = bundle_id
        for recipient in wanted:
            if (row.id, recipient) not in already:
                session.add(
                    WithdrawalNoticeSendRow(
                        notice_id=row.id, recipient=recipient, bundle_id=bundle_id
                    )
                )
    session.flush()
    audit.record(
        session,
        "withdrawals.sent",
        "bundle",
        bundle_id,
        {"notices": sorted(consent_ids), "recipients": len(wanted)},
    )
