"""Consent records: append-only versions, following the Mental Capacity Act 2005 model.

A story's consent is never edited. Each decision — first consent, a review that confirms it, a
change of scopes, a withdrawal — is a new version; the current consent is simply the newest one.
The story keeps a copy of the derived state (``consent_state``, ``consent_review_by``) so that
filters can use an index; only this module writes it, and ``check`` confirms it still matches.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock

# The Mental Capacity Act record and the fields' limits live in their own modules; their names
# are this module's too, as every caller has long imported them from here.
from storykeeper.core.consent_limits import (
    CAPACITY_DECISION_MAX as CAPACITY_DECISION_MAX,
)
from storykeeper.core.consent_limits import (
    CONSULTED_MAX as CONSULTED_MAX,
)
from storykeeper.core.consent_limits import (
    DECIDED_BY_MAX as DECIDED_BY_MAX,
)
from storykeeper.core.consent_limits import (
    DECIDED_FOR_THE_PERSON as DECIDED_FOR_THE_PERSON,
)
from storykeeper.core.consent_limits import (
    DEFAULT_REVIEW_MONTHS as DEFAULT_REVIEW_MONTHS,
)
from storykeeper.core.consent_limits import (
    PERSON_NAME_MAX as PERSON_NAME_MAX,
)
from storykeeper.core.consent_limits import (
    REFERENCE_MAX as REFERENCE_MAX,
)
from storykeeper.core.consent_limits import (
    RELATIONSHIP_MAX as RELATIONSHIP_MAX,
)
from storykeeper.core.consent_limits import (
    REPRESENTATIVES as REPRESENTATIVES,
)
from storykeeper.core.consent_limits import (
    TEXT_MAX as TEXT_MAX,
)
from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.mca import (
    FUNCTIONAL_QUESTIONS as FUNCTIONAL_QUESTIONS,
)
from storykeeper.core.mca import (
    BestInterests as BestInterests,
)
from storykeeper.core.mca import (
    CapacityAssessment as CapacityAssessment,
)
from storykeeper.core.mca import (
    DecisionBasis as DecisionBasis,
)
from storykeeper.core.mca import (
    FunctionalAnswer as FunctionalAnswer,
)
from storykeeper.core.mca import (
    PersonConsulted as PersonConsulted,
)
from storykeeper.core.mca import (
    _check_assessment_date,
)
from storykeeper.core.mca import (
    basis_wording as basis_wording,
)
from storykeeper.core.mca import (
    best_interests_document as best_interests_document,
)
from storykeeper.core.mca import (
    best_interests_from_document as best_interests_from_document,
)
from storykeeper.core.mca import (
    best_interests_of as best_interests_of,
)
from storykeeper.core.mca import (
    capacity_document as capacity_document,
)
from storykeeper.core.mca import (
    capacity_from_document as capacity_from_document,
)
from storykeeper.core.mca import (
    capacity_of as capacity_of,
)
from storykeeper.core.mca import (
    clean_best_interests as clean_best_interests,
)
from storykeeper.core.mca import (
    clean_capacity as clean_capacity,
)
from storykeeper.core.mca import (
    stored_json as stored_json,
)
from storykeeper.core.models import (
    ConsentRecordRow,
    StoryRow,
    SupporterRow,
    WithdrawalNoticeRow,
    new_uuid,
)
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.stories import Tombstone, delete_story
from storykeeper.core.validation import clean_line, clean_text, not_in_future, within_years
from storykeeper.core.vocabulary import (
    CapacityOutcome,
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    TombstoneReason,
)


@dataclass(frozen=True)
class ConsentInput:
    """One consent decision as a person records it."""

    decision: ConsentDecision
    basis: ConsentBasis
    decided_by: str
    method: ConsentMethod
    scopes: frozenset[ConsentScope] = field(default_factory=frozenset)
    persons_words: str = ""
    conditions: str = ""
    capacity_notes: str = ""
    witness_id: str | None = None
    consulted: str = ""
    advocate_involved: bool | None = None
    best_interests_reasons: str = ""
    decided_on: dt.date | None = None
    review_by: dt.date | None = None
    capacity: CapacityAssessment | None = None
    best_interests: BestInterests | None = None
    #: The independent advocate or IMCA who took part, by name ("" = none, or not recorded).
    advocate_name: str = ""
    #: The attorney's LPA reference or the deputy's court order number.
    representative_reference: str = ""


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    id: str
    story_id: str
    version: int
    decision: ConsentDecision
    basis: ConsentBasis
    decided_by: str
    method: ConsentMethod
    scopes: frozenset[ConsentScope]
    persons_words: str
    conditions: str
    capacity_notes: str
    witness_id: str | None
    witness_name: str | None
    consulted: str
    advocate_involved: bool | None
    best_interests_reasons: str
    decided_on: dt.date
    review_by: dt.date | None
    recorded_at: dt.datetime
    # Versions recorded before migration 0016 read as not recorded: None and "".
    capacity: CapacityAssessment | None = None
    best_interests: BestInterests | None = None
    advocate_name: str = ""
    representative_reference: str = ""

    @property
    def state(self) -> ConsentState:
        return ConsentState(self.decision.value)

    def allows(self, scope: ConsentScope) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class WithdrawalNotice:
    """Tells the coordinator that a story they may hold must be purged."""

    story_id: str
    consent_id: str
    decision: ConsentDecision
    decided_on: dt.date
    recorded_at: dt.datetime
    sent_at: dt.datetime | None
    sent_in_bundle: str | None


AGREEING = (ConsentDecision.GIVEN, ConsentDecision.GIVEN_WITH_CONDITIONS)


def allows_sharing(decision: ConsentDecision, scopes: frozenset[ConsentScope]) -> bool:
    """Whether a consent version lets the story go to the coordinator at all."""
    return decision in AGREEING and ConsentScope.SHARE_WITH_COORDINATOR in scopes


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def state_of(record: ConsentRecord | None) -> ConsentState:
    return ConsentState.NONE if record is None else record.state


@dataclass(frozen=True, slots=True)
class ConsentStep:
    """What of one consent version decides the story's consent state."""

    version: int
    decision: ConsentDecision
    review_by: dt.date | None


