"""When to save while someone types: soon after they pause, and never later than 2 s.

A pause of ``PAUSE_MS`` saves; during continuous typing the ``MAX_WAIT_MS`` timer, started by
the first unsaved change, saves anyway. So a crash loses at most two seconds of typing (each
save keeps a crash-safe draft first, so this holds even while the store cannot be written).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

PAUSE_MS = 700
#: Under 2 s, so that with the time the draft and the save take to write, a crash loses at most
#: 2 s of typing (at 2000 exactly, kills in benchmarks/kill_while_typing.py lost up to 2.0 s).
MAX_WAIT_MS = 1800


class AutosaveTimer(QObject):
    #: Time to save what has changed.
    due = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._limit = QTimer(self)
        self._limit.setSingleShot(True)
        self._limit.setInterval(MAX_WAIT_MS)
        # Qt's default (coarse) timers may fire 5 % late: 2.1 s, past the promise.
        self._limit.setTimerType(Qt.TimerType.PreciseTimer)
        self._pause.timeout.connect(self._fire)
        self._limit.timeout.connect(self._fire)

    def changed(self) -> None:
        """Something was typed or chosen."""
        self._pause.start()
        if not self._limit.isActive():
            self._limit.start()

    def cancel(self) -> None:
        self._pause.stop()
        self._limit.stop()

    def _fire(self) -> None:
        self.cancel()
        self.due.emit()
