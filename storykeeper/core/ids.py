"""Finding records by their UUID, or by an unambiguous leading part of it (as git does)."""

from __future__ import annotations

import re
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core.errors import AmbiguousIdError, NotFoundError

MIN_PREFIX = 4
SHORT_LENGTH = 8
_ID_CHARS = re.compile(r"^[0-9a-f-]+$")


RowT = TypeVar("RowT")


def short_id(uuid: str) -> str:
    """The first eight characters: what lists show and what people type back."""
    return uuid[:SHORT_LENGTH]


def resolve(session: Session, row_type: type[RowT], ref: str, noun: str) -> RowT:
    """The one row of ``row_type`` whose UUID is ``ref`` or starts with it."""
    wanted = ref.strip().lower()
    if len(wanted) < MIN_PREFIX or not _ID_CHARS.match(wanted):
        raise NotFoundError(
            f"“{ref}” is not a {noun} id: use the id shown by the list "
            f"(at least {MIN_PREFIX} of its first characters)."
        )
    column = row_type.uuid  # type: ignore[attr-defined]
    if len(wanted) == 36:
        rows = list(session.scalars(select(row_type).where(column == wanted)))
    else:
        # A range scan on the unique index, not LIKE: ids are lower-case hex and dashes.
        upper = wanted[:-1] + chr(ord(wanted[-1]) + 1)
        rows = list(
            session.scalars(select(row_type).where(column >= wanted, column < upper).limit(2))
        )
    if not rows:
        raise NotFoundError(f"No {noun} has the id “{ref}”. Run the list command to see the ids.")
    if len(rows) > 1:
        raise AmbiguousIdError(f"More than one {noun} has an id starting “{ref}”: type more of it.")
    return rows[0]
