"""The Mental Capacity Act record of a consent decision (MCA 2005 and its Code of Practice):
the capacity assessment per decision, the best-interests record, how each is kept (canonical
JSON in its column) and checked, and the honest sentence of who decided (``basis_wording``).

Apart from consent.py, which records versions and derives the current consent: this module only
says what one decision holds, so the consent copy, the bundle and the flow share it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from storykeeper.core.consent_limits import (
    CAPACITY_DECISION_MAX,
    CONSULTED_MAX,
    PERSON_NAME_MAX,
    RELATIONSHIP_MAX,
    TEXT_MAX,
)
from storykeeper.core.errors import ValidationError
from storykeeper.core.validation import clean_line, clean_text, not_in_future, within_years
from storykeeper.core.vocabulary import (
    Ability,
    CapacityOutcome,
    ConsentBasis,
    PracticableStep,
)


@dataclass(frozen=True, slots=True)
class FunctionalAnswer:
    """One of the four functional questions (MCA 2005 s.3(1)), answered, with a note."""

    able: Ability
    note: str = ""


@dataclass(frozen=True, slots=True)
class CapacityAssessment:
    """A capacity assessment for one decision (MCA 2005 ss.2–3, Code of Practice ch. 4)."""

    #: Which decision, in words ("Sharing her story with the coordinator").
    decision: str
    assessed_by: str
    assessed_on: dt.date
    steps_taken: frozenset[PracticableStep]
    steps_note: str
    understand: FunctionalAnswer
    retain: FunctionalAnswer
    use_or_weigh: FunctionalAnswer
    communicate: FunctionalAnswer
    outcome: CapacityOutcome


@dataclass(frozen=True, slots=True)
class PersonConsulted:
    """Someone consulted for a best-interests decision (MCA 2005 s.4(7))."""

    name: str
    relationship: str
    said: str


@dataclass(frozen=True, slots=True)
class BestInterests:
    """The record of a best-interests decision (MCA 2005 s.4)."""

    decision_maker: str
    consulted: tuple[PersonConsulted, ...]
    #: The person's past and present wishes, feelings, beliefs and values (s.4(6)).
    wishes_and_values: str
    #: Why this is in the person's interests.
    why: str


#: The four functional questions, in the order the Code of Practice asks them, with the words
#: used in messages and summaries.
FUNCTIONAL_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("understand", "understand the information"),
    ("retain", "retain it"),
    ("use_or_weigh", "use or weigh it"),
    ("communicate", "communicate a decision"),
)


def capacity_document(assessment: CapacityAssessment) -> dict[str, Any]:
    """The assessment as plain JSON values: stored in ``consent_records.capacity_assessment``
    and carried in a bundle (format 2) in this very form."""
    return {
        "decision": assessment.decision,
        "assessed_by": assessment.assessed_by,
        "assessed_on": assessment.assessed_on.isoformat(),
        # Sorted: the same steps are always the same document (and the same digest).
        "steps_taken": sorted(step.value for step in assessment.steps_taken),
        "steps_note": assessment.steps_note,
        **{
            name: {
                "able": getattr(assessment, name).able.value,
                "note": getattr(assessment, name).note,
            }
            for name, _ in FUNCTIONAL_QUESTIONS
        },
        "outcome": assessment.outcome.value,
    }


def capacity_from_document(document: Mapping[str, Any]) -> CapacityAssessment:
    """The inverse of ``capacity_document`` (KeyError or ValueError on a document that is not
    one: the bundle's schema, or the store's own writing, has vouched for it before)."""
    return CapacityAssessment(
        decision=document["decision"],
        assessed_by=document["assessed_by"],
        assessed_on=dt.date.fromisoformat(document["assessed_on"]),
        steps_taken=frozenset(PracticableStep(step) for step in document["steps_taken"]),
        steps_note=document["steps_note"],
        understand=_answer(document["understand"]),
        retain=_answer(document["retain"]),
        use_or_weigh=_answer(document["use_or_weigh"]),
        communicate=_answer(document["communicate"]),
        outcome=CapacityOutcome(document["outcome"]),
    )


def _answer(document: Mapping[str, Any]) -> FunctionalAnswer:
    return FunctionalAnswer(able=Ability(document["able"]), note=document["note"])


def best_interests_document(record: BestInterests) -> dict[str, Any]:
    """The best-interests record as plain JSON values (the store's column and the bundle's)."""
    return {
        "decision_maker": record.decision_maker,
        # In the order entered: who spoke first can matter to whoever reads it later.
        "consulted": [
            {"name": person.name, "relationship": person.relationship, "said": person.said}
            for person in record.consulted
        ],
        "wishes_and_values": record.wishes_and_values,
        "why": record.why,
    }


def best_interests_from_document(document: Mapping[str, Any]) -> BestInterests:
    return BestInterests(
        decision_maker=document["decision_maker"],
        consulted=tuple(
            PersonConsulted(
                name=person["name"], relationship=person["relationship"], said=person["said"]
            )
            for person in document["consulted"]
        ),
        wishes_and_values=document["wishes_and_values"],
        why=document["why"],
    )


def stored_json(document: Mapping[str, Any] | None) -> str:
    """A document as the store keeps it: canonical JSON (sorted keys, no spaces), so the same
    record is always the same text and the same content digest; "" for none."""
    if document is None:
        return ""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _read_stored(text: str, parse: Any) -> Any:
    """A stored document back; None when not recorded. A document damaged outside Storykeeper
    reads as not recorded rather than stopping the story's page: `check` names the damage
    (the field's content digest no longer matches)."""
    if not text:
        return None
    try:
        return parse(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def capacity_of(text: str) -> CapacityAssessment | None:
    """A stored capacity assessment (``consent_records.capacity_assessment``), or None."""
    result: CapacityAssessment | None = _read_stored(text, capacity_from_document)
    return result


def best_interests_of(text: str) -> BestInterests | None:
    """A stored best-interests record (``consent_records.best_interests``), or None."""
    result: BestInterests | None = _read_stored(text, best_interests_from_document)
    return result


#: Words a reason commonly starts with that read lower-case after "because" ("because her story
#: …"); a reason starting with a name ("Ann said …") keeps its capital.
_LOWERED_AFTER_BECAUSE = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "being",
        "each",
        "he",
        "her",
        "his",
        "i’d",
        "it",
        "its",
        "my",
        "of",
        "sharing",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "telling",
        "we",
        "what",
        "when",
        "without",
    ]
)


