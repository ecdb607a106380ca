"""Cyclic garbage is collected on the GUI thread only, so no Qt object dies on a worker thread."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject
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
    assert isinstance(context.collector, QObject)


def test_automatic_collection_comes_back_at_shutdown(context: AppContext) -> None:
    context.shutdown()
    assert gc.isenabled()
