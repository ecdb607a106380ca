"""Stories in every consent situation, for the extract and report tests (issue 18): two people
whose words may be quoted (one only under a pseudonym, one by name), one counted without
quotes, and one story in each situation consent leaves out, each full of names that must never
leave."""

from __future__ import annotations

import datetime as dt

from storykeeper.core import consent, people, stories
from storykeeper.core.consent import Withdrawal
from storykeeper.core.db import Store
from storykeeper.core.mentioned import PersonMentioned, set_people_mentioned
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    HowTold,
    Polarity,
    Setting,
)
from tests.factories import given

E, B, M = Polarity.ENABLER, Polarity.BARRIER, Polarity.MIXED
TRANSPORT, MONEY = "Getting out and about", "Money and charges"
REPORTS = frozenset({ConsentScope.ANONYMISED_IN_REPORTS})
QUOTES = REPORTS | {ConsentScope.QUOTE_ANONYMISED}
NAMED = frozenset({ConsentScope.PUBLISH_WITH_NAME, ConsentScope.QUOTE_ANONYMISED})
#: Every name in the store but the one person who agreed to be named; and the titles.
HIDDEN = ("Winifred", "Oakes", "Bartholomew", "Quince", "Jemima", "Thistle", "Zebedee", "Marsh")
TITLE_WORD = "Ballycastle"
EVERYTHING = StoryFilter()


def tell(
    store: Store,
    teller: str,
    words: str,
    themes: dict[str, Polarity],
    scopes: frozenset[ConsentScope] | None,
    then: str | None = None,
    mentioned: tuple[PersonMentioned, ...] = (),
) -> str:
    with store.write(actor="test") as session:
        storyteller = people.create_storyteller(session, teller)
        story = stories.create_story(
            session,
            stories.StoryFields(
                storyteller_id=storyteller.id,
                title=f"{teller} at {TITLE_WORD}",
                own_words=words,
                told_on=dt.date(2026, 3, 14),
                setting=Setting.CARE_HOME,
                how_told=HowTold.SPOKEN_WRITTEN_DOWN,
                themes=tuple(stories.ThemeLink(name, p) for name, p in themes.items()),
            ),
        )
        if mentioned:
            set_people_mentioned(session, story.id, mentioned)
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


def tell_every_situation(store: Store) -> Store:
    tell(
        store,
        "Winifred Oakes",
        "Winifred Oakes here. My daughter Jemima Thistle drives me to the shops.",
        {TRANSPORT: E, MONEY: B},
        QUOTES,
        mentioned=(PersonMentioned("Jemima Thistle", "her daughter"),),
    )
    tell(store, "Bartholomew Quince", "Bartholomew never gets out.", {TRANSPORT: B}, REPORTS)
    tell(store, "Cecily Named", "I am Cecily Named and proud of it.", {MONEY: M}, NAMED)
    tell(store, "Zebedee Marsh", '=HYPERLINK("x") Zebedee', {TRANSPORT: E}, None)
    tell(store, "Zebedee Marsh 2", "Zebedee declined.", {TRANSPORT: E}, QUOTES, then="declined")
    tell(store, "Zebedee Marsh 3", "Zebedee withdrew.", {TRANSPORT: E}, QUOTES, then="withdrawn")
    tell(
        store,
        "Zebedee Marsh 4",
        "Zebedee shares only.",
        {TRANSPORT: E},
        frozenset({ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.QUOTE_ANONYMISED}),
    )
    return store
