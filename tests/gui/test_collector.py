"""Cyclic garbage is collected on the GUI thread only, so no Qt object dies on a worker thread."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from storykeeper.gui.context import AppContext


class _Cycle:
    def __init__(self, freed: list[str]) -> None:
        self.me = self
        self.freed = freed

    def __del__(self) -> None:
        self.freed.append(threading.current_thread().name)


def test_cycles_are_collected_on_the_gui_thread_while_the_window_is_open(
    qtbot: QtBot, context: AppContext
) -> None:
    assert not gc.isenabled()
    freed: list[str] = []
    _Cycle(freed)
    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1, 1)  # due at the next check
    try:
        qtbot.waitUntil(lambda: bool(freed), timeout=5000)
    finally:
        gc.set_threshold(*thresholds)
    assert freed == [threading.main_thread().name]


def test_garbage_a_worker_thread_leaves_is_not_collected_on_that_thread(
    qtbot: QtBot, context: AppContext
) -> None:
    """A worker that allocates past every threshold must not run the collector itself."""
    freed: list[str] = []

    def work() -> None:
        _Cycle(freed)
        for _ in range(10_000):  # allocations that pass every generation's threshold
            _Cycle([])

    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    try:
        worker = threading.Thread(target=work, name="task worker")
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(freed), timeout=5000)
    finally:
        gc.set_threshold(*thresholds)
    assert freed == [threading.main_thread().name]


def test_automatic_collection_comes_back_at_shutdown(context: AppContext) -> None:
    context.shutdown()
    assert gc.isenabled()
