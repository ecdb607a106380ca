"""Small helpers that make valid records through the real services."""

from __future__ import annotations

import dataclasses

from storykeeper.core import consent, people, stories
from storykeeper.core.consent import ConsentInput
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    Polarity,
    StoryStatus,
    SupporterRole,
)


def make_story(
    store: Store,
    *,
    title: str = "The day centre bus",
    own_words: str = "The minibus comes every Tuesday and I can get out again.",
    notes: str = "",
    teller: str = "Margaret Evans",
    themes: tuple[tuple[str, Polarity], ...] = (("Getting out and about", Polarity.ENABLER),),
    status: StoryStatus = StoryStatus.DRAFT,
) -> stories.Story:
    with store.write(actor="test") as session:
        storyteller = people.create_storyteller(session, teller)
        supporter = people.create_supporter(
            session, "Priya Shah", SupporterRole.INDEPENDENT_ADVOCATE
        )
        fields = stories.StoryFields(
            storyteller_id=storyteller.id,
            supporter_id=supporter.id,
            title=title,
            own_words=own_words,
            recorder_notes=notes,
            themes=tuple(stories.ThemeLink(t, p) for t, p in themes),
        )
        story = stories.create_story(session, fields)
        if status is StoryStatus.DRAFT:
            return story
        # A story is final only once consent is recorded.
        consent.record_consent(session, story.id, given())
        return stories.update_story(session, story.id, dataclasses.replace(fields, status=status))


def given(**overrides: object) -> ConsentInput:
    values: dict[str, object] = {
        "decision": ConsentDecision.GIVEN,
        "basis": ConsentBasis.OWN_CONSENT,
        "decided_by": "The storyteller",
        "method": ConsentMethod.VERBAL,
        "scopes": frozenset(
            {ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.ANONYMISED_IN_REPORTS}
        ),
        "persons_words": "Yes, tell them.",
    }
    values.update(overrides)
    return ConsentInput(**values)  # type: ignore[arg-type]
