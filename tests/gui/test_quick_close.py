"""Closing the window is quick at any size: a long read still running is stopped part-way, the
quiet check after start stops inside SQLite's own integrity check, and a write in progress
finishes (issue 19's 9.3 s close at 100,000 stories; issue 20 §4 "quitting takes 2–3 s")."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session

from storykeeper.core import demo, people
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.paths import DataPaths

#: A query that counts to a billion: minutes of SQLite's work, unless it is stopped.
ENDLESS_COUNT = (
    "WITH RECURSIVE counted(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counted "
    "WHERE n < 1000000000) SELECT count(*) FROM counted"
)
#: Longer than any close should take, shorter than counting to a billion.
WAIT_MS = 60_000


@pytest.fixture
def own_context(qapp: QApplication, store: Store, paths: DataPaths) -> Iterator[AppContext]:
    made = AppContext(store, paths)
    yield made
    made.tasks.wait_for_idle()


def test_a_read_running_at_close_is_stopped_and_a_write_finishes(
    qtbot: QtBot, own_context: AppContext
) -> None:
    tasks = own_context.tasks
    counting = threading.Event()
    read_answers: list[object] = []
    unhandled: list[BaseException] = []
    tasks.unhandled_error.connect(unhandled.append)

    def count_forever(session: Session) -> object:
        counting.set()
        return session.execute(text(ENDLESS_COUNT)).scalar_one()

    tasks.read(count_forever, on_done=read_answers.append, on_error=read_answers.append)
    qtbot.waitUntil(counting.is_set, timeout=WAIT_MS)

    def add(session: Session) -> str:
        return people.create_storyteller(session, "Ada Jones").id

    written: list[str] = []
    tasks.write(add, on_done=written.append, changes=[Change(Kind.PEOPLE)])

    assert tasks.finish(WAIT_MS), "the read was not stopped"
    qtbot.waitUntil(lambda: bool(written), timeout=WAIT_MS)
    with own_context.store.read() as session:
        assert [s.id for s in people.list_storytellers(session)] == written
    # The stopped read's answer goes nowhere: no error for a window that is closing.
    QApplication.processEvents()
    assert read_answers == []
    assert unhandled == []
    # The runner works again afterwards (a window closed, another opened on the same context).
    again: list[object] = []
    tasks.read(lambda session: session.execute(text("SELECT 41 + 1")).scalar_one(), again.append)
    qtbot.waitUntil(lambda: again == [42], timeout=WAIT_MS)


def test_closing_stops_the_start_check_inside_sqlites_integrity_check(
    qtbot: QtBot,
    store: Store,
    own_context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Enough stories that the integrity check is more than a few thousand of SQLite's steps,
    # each thousand of which asks whether to stop (db.STOP_ASKED_EVERY).
    demo.generate(store, stories=200)
    window = MainWindow(own_context)
    qtbot.addWidget(window)
    at_integrity_check = threading.Event()
    outcome: dict[str, object] = {}
    real_integrity_check = Store.integrity_check

    def integrity_check_begun_at_close(self: Store, *args: object, **kwargs: object) -> object:
        # The close comes while the check is at SQLite's integrity check, which on a large
        # store is many seconds of one statement: it goes on only once the close has begun.
        at_integrity_check.set()
        window.check_bar.cancelled.wait(WAIT_MS / 1000)
        try:
            outcome["rows"] = real_integrity_check(self, *args, **kwargs)  # type: ignore[arg-type]
        except Exception as exc:
            outcome["stopped by"] = exc
            raise
        return outcome["rows"]

    monkeypatch.setattr(Store, "integrity_check", integrity_check_begun_at_close)
    window.show()
    qtbot.waitUntil(at_integrity_check.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(window.check_bar.stopped, timeout=WAIT_MS):
        assert window.close()
    assert "rows" not in outcome, "SQLite's integrity check ran to its end after the close"
    assert "interrupted" in str(outcome["stopped by"])
    assert shiboken6.isValid(window) and not window.isVisible()
    assert window.check_bar.report is None
