"""The story's consent state: one rule, derived from its consent history."""

from __future__ import annotations

import datetime as dt

from storykeeper.core.consent import ConsentStep, DerivedConsent, derive_consent
from storykeeper.core.vocabulary import ConsentDecision, ConsentState

MAY = dt.date(2026, 5, 1)
JUNE = dt.date(2026, 6, 1)


def test_no_history_is_no_consent() -> None:
    assert derive_consent([]) == DerivedConsent(ConsentState.NONE, None)


def test_the_newest_version_decides_whatever_order_the_history_comes_in() -> None:
    given = ConsentStep(1, ConsentDecision.GIVEN, MAY)
    withdrawn = ConsentStep(2, ConsentDecision.WITHDRAWN, None)
    expected = DerivedConsent(ConsentState.WITHDRAWN, None)
    assert derive_consent([given, withdrawn]) == expected
    assert derive_consent([withdrawn, given]) == expected


def test_a_review_takes_its_own_review_date() -> None:
    history = [
        ConsentStep(2, ConsentDecision.GIVEN_WITH_CONDITIONS, JUNE),
        ConsentStep(1, ConsentDecision.GIVEN, MAY),
    ]
    assert derive_consent(iter(history)) == DerivedConsent(ConsentState.GIVEN_WITH_CONDITIONS, JUNE)
