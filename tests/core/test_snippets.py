"""Search excerpts: the words found, in brackets, matched as the index matches them."""

from __future__ import annotations

from storykeeper.core.snippets import Terms, excerpt

TEXT = (
    "We grew tomatoes in the garden last summer. The carers were caring and helped with the "
    "watering every morning, and my daughter came on Sundays to see the Café."
)


def test_a_whole_word_matches_by_its_stem() -> None:
    assert excerpt(TEXT, Terms.of(["tomato"], last_is_prefix=False)) == (
        "We grew [tomatoes] in the garden last summer. The carers were caring…"
    )


def test_the_word_being_typed_matches_as_a_prefix_of_words_and_their_stems() -> None:
    found = excerpt(TEXT, Terms.of(["care"], last_is_prefix=True))
    assert found is not None
    assert "[carers] were [caring]" in found
    assert found.startswith("…") and found.endswith("…")


def test_case_and_accents_do_not_matter() -> None:
    found = excerpt(TEXT, Terms.of(["CAFE"], last_is_prefix=False))
    assert found is not None and found.endswith("see the [Café]")


def test_no_match_in_the_words_gives_no_excerpt() -> None:
    assert excerpt(TEXT, Terms.of(["xylophone"], last_is_prefix=True)) is None
