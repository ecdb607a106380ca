"""Each basis of a decision reads truthfully in the person's copy (issue 17): a decision made on
their behalf is never put in their mouth."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from storykeeper.core.consent import ConsentInput
from storykeeper.core.consent_copy import basis_wording, consent_copy_html
from storykeeper.core.easy_read import load_consent_text
from storykeeper.core.vocabulary import ConsentBasis, ConsentDecision, ConsentMethod, ConsentScope
from tests.mca_records import best_interests, lacks_capacity

TEXT = load_consent_text()


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def decision(**overrides: object) -> ConsentInput:
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


ON_THEIR_BEHALF = {
    "attorney": decision(
        basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
        decided_by="Ann Crisp",
        capacity=lacks_capacity(),
        representative_reference="7000-1234-5678",
    ),
    "deputy": decision(
        basis=ConsentBasis.DEPUTY,
        decided_by="Ray Finch",
        representative_reference="COP 1234567",
    ),
    "best interests": decision(
        basis=ConsentBasis.BEST_INTERESTS,
        decided_by="Priya Shah",
        capacity=lacks_capacity(),
        best_interests=best_interests(
            why="Her story may help keep the bus running, and her name will not be used."
        ),
    ),
}


@pytest.mark.parametrize(
    ("wanted", "sentence"),
    [
        (decision(), "You decided this yourself."),
        (
            decision(basis=ConsentBasis.SUPPORTED_DECISION, advocate_name="Sam Okafor"),
            "You decided this with help from Sam Okafor.",
        ),
        (decision(basis=ConsentBasis.SUPPORTED_DECISION), "You decided this yourself, with help."),
        (
            ON_THEIR_BEHALF["attorney"],
            "It was decided on your behalf by Ann Crisp, your attorney "
            "(Lasting Power of Attorney 7000-1234-5678).",
        ),
        (
            decision(basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY, decided_by="Ann Crisp"),
            "It was decided on your behalf by Ann Crisp, your attorney "
            "(Lasting Power of Attorney).",
        ),
        (
            ON_THEIR_BEHALF["deputy"],
            "It was decided on your behalf by Ray Finch, your deputy (appointed by the court, "
            "order COP 1234567).",
        ),
        (
            ON_THEIR_BEHALF["best interests"],
            "It was decided on your behalf by Priya Shah, in your best interests, because her "
            "story may help keep the bus running, and her name will not be used.",
        ),
        (
            # A version recorded before the best-interests record: its reasons are the why.
            decision(
                basis=ConsentBasis.BEST_INTERESTS,
                decided_by="Priya Shah",
                best_interests_reasons="Ann Crisp said she would want it told",
            ),
            "It was decided on your behalf by Priya Shah, in your best interests, because Ann "
            "Crisp said she would want it told.",
        ),
        (
            decision(
                basis=ConsentBasis.BEST_INTERESTS,
                decision=ConsentDecision.DECLINED,
                scopes=frozenset(),
            ),
            "It was decided on your behalf by Mair Pritchard, in your best interests.",
        ),
    ],
)
def test_each_basis_has_its_honest_sentence(wanted: ConsentInput, sentence: str) -> None:
    assert basis_wording(wanted) == sentence


def test_the_best_interests_decision_maker_is_named_rather_than_who_recorded_it() -> None:
    wanted = decision(
        basis=ConsentBasis.BEST_INTERESTS,
        decided_by="Priya Shah",
        best_interests=best_interests(decision_maker="Dr Lowri Jones", why="It helps."),
    )
    assert basis_wording(wanted).startswith("It was decided on your behalf by Dr Lowri Jones,")


@pytest.mark.parametrize("basis", sorted(ON_THEIR_BEHALF))
def test_a_decision_made_for_the_person_is_not_put_in_their_mouth(basis: str) -> None:
    wanted = ON_THEIR_BEHALF[basis]
    text = visible(consent_copy_html(TEXT, wanted, "Mair Pritchard", "Tea on Thursdays"))
    assert "You told us" not in text
    assert "What you asked for" not in text
    assert "It was decided on your behalf on 3 November 2026." in text
    assert f"Who decided: {basis_wording(wanted)}" in text


@pytest.mark.parametrize("basis", sorted(ON_THEIR_BEHALF))
def test_a_refusal_made_for_the_person_says_who_made_it(basis: str) -> None:
    for made, said in (
        (ConsentDecision.DECLINED, "It was decided on your behalf on 3 November 2026"),
        (ConsentDecision.WITHDRAWN, "Your yes was taken back on your behalf on 3 November 2026"),
    ):
        wanted = decision(
            **{
                **{
                    name: getattr(ON_THEIR_BEHALF[basis], name)
                    for name in ("basis", "decided_by", "representative_reference")
                },
                "decision": made,
                "scopes": frozenset(),
                "review_by": None,
            }
        )
        text = visible(consent_copy_html(TEXT, wanted, "Mair Pritchard", ""))
        assert said in text
        assert "You said no" not in text and "You took back" not in text
        assert f"Who decided: {basis_wording(wanted)}" in text


def test_the_persons_own_decision_still_reads_as_theirs() -> None:
    text = visible(consent_copy_html(TEXT, decision(), "Mair Pritchard", "Tea on Thursdays"))
    assert "You told us on 3 November 2026." in text
    assert "Who decided: You decided this yourself." in text


def test_the_copy_tells_the_person_how_it_was_decided() -> None:
    wanted = decision(
        basis=ConsentBasis.BEST_INTERESTS,
        decided_by="Priya Shah",
        capacity=lacks_capacity(),
        best_interests=best_interests(),
        advocate_name="Sam Okafor (IMCA)",
    )
    text = visible(consent_copy_html(TEXT, wanted, "Mair Pritchard", "Tea on Thursdays"))
    assert (
        "Checking if you could decide: Priya Shah checked on 2 November 2026. They found you "
        "could not make this decision at that time."
    ) in text
    assert "People who were asked: Ann Crisp (her daughter) Tom Hughes (key worker)" in text
    assert (
        "What we know matters to you: She has always wanted the day centre to keep its bus."
    ) in text
    assert "Your advocate: Sam Okafor (IMCA)" in text


def test_a_copy_without_the_record_has_none_of_its_headings() -> None:
    text = visible(consent_copy_html(TEXT, decision(), "Mair Pritchard", "Tea"))
    for heading in ("Checking if", "People who were asked", "What we know", "Your advocate"):
        assert heading not in text
