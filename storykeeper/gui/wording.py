"""Counts in the window said in good English: "1 story is", "2 withdrawals wait".

``core.display.counted`` puts a count with its noun; these agree the words around it.
"""

from __future__ import annotations


def is_or_are(count: int) -> str:
    """The verb agreeing with a count: "1 story is", "2 stories are"."""
    return "is" if count == 1 else "are"


def verb_for(count: int, verb: str) -> str:
    """A plain verb agreeing with a count: "1 withdrawal waits", "1 goes", "2 wait"."""
    if count != 1:
        return verb
    return f"{verb}es" if verb.endswith("o") else f"{verb}s"


def noun_for(count: int, noun: str) -> str:
    """A noun agreeing with a count, where the count is said apart ("3 more withdrawals")."""
    return noun if count == 1 else f"{noun}s"