class DecisionBasis(Protocol):
    """Who decided and on what basis: a recorded version, or the answers about to be saved."""

    @property
    def basis(self) -> ConsentBasis: ...
    @property
    def decided_by(self) -> str: ...
    @property
    def best_interests(self) -> BestInterests | None: ...
    @property
    def best_interests_reasons(self) -> str: ...
    @property
    def advocate_name(self) -> str: ...
    @property
    def representative_reference(self) -> str: ...


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _because(reason: str) -> str:
    reason = " ".join(reason.split()).rstrip(".")
    first = reason.split(" ", 1)[0]
    if first.lower() in _LOWERED_AFTER_BECAUSE and first[:1].isupper() and first[1:].islower():
        reason = reason[:1].lower() + reason[1:]
    return reason


def basis_wording(record: DecisionBasis) -> str:
    """Who decided, said truthfully to the person: a decision made on their behalf is said to
    be one (by whom, and as what), never put in their mouth. Used by the consent flow's
    summary, the story page and the copy the person keeps."""
    basis = ConsentBasis(record.basis)
    name = " ".join(record.decided_by.split())
    reference = " ".join(record.representative_reference.split())
    if basis is ConsentBasis.OWN_CONSENT:
        return "You decided this yourself."
    if basis is ConsentBasis.SUPPORTED_DECISION:
        helper = " ".join(record.advocate_name.split())
        return (
            f"You decided this with help from {helper}."
            if helper
            else "You decided this yourself, with help."
        )
    if basis is ConsentBasis.LASTING_POWER_OF_ATTORNEY:
        power = "Lasting Power of Attorney" + (f" {reference}" if reference else "")
        return f"It was decided on your behalf by {name}, your attorney ({power})."
    if basis is ConsentBasis.DEPUTY:
        order = f", order {reference}" if reference else ""
        return (
            f"It was decided on your behalf by {name}, your deputy (appointed by the court{order})."
        )
    # A best-interests decision: its record names the decision-maker and why; a version recorded
    # before that record says why in its reasons.
    record_of = record.best_interests
    maker = " ".join(record_of.decision_maker.split()) if record_of else ""
    why = record_of.why if record_of else record.best_interests_reasons
    sentence = f"It was decided on your behalf by {maker or name}, in your best interests"
    return _sentence(f"{sentence}, because {_because(why)}" if why.strip() else sentence)


