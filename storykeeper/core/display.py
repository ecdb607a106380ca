"""Names and titles as they may be shown: a sender's text cannot disguise itself.

A bundle's names and titles are stored exactly as sent, but some characters change how text
looks without being seen: a right-to-left override turns "Ann Jones" into what reads as another
name, and a zero-width space makes "Ann" and "An​n" look the same while being different records.
Wherever a name or title is shown (the list, the editor, the import report, the command line),
those characters are shown as "�" instead, so the difference is visible. Right-to-left names
still show rightly without them; the joiners that scripts and emoji need are left alone.
"""

from __future__ import annotations

#: Unicode's bidirectional embeddings, overrides and isolates (not the harmless LRM and RLM).
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Characters that take no place and leave no mark: zero-width space, word joiner, the byte
#: order mark, the Mongolian vowel separator, and the invisible mathematical operators.
INVISIBLE = frozenset("\u200b\u2060\ufeff\u180e\u2061\u2062\u2063\u2064")
MARK = "\ufffd"


def neutralised(text: str) -> str:
    """``text`` with every character that could disguise it shown as ``MARK``."""
    if not any(char in DIRECTION_CONTROLS or char in INVISIBLE for char in text):
        return text  # the usual case, without building a new string
    return "".join(
        MARK if char in DIRECTION_CONTROLS or char in INVISIBLE else char for char in text
    )


def counted(count: int, noun: str) -> str:
    """``1 story``, ``2 stories``, ``0 media files``: a count with its noun agreeing."""
    if count == 1:
        return f"{count:,} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count:,} {noun[:-1]}ies"
    return f"{count:,} {noun}s"