@dataclass(frozen=True, slots=True)
class DerivedConsent:
    """The state a story keeps a copy of (``consent_state``, ``consent_review_by``)."""

    state: ConsentState
    review_by: dt.date | None


def derive_consent(history: Iterable[ConsentStep]) -> DerivedConsent:
    """The consent in force is the newest version's, by version number, whatever order the
    history comes in; a story with no version has none.

    The one rule for the cached state: recording consent, importing a story and making demo
    data all call this (``check`` states the same rule in SQL, to confirm 100,000 stories in
    one query).
    """
    newest = max(history, key=lambda step: step.version, default=None)
    if newest is None:
        return DerivedConsent(ConsentState.NONE, None)
    return DerivedConsent(ConsentState(ConsentDecision(newest.decision).value), newest.review_by)


def _record(row: ConsentRecordRow, story_uuid: str) -> ConsentRecord:
    witness = row.witness
    return _record_of(
        row, story_uuid, None if witness is None else witness.uuid, witness and witness.name
    )


def _record_of(
    row: ConsentRecordRow | Row[Any],
    story_uuid: str,
    witness_id: str | None,
    witness_name: str | None,
) -> ConsentRecord:
    """A version from its row: an ORM object, or a plain row of the same columns."""
    return ConsentRecord(
        id=row.uuid,
        story_id=story_uuid,
        version=row.version,
        decision=ConsentDecision(row.decision),
        basis=ConsentBasis(row.basis),
        decided_by=row.decided_by,
        method=ConsentMethod(row.method),
        scopes=frozenset(s for s in ConsentScope if getattr(row, s.value)),
        persons_words=row.persons_words,
        conditions=row.conditions,
        capacity_notes=row.capacity_notes,
        witness_id=witness_id,
        witness_name=witness_name,
        consulted=row.consulted,
        advocate_involved=row.advocate_involved,
        best_interests_reasons=row.best_interests_reasons,
        decided_on=row.decided_on,
        review_by=row.review_by,
        recorded_at=row.recorded_at,
        capacity=capacity_of(row.capacity_assessment),
        best_interests=best_interests_of(row.best_interests),
        advocate_name=row.advocate_name,
        representative_reference=row.representative_reference,
    )


