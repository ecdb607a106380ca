"""What a closed plain store's database file holds, byte for byte: for tests that words removed
(a purge, a deletion) left the file itself, not only the rows."""

from __future__ import annotations

import sqlite3

from storykeeper.paths import DataPaths


def database_bytes(paths: DataPaths) -> bytes:
    """The database and any write-ahead log beside it, lower-cased, once the log has been folded
    into the database (the store must be closed first)."""
    with sqlite3.connect(paths.database) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(
        f.read_bytes() for f in paths.database.parent.glob(paths.database.name + "*")
    ).lower()
