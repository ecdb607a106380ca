"""PySide6 6.12.0 loses references to None and True; ``gui.pyside_refcounts`` keeps the program
alive regardless. Each case runs in a fresh process, where an abort can be seen and survived."""

from __future__ import annotations

import os
import subprocess
import sys

from storykeeper.gui import pyside_refcounts

CALLS = 20_000  # several times the references a fresh process holds to None or True

WORK = f"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
{{setup}}
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Sender(QObject):
    ping = Signal(int)

app = QApplication([])
label, sender = QLabel(), Sender()
sender.ping.connect(lambda n: None)
for n in range({CALLS}):
    label.setText("words")  # a method that returns nothing
    sender.ping.emit(n)
print("survived", flush=True)
"""


def run(setup: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WORK.format(setup=setup)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )


def test_the_program_survives_a_long_session_of_calls_and_signals() -> None:
    done = run("import storykeeper.gui")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout
    assert "Fatal Python error" not in done.stderr


def test_without_it_this_pyside6_aborts_exactly_when_it_says_it_would() -> None:
    """The protection is applied only where a probe finds the bug; the probe must be right."""
    done = run("")
    if pyside_refcounts.PROTECTED:
        assert done.returncode != 0
        assert "deallocating" in done.stderr
    else:
        assert done.returncode == 0, done.stderr[-2000:]
