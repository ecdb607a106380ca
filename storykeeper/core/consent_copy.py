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
from storykeeper.core.consent import AGREEING
from storykeeper.core.easy_read import ConsentText
from storykeeper.core.vocabulary import ConsentBasis, ConsentDecision, ConsentScope

PICTURE_SIZE = 72


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
        parts.append(f"<p>{escape(_fill(copy.decided, date=_date(decided_on)))}</p>")
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
            parts.append(f"<p><b>{escape(copy.conditions)}</b><br>{_lines(record.conditions)}</p>")
        basis = text.basis[record.basis]
        parts.append(
            f"<p><b>{escape(copy.who)}</b> {escape(basis.text)} ({escape(record.decided_by)})</p>"
        )
        if record.review_by:
            parts.append(f"<p>{escape(_fill(copy.review, date=_date(record.review_by)))}</p>")
    else:
        wording = copy.withdrawn if record.decision is ConsentDecision.WITHDRAWN else copy.declined
        decided_on = record.decided_on or clock.today()
        parts.append(f"<p>{_lines(_fill(wording, date=_date(decided_on)))}</p>")
    parts.append(f"<p>{_lines(copy.change)}</p>")
    return "\n".join(parts)
