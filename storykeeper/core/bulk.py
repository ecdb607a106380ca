"""Inserting many rows without holding them all: one ``executemany`` per slice.

An ORM object per row, or one list of every row's columns, cost over a hundred MB at 100,000
stories (the export ledger and the import report; docs/performance.md). Rows are made lazily and
sent a slice at a time, so memory stays flat however many there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

#: Rows per ``executemany``: large enough that the per-statement cost vanishes.
SLICE = 5000


def insert_in_slices(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    remaining = iter(rows)
    while chunk := list(islice(remaining, SLICE)):
        session.execute(insert(model), chunk)
