"""The copy a storyteller keeps: their choices in their words, nothing hidden, nothing injected."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from storykeeper.core.consent import ConsentInput
from storykeeper.core.consent_copy import consent_copy_html
from storykeeper.core.easy_read import load_consent_text
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
)

TEXT = load_consent_text()


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def choices(**overrides: object) -> ConsentInput:
    values: dict[str, object] = {
        "decision": ConsentDecision.GIVEN,
        "basis": ConsentBasis.OWN_CONSENT,
        "decided_by": "Mair Pritchard",
        "method": ConsentMethod.VERBAL,
        "scopes": frozenset({ConsentScope.SHARE_WITH_COORDINATOR}),
        "decided_on": dt.date(2026, 11, 3),
        "review_by": dt.date(2027, 5, 3),
    }
    values.update(overrides)
    return ConsentInput(**values)  # type: ignore[arg-type]


def test_every_use_is_listed_with_its_answer_and_picture() -> None:
    html = consent_copy_html(TEXT, choices(), "Mair Pritchard", "Tea on Thursdays")
    text = visible(html)
    assert "Can we give your story to the coordinator? Yes" in text
    for scope in ConsentScope:
        if scope is not ConsentScope.SHARE_WITH_COORDINATOR:
            assert f"{TEXT.scopes[scope].question} No" in text
        assert TEXT.scopes[scope].picture.as_uri() in html
    assert "You told us on 3 November 2026." in text
    assert "We will ask you again by 3 May 2027." in text
    assert "Who decided: You decided this yourself." in text
    assert TEXT.yes.picture.as_uri() in html and TEXT.no.picture.as_uri() in html


def test_a_withdrawal_says_so_and_lists_nothing_as_allowed() -> None:
    html = consent_copy_html(
        TEXT,
        choices(decision=ConsentDecision.WITHDRAWN, scopes=frozenset(), review_by=None),
        "Mair Pritchard",
        "",
    )
    text = visible(html)
    assert "You took back your yes on 3 November 2026." in text
    assert "Yes" not in text.replace("your yes", "")
    assert "About your story" not in text  # a withdrawn story's title is not printed


def test_names_and_conditions_cannot_inject_markup() -> None:
    html = consent_copy_html(
        TEXT,
        choices(
            decision=ConsentDecision.GIVEN_WITH_CONDITIONS,
            conditions='Not in <b>the paper</b> & "no photos"',
        ),
        "<img src=x>",
        "A <script> title",
    )
    assert "<img src=x>" not in html and "<script>" not in html
    assert 'Not in <b>the paper</b> & "no photos"' in visible(html)
    assert "For <img src=x>" in visible(html)


def test_no_consent_yet_says_so() -> None:
    text = visible(consent_copy_html(TEXT, None, "Mair Pritchard", "Tea"))
    assert "You have not told us your choices yet." in text