def _validate(consent: ConsentInput) -> None:
    decision = ConsentDecision(consent.decision)
    basis = ConsentBasis(consent.basis)
    agrees = decision in (ConsentDecision.GIVEN, ConsentDecision.GIVEN_WITH_CONDITIONS)
    if agrees and not consent.scopes:
        raise ValidationError(
            "Consent was given, but to nothing: choose at least one use of the story, "
            "or record the decision as declined.",
            "scopes",
        )
    if not agrees and consent.scopes:
        raise ValidationError(
            f"A {decision.label.lower()} decision cannot allow any use of the story; "
            "clear the chosen uses, or record a partial withdrawal as consent given to fewer uses.",
            "scopes",
        )
    if decision is ConsentDecision.GIVEN_WITH_CONDITIONS and not consent.conditions.strip():
        raise ValidationError("Say what the conditions are.", "conditions")
    lacks_capacity = (
        consent.capacity is not None
        and CapacityOutcome(consent.capacity.outcome) is CapacityOutcome.LACKS_CAPACITY
    )
    if lacks_capacity and basis not in DECIDED_FOR_THE_PERSON:
        raise ValidationError(
            "The capacity assessment found the person cannot make this decision at this time, "
            "so it cannot be recorded as their own: choose who decides for them (their "
            "attorney, their deputy, or a best-interests decision), or assess again when they "
            "can.",
            "basis",
        )
    if consent.best_interests is not None and basis is not ConsentBasis.BEST_INTERESTS:
        raise ValidationError(
            f"A best-interests record belongs to a best-interests decision, and this one is "
            f"“{basis.label}”: remove the record, or choose a best-interests decision.",
            "best_interests",
        )
    if consent.representative_reference.strip() and basis not in REPRESENTATIVES:
        raise ValidationError(
            "An LPA or court order reference belongs to a decision by an attorney or a deputy: "
            "remove the reference, or choose who decided.",
            "representative_reference",
        )
    if consent.best_interests is not None:
        if not consent.best_interests.decision_maker.strip():
            raise ValidationError(
                "A best-interests decision must name who made it (the decision-maker).",
                "best_interests.decision_maker",
            )
        if not consent.best_interests.why.strip():
            raise ValidationError(
                "A best-interests decision must say why it is in the person’s interests.",
                "best_interests.why",
            )
        return
    # Saying no is the least restrictive choice (MCA 2005 s.1(6)) and is always honoured; only a
    # best-interests decision that lets the story be used must show its reasoning. (Versions
    # recorded with these free-text fields, before the best-interests record: still accepted.)
    if basis is ConsentBasis.BEST_INTERESTS and agrees:
        if not consent.best_interests_reasons.strip():
            raise ValidationError(
                "A best-interests decision must say why it is in the person’s interests.",
                "best_interests_reasons",
            )
        if not consent.consulted.strip():
            raise ValidationError(
                "A best-interests decision must say who was consulted (family, carers, others "
                "interested in the person’s welfare).",
                "consulted",
            )
        if consent.advocate_involved is None:
            raise ValidationError(
                "A best-interests decision must say whether an advocate or IMCA was involved.",
                "advocate_involved",
            )


