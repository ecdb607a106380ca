"""Where a search's words stand in a story's own words: a short excerpt with them in brackets.

Made here rather than by FTS5's ``snippet()``, which evaluates the whole full-text query again
for the page's rows: at 100,000 stories a common word ("care", which matches every word its
stem begins) took 0.9 s for one page (docs/performance.md). Here the page's texts (at most one
page, read by id) are tokenised the way the index tokenises them — Unicode words, case and
diacritics folded, Porter stems (the same algorithm as FTS5's ``porter`` tokenizer, from the
``snowballstemmer`` package) — and a word matches when its stem is a query word's stem, or, for
the last word while it is being typed, begins with it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import snowballstemmer

#: Words either side of the excerpt's first match (FTS5's snippet used 12 in all).
WINDOW = 12
_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("porter")


@functools.lru_cache(maxsize=65536)  # a page's words repeat: 8,700 folds for one page of "p"
def fold(word: str) -> str:
    """Lower case without diacritics, as FTS5's ``unicode61 remove_diacritics 2`` folds."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(fold(word)))


@dataclass(frozen=True)
class Terms:
    """What a search looks for, ready to match words against."""

    stems: frozenset[str]
    #: The last word, folded, when it is a prefix (the person is still typing it).
    prefix: str | None

    @classmethod
    def of(cls, words: Sequence[str], last_is_prefix: bool) -> Terms:
        folded = [fold(w) for w in words]
        prefix = folded[-1] if last_is_prefix and folded else None
        return cls(frozenset(stem(w) for w in folded), prefix)

    def matches(self, word: str) -> bool:
        stemmed = stem(word)
        if stemmed in self.stems:
            return True
        if self.prefix is None:
            return False
        return fold(word).startswith(self.prefix) or stemmed.startswith(self.prefix)


def excerpt(text: str, terms: Terms, window: int = WINDOW) -> str | None:
    """``window`` words around the first match, matches in brackets; None if nothing matches.

    Reads the words only as far as the excerpt needs: a life story of thousands of words whose
    first match is early is not matched word by word to its end (12-18 ms of CPU a page at
    100,000 stories). The excerpt is the same as from every word."""
    words: list[re.Match[str]] = []
    first: int | None = None
    for i, word in enumerate(_WORD.finditer(text)):
        words.append(word)
        if first is None:
            if terms.matches(word.group()):
                first = i
        elif i >= first + window:  # the window is full after the first match, and more follow
            break
    if first is None:
        return None
    start = max(0, min(first - window // 4, len(words) - window))
    end = min(len(words), start + window)
    pieces: list[str] = []
    for i in range(start, end):
        word = words[i]
        if i > start:
            pieces.append(text[words[i - 1].end() : word.start()])
        pieces.append(f"[{word.group()}]" if terms.matches(word.group()) else word.group())
    body = " ".join("".join(pieces).split())  # line breaks and runs of spaces as one space
    return ("…" if start > 0 else "") + body + ("…" if end < len(words) else "")
