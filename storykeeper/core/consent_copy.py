"""The consent summary a storyteller keeps: their choices in easy-read form, as simple HTML.

Made here, without Qt, so the wording rules are tested on their own; the window turns the HTML
into a PDF with Qt's text engine (``gui/consent_pdf.py``). Only the subset of HTML that
``QTextDocument`` understands is used: tables for layout, pictures by file URL, sizes in points.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Protocol

from storykeeper.core import clock
from storykeeper.core.consent import AGREEING, BestInterests, CapacityAssessment, basis_wording
from storykeeper.core.easy_read import ConsentText
from storykeeper.core.vocabulary import CapacityOutcome, ConsentBasis, ConsentDecision, ConsentScope

PICTURE_SIZE = 72

#: The bases on which the person decides (alone or with help): only then does the copy speak
#: of what "you told us".
PERSON_DECIDES = (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION)
#: Said instead of the person's own "You told us …", "You said no …", "You took back …" when
#: someone else decided (Mental Capacity Act: an attorney, a deputy, or a best-interests
#: decision). ``{date}`` is filled in.
DECIDED_FOR_YOU = "It was decided on your behalf on {date}."
DECLINED_FOR_YOU = "It was decided on your behalf on {date} not to share your story."
WITHDRAWN_FOR_YOU = "Your yes was taken back on your behalf on {date}."
CONDITIONS_FOR_YOU = "The conditions:"
#: Headings of the Mental Capacity Act record in the copy, where one was recorded.
CHECKED_HEADING = "Checking if you could decide:"
ASKED_HEADING = "People who were asked:"
WISHES_HEADING = "What we know matters to you:"
ADVOCATE_HEADING = "Your advocate:"


class ConsentChoices(Protocol):
    """What the copy shows: a recorded version, or the answers about to be saved."""

    @property
    def decision(self) -> ConsentDecision: ...
    @property
    def basis(self) -> ConsentBasis: ...
    @property
    def decided_by(self) -> str: ...
    @property
    def scopes(self) -> frozenset[ConsentScope]: ...
    @property
    def conditions(self) -> str: ...
    @property
    def decided_on(self) -> dt.date | None: ...
    @property
    def review_by(self) -> dt.date | None: ...
    @property
    def best_interests(self) -> BestInterests | None: ...
    @property
    def best_interests_reasons(self) -> str: ...
    @property
    def advocate_name(self) -> str: ...
    @property
    def representative_reference(self) -> str: ...
    @property
    def capacity(self) -> CapacityAssessment | None: ...


def _how_it_was_decided(record: ConsentChoices) -> list[str]:
    """The Mental Capacity Act record, said to the person in short plain sentences: who checked
    whether they could decide, who was asked, what is known of their wishes, their advocate."""
    parts = []
    if record.capacity is not None:
        checked = record.capacity
        found = (
            "They found you could make this decision."
            if checked.outcome is CapacityOutcome.HAS_CAPACITY
            else "They found you could not make this decision at that time."
        )
        parts.append(
            f"<p><b>{escape(CHECKED_HEADING)}</b><br>"
            f"{escape(checked.assessed_by)} checked on {_date(checked.assessed_on)}."
            f"<br>{escape(found)}</p>"
        )
    if record.best_interests is not None:
        interests = record.best_interests
        if interests.consulted:
            asked = "<br>".join(
                escape(person.name + (f" ({person.relationship})" if person.relationship else ""))
                for person in interests.consulted
            )
            parts.append(f"<p><b>{escape(ASKED_HEADING)}</b><br>{asked}</p>")
        if interests.wishes_and_values.strip():
            parts.append(
                f"<p><b>{escape(WISHES_HEADING)}</b><br>{_lines(interests.wishes_and_values)}</p>"
            )
    if record.advocate_name:
        parts.append(f"<p><b>{escape(ADVOCATE_HEADING)}</b> {escape(record.advocate_name)}</p>")
    return parts


def _date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _lines(text: str) -> str:
    """Easy read puts one sentence to a line: keep the author's line breaks."""
    return "<br>".join(escape(line) for line in text.splitlines())


def _fill(template: str, **values: str) -> str:
    # str.format would choke on a stray brace an organisation typed into its own wording.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _picture(uri: str) -> str:
    return f'<img src="{escape(uri)}" width="{PICTURE_SIZE}" height="{PICTURE_SIZE}">'


def consent_copy_html(
    text: ConsentText,
    record: ConsentChoices | None,
    storyteller_name: str,
    story_title: str,
    *,
    heading: bool = True,
) -> str:
    """The whole copy as one HTML page, in the words of ``text``.

    Without ``heading`` it is the body alone: the consent flow shows it as "Is this right?".
    """
    copy = text.copy
    parts = [f"<h1>{escape(copy.title)}</h1>", f"<p>{_lines(copy.intro)}</p>"] if heading else []
    parts.append(f"<p>{escape(_fill(copy.for_, name=storyteller_name))}")
    if story_title.strip():
        parts.append(f"<br>{escape(_fill(copy.story, title=story_title.strip()))}")
    parts.append("</p>")
    if record is None:
        parts.append(f"<p>{_lines(copy.none)}</p>")
    elif record.decision in AGREEING:
        decided_on = record.decided_on or clock.today()
        theirs = ConsentBasis(record.basis) in PERSON_DECIDES
        decided = copy.decided if theirs else DECIDED_FOR_YOU
        parts.append(f"<p>{escape(_fill(decided, date=_date(decided_on)))}</p>")
        parts.append('<table width="100%" cellpadding="8">')
        for scope in ConsentScope:
            words = text.scopes[scope]
            answer = text.yes if scope in record.scopes else text.no
            parts.append(
                '<tr valign="middle">'
                f"<td>{_picture(words.picture.as_uri())}</td>"
                f"<td>{escape(words.question)}</td>"
                f"<td>{_picture(answer.picture.as_uri())}</td>"
                f"<td><b>{escape(answer.text)}</b></td>"
                "</tr>"
            )
        parts.append("</table>")
        if record.conditions:
            asked = copy.conditions if theirs else CONDITIONS_FOR_YOU
            parts.append(f"<p><b>{escape(asked)}</b><br>{_lines(record.conditions)}</p>")
        parts.append(f"<p><b>{escape(copy.who)}</b> {escape(basis_wording(record))}</p>")
        parts += _how_it_was_decided(record)
        if record.review_by:
            parts.append(f"<p>{escape(_fill(copy.review, date=_date(record.review_by)))}</p>")
    else:
        decided_on = record.decided_on or clock.today()
        withdrawn = record.decision is ConsentDecision.WITHDRAWN
        if ConsentBasis(record.basis) in PERSON_DECIDES:
            wording = copy.withdrawn if withdrawn else copy.declined
            parts.append(f"<p>{_lines(_fill(wording, date=_date(decided_on)))}</p>")
        else:
            # The organisation's wording speaks as the person ("You said no …"); what follows
            # it ("We will not share your story.") holds whoever decided, so it is kept.
            wording = WITHDRAWN_FOR_YOU if withdrawn else DECLINED_FOR_YOU
            own = copy.withdrawn if withdrawn else copy.declined
            rest = own.splitlines()[1:]
            lines = [_fill(wording, date=_date(decided_on)), *rest]
            parts.append(f"<p>{_lines(chr(10).join(lines))}</p>")
            parts.append(f"<p><b>{escape(copy.who)}</b> {escape(basis_wording(record))}</p>")
            parts += _how_it_was_decided(record)
    parts.append(f"<p>{_lines(copy.change)}</p>")
    return "\n".join(parts)
