"""Search excerpts: the words found, in brackets, matched as the index matches them."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

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


def _excerpt_from_every_word(text: str, terms: Terms, window: int = 12) -> str | None:
    """What an excerpt is, said the slow way: every word matched, then the window cut."""
    words = list(re.finditer(r"\w+", text))
    hits = [i for i, word in enumerate(words) if terms.matches(word.group())]
    if not hits:
        return None
    start = max(0, min(hits[0] - window // 4, len(words) - window))
    end = min(len(words), start + window)
    shown = [f"[{words[i].group()}]" if i in hits else words[i].group() for i in range(start, end)]
    gaps = [text[words[i - 1].end() : words[i].start()] for i in range(start + 1, end)]
    body = shown[0] + "".join(gap + word for gap, word in zip(gaps, shown[1:], strict=True))
    body = " ".join(body.split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(words) else "")


_VOCABULARY = ["care", "carers", "garden", "bus", "the", "and", "Café", "money", "day", "x"]


@given(
    st.lists(st.sampled_from(_VOCABULARY), max_size=60),
    st.lists(st.sampled_from([" ", ", ", ". ", "\n", "  "]), min_size=60, max_size=60),
    st.sampled_from(_VOCABULARY),
    st.booleans(),
)
def test_the_excerpt_reads_only_as_far_as_it_needs_and_says_the_same(
    chosen: list[str], gaps: list[str], wanted: str, typing: bool
) -> None:
    text = "".join(word + gap for word, gap in zip(chosen, gaps, strict=False))
    terms = Terms.of([wanted], last_is_prefix=typing)
    assert excerpt(text, terms) == _excerpt_from_every_word(text, terms)
