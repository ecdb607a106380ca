"""One helper to run work off the GUI thread and deliver the result on it.

Database writes go through one serial queue (a pool of one thread), so they happen in the order
asked and never contend; reads go through a small pool of their own, so a slow search never holds
up a save. Results and errors come back through a queued signal, so callbacks always run on the
GUI thread and may touch widgets. A write says what it changes (``gui.ops.changes``); once it has
committed, the runner announces ``changed(kind, ids)`` and every view of that kind refreshes
itself. (A QRunnable that is also a QObject broke in PySide6 6.5: the
job holds a plain QObject for its signals instead.)

Closing is quick at any size (``finish``): a read still running is stopped inside its statement
(``core.db.stopped_when``; one read can take seconds at 100,000 stories) and its answer dropped,
a read not yet started never starts, and every write, queued or running, finishes.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from sqlalchemy.orm import Session

from storykeeper.core.db import Store, stopped_when
from storykeeper.gui.ops.changes import Change, Changes, announced

log = logging.getLogger(__name__)

T = TypeVar("T")
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Stopped(Exception):
    """A read stopped part-way because the window is closing: its answer goes nowhere."""


class _Relay(QObject):
    """Lives on the GUI thread; workers emit, Qt queues the call to the GUI thread."""

    finished = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, task_id: int, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._task_id = task_id
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as exc:  # delivered to the caller, who decides what to say
            log.debug("task %s failed", self._task_id, exc_info=True)
            self._relay.failed.emit(self._task_id, exc)
        else:
            self._relay.finished.emit(self._task_id, result)


@dataclass
class _Callbacks:
    on_done: Done | None
    on_error: Failed | None
    changes: Changes | None = None


def _in(
    session: Callable[[], AbstractContextManager[Session]], work: Callable[[Session], T]
) -> Callable[[], T]:
    """``work`` run inside a session from ``session()`` (a read or a write transaction)."""

    def job() -> T:
        with session() as opened:
            return work(opened)

    return job


class TaskRunner(QObject):
    """Runs reads and writes against the store off the GUI thread."""

    #: True while any task is queued or running (for a busy indicator and for tests).
    busy_changed = Signal(bool)
    #: An error no caller handled: the window shows it.
    unhandled_error = Signal(object)
    #: A write committed and changed records of a kind (a ``Kind`` value) with these ids
    #: (a frozenset; empty when any of that kind may have changed).
    changed = Signal(str, object)

    def __init__(self, store: Store, actor: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        #: Set while ``finish`` waits: reads stop, writes go on.
        self._stopping = threading.Event()
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Callbacks] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def read(
        self,
        work: Callable[[Session], T],
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> int:
        """Run ``work(session)`` in a read transaction (stopped if the window closes first)."""
        return self._submit(self._readers, self._stoppable(work), on_done, on_error)

    def write(
        self,
        work: Callable[[Session], T],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        *,
        changes: Changes | None = None,
    ) -> int:
        """Run ``work(session)`` in the serial writer, as this window's actor; once it has
        committed, announce ``changes`` (fixed, or worked out from the result)."""
        session = functools.partial(self.store.write, actor=self.actor)
        return self._submit(self._writer, _in(session, work), on_done, on_error, changes)

    def write_own(
        self,
        work: Callable[[], T],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        *,
        changes: Changes | None = None,
    ) -> int:
        """Run work that opens its own transactions (an import, which needs the store, not a
        session) in the serial writer, so it never runs beside another write."""
        return self._submit(self._writer, work, on_done, on_error, changes)

    def announce(self, *changes: Change) -> None:
        """Say that records changed outside a write of this runner (another window's dialog
        that wrote through its own runner, a file put in place)."""
        for change in changes:
            self.changed.emit(change.kind.value, change.ids)

    def run(
        self, work: Callable[[], T], on_done: Done | None = None, on_error: Failed | None = None
    ) -> int:
        """Run work that needs no database (hashing, file copying) in the reader pool."""
        return self._submit(self._readers, work, on_done, on_error)

    def wait_for_idle(self, msecs: int = 30_000) -> bool:
        """Block until every queued task has run (in tests)."""
        return self._writer.waitForDone(msecs) and self._readers.waitForDone(msecs)

    def finish(self, msecs: int = 30_000) -> bool:
        """At close: block until every write has finished, while reads stop where they are
        (their answers would only reach a window that is going). Afterwards the runner reads
        again as before (the same context may open another window, as tests do)."""
        self._stopping.set()
        try:
            return self.wait_for_idle(msecs)
        finally:
            self._stopping.clear()

    def _stoppable(self, work: Callable[[Session], T]) -> Callable[[], T]:
        """``work`` in a read transaction whose statements stop while ``finish`` waits."""
        stopping = self._stopping.is_set

        def job() -> T:
            if stopping():
                raise _Stopped
            try:
                with self.store.read() as session, stopped_when(session, stopping):
                    return work(session)
            except Exception as exc:
                # However the read said it (SQLite's "interrupted", or an error of its own
                # made from it): a read failing while the window closes is a read stopped.
                if stopping():
                    raise _Stopped from exc
                raise

        return job

    def _submit(
        self,
        pool: QThreadPool,
        work: Callable[[], Any],
        on_done: Done | None,
        on_error: Failed | None,
        changes: Changes | None = None,
    ) -> int:
        task_id = next(self._ids)
        was_busy = self.busy
        self._pending[task_id] = _Callbacks(on_done, on_error, changes)
        pool.start(_Job(task_id, work, self._relay))
        if not was_busy:
            self.busy_changed.emit(True)
        return task_id

    def _take(self, task_id: int) -> _Callbacks | None:
        callbacks = self._pending.pop(task_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    def _on_finished(self, task_id: int, result: object) -> None:
        callbacks = self._take(task_id)
        if callbacks is None:
            return
        if callbacks.on_done and _receiver_alive(callbacks.on_done):
            callbacks.on_done(result)
        # After the caller's own callback, so it has taken the result in (an editor its new
        # revision) before the views that show the same records reload them.
        self.announce(*announced(callbacks.changes, result))

    def _on_failed(self, task_id: int, error: BaseException) -> None:
        callbacks = self._take(task_id)
        if isinstance(error, _Stopped):
            return  # the window closed meanwhile: nobody is waiting for this answer
        if callbacks and callbacks.on_error:
            if _receiver_alive(callbacks.on_error):
                callbacks.on_error(error)
        else:
            self.unhandled_error.emit(error)


def _receiver_alive(callback: Callable[..., object]) -> bool:
    """False when the callback is a method (or a partial of one) of a widget Qt has deleted: a
    page closed while its read was running must not be called with the answer."""
    owner = getattr(getattr(callback, "func", callback), "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
