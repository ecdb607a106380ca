"""Emitting Qt signals from Python without PySide6 6.12.0's lost reference.

PySide6 6.12.0's ``SignalInstance.emit`` returns True without taking a reference to it, so each
emit from Python takes one reference away from True. A window starts with about 8,800 of them;
once they run out the interpreter aborts ("bool_dealloc: deallocating True or False"). The
recorder's level meter, at 50 emits a second, got there in under a minute, and the task runner
(one emit per save, search or load) would in a long day's session.

Every emit in the program goes through ``emit``, which gives the reference back, but only where
PySide6 really loses it: that is measured once, at import, so a fixed PySide6 is left alone.
``tests/gui/test_signals.py`` holds both the measurement and the rule that nothing emits directly.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 16


class _Probe(QObject):
    ping = Signal()


_give_back = ctypes.pythonapi.Py_IncRef
_give_back.argtypes = [ctypes.py_object]
_give_back.restype = None


def references_lost_by_emit(signal: SignalInstance, times: int) -> int:
    """Emit ``times`` directly and count the references True lost; they are given back."""
    before = sys.getrefcount(True)
    for _ in range(times):
        signal.emit()  # direct on purpose: measuring what emit does
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):
        _give_back(True)
    return lost


#: True on PySide6 versions whose emit loses a reference to True (6.12.0).
_probe = _Probe()
LOSES_REFERENCE = references_lost_by_emit(_probe.ping, _PROBES) >= _PROBES
del _probe


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, safe to call any number of times, from any thread."""
    result = signal.emit(*args)
    if LOSES_REFERENCE and result is True:
        _give_back(result)
