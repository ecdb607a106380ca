"""Keeping PySide6 6.12.0's lost references to None and True from aborting the program.

PySide6 6.12.0 (the only 6.12 release, and the one this program is built on) gives back one
reference too many on two of its most common paths:

- every call to a Qt method that returns nothing (``setText``, ``setChecked``, ``hide``…) takes
  one reference away from ``None``;
- every ``emit()`` of a signal from Python takes one away from ``True``.

On Python 3.11 those objects are counted like any other, and a window starts with only a few
thousand references to each: after about 4,000 ``setText`` calls, or 8,800 emits, the count
reaches zero and the interpreter aborts ("none_dealloc" / "bool_dealloc: deallocating …"). The
recorder's level meter got there within a minute; an ordinary day's typing and searching would
too. ``tests/gui/test_pyside_refcounts.py`` reproduces both in a fresh process.

Python 3.12 made ``None``, ``True`` and ``False`` immortal (PEP 683) for exactly this kind of
bug. On 3.11 this module does the same by hand, once, before any window: it adds 2**40 to their
reference counts, more than a lifetime of lost references. It does so only when a probe shows
this PySide6 losing them, so a fixed PySide6 (or Python 3.12+) is left alone. The ``ctypes``
write is to the count field every CPython object starts with (``ob_refcnt``), nothing else.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

#: Enough references that no session can use them up: a million lost a second for 12 days.
_RESERVE = 1 << 40
_PROBES = 16


class _Probe(QObject):
    ping = Signal()


def _lost(counted: object, action: object) -> int:
    """How many references ``counted`` loses over ``_PROBES`` runs of ``action``; given back."""
    before = sys.getrefcount(counted)
    for _ in range(_PROBES):
        action()  # type: ignore[operator]
    lost = before - sys.getrefcount(counted)
    for _ in range(max(0, lost)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(counted))
    return lost


def _reserve(counted: object) -> None:
    ctypes.c_ssize_t.from_address(id(counted)).value += _RESERVE


def protect() -> tuple[str, ...]:
    """Make the objects this PySide6 loses references to last forever; returns their names."""
    if sys.version_info >= (3, 12):
        return ()  # immortal already: lost references change nothing
    probe = _Probe()
    protected = []
    if _lost(None, lambda: probe.setObjectName("probe")) >= _PROBES:
        _reserve(None)
        protected.append("None")
    if _lost(True, probe.ping.emit) >= _PROBES:
        _reserve(True)
        _reserve(False)  # the same code returns False when a signal is blocked
        protected.append("True/False")
    return tuple(protected)


#: What was protected in this process (empty where nothing needed it).
PROTECTED = protect()
