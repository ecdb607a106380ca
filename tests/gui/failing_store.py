"""Real faults for the window's saves: the store's write lock held by another connection, and a
database that cannot grow (SQLite's own SQLITE_FULL), for the tests of failed saves."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event

from storykeeper.core.db import Store

#: SQLite's own ceiling on pages (what a connection has until told otherwise).
NO_PAGE_LIMIT = 4_294_967_294


class HeldWriteLock:
    """Another connection holding ``BEGIN IMMEDIATE`` on the database, as a long import or
    ``demo-data`` in another Storykeeper does, until ``release``."""

    def __init__(self, database: Path) -> None:
        self._connection = sqlite3.connect(database, isolation_level=None)
        self._connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")
        self._connection.close()


class FullDatabase:
    """The store's database stops growing, as on a full disk: every connection the store takes
    from its pool is limited to the pages it has now (``PRAGMA max_page_count``), so a write that
    needs one more page fails with SQLITE_FULL, until ``free``."""

    def __init__(self, store: Store) -> None:
        self._engine = store.engine
        self.limit: int | None = None
        event.listen(self._engine, "checkout", self._limit)

    def fill(self) -> None:
        with self._engine.connect() as connection:
            self.limit = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())

    def free(self) -> None:
        self.limit = None

    def remove(self) -> None:
        event.remove(self._engine, "checkout", self._limit)

    def _limit(self, connection: Any, _record: object, _proxy: object) -> None:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA max_page_count = {self.limit or NO_PAGE_LIMIT}")
        cursor.close()
