"""Damage done to a real store file the way a failing disk or another program would do it.

A helper module (never a test module), shared by the core, command-line and window tests of
`check`.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

#: Bytes flipped on the damaged page: enough of its cell pointers that its rows cannot be found.
FLIPPED = 8


def damage_a_stories_page(database: Path) -> int:
    """Flip bytes in a page of the ``stories`` table (its first leaf, where rows are) and return
    the page's number. The store must be closed, so nothing is left in the WAL file."""
    with closing(sqlite3.connect(database)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        (page,) = db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'stories' AND pagetype = 'leaf' "
            "ORDER BY pageno LIMIT 1"
        ).fetchone()
    assert not Path(f"{database}-wal").exists() or not Path(f"{database}-wal").stat().st_size
    # A table leaf's header is 8 bytes; its cell pointers (where each row starts) follow.
    where = (page - 1) * page_size + 8
    with database.open("r+b") as file:
        file.seek(where)
        original = file.read(FLIPPED)
        file.seek(where)
        file.write(bytes(b ^ 0xFF for b in original))
    return int(page)


def change_with_plain_sql(database: Path, sql: str, *parameters: object) -> None:
    """One change made with SQLite itself, as another program would: no Storykeeper code runs."""
    with closing(sqlite3.connect(database)) as db, db:
        changed = db.execute(sql, parameters).rowcount
    assert changed == 1, f"expected to change one row, changed {changed}"


def change_a_character_on_disk(database: Path, table: str, text: str, changed: str) -> None:
    """Change ``text`` to ``changed`` (same length) where it is stored in ``table``'s pages, byte
    by byte in the file as a failing disk would: no SQL runs, so no trigger sees it either."""
    assert len(text.encode()) == len(changed.encode())
    with closing(sqlite3.connect(database)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            row[0]
            for row in db.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)
            )
        ]
    with database.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * page_size)
            content = file.read(page_size)
            where = content.find(text.encode())
            if where >= 0:
                file.seek((page - 1) * page_size + where)
                file.write(changed.encode())
                return
    raise AssertionError(f"{text!r} is not in a leaf page of {table}")
