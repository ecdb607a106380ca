"""The story list's "consent allows reports" filter finds exactly the stories the insight
counts: the insight page's numbers open onto the same stories (issue 18)."""

from __future__ import annotations

from sqlalchemy import select

from storykeeper.core import consent
from storykeeper.core.db import Store
from storykeeper.core.insight import insight
from storykeeper.core.insight_policy import insight_use
from storykeeper.core.models import StoryRow
from storykeeper.core.search import StoryFilter, count_stories, search_stories, story_ids_matching
from storykeeper.core.vocabulary import Polarity
from tests.factories import given
from tests.gui.insight_stories import SHARING, TRANSPORT, B, every_situation, tell, teller


def test_it_finds_exactly_the_stories_whose_consent_the_insight_counts(store: Store) -> None:
    situations = every_situation(store)
    # A story whose newer consent allows reports after an older one that did not: the newest
    # version decides, in the filter as in the rule.
    later = tell(store, teller(store, "Dee"), {TRANSPORT: B}, scopes=SHARING)
    with store.write(actor="test") as session:
        consent.record_consent(session, later, given())
    situations["allowed_later"] = later
    with store.read() as session:
        counted = {
            name
            for name, story_id in situations.items()
            if insight_use(consent.consent_history(session, story_id)).counted
        }
        matching = story_ids_matching(session, StoryFilter(in_reports=True))
        found = set(session.scalars(select(StoryRow.uuid).where(StoryRow.id.in_(matching))))
        found_ids = {name for name, story_id in situations.items() if story_id in found}
        barriers = StoryFilter(theme=TRANSPORT, polarity=Polarity.BARRIER, in_reports=True)
        transport = next(t for t in insight(session).themes if t.theme == TRANSPORT)
        assert count_stories(session, barriers) == transport.barrier.stories == 3
        assert search_stories(session, barriers).total == 3
    assert counted == {"ann1", "ann2", "ann3", "bob", "allowed_later"}
    assert found_ids == counted
