"""Two real data folders exchanging bundles: an advocate's and a coordinator's.

Shared by the core, CLI-free and window tests of importing, so each makes its bundles the same
way: through the real planner, writer and export ledger, encrypted to the coordinator.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, insert, select

from storykeeper.core import clock, consent, stories, trust
from storykeeper.core.bundle.export import Selection, export_bundle
from storykeeper.core.db import Store
from storykeeper.core.models import (
    AuditEventRow,
    ExportItemRow,
    ExportRow,
    ImportRow,
    StoryRow,
    StorytellerRow,
    TombstoneRow,
    WithdrawalNoticeRow,
)
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod
from tests.factories import given, make_story


def trust_advocate(advocate: Store, coordinator: Store, label: str = "Priya (advocate)") -> None:
    public = advocate.keys.ensure().signing.public_key
    with coordinator.write(actor="test") as session:
        trust.add_signer(session, public, label)


def shared(store: Store, title: str, **consent_overrides: object) -> stories.Story:
    """A story whose consent lets it go to the coordinator."""
    story = make_story(store, title=title)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(**consent_overrides))
    return story


def export(
    advocate: Store,
    coordinator: Store,
    out: Path,
    selection: Selection = Selection.ALL,
    *,
    plain: bool = False,
) -> Path:
    """A bundle of what may leave ``advocate``, encrypted to the coordinator (or ``plain``),
    recorded: through the same orchestrator as the command line and the window."""
    out.mkdir(parents=True, exist_ok=True)
    recipient = coordinator.keys.ensure().age_recipient
    result = export_bundle(
        advocate, actor="test", out=out, selection=selection, recipients=[recipient], plain=plain
    )
    return result.path


def snapshot(store: Store) -> dict[str, object]:
    """Everything an import may change, to compare before and after a refusal."""
    with store.read() as session:
        return {
            "stories": session.execute(
                select(StoryRow.uuid, StoryRow.revision, StoryRow.title).order_by(StoryRow.uuid)
            ).all(),
            "storytellers": session.scalar(select(func.count(StorytellerRow.id))),
            "tombstones": session.scalar(select(func.count(TombstoneRow.id))),
            "audit": session.scalar(select(func.max(AuditEventRow.seq))),
            "imported": session.scalar(
                select(func.count(ImportRow.id)).where(ImportRow.outcome != "refused")
            ),
        }


def withdraw_fully(store: Store, story_id: str, reason: str = "") -> None:
    """The storyteller takes back every use of the story, in their own words."""
    with store.write(actor="test") as session:
        consent.withdraw(
            session,
            story_id,
            consent.Withdrawal(
                basis=ConsentBasis.OWN_CONSENT,
                decided_by="The storyteller",
                method=ConsentMethod.VERBAL,
                reason=reason,
            ),
        )


def withdrawals_waiting(store: Store, count: int, sent_to: Sequence[str] = ("plain",)) -> list[str]:
    """``count`` withdrawal notices not sent yet, as an advocate has after withdrawing that
    many stories sent earlier to ``sent_to`` (age recipients, or "plain"; a notice goes only to
    those who had the story). Written at once: making 10,000 stories to withdraw adds nothing."""
    story_ids = [str(uuid.uuid4()) for _ in range(count)]
    with store.write(actor="test") as session:
        earlier = ExportRow(
            bundle_id=str(uuid.uuid4()),
            created_at=clock.now(),
            created_by="test",
            file_name="earlier.zip",
            recipients=json.dumps([r for r in sent_to if r != "plain"]),
            plain=list(sent_to) == ["plain"],
            withdrawals=0,
        )
        session.add(earlier)
        session.flush()
        session.execute(
            insert(ExportItemRow),
            [{"export_id": earlier.id, "story_uuid": s, "revision": 1} for s in story_ids],
        )
        session.execute(
            insert(WithdrawalNoticeRow),
            [
                {
                    "story_uuid": story_id,
                    "consent_uuid": str(uuid.uuid4()),
                    "decision": "withdrawn",
                    "decided_on": dt.date(2026, 11, 1),
                    "recorded_at": clock.now(),
                }
                for story_id in story_ids
            ],
        )
    return story_ids