def record_consent(session: Session, story_id: str, consent: ConsentInput) -> ConsentRecord:
    """Append a new consent version to the story and update its derived consent state."""
    _validate(consent)
    story = resolve(session, StoryRow, story_id, "story")
    refuse_if_imported(session, story)
    witness = (
        resolve(session, SupporterRow, consent.witness_id, "supporter")
        if consent.witness_id
        else None
    )
    decided_on = not_in_future(
        consent.decided_on or clock.today(), "decided_on", "The date of the decision"
    )
    assert decided_on is not None
    decision = ConsentDecision(consent.decision)
    review_by = consent.review_by
    if review_by is None and decision in (
        ConsentDecision.GIVEN,
        ConsentDecision.GIVEN_WITH_CONDITIONS,
    ):
        review_by = add_months(decided_on, DEFAULT_REVIEW_MONTHS)
    within_years(review_by, "review_by", "The review date")
    if review_by is not None and review_by < decided_on:
        raise ValidationError("The review date is before the decision was made.", "review_by")
    capacity = None if consent.capacity is None else clean_capacity(consent.capacity)
    if capacity is not None:
        _check_assessment_date(capacity.assessed_on, decided_on)
    best_interests = (
        None if consent.best_interests is None else clean_best_interests(consent.best_interests)
    )
    version = (
        session.scalar(
            select(func.max(ConsentRecordRow.version)).where(ConsentRecordRow.story_id == story.id)
        )
        or 0
    ) + 1
    scopes = {scope.value: scope in consent.scopes for scope in ConsentScope}
    row = ConsentRecordRow(
        uuid=new_uuid(),
        story_id=story.id,
        version=version,
        decision=decision.value,
        basis=ConsentBasis(consent.basis).value,
        decided_by=clean_line(
            consent.decided_by,
            "decided_by",
            "Who decided",
            max_length=DECIDED_BY_MAX,
            required=True,
        ),
        method=ConsentMethod(consent.method).value,
        persons_words=clean_text(
            consent.persons_words, "persons_words", "The person’s words", max_length=TEXT_MAX
        ),
        conditions=clean_text(consent.conditions, "conditions", "Conditions", max_length=TEXT_MAX),
        capacity_notes=clean_text(
            consent.capacity_notes, "capacity_notes", "Capacity notes", max_length=TEXT_MAX
        ),
        witness=witness,
        consulted=clean_text(
            consent.consulted, "consulted", "Who was consulted", max_length=TEXT_MAX
        ),
        advocate_involved=consent.advocate_involved,
        best_interests_reasons=clean_text(
            consent.best_interests_reasons,
            "best_interests_reasons",
            "Why it is in the person’s interests",
            max_length=TEXT_MAX,
        ),
        decided_on=decided_on,
        review_by=review_by,
        recorded_at=clock.now(),
        capacity_assessment=stored_json(None if capacity is None else capacity_document(capacity)),
        best_interests=stored_json(
            None if best_interests is None else best_interests_document(best_interests)
        ),
        advocate_name=clean_line(
            consent.advocate_name,
            "advocate_name",
            "The advocate’s or IMCA’s name",
            max_length=PERSON_NAME_MAX,
        ),
        representative_reference=clean_line(
            consent.representative_reference,
            "representative_reference",
            "The LPA or court order reference",
            max_length=REFERENCE_MAX,
        ),
        **scopes,
    )
    # Only the version this one follows matters: each earlier step from sharing to not sharing
    # queued its own notice, so a second version that still does not share (a verbal yes to
    # recording, a review) must not send the coordinator the same notice again.
    previous = session.execute(
        select(ConsentRecordRow.decision, ConsentRecordRow.share_with_coordinator)
        .where(ConsentRecordRow.story_id == story.id)
        .order_by(ConsentRecordRow.version.desc())
        .limit(1)
    ).first()
    session.add(row)
    was_shared = (
        previous is not None
        and ConsentDecision(previous.decision) in AGREEING
        and bool(previous.share_with_coordinator)
    )
    if was_shared and not allows_sharing(decision, frozenset(consent.scopes)):
        # The coordinator may hold a copy they may no longer keep: queue a notice for them.
        session.add(
            WithdrawalNoticeRow(
                story_uuid=story.uuid,
                consent_uuid=row.uuid,
                decision=decision.value,
                decided_on=decided_on,
                recorded_at=row.recorded_at,
            )
        )
    # The new version is the newest (its number is one past the highest), so it alone decides.
    derived = derive_consent([ConsentStep(version, decision, review_by)])
    story.consent_state = derived.state.value
    story.consent_review_by = derived.review_by
    story.bump_revision()
    session.flush()
    audit.record(
        session,
        "consent.recorded",
        "story",
        story.uuid,
        {
            "version": version,
            "decision": decision.value,
            "scopes": sorted(s for s, on in scopes.items() if on),
        },
    )
    return _record(row, story.uuid)


