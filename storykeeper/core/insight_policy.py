"""What of a story may be counted and quoted in the insight view and its reports (issue 18).

Beside the export rule (``export_policy``), and decided the same way, from the story's *current*
consent — its newest version, by version number, whatever order the history comes in:

- a story is counted only if its current consent agrees (given, or given with conditions) and
  allows ``anonymised_in_reports`` or ``publish_with_name``. Declined, withdrawn and unconsented
  stories never count; each story left out has one reason, so a report can say how many were
  left out and why;
- the person's own words may be quoted only if the story is counted and its consent allows
  ``quote_anonymised``; the storyteller is named only with ``publish_with_name`` as well.
  Otherwise the words are redacted exactly as an export redacts them (``names_redactor`` of
  ``name_stand_ins``: the storyteller's name becomes the pseudonym and each person mentioned
  their role) — the same function, never a copy, so a report can never show more than a bundle;
- ``share_with_coordinator`` is not needed: the advocate's own reports use their own stories,
  and a coordinator only holds stories that came with it. ``record_audio`` and ``share_media``
  say nothing about reports.

Everything that leaves the program shows a count below a threshold as "fewer than 5"
(``shown_count``), the usual statistical disclosure rule.

Plain functions of the frozen dataclasses, no database: tests/core/test_insight_policy.py checks
them for any history with hypothesis, as the export rule is checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from storykeeper.core.consent import AGREEING
from storykeeper.core.export_policy import name_stand_ins, names_redactor
from storykeeper.core.mentioned import PersonMentioned
from storykeeper.core.stories import Story
from storykeeper.core.vocabulary import ConsentDecision, ConsentScope, HowTold, Setting

#: Counts below this are shown as "fewer than 5" in anything that leaves the program.
DEFAULT_THRESHOLD = 5

#: Any one of these lets a story be counted.
REPORT_SCOPES = frozenset({ConsentScope.ANONYMISED_IN_REPORTS, ConsentScope.PUBLISH_WITH_NAME})


class ConsentVersion(Protocol):
    """What of one consent version decides its use in reports (a ``ConsentRecord`` has it)."""

    @property
    def version(self) -> int: ...

    @property
    def decision(self) -> ConsentDecision: ...

    @property
    def scopes(self) -> frozenset[ConsentScope]: ...


@dataclass(frozen=True, slots=True)
class ConsentInForce:
    """A consent version as the insight counts read it from the store (one row, no records)."""

    version: int
    decision: ConsentDecision
    scopes: frozenset[ConsentScope]


class LeftOut(StrEnum):
    """Why a story is not counted. The order is the order a report lists them in."""

    NO_CONSENT = "no_consent"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    NOT_FOR_REPORTS = "not_for_reports"

    @property
    def label(self) -> str:
        return _LEFT_OUT_LABELS[self]


_LEFT_OUT_LABELS = {
    LeftOut.NO_CONSENT: "no consent recorded yet",
    LeftOut.DECLINED: "the person declined",
    LeftOut.WITHDRAWN: "consent was withdrawn",
    LeftOut.NOT_FOR_REPORTS: "consent does not include use in reports",
}


class QuoteUse(StrEnum):
    """Whether the person's own words may be quoted, and whether with their name."""

    NONE = "none"
    ANONYMISED = "anonymised"
    NAMED = "named"


@dataclass(frozen=True, slots=True)
class InsightUse:
    """What the insight view and its reports may do with one story."""

    #: None when the story is counted; else why it is not.
    left_out: LeftOut | None
    quote: QuoteUse

    @property
    def counted(self) -> bool:
        return self.left_out is None


_NOT_COUNTED = {reason: InsightUse(left_out=reason, quote=QuoteUse.NONE) for reason in LeftOut}
_COUNTED = {quote: InsightUse(left_out=None, quote=quote) for quote in QuoteUse}


def insight_use(history: Iterable[ConsentVersion]) -> InsightUse:
    """The one rule: whether a story with this consent ``history`` is counted, why not, and
    whether its words may be quoted. Only the newest version (by number) decides."""
    current = max(history, key=lambda version: version.version, default=None)
    if current is None:
        return _NOT_COUNTED[LeftOut.NO_CONSENT]
    if current.decision is ConsentDecision.WITHDRAWN:
        return _NOT_COUNTED[LeftOut.WITHDRAWN]
    if current.decision not in AGREEING:
        return _NOT_COUNTED[LeftOut.DECLINED]
    if not current.scopes & REPORT_SCOPES:
        return _NOT_COUNTED[LeftOut.NOT_FOR_REPORTS]
    if ConsentScope.QUOTE_ANONYMISED not in current.scopes:
        return _COUNTED[QuoteUse.NONE]
    if ConsentScope.PUBLISH_WITH_NAME in current.scopes:
        return _COUNTED[QuoteUse.NAMED]
    return _COUNTED[QuoteUse.ANONYMISED]


@dataclass(frozen=True, slots=True)
class Quote:
    """A story's own words as a report may show them, with what a reader is told beside them."""

    story_id: str
    #: The storyteller's name when consent allows it, else the pseudonym.
    storyteller: str
    named: bool
    words: str
    told_on: dt.date | None
    setting: Setting | None
    how_told: HowTold | None


def quote_of(
    story: Story,
    history: Iterable[ConsentVersion],
    mentioned: Sequence[PersonMentioned] = (),
) -> Quote | None:
    """The story's own words as a report may quote them, or None when consent does not allow a
    quote. Without ``publish_with_name`` they read exactly as an export would send them."""
    use = insight_use(history)
    if use.quote is QuoteUse.NONE:
        return None
    named = use.quote is QuoteUse.NAMED
    words = (
        story.own_words
        if named
        else names_redactor(name_stand_ins(story, mentioned))(story.own_words)
    )
    return Quote(
        story_id=story.id,
        storyteller=story.storyteller.name if named else story.storyteller_pseudonym,
        named=named,
        words=words,
        told_on=story.told_on,
        setting=story.setting,
        how_told=story.how_told,
    )


def shown_count(count: int, threshold: int = DEFAULT_THRESHOLD) -> int | str:
    """A count as it may leave the program: below ``threshold`` (but not none at all) it is
    "fewer than 5", so no small group of people can be picked out. Zero says nothing about
    anyone and is shown as it is."""
    if 0 < count < threshold:
        return f"fewer than {threshold}"
    return count


def shown_share(part: int, whole: int, threshold: int = DEFAULT_THRESHOLD) -> float | str | None:
    """A share (0–100, one decimal) as it may leave: hidden when the part it is worked out
    from is (a share of a known total would give the small count back). None when there is
    no whole to share."""
    if whole <= 0:
        return None
    if 0 < part < threshold:
        return f"fewer than {threshold} stories"
    return round(100 * part / whole, 1)
