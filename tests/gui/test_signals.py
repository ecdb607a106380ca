"""Every emit goes through ``gui.signals.emit``, which keeps True's reference count whole.

On PySide6 6.12.0 a direct ``emit`` takes one reference away from True each time; a few thousand
later the interpreter aborts. These tests fail on any direct emit in the program, and if the
wrapper stops giving the reference back.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from storykeeper.gui import signals

PROGRAM = Path(__file__).resolve().parents[2] / "storykeeper"


class Sender(QObject):
    number = Signal(int)
    words = Signal(bytes)
    ping = Signal()


def test_the_measurement_matches_what_this_pyside6_does(qapp: QApplication) -> None:
    sender = Sender()
    before = sys.getrefcount(True)
    lost = signals.references_lost_by_emit(sender.ping, 100)
    assert (lost >= 100) == signals.LOSES_REFERENCE, lost
    assert abs(sys.getrefcount(True) - before) < 50  # and what it took, it gave back


def test_many_emits_through_the_wrapper_leave_true_as_it_was(qapp: QApplication) -> None:
    sender = Sender()
    heard: list[int] = []
    sender.number.connect(heard.append)
    sender.words.connect(lambda _b: None)
    before = sys.getrefcount(True)
    # More than True has references at start: a direct emit would have aborted the process.
    for n in range(20_000):
        signals.emit(sender.number, n)
        signals.emit(sender.words, b"abc")
    assert abs(sys.getrefcount(True) - before) < 50
    assert len(heard) == 20_000 and heard[-1] == 19_999


def test_emits_from_another_thread_are_as_safe(qapp: QApplication) -> None:
    sender = Sender()
    before = sys.getrefcount(True)
    worker = threading.Thread(target=lambda: [signals.emit(sender.number, n) for n in range(5_000)])
    worker.start()
    worker.join()
    assert abs(sys.getrefcount(True) - before) < 50


def test_nothing_in_the_program_emits_directly() -> None:
    direct = [
        f"{path.relative_to(PROGRAM.parent)}:{number}: {line.strip()}"
        for path in PROGRAM.rglob("*.py")
        if path.name != "signals.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.emit\(", line)
    ]
    assert direct == [], "use storykeeper.gui.signals.emit:\n" + "\n".join(direct)
