"""The export dialog's database work without a window: the plan and the ledger, on real stores."""

from __future__ import annotations

from pathlib import Path

from storykeeper.core.bundle.export import Selection, write_planned
from storykeeper.core.db import Store
from storykeeper.gui.ops import exchange as exchange_ops
from tests.exchange import shared
from tests.factories import make_story


def test_the_plan_says_what_goes_and_what_stays_and_why(store: Store) -> None:
    going = shared(store, "The bus")
    make_story(store, title="Not yet agreed")
    with store.read() as session:
        plan = exchange_ops.plan_export(session, Selection.ALL)
    assert [s.story_id for s in plan.stories] == [going.id]
    assert [(w.title, w.reason) for w in plan.left_out] == [
        ("Not yet agreed", "No consent has been recorded yet.")
    ]
    with store.read() as session:
        only = exchange_ops.plan_export(session, Selection.CHOSEN, [going.id[:8]])
    assert [s.story_id for s in only.stories] == [going.id]


def test_a_recorded_export_is_not_new_since_the_last_one(store: Store, tmp_path: Path) -> None:
    shared(store, "The bus")
    with store.read() as session:
        plan = exchange_ops.plan_export(session, Selection.SINCE_LAST)
    result = write_planned(
        store.keys, plan, media=store.media, out=tmp_path, recipients=[], plain=True
    )

    with store.write(actor="test") as session:
        recorded = exchange_ops.record_export(session, result)

    assert recorded is result
    with store.read() as session:
        assert exchange_ops.plan_export(session, Selection.SINCE_LAST).empty
