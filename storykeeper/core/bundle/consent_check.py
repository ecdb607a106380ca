"""An incoming story's consent as the coordinator checks it: whether its own newest consent lets
it be here at all, and what a consent version says, to compare a version sent with the one held
(consent versions are append-only at the coordinator's too: a changed one is a rewrite)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from storykeeper.core.bundle.document import ConsentValues
from storykeeper.core.consent import (
    AGREEING,
    best_interests_document,
    capacity_document,
    stored_json,
)
from storykeeper.core.models import ConsentRecordRow, StoryRow
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


def held_words(row: ConsentRecordRow) -> dict[str, str]:
    """A held version's words, by the columns ``sent_words`` gives."""
    return {
        column: getattr(row, column)
        for column in (
            "decided_by",
            "persons_words",
            "conditions",
            "capacity_notes",
            "consulted",
            "best_interests_reasons",
            "capacity_assessment",
            "best_interests",
            "advocate_name",
            "representative_reference",
        )
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


#: A role standing in for a person mentioned, as export_policy writes it: "[her daughter]".
_ROLE_STAND_IN = re.compile(r"\[[^\[\]\n]{1,100}\]")
#: What a stand-in may have replaced: a name of one to five words.
_NAME_LIKE = r"[\w'’.\-]+(?: [\w'’.\-]+){0,4}?"
#: More stand-ins in one field than this, and the field is taken as rewritten: the comparison
#: below must stay cheap however a sender fills a field.
_STAND_INS_MAX = 100


def _differs_only_at(text: str, other: str, stand_ins: Sequence[str]) -> bool:
    """Whether ``other`` is ``text`` with each stand-in in ``text`` (a pseudonym, or a role in
    brackets) put back as some name: the only difference a change of the name rule makes."""
    names = sorted({s for s in stand_ins if s}, key=len, reverse=True)
    parts = [re.escape(name) for name in names] + [_ROLE_STAND_IN.pattern]
    finder = re.compile("|".join(parts))
    pieces: list[str] = []
    at = 0
    for count, found in enumerate(finder.finditer(text)):
        if count >= _STAND_INS_MAX:
            return False
        pieces.append(re.escape(text[at : found.start()]))
        # A name (or the very stand-in again): at most five words of letters, apostrophes,
        # dots and hyphens, so it cannot swallow a sentence or an entry of a record.
        pieces.append(_NAME_LIKE)
        at = found.end()
    pieces.append(re.escape(text[at:]))
    return re.fullmatch("".join(pieces), other, re.DOTALL) is not None


def reworded_only_by_names(
    held: dict[str, str], sent: dict[str, str], stand_ins: Sequence[str]
) -> bool:
    """Whether a version sent again differs from the one held only where a name rule put a
    stand-in for a name (``stand_ins``: the storyteller's pseudonyms, sent and held; roles in
    brackets are always stand-ins) — the sender took the name back, gave it, changed the
    pseudonym or listed a person mentioned. Any other change of its words is a rewrite."""
    for column, words in sent.items():
        before = held.get(column, "")
        if words == before:
            continue
        if not (
            _differs_only_at(words, before, stand_ins) or _differs_only_at(before, words, stand_ins)
        ):
            return False
    return True


def stand_ins(document: dict[str, Any], row: StoryRow) -> list[str]:
    """What may stand in for a name in a story's consent words: the storyteller's name as sent
    (a pseudonym when sent without the name) and the pseudonym held here for them."""
    sent = document.get("storyteller", {}).get("name", "")
    held = row.storyteller.pseudonym if row.storyteller is not None else ""
    return [name for name in (sent, held) if isinstance(name, str) and name]
