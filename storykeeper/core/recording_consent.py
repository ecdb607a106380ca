"""Consent to record the person's voice: whether it may be recorded now, and the spoken yes
given at the recorder, kept as a new consent version like any other.

Apart from ``consent`` (the versions, the one rule for what is in force, withdrawals) because it
is the recorder's question alone; it records through ``consent.record_consent``, so every rule
of a version holds for it too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.consent import (
    AGREEING,
    ConsentInput,
    ConsentRecord,
    current_consent,
    record_consent,
)
from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.models import ConsentRecordRow, StoryRow
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
)


def may_record_audio(session: Session, story_id: str) -> bool:
    """Whether the person's voice may be recorded for this story now.

    Only the newest version counts, and only when it agrees and includes ``record_audio``: a
    later withdrawal or refusal ends any earlier yes.
    """
    story = resolve(session, StoryRow, story_id, "story")
    newest = session.execute(
        select(ConsentRecordRow.decision, ConsentRecordRow.record_audio)
        .where(ConsentRecordRow.story_id == story.id)
        .order_by(ConsentRecordRow.version.desc())
        .limit(1)
    ).first()
    return (
        newest is not None
        and ConsentDecision(newest.decision) in AGREEING
        and bool(newest.record_audio)
    )


def record_verbal_recording_consent(
    session: Session,
    story_id: str,
    *,
    decided_by: str,
    basis: ConsentBasis,
    persons_words: str = "",
    witness_id: str | None = None,
) -> ConsentRecord:
    """Record that the person (or whoever decides for them) said out loud that they may be
    recorded, as a new consent version, so the recorder can start.

    With consent in force the new version keeps all of it (uses, conditions, capacity notes,
    review date) and adds ``record_audio``; with none, or after a refusal, it agrees to recording
    alone, which lets nothing leave this computer. Refused after a withdrawal: a person who took
    their consent back goes through the consent flow again, not a quick yes at the recorder.
    Refused for a best-interests decision, which must give its reasons and who was consulted
    (Mental Capacity Act 2005, s.4): the consent flow asks for those.
    """
    story = resolve(session, StoryRow, story_id, "story")
    # Said first: for an imported story no other reason matters.
    refuse_if_imported(session, story)
    basis = ConsentBasis(basis)
    if basis is ConsentBasis.BEST_INTERESTS:
        raise ValidationError(
            "A best-interests decision to record the person must say who was consulted and why "
            "it is in their interests: go through consent to record it.",
            "basis",
        )
    current = current_consent(session, story.uuid)
    today = clock.today()
    if current is not None and current.decision is ConsentDecision.WITHDRAWN:
        raise ValidationError(
            f"Consent for this story was withdrawn on {current.decided_on.strftime('%d %B %Y')}. "
            "A spoken yes to recording is not enough after that: go through consent with the "
            "person again before recording."
        )
    if current is not None and current.decision in AGREEING:
        if ConsentScope.RECORD_AUDIO in current.scopes:
            raise ValidationError(
                f"Consent already allows recording their voice (version {current.version}): "
                "there is nothing more to record."
            )
        # This conversation was about recording only, not a review of every use: a review that
        # was due stays due (today), rather than being pushed six months on unasked.
        review_by = (
            current.review_by
            if current.review_by is not None and current.review_by >= today
            else today
        )
        wanted = ConsentInput(
            decision=current.decision,
            basis=basis,
            decided_by=decided_by,
            method=ConsentMethod.VERBAL,
            scopes=current.scopes | {ConsentScope.RECORD_AUDIO},
            persons_words=persons_words,
            conditions=current.conditions,
            capacity_notes=current.capacity_notes,
            witness_id=witness_id,
            consulted=current.consulted,
            advocate_involved=current.advocate_involved,
            best_interests_reasons=current.best_interests_reasons,
            decided_on=today,
            review_by=review_by,
            # A capacity assessment is of one decision, and recording is another: not carried.
            advocate_name=current.advocate_name,
            representative_reference=(
                current.representative_reference if basis is current.basis else ""
            ),
        )
    else:
        # No consent yet, or a refusal of every use: a yes to recording alone. The story's uses
        # are still to be decided, in the consent flow.
        wanted = ConsentInput(
            decision=ConsentDecision.GIVEN,
            basis=basis,
            decided_by=decided_by,
            method=ConsentMethod.VERBAL,
            scopes=frozenset({ConsentScope.RECORD_AUDIO}),
            persons_words=persons_words,
            witness_id=witness_id,
            decided_on=today,
        )
    record = record_consent(session, story.uuid, wanted)
    # Beside consent.recorded: says this version came from a spoken yes at the recorder, not
    # from the consent flow.
    audit.record(
        session,
        "consent.recording_agreed_verbally",
        "story",
        story.uuid,
        {"version": record.version, "basis": basis.value, "witnessed": witness_id is not None},
    )
    return record
