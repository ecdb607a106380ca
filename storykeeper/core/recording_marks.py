"""Marks in the recorder's notes that point at a moment in a recording: "[Recording 2, 03:15]".

Plain text on purpose: the notes stay readable anywhere (the printed copy, a bundle, another
program), and the editor finds the mark under the cursor to play from it. The name is the
recording's as listed ("Recording 2"), which does not change when another one is removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARK = re.compile(
    r"\[(?P<name>[^\[\],\n]{1,80}), "
    r"(?:(?P<hours>\d{1,3}):)?(?P<minutes>\d{1,2}):(?P<seconds>\d{2})\]"
)


@dataclass(frozen=True)
class Mark:
    recording: str
    ms: int
    start: int
    end: int


def clock_text(ms: int) -> str:
    """03:15, or 1:02:03 past an hour."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def format_mark(recording: str, ms: int) -> str:
    return f"[{recording}, {clock_text(ms)}]"


def marks_in(text: str) -> list[Mark]:
    found = []
    for match in _MARK.finditer(text):
        if int(match["seconds"]) > 59 or (match["hours"] and int(match["minutes"]) > 59):
            continue
        ms = (
            int(match["hours"] or 0) * 3600 + int(match["minutes"]) * 60 + int(match["seconds"])
        ) * 1000
        found.append(Mark(match["name"].strip(), ms, match.start(), match.end()))
    return found


def mark_at(text: str, position: int) -> Mark | None:
    """The mark the cursor is in or touching, if any."""
    for mark in marks_in(text):
        if mark.start <= position <= mark.end:
            return mark
    return None


_OWN_RECORDING = re.compile(r"^(Recording \d+(?: \(recovered\))?)\.(?:flac|wav)$")


def recording_title(original_name: str) -> str:
    """The name a recording made here is listed and marked by ("Recording 2" for
    "Recording 2.flac"). An audio file brought in from elsewhere keeps its whole name."""
    own = _OWN_RECORDING.match(original_name)
    return own.group(1) if own else original_name
