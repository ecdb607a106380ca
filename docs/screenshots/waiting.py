"""What the screenshot scripts share (run as ``python docs/screenshots/X.py``): an application
on a pretend laptop screen, and waiting for the window."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

# The scripts build their data with the tests' own helpers (tests/factories.py, tests/exchange.py).
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LAPTOP = {"name": "laptop", "x": 0, "y": 0, "width": 1280, "height": 800, "logicalDpi": 96}


def screenshot_arguments() -> argparse.Namespace:
    """OUT [--scale N] [--contrast], with OUT made if missing."""
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--contrast", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def laptop_application() -> QApplication:
    """Off screen, on a pretend 1280×800 screen: the small laptop the window is made to fit,
    so windows and dialogs take the size they would take there."""
    with tempfile.TemporaryDirectory() as screens:
        screen = Path(screens) / "screen.json"
        screen.write_text(json.dumps({"screens": [LAPTOP]}))
        os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={screen}")
        return QApplication(sys.argv[:1])  # reads the file now, and needs it no more


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
