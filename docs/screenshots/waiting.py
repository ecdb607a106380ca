"""Waiting for the window in the screenshot scripts (run as ``python docs/screenshots/X.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    # A short event loop at a time rather than processEvents() in a tight loop: while a worker
    # runs, that would spin hundreds of thousands of times, and PySide6 6.12 then crashed with
    # "deallocating None" (its processEvents(flags, ms) loses a reference to None each call).
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
