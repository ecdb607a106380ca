"""The check stops inside a statement once asked (the window's quiet check, at close): here
inside the search index's own check, a write transaction, which is rolled back and leaves the
store writable."""

from __future__ import annotations

import pytest

from storykeeper.core import demo, people
from storykeeper.core.check import CheckCancelled, check_store
from storykeeper.core.db import Store


def test_the_search_index_check_stops_inside_its_statement_and_the_store_stays_writable(
    store: Store,
) -> None:
    # Enough stories that the index's check is more than a few of SQLite's steps, each of
    # which asks whether to stop every thousand (db.STOP_ASKED_EVERY).
    demo.generate(store, stories=500)
    asked_to_stop = False

    def step(name: str) -> None:
        nonlocal asked_to_stop
        # The last step is one statement: only SQLite itself can stop it part-way.
        asked_to_stop = name == "search index"

    with pytest.raises(CheckCancelled):
        check_store(store, step, hash_files=False, cancelled=lambda: asked_to_stop)
    with store.write(actor="test") as session:
        people.create_storyteller(session, "Ada Jones")
    assert check_store(store, hash_files=False).ok
