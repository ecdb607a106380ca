"""`store_stats`' theme counts are honest: only stories whose consent allows use in reports, and
it says how many were counted and how many left out, and why (issue 18)."""

from __future__ import annotations

from storykeeper.core import consent
from storykeeper.core.consent import Withdrawal
from storykeeper.core.db import Store
from storykeeper.core.insight_policy import LeftOut
from storykeeper.core.stats import as_it_leaves, store_stats, what_themes_count
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    Polarity,
)
from tests.factories import given, make_story

TRANSPORT = "Getting out and about"


def test_theme_counts_leave_out_what_consent_does_not_allow(store: Store) -> None:
    counted = make_story(store, title="Counted")
    unconsented = make_story(store, title="No consent yet")
    declined = make_story(store, title="Declined")
    withdrawn = make_story(store, title="Withdrawn")
    sharing_only = make_story(store, title="Shared, not for reports")
    with store.write(actor="test") as session:
        consent.record_consent(session, counted.id, given())
        consent.record_consent(
            session, declined.id, given(decision=ConsentDecision.DECLINED, scopes=frozenset())
        )
        consent.record_consent(session, withdrawn.id, given())
        consent.withdraw(
            session,
            withdrawn.id,
            Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
        )
        consent.record_consent(
            session,
            sharing_only.id,
            given(scopes=frozenset({ConsentScope.SHARE_WITH_COORDINATOR})),
        )
    assert unconsented.themes  # every story marks the theme an enabler
    with store.read() as session:
        figures = store_stats(session)
    assert figures.stories == 5
    assert figures.by_theme[TRANSPORT] == {
        Polarity.ENABLER.value: 1,
        Polarity.BARRIER.value: 0,
        Polarity.MIXED.value: 0,
    }
    assert figures.themes_counted == 1
    assert figures.themes_left_out == {
        LeftOut.NO_CONSENT.value: 1,
        LeftOut.DECLINED.value: 1,
        LeftOut.WITHDRAWN.value: 1,
        LeftOut.NOT_FOR_REPORTS.value: 1,
    }
    # Listed by name, as before, every theme.
    assert list(figures.by_theme) == sorted(figures.by_theme, key=str.casefold)
    # What leaves hides the small theme counts; the store's bookkeeping stays as it is.
    leaving = as_it_leaves(figures)
    assert leaving["by_theme"][TRANSPORT][Polarity.ENABLER.value] == "fewer than 5"
    assert leaving["by_theme"][TRANSPORT][Polarity.BARRIER.value] == 0
    assert leaving["themes_counted"] == "fewer than 5"
    assert set(leaving["themes_left_out"].values()) == {"fewer than 5"}
    assert leaving["stories"] == 5
    assert what_themes_count(figures) == (
        "Themes count only stories whose consent allows use in reports: fewer than 5.\n"
        'Left out: fewer than 5 ("storykeeper insight" says why).'
    )
    assert what_themes_count(figures, threshold=1) == (
        "Themes count only stories whose consent allows use in reports: 1.\n"
        'Left out: 4 ("storykeeper insight" says why).'
    )
