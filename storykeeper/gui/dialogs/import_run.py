"""One run of the import dialog over its files, apart from the dialog that shows it.

Each file is imported by ``gui.ops.imports.import_file`` — one transaction per file — in the
task runner's serial writer, so an import never runs beside another write; files go one after
another, and the next is asked for only when the last one's answer is back. Cancel stops the
file being imported (its transaction rolls back, nothing from it is kept) and starts no other;
files imported before it stay imported.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from storykeeper.core.bundle.report import ImportReport
from storykeeper.core.db import Store
from storykeeper.gui.ops import imports as import_ops
from storykeeper.gui.tasks import TaskRunner


class ImportRun(QObject):
    """Imports files one at a time, saying how each goes; files are named by the caller's
    index for them (its row in a list), so the caller never has to look a file up."""

    #: A file is being imported now: its index, and its position in the run (0 first).
    file_started = Signal(int, int)
    #: How far the file at this position has got: done of total.
    advanced = Signal(int, int, int)
    #: A file's import ended with a report (imported, already imported, or refused): its index
    #: and the ``ImportReport``.
    file_done = Signal(int, object)
    #: A file's import stopped: its index and the error (``ImportCancelled`` after Cancel, or
    #: the machine's own trouble); nothing from it was kept.
    file_failed = Signal(int, object)
    #: The run ended, finished or cancelled: the indexes of the files never started.
    finished = Signal(list)

    #: Emitted by the worker thread; Qt queues it to this object on the GUI thread.
    _progressed = Signal(int, int, int)

    def __init__(self, tasks: TaskRunner, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._store = store
        self._queue: list[tuple[int, Path]] = []
        self._cancel = threading.Event()
        self.running = False
        self.dry_run = False
        #: How many files the run has, and how many of them have ended.
        self.size = 0
        self.position = 0
        #: The index of the file being imported now.
        self.current: int | None = None
        self._progressed.connect(self._on_progressed)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self, files: list[tuple[int, Path]], dry_run: bool) -> None:
        """Import (or for a dry run check) these files, each an (index, path) pair, in order."""
        if self.running:
            return
        self._queue = list(files)
        self.size = len(files)
        self.position = 0
        self.dry_run = dry_run
        self._cancel.clear()
        self.running = True
        self._next()

    def cancel(self) -> None:
        """Roll back the file being imported, and start no other."""
        if self.running:
            self._cancel.set()

    def _next(self) -> None:
        if self._cancel.is_set() or not self._queue:
            never_started = [index for index, _path in self._queue]
            self._queue = []
            self.running = False
            self.current = None
            self.finished.emit(never_started)
            return
        index, path = self._queue.pop(0)
        self.current = index
        self.file_started.emit(index, self.position)
        self._tasks.write_own(
            partial(
                import_ops.import_file,
                self._store,
                path,
                actor=self._tasks.actor,
                dry_run=self.dry_run,
                progress=partial(self._progressed.emit, self.position),
                cancelled=self._cancel.is_set,
            ),
            on_done=partial(self._done, index),
            on_error=partial(self._failed, index),
            changes=import_ops.changes_of,
        )

    def _on_progressed(self, position: int, done: int, total: int) -> None:
        # A late word from a file that has ended already is not news.
        if self.running and position == self.position:
            self.advanced.emit(position, done, total)

    def _done(self, index: int, report: ImportReport) -> None:
        self.position += 1
        self.file_done.emit(index, report)
        self._next()

    def _failed(self, index: int, error: BaseException) -> None:
        self.position += 1
        self.file_failed.emit(index, error)
        self._next()
