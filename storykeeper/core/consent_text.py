"""A story's consent in plain words: the summary on the story's page and in `storykeeper show`,
and each earlier version described, with its Mental Capacity Act record."""

from __future__ import annotations

import datetime as dt

from storykeeper.core.consent import AGREEING, ConsentRecord, allows_sharing, review_due
from storykeeper.core.mca import (
    FUNCTIONAL_QUESTIONS,
    FunctionalAnswer,
    basis_wording,
)
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentScope,
    PracticableStep,
)


def summary(history: list[ConsentRecord], on: dt.date | None = None) -> str:
    """The current consent in plain words, for the story's page and `storykeeper show`."""
    if not history:
        return "No consent recorded yet: nothing about this story may leave this computer."
    now = history[-1]
    lines = [
        f"{now.decision.label} on {now.decided_on.strftime('%d %B %Y')} by {now.decided_by} "
        f"({now.basis.label.lower()}; {now.method.label.lower()}).",
        # What the person is told, so the advocate sees the same words the copy prints.
        f"The person’s copy says: “{basis_wording(now)}”",
    ]
    allowed = [s.label.lower() for s in ConsentScope if s in now.scopes]
    refused = [s.label.lower() for s in ConsentScope if s not in now.scopes]
    if allowed:
        lines.append("Allows: " + "; ".join(allowed) + ".")
    if refused and now.decision in AGREEING:
        lines.append("Does not allow: " + "; ".join(refused) + ".")
    if now.decision in AGREEING and not allows_sharing(now.decision, now.scopes):
        # Said outright: "Given" alone (say, to recording only) could be read as "may be shared".
        lines.append("Nothing about this story may leave this computer.")
    if now.conditions:
        lines.append(f"Conditions: {now.conditions}")
    if now.review_by and now.decision in AGREEING:
        due = " — the review is due now" if review_due(now, on) else ""
        lines.append(f"Review by {now.review_by.strftime('%d %B %Y')}{due}.")
    lines += record_lines(now)
    if len(history) > 1:
        lines.append(f"This is version {now.version}; {len(history) - 1} earlier.")
    return "\n".join(lines)


def _with_note(text: str, note: str) -> str:
    """``text`` followed by a note a person wrote, each a sentence."""
    note = " ".join(note.split())
    return f"{text}. {note}" if note else f"{text}."


def record_lines(record: ConsentRecord) -> list[str]:
    """The version's Mental Capacity Act record, read-only, for the story page: the capacity
    assessment, the best-interests record, the advocate and the LPA or order reference. Nothing
    for what was not recorded."""
    lines: list[str] = []
    if record.capacity is not None:
        assessment = record.capacity
        steps = [s.label.lower() for s in PracticableStep if s in assessment.steps_taken]
        lines += [
            "Capacity assessment:",
            f"  Decision: {assessment.decision.rstrip('.')}.",
            f"  Assessed by {assessment.assessed_by} on "
            f"{assessment.assessed_on.strftime('%d %B %Y')}.",
        ]
        if steps or assessment.steps_note.strip():
            lines.append(
                _with_note(
                    "  Steps taken to help them decide: " + ("; ".join(steps) or "none listed"),
                    assessment.steps_note,
                )
            )
        for name, words in FUNCTIONAL_QUESTIONS:
            answer: FunctionalAnswer = getattr(assessment, name)
            lines.append(_with_note(f"  Can they {words}? {answer.able.label}", answer.note))
        lines.append(f"  Outcome: {assessment.outcome.label.lower()}.")
    if record.best_interests is not None:
        interests = record.best_interests
        lines += ["Best interests:", f"  Decided by {interests.decision_maker}."]
        for person in interests.consulted:
            said = " ".join(person.said.split())
            who = person.name + (f" ({person.relationship})" if person.relationship else "")
            lines.append(f"  Consulted: {who}" + (f": “{said}”" if said else "."))
        if interests.wishes_and_values.strip():
            lines.append(
                "  Their wishes, feelings, beliefs and values: "
                + " ".join(interests.wishes_and_values.split())
            )
        lines.append("  Why: " + " ".join(interests.why.split()))
    if record.advocate_name:
        lines.append(f"Advocate or IMCA: {record.advocate_name}.")
    if record.representative_reference:
        kind = (
            "LPA reference"
            if record.basis is ConsentBasis.LASTING_POWER_OF_ATTORNEY
            else ("Court order")
        )
        lines.append(f"{kind}: {record.representative_reference}.")
    return lines


def describe(record: ConsentRecord) -> str:
    """One version on one line, for the story's consent history."""
    line = (
        f"Version {record.version}: {record.decision.label.lower()} on "
        f"{record.decided_on.strftime('%d %B %Y')} by {record.decided_by} "
        f"({record.basis.label.lower()}; {record.method.label.lower()})"
    )
    if record.scopes:
        line += " — " + "; ".join(s.label.lower() for s in ConsentScope if s in record.scopes)
    if record.persons_words and record.decision not in AGREEING:
        line += f". In their words: “{record.persons_words}”"
    return line + "."