def consent_history(session: Session, story_id: str) -> list[ConsentRecord]:
    """Every version, oldest first."""
    story = resolve(session, StoryRow, story_id, "story")
    rows = session.scalars(
        select(ConsentRecordRow)
        .where(ConsentRecordRow.story_id == story.id)
        .order_by(ConsentRecordRow.version)
    )
    return [_record(r, story.uuid) for r in rows]


def consent_histories(session: Session, story_ids: list[str]) -> dict[str, list[ConsentRecord]]:
    """Every version of many stories' consent in one query (for exports), oldest first.

    Plain rows, not ORM objects: an export reads every version of up to 100,000 stories once,
    and building and tracking an object for each was half this function's time (issue 21).
    """
    versions = ConsentRecordRow.__table__
    witnesses = SupporterRow.__table__
    rows = session.execute(
        select(
            versions,
            StoryRow.uuid.label("story_uuid"),
            witnesses.c.uuid.label("witness_uuid"),
            witnesses.c.name.label("witness_name"),
        )
        .join(StoryRow, StoryRow.id == versions.c.story_id)
        .outerjoin(witnesses, witnesses.c.id == versions.c.witness_id)
        .where(StoryRow.uuid.in_(story_ids))
        .order_by(versions.c.story_id, versions.c.version)
    )
    histories: dict[str, list[ConsentRecord]] = {}
    for row in rows:
        record = _record_of(row, row.story_uuid, row.witness_uuid, row.witness_name)
        histories.setdefault(row.story_uuid, []).append(record)
    return histories


def current_consent(session: Session, story_id: str) -> ConsentRecord | None:
    """The newest version: the consent in force. None when none was ever recorded."""
    history = consent_history(session, story_id)
    return history[-1] if history else None


def review_due(record: ConsentRecord | None, on: dt.date | None = None) -> bool:
    """Whether consent in force should be revisited with the person by ``on`` (default today)."""
    if record is None or record.review_by is None:
        return False
    if record.decision not in (ConsentDecision.GIVEN, ConsentDecision.GIVEN_WITH_CONDITIONS):
        return False
    return record.review_by <= (on or clock.today())


