"""What a write changed, as the task runner announces it to every view.

A write names the kinds of record it changed, and which ones when it knows; the task runner emits
``changed(kind, ids)`` for each once the write has committed, and every view that shows that kind
refreshes itself. Nobody wires "after X, reload Y" by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The kinds of record a view can show."""

    STORIES = "stories"  # a story's words, fields, themes, status, or a story added or removed
    CONSENT = "consent"  # a consent version recorded, a withdrawal, a review date
    PEOPLE = "people"  # storytellers and supporters
    THEMES = "themes"
    ATTACHMENTS = "attachments"  # photos, documents, recordings
    KEYS = "keys"  # this computer's keys, the recipients, the trusted signers
    EXCHANGE = "exchange"  # the export and import ledgers


@dataclass(frozen=True, slots=True)
class Change:
    """``kind`` changed; ``ids`` are the records' ids, or empty when any of them may have."""

    kind: Kind
    ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, kind: Kind, *ids: str | None) -> Change:
        return cls(kind, frozenset(i for i in ids if i))


#: What a write says it changes: fixed, or worked out from its result.
Changes = Iterable[Change] | Callable[[Any], Iterable[Change]]


def announced(changes: Changes | None, result: object) -> list[Change]:
    if changes is None:
        return []
    if callable(changes):
        return list(changes(result))
    return list(changes)


def concerns(
    kind: str, ids: frozenset[str], shown: Kind | Iterable[Kind], record: str | None
) -> bool:
    """Whether an announced change (``kind``, ``ids``) may be about ``record``, of a kind a view
    shows: yes when the kind matches and the ids name it or name nothing in particular."""
    kinds = {shown} if isinstance(shown, Kind) else set(shown)
    return record is not None and kind in kinds and (not ids or record in ids)
