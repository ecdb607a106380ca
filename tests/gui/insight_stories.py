"""Stories in every consent situation, for the insight page's tests (issue 18)."""

from __future__ import annotations

import datetime as dt

from storykeeper.core import consent, people, stories
from storykeeper.core.consent import Withdrawal
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    Polarity,
)
from tests.factories import given

E, B, M = Polarity.ENABLER, Polarity.BARRIER, Polarity.MIXED
REPORTS = frozenset({ConsentScope.ANONYMISED_IN_REPORTS})
SHARING = frozenset({ConsentScope.SHARE_WITH_COORDINATOR})
TRANSPORT, MONEY, CARERS = "Getting out and about", "Money and charges", "Support for carers"


def teller(store: Store, name: str) -> str:
    with store.write(actor="test") as session:
        return people.create_storyteller(session, name).id


def tell(
    store: Store,
    storyteller_id: str,
    themes: dict[str, Polarity],
    *,
    told_on: dt.date | None = dt.date(2026, 2, 10),
    scopes: frozenset[ConsentScope] | None = REPORTS,
    then: str | None = None,
) -> str:
    """A story with these themes; consent given to ``scopes`` (None: no consent recorded),
    then ``declined`` or ``withdrawn`` as a newer version if asked."""
    with store.write(actor="test") as session:
        story = stories.create_story(
            session,
            stories.StoryFields(
                storyteller_id=storyteller_id,
                title="A story",
                own_words="Words.",
                told_on=told_on,
                themes=tuple(stories.ThemeLink(name, p) for name, p in themes.items()),
            ),
        )
        if scopes is not None:
            consent.record_consent(session, story.id, given(scopes=scopes))
        if then == "declined":
            consent.record_consent(
                session, story.id, given(decision=ConsentDecision.DECLINED, scopes=frozenset())
            )
        elif then == "withdrawn":
            consent.withdraw(
                session,
                story.id,
                Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
            )
    return story.id


def every_situation(store: Store) -> dict[str, str]:
    """Two people whose stories count (Ann telling three), and one story in each situation
    consent leaves out, each a Transport barrier: counted, it would change the numbers."""
    ann, bob, cal = teller(store, "Ann Jones"), teller(store, "Bob Smith"), teller(store, "Cal")
    return {
        "ann1": tell(store, ann, {TRANSPORT: B, MONEY: B}, told_on=dt.date(2026, 1, 5)),
        "ann2": tell(store, ann, {TRANSPORT: B}, told_on=dt.date(2026, 4, 2)),
        "ann3": tell(store, ann, {TRANSPORT: E}, told_on=None),
        "bob": tell(
            store,
            bob,
            {TRANSPORT: M},
            told_on=dt.date(2025, 11, 30),
            scopes=frozenset({ConsentScope.PUBLISH_WITH_NAME}),
        ),
        "no_consent": tell(store, cal, {CARERS: E, TRANSPORT: B}, scopes=None),
        "declined": tell(store, cal, {CARERS: E, TRANSPORT: B}, then="declined"),
        "withdrawn": tell(store, cal, {CARERS: B, TRANSPORT: B}, then="withdrawn"),
        "not_for_reports": tell(store, cal, {CARERS: M, TRANSPORT: B}, scopes=SHARING),
    }
