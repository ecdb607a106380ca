"""An incoming story's consent as the coordinator checks it: whether its own newest consent lets
it be here at all, and what a consent version says, to compare a version sent with the one held
(consent versions are append-only at the coordinator's too: a changed one is a rewrite)."""

from __future__ import annotations

from typing import Any

from storykeeper.core.bundle.document import ConsentValues
from storykeeper.core.consent import (
    AGREEING,
    best_interests_document,
    capacity_document,
    stored_json,
)
from storykeeper.core.models import ConsentRecordRow
from storykeeper.core.vocabulary import ConsentScope


def consent_gate(document: dict[str, Any]) -> str | None:
    """Why the story's own consent does not let it be here, or None when it does.

    An honest sender never writes such a story (``export_policy``); one that arrives anyway is
    left out, not stored, whatever else the bundle holds.
    """
    history = document["consent"]["history"]
    newest = max(history, key=lambda record: record["version"])
    scopes = set(newest["scopes"])
    if newest["decision"] not in {d.value for d in AGREEING}:
        return f"its newest consent is “{newest['decision']}”: it may not be shared"
    if ConsentScope.SHARE_WITH_COORDINATOR.value not in scopes:
        return "its consent does not include sharing with the coordinator"
    if set(document["consent"]["scopes"]) != scopes:
        return "the consent it carries does not match its newest consent version"
    if document["storyteller"]["is_real_name"] and ConsentScope.PUBLISH_WITH_NAME not in scopes:
        return "it names the storyteller without consent to use the name"
    if document["attachments"] and ConsentScope.SHARE_MEDIA.value not in scopes:
        return "it carries media without consent to share media"
    return None


def mca_columns(record: ConsentValues) -> dict[str, str]:
    """A sent version's Mental Capacity Act record as the store keeps it (format 2; "" for
    not recorded, as a format-1 version reads)."""
    return {
        "capacity_assessment": stored_json(
            None if record.capacity is None else capacity_document(record.capacity)
        ),
        "best_interests": stored_json(
            None
            if record.best_interests is None
            else best_interests_document(record.best_interests)
        ),
        "advocate_name": record.advocate_name,
        "representative_reference": record.representative_reference,
    }


def sent_fields(record: ConsentValues) -> tuple[object, ...]:
    """What a consent version says, as compared with the version held here (its recorded time
    aside: the store keeps it without its zone)."""
    return (
        record.decision.value,
        record.basis,
        record.decided_by,
        record.method,
        frozenset(record.scopes),
        record.persons_words,
        record.conditions,
        record.capacity_notes,
        None if record.witness is None else record.witness.id,
        record.consulted,
        record.advocate_involved,
        record.best_interests_reasons,
        record.decided_on,
        record.review_by,
        *mca_columns(record).values(),
    )


def held_fields(row: ConsentRecordRow) -> tuple[object, ...]:
    return (
        row.decision,
        row.basis,
        row.decided_by,
        row.method,
        frozenset(scope.value for scope in ConsentScope if getattr(row, scope.value)),
        row.persons_words,
        row.conditions,
        row.capacity_notes,
        None if row.witness is None else row.witness.uuid,
        row.consulted,
        row.advocate_involved,
        row.best_interests_reasons,
        row.decided_on,
        row.review_by,
        # In mca_columns' order.
        row.capacity_assessment,
        row.best_interests,
        row.advocate_name,
        row.representative_reference,
    )


# --- the words of a version, which the name rule may change ---


def sent_words(record: ConsentValues) -> dict[str, str]:
    """A sent version's words, by column: the free text the sender's name rule
    (``export_policy``) rewrites when a story leaves without the name — the name and those of
    people mentioned replaced, by a pseudonym that may be changed, for people who may be added
    later. Sent again once that rule changed, a version held here comes with other words and is
    the same version."""
    return {
        "decided_by": record.decided_by,
        "persons_words": record.persons_words,
        "conditions": record.conditions,
        "capacity_notes": record.capacity_notes,
        "consulted": record.consulted,
        "best_interests_reasons": record.best_interests_reasons,
        **mca_columns(record),
    }


def same_but_words(record: ConsentValues, row: ConsentRecordRow) -> bool:
    """Whether a sent version says what the one held says, its words aside: the decision,
    basis, method, scopes, witness, whether an advocate was involved, and its dates."""
    sent = (
        record.decision.value,
        record.basis,
        record.method,
        frozenset(record.scopes),
        None if record.witness is None else record.witness.id,
        record.advocate_involved,
        record.decided_on,
        record.review_by,
    )
    held = (
        row.decision,
        row.basis,
        row.method,
        frozenset(scope.value for scope in ConsentScope if getattr(row, scope.value)),
        None if row.witness is None else row.witness.uuid,
        row.advocate_involved,
        row.decided_on,
        row.review_by,
    )
    return sent == held
