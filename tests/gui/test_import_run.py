"""The import dialog's run without the dialog: files one after another in the task runner's
writer, each import announcing what it changed, and Cancel starting no other file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from storykeeper.core.bundle.importer import ImportCancelled
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.bundle.writer import Selection
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.import_run import ImportRun
from storykeeper.paths import resolve_paths
from tests import exchange
from tests.exchange import shared, trust_advocate


@pytest.fixture
def advocate(tmp_path: Path) -> Iterator[Store]:
    with Store.open(resolve_paths(tmp_path / "advocate")) as opened:
        yield opened


def watch(run: ImportRun, context: AppContext) -> list[tuple[object, ...]]:
    said: list[tuple[object, ...]] = []
    run.file_started.connect(lambda *args: said.append(("started", *args)))
    run.file_done.connect(lambda index, report: said.append(("done", index, report.outcome)))
    run.file_failed.connect(lambda index, error: said.append(("failed", index, type(error))))
    run.finished.connect(lambda left: said.append(("finished", left)))
    context.tasks.changed.connect(lambda kind, ids: said.append(("changed", kind, ids)))
    return said


def test_each_file_in_turn_and_what_each_import_changed_announced(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    bus = shared(advocate, "The bus")
    first = exchange.export(advocate, context.store, tmp_path / "a", Selection.SINCE_LAST)
    run = ImportRun(context.tasks, context.store)
    said = watch(run, context)

    with qtbot.waitSignal(run.finished, timeout=30_000):
        run.start([(3, first), (5, first)], dry_run=False)

    ids = frozenset({bus.id})
    assert said == [
        ("started", 3, 0),
        ("done", 3, Outcome.IMPORTED),
        ("started", 5, 1),  # the next file starts from the first one's answer, before the news
        ("changed", "stories", ids),
        ("changed", "consent", ids),
        ("changed", "attachments", ids),
        ("changed", "people", frozenset()),
        ("changed", "themes", frozenset()),
        ("changed", "exchange", frozenset()),
        ("done", 5, Outcome.ALREADY_IMPORTED),
        ("finished", []),
        ("changed", "exchange", frozenset()),
    ]
    assert not run.running and run.position == 2


def test_cancel_rolls_back_the_file_under_way_and_starts_no_other(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    shared(advocate, "The bus")
    first = exchange.export(advocate, context.store, tmp_path / "a", Selection.SINCE_LAST)
    run = ImportRun(context.tasks, context.store)
    said = watch(run, context)
    gate = threading.Event()
    context.tasks.write(lambda _session: gate.wait(20))  # holds the writer until Cancel

    run.start([(0, first), (1, first)], dry_run=False)
    run.cancel()
    with qtbot.waitSignal(run.finished, timeout=30_000):
        gate.set()

    assert said == [("started", 0, 0), ("failed", 0, ImportCancelled), ("finished", [1])]
    assert run.cancelled and not run.running
