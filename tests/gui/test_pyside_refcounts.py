"""The pinned PySide6 must not lose references on its commonest paths.

PySide6 6.12.0 took one reference from ``None`` on every call to a Qt method returning nothing,
and one from ``True`` on every ``emit()`` from Python: on Python 3.11 a fresh process aborted
within about 1,000–8,800 calls. The program is pinned to a release that loses none, and carries
no patch to the interpreter. This test runs the calls in a fresh process with nothing of
Storykeeper imported, so a future pin bump to a release with the bug fails here, not in a
person's hands.
"""

from __future__ import annotations

import os
import subprocess
import sys

CALLS = 20_000  # several times the references a fresh process holds to None or True
#: Counts drift a little as Python and Qt allocate; a lost reference per call would be 20,000.
NOISE = 200

WORK = f"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel

class Sender(QObject):
    ping = Signal(int)
    flag = Signal(bool)

app = QApplication([])
label, box, sender = QLabel(), QCheckBox(), Sender()
sender.ping.connect(lambda n: None)
sender.flag.connect(lambda b: None)
for n in range(100):  # warm up: first calls build caches that hold references for good
    label.setText("words"); box.setChecked(n % 2 == 0); sender.ping.emit(n); sender.flag.emit(True)
none_before, true_before, false_before = (sys.getrefcount(o) for o in (None, True, False))
for n in range({CALLS}):
    label.setText("words")  # a method that returns nothing
    box.setChecked(n % 2 == 0)
    sender.ping.emit(n)
    sender.flag.emit(n % 2 == 0)
none_after, true_after, false_after = (sys.getrefcount(o) for o in (None, True, False))
print("lost", none_before - none_after, true_before - true_after, false_before - false_after)
"""


def test_the_pinned_pyside6_loses_no_references_over_twenty_thousand_calls_and_emits() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [sys.executable, "-c", WORK], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, f"the process died: {done.stderr[-2000:]}"
    assert "Fatal Python error" not in done.stderr
    lost = dict(zip(("None", "True", "False"), map(int, done.stdout.split()[1:4]), strict=True))
    assert all(count < NOISE for count in lost.values()), (
        f"PySide6 lost references over {CALLS:,} calls: {lost}"
    )


def test_nothing_in_the_program_patches_the_interpreter() -> None:
    """No module of the program reaches into CPython's reference counts."""
    from pathlib import Path

    import storykeeper

    package = Path(storykeeper.__file__).parent
    offenders = [
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if "ctypes" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
