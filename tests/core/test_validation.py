"""The shared input checks."""

from __future__ import annotations

import sys
import unicodedata

from storykeeper.core.validation import clean_text


def test_clean_text_removes_exactly_the_control_characters_but_tab_and_newline() -> None:
    """The fast path (one regular expression) removes what Unicode calls control characters."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    kept = clean_text(everything, "f", "F", max_length=3 * len(everything))
    removed = {ch for ch in everything if unicodedata.category(ch) == "Cc"} - {"\n", "\t"}
    assert len(removed) == 63
    assert not removed & set(kept)
    assert "\n" in kept and "\t" in kept and "é" in kept
    # Everything else stays: the first 192 code points are their own NFC form.
    latin = everything[:0xC0]
    assert clean_text(latin, "f", "F", max_length=0xC0) == "".join(
        ch for ch in latin if ch not in removed
    )
