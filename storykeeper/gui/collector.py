"""Python's cyclic garbage collector, run only on the GUI thread.

The collector normally runs in whichever thread happens to allocate when a threshold is reached,
and that is often one of the task runner's worker threads. If the garbage it finds includes a Qt
object made on the GUI thread (a closed dialog caught in a reference cycle with its own slots),
Qt deletes that object from the worker thread, and the program crashes. So while the window is
open, automatic collection is off and this timer does the same work on the GUI thread instead,
using the collector's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 500


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> int:
        """Collect the generations whose thresholds are passed; returns how many objects went."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for n in range(3):
            if counts[n] > thresholds[n]:
                generation = n
        return gc.collect(generation) if generation >= 0 else 0

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
