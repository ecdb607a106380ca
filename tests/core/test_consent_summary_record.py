"""The story page's consent summary (and `storykeeper show`) says who decided as the person's
copy says it, and shows the Mental Capacity Act record of the consent in force (issue 17)."""

from __future__ import annotations

import datetime as dt

from storykeeper.core import consent, consent_text
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import ConsentBasis
from tests.factories import given, make_story
from tests.mca_records import best_interests, lacks_capacity


def summary_of(store: Store, wanted: consent.ConsentInput) -> str:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, wanted)
        return consent_text.summary(consent.consent_history(session, story.id))


def test_a_best_interests_decision_shows_its_whole_record(store: Store) -> None:
    text = summary_of(
        store,
        given(
            basis=ConsentBasis.BEST_INTERESTS,
            decided_by="Priya Shah",
            capacity=lacks_capacity(),
            best_interests=best_interests(),
            advocate_name="Sam Okafor (IMCA)",
            decided_on=dt.date(2026, 11, 3),
        ),
    )
    lines = text.splitlines()
    assert lines[0].startswith("Given on 03 November 2026 by Priya Shah")
    assert lines[1] == (
        "The person’s copy says: “It was decided on your behalf by Priya Shah, in your best "
        "interests, because her story may help keep the bus running, and her name will not be "
        "used.”"
    )
    record = lines[lines.index("Capacity assessment:") :]
    assert record[:12] == [
        "Capacity assessment:",
        "  Decision: Sharing her story with the coordinator.",
        "  Assessed by Priya Shah on 02 November 2026.",
        "  Steps taken to help them decide: information given in another form; someone they "
        "trust helped. Pictures of the report; her daughter sat with her; tried after lunch.",
        "  Can they understand the information? Yes. Knew we were talking about her bus story.",
        "  Can they retain it? No. Had forgotten the report a minute later.",
        "  Can they use or weigh it? Not sure.",
        "  Can they communicate a decision? Yes. Nodded and pointed to the yes card.",
        "  Outcome: cannot make this decision at this time.",
        "Best interests:",
        "  Decided by Priya Shah.",
        "  Consulted: Ann Crisp (her daughter): “Mum always liked telling that story.”",
    ]
    assert record[12:] == [
        "  Consulted: Tom Hughes (key worker): “She talks about the bus every week.”",
        "  Their wishes, feelings, beliefs and values: She has always wanted the day centre to "
        "keep its bus.",
        "  Why: Her story may help keep the bus running, and her name will not be used.",
        "Advocate or IMCA: Sam Okafor (IMCA).",
    ]


def test_an_attorney_is_named_with_the_lpa_reference(store: Store) -> None:
    text = summary_of(
        store,
        given(
            basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
            decided_by="Ann Crisp",
            representative_reference="7000-1234-5678",
        ),
    )
    assert "LPA reference: 7000-1234-5678." in text.splitlines()
    assert (
        "The person’s copy says: “It was decided on your behalf by Ann Crisp, your attorney "
        "(Lasting Power of Attorney 7000-1234-5678).”" in text.splitlines()
    )


def test_a_deputy_is_named_with_the_court_order(store: Store) -> None:
    text = summary_of(
        store,
        given(basis=ConsentBasis.DEPUTY, decided_by="Ray Finch", representative_reference="COP 99"),
    )
    assert "Court order: COP 99." in text.splitlines()


def test_the_persons_own_decision_shows_no_empty_record(store: Store) -> None:
    text = summary_of(store, given())
    assert "The person’s copy says: “You decided this yourself.”" in text.splitlines()
    assert "Capacity assessment" not in text
    assert "Best interests" not in text
    assert "Advocate" not in text
