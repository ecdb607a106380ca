"""The task runner announces what a committed write changed, and nothing for a failed one."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.core import people
from storykeeper.core.people import Storyteller
from storykeeper.gui.context import AppContext
from storykeeper.gui.ops.changes import Change, Kind


def test_a_committed_write_announces_its_changes_with_the_ids_from_its_result(
    qtbot: QtBot, context: AppContext
) -> None:
    heard: list[tuple[str, frozenset[str]]] = []
    order: list[str] = []

    def hear(kind: str, ids: frozenset[str]) -> None:
        heard.append((kind, ids))
        order.append("views told")

    context.tasks.changed.connect(hear)
    done: list[Storyteller] = []

    def take(made: Storyteller) -> None:
        done.append(made)
        order.append("caller's callback")

    def add(session: Session) -> Storyteller:
        return people.create_storyteller(session, "Ada Jones")

    with qtbot.waitSignal(context.tasks.changed, timeout=10_000):
        context.tasks.write(
            add, on_done=take, changes=lambda made: [Change.of(Kind.PEOPLE, made.id)]
        )
    # Checked as an order: both have run by the time waitSignal returns, whichever came first.
    assert order == ["caller's callback", "views told"]
    assert heard == [("people", frozenset({done[0].id}))]
    with context.store.read() as session:
        assert [s.id for s in people.list_storytellers(session)] == [done[0].id]


def test_a_failed_write_announces_nothing_and_reaches_its_error_callback(
    qtbot: QtBot, context: AppContext
) -> None:
    heard: list[str] = []
    context.tasks.changed.connect(lambda kind, _ids: heard.append(kind))
    errors: list[BaseException] = []

    def fail(session: Session) -> None:
        people.create_storyteller(session, "Ada Jones")
        raise RuntimeError("disk full")

    context.tasks.write(fail, on_error=errors.append, changes=[Change(Kind.PEOPLE)])
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    context.tasks.wait_for_idle()
    assert heard == []
    with context.store.read() as session:
        assert people.list_storytellers(session) == []
