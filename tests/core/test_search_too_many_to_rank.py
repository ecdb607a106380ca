"""A letter or two typed matches nearly every story: beyond ``RANK_AT_MOST`` matches the newest
come first (bm25 for 88,000 matches was the benchmark's slowest search), and the page says so."""

from __future__ import annotations

import pytest

from storykeeper.core import consent, search
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, StoryStatus
from tests.factories import given, make_story


def best_first(store: Store, text: str) -> search.SearchPage:
    with store.read() as session:
        return search.search_stories(
            session, search.StoryFilter(text=text), sort=search.SortBy.RELEVANCE
        )


@pytest.fixture
def garden_stories(store: Store) -> list[str]:
    """Oldest first: the first says "garden" most, so it is the best match."""
    made = [
        make_story(store, title="All about the garden", own_words="Garden, garden, my garden."),
        make_story(store, title="A walk", own_words="We walked past a garden."),
        make_story(store, title="The bus", own_words="The bus stops by the garden centre."),
    ]
    return [story.title for story in made]


def test_a_few_matches_come_best_first(store: Store, garden_stories: list[str]) -> None:
    page = best_first(store, "garden")
    assert page.items[0].title == "All about the garden"
    assert page.total == 3
    assert not page.newest_instead_of_best


def test_too_many_matches_come_newest_first_and_say_so(
    store: Store, garden_stories: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_AT_MOST", 2)
    page = best_first(store, "g")  # the letter a person types first
    assert [item.title for item in page.items] == list(reversed(garden_stories))
    assert page.total == 3
    assert page.newest_instead_of_best
    # Typing more narrows it to what can be ranked again.
    narrower = best_first(store, "garden centre")
    assert [item.title for item in narrower.items] == ["The bus"]
    assert not narrower.newest_instead_of_best


def test_other_sorts_never_say_it(
    store: Store, garden_stories: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_AT_MOST", 2)
    with store.read() as session:
        page = search.search_stories(
            session, search.StoryFilter(text="g"), sort=search.SortBy.TITLE, descending=False
        )
    assert [item.title for item in page.items] == sorted(garden_stories, key=str.lower)
    assert not page.newest_instead_of_best


@pytest.mark.parametrize("rank_at_most", [100, 2])
def test_a_withdrawn_storys_words_are_neither_listed_nor_counted(
    store: Store, garden_stories: list[str], monkeypatch: pytest.MonkeyPatch, rank_at_most: int
) -> None:
    """Words alone are counted in the index, less the withdrawn stories: best first or not."""
    monkeypatch.setattr(search, "RANK_AT_MOST", rank_at_most)
    gone = make_story(store, title="Taken back", own_words="The garden was hers.")
    with store.write(actor="test") as session:
        consent.record_consent(session, gone.id, given())
        consent.withdraw(
            session,
            gone.id,
            consent.Withdrawal("The storyteller", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
        )
    page = best_first(store, "garden")
    assert page.total == 3
    assert sorted(item.title for item in page.items) == sorted(garden_stories)
    with store.read() as session:
        assert search.count_stories(session, search.StoryFilter(text="garden")) == 3


def test_words_with_filters_are_ranked_when_the_filters_keep_few(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words match more than can be ranked, but the other filters keep few of them."""
    make_story(store, title="Draft one", own_words="A garden.", status=StoryStatus.DRAFT)
    make_story(store, title="Draft two", own_words="Garden, garden.", status=StoryStatus.DRAFT)
    make_story(store, title="Final", own_words="The garden at last.", status=StoryStatus.FINAL)
    monkeypatch.setattr(search, "RANK_AT_MOST", 1)

    def page(status: StoryStatus) -> search.SearchPage:
        with store.read() as session:
            return search.search_stories(
                session,
                search.StoryFilter(text="garden", status=status),
                sort=search.SortBy.RELEVANCE,
            )

    final = page(StoryStatus.FINAL)
    assert [item.title for item in final.items] == ["Final"]
    assert not final.newest_instead_of_best
    drafts = page(StoryStatus.DRAFT)  # two kept: more than one, so the newest first
    assert [item.title for item in drafts.items] == ["Draft two", "Draft one"]
    assert drafts.total == 2
    assert drafts.newest_instead_of_best