def review_due_clause(on: dt.date | None = None) -> ColumnElement[bool]:
    """The SQL form of ``review_due`` over the story's derived consent columns (indexed)."""
    return and_(
        StoryRow.consent_review_by <= (on or clock.today()),
        StoryRow.consent_state.in_(
            [ConsentDecision.GIVEN.value, ConsentDecision.GIVEN_WITH_CONDITIONS.value]
        ),
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


def pending_withdrawals(session: Session) -> list[WithdrawalNotice]:
    """Notices not yet sent in a bundle, oldest first: the next export must carry them."""
    rows = session.scalars(
        select(WithdrawalNoticeRow)
        .where(WithdrawalNoticeRow.sent_at.is_(None))
        .order_by(WithdrawalNoticeRow.id)
    )
    return [_notice(r) for r in rows]


def mark_withdrawals_sent(session: Session, consent_ids: list[str], bundle_id: str) -> None:
    """Record that these notices left in bundle ``bundle_id`` (called by the export)."""
    now = clock.now()
    for row in session.scalars(
        select(WithdrawalNoticeRow).where(WithdrawalNoticeRow.consent_uuid.in_(consent_ids))
    ):
        row.sent_at = now
        row.sent_in_bundle = bundle_id
    session.flush()
    audit.record(session, "withdrawals.sent", "bundle", bundle_id, {"notices": sorted(consent_ids)})


def decision_for(scopes: frozenset[ConsentScope], conditions: str = "") -> ConsentDecision:
    """The decision a set of yes-answers amounts to: any yes is consent, none is a refusal."""
    if not scopes:
        return ConsentDecision.DECLINED
    return ConsentDecision.GIVEN_WITH_CONDITIONS if conditions.strip() else ConsentDecision.GIVEN


@dataclass(frozen=True)
class Withdrawal:
    """A person taking back some or all of their consent."""

    decided_by: str
    basis: ConsentBasis
    method: ConsentMethod
    #: The uses taken back; None takes back everything (a full withdrawal).
    scopes: frozenset[ConsentScope] | None = None
    reason: str = ""
    decided_on: dt.date | None = None
    #: The advocate or IMCA who took part, by name.
    advocate_name: str = ""
    #: The attorney's LPA reference or the deputy's order; "" keeps the one of the consent in
    #: force when the same kind of representative takes it back.
    representative_reference: str = ""


def withdraw(session: Session, story_id: str, withdrawal: Withdrawal) -> ConsentRecord:
    """Record a full or partial withdrawal as a new consent version.

    A partial withdrawal is the same consent to fewer uses (its conditions and review date carry
    over); taking back every use is a full withdrawal. Either way, if the coordinator may hold a
    copy they may no longer keep, ``record_consent`` queues the notice for the next bundle.
    """
    current = current_consent(session, story_id)
    if current is None or current.decision not in AGREEING:
        raise ValidationError(
            "There is no consent in force to withdraw: "
            + (
                "none was ever recorded."
                if current is None
                else f"it was {current.state.label.lower()}."
            )
        )
    taken_back = current.scopes if withdrawal.scopes is None else withdrawal.scopes
    if not taken_back & current.scopes:
        raise ValidationError(
            "Choose at least one use of the story that the person now says no to.", "scopes"
        )
    remaining = current.scopes - taken_back
    full = not remaining
    decided_on = withdrawal.decided_on or clock.today()
    # The review date stands, unless it has passed: then this conversation was the review, and
    # the next one falls due in the usual six months.
    review_by = current.review_by if current.review_by and current.review_by >= decided_on else None
    basis = ConsentBasis(withdrawal.basis)
    reference = withdrawal.representative_reference or (
        current.representative_reference if basis is current.basis else ""
    )
    return record_consent(
        session,
        story_id,
        ConsentInput(
            decision=ConsentDecision.WITHDRAWN if full else current.decision,
            basis=withdrawal.basis,
            decided_by=withdrawal.decided_by,
            method=withdrawal.method,
            scopes=remaining,
            persons_words=withdrawal.reason,
            conditions="" if full else current.conditions,
            decided_on=decided_on,
            review_by=None if full else review_by,
            advocate_name=withdrawal.advocate_name,
            representative_reference=reference if basis in REPRESENTATIVES else "",
        ),
    )


def purge_withdrawn_story(session: Session, story_id: str) -> tuple[Tombstone, list[str]]:
    """Remove a fully withdrawn story's content, keeping its tombstone and its notice.

    Refused unless the story's current consent is withdrawn (or declined): purging is what a
    withdrawal asks for, never a way round it.
    """
    story = resolve(session, StoryRow, story_id, "story")
    if story.consent_state not in (ConsentDecision.WITHDRAWN.value, ConsentDecision.DECLINED.value):
        raise ValidationError(
            "Only a story whose consent was withdrawn or declined is purged this way; "
            "to remove another story, delete it."
        )
    return delete_story(
        session, story.uuid, reason=TombstoneReason.WITHDRAWN, note="consent withdrawn"
    )