def _check_assessment_date(assessed_on: dt.date, decided_on: dt.date) -> None:
    not_in_future(assessed_on, "capacity.assessed_on", "The date of the capacity assessment")
    if assessed_on > decided_on:
        raise ValidationError(
            f"The capacity assessment ({assessed_on.isoformat()}) is dated after the decision "
            f"({decided_on.isoformat()}): an assessment comes first; check both dates.",
            "capacity.assessed_on",
        )


def clean_capacity(assessment: CapacityAssessment) -> CapacityAssessment:
    """The assessment with its texts cleaned like every consent text, checked to agree with
    itself, or a ValidationError naming the field. Recording consent and reading a bundle both
    use it, so an assessment the store takes is one a coordinator takes."""
    assessed_on = within_years(
        assessment.assessed_on, "capacity.assessed_on", "The date of the capacity assessment"
    )
    assert assessed_on is not None
    answers = {
        name: FunctionalAnswer(
            able=Ability(getattr(assessment, name).able),
            note=clean_text(
                getattr(assessment, name).note,
                f"capacity.{name}",
                f"The note on whether they can {words}",
                max_length=TEXT_MAX,
            ),
        )
        for name, words in FUNCTIONAL_QUESTIONS
    }
    outcome = CapacityOutcome(assessment.outcome)
    unable = [words for name, words in FUNCTIONAL_QUESTIONS if answers[name].able is Ability.NO]
    # MCA 2005 s.3(1): a person unable to do any one of the four is unable to make the decision.
    if unable and outcome is CapacityOutcome.HAS_CAPACITY:
        raise ValidationError(
            f"The assessment says the person cannot {unable[0]}, so its outcome is that they "
            "cannot make this decision at this time: change the outcome, or that answer.",
            "capacity.outcome",
        )
    if outcome is CapacityOutcome.LACKS_CAPACITY and all(
        answer.able is Ability.YES for answer in answers.values()
    ):
        raise ValidationError(
            "The assessment says the person can do all four (understand, retain, use or weigh, "
            "communicate), so its outcome is that they can make this decision: change the "
            "outcome, or the answer they could not give.",
            "capacity.outcome",
        )
    return CapacityAssessment(
        decision=clean_line(
            assessment.decision,
            "capacity.decision",
            "Which decision was assessed",
            max_length=CAPACITY_DECISION_MAX,
            required=True,
        ),
        assessed_by=clean_line(
            assessment.assessed_by,
            "capacity.assessed_by",
            "Who assessed capacity",
            max_length=PERSON_NAME_MAX,
            required=True,
        ),
        assessed_on=assessed_on,
        steps_taken=frozenset(PracticableStep(step) for step in assessment.steps_taken),
        steps_note=clean_text(
            assessment.steps_note,
            "capacity.steps_note",
            "The steps taken to help the person decide",
            max_length=TEXT_MAX,
        ),
        outcome=outcome,
        **answers,
    )


def clean_best_interests(record: BestInterests) -> BestInterests:
    """The best-interests record with its texts cleaned, or a ValidationError naming the field."""
    if len(record.consulted) > CONSULTED_MAX:
        raise ValidationError(
            f"{len(record.consulted)} people consulted is more than one record holds "
            f"({CONSULTED_MAX}): list those whose views shaped the decision.",
            "best_interests.consulted",
        )
    return BestInterests(
        decision_maker=clean_line(
            record.decision_maker,
            "best_interests.decision_maker",
            "Who made the best-interests decision",
            max_length=PERSON_NAME_MAX,
            required=True,
        ),
        consulted=tuple(
            PersonConsulted(
                name=clean_line(
                    person.name,
                    "best_interests.consulted",
                    "The name of someone consulted",
                    max_length=PERSON_NAME_MAX,
                    required=True,
                ),
                relationship=clean_line(
                    person.relationship,
                    "best_interests.consulted",
                    "How someone consulted knows the person",
                    max_length=RELATIONSHIP_MAX,
                ),
                said=clean_text(
                    person.said,
                    "best_interests.consulted",
                    "What someone consulted said",
                    max_length=TEXT_MAX,
                ),
            )
            for person in record.consulted
        ),
        wishes_and_values=clean_text(
            record.wishes_and_values,
            "best_interests.wishes_and_values",
            "The person’s wishes, feelings, beliefs and values",
            max_length=TEXT_MAX,
        ),
        why=clean_text(
            record.why,
            "best_interests.why",
            "Why it is in the person’s interests",
            max_length=TEXT_MAX,
            required=True,
        ),
    )
