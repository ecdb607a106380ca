"""Bundles the desktop hands to the running program as an event, not on the command line.

On macOS the Finder never runs ``storykeeper --open-bundle FILE``: a bundle double-clicked (or
dropped on the Dock icon) reaches the application as a ``QFileOpenEvent``, also at launch, before
the window exists, while the store is still being unlocked. The files are kept until the window
is there, and files that arrive together (several chosen and opened at once: one event each)
are handed over as one list, so the person sees one import with all of them.

Linux desktops and Windows use the command line (the desktop entry's Exec line, the Inno Setup
script's ``shell\\open\\command``): ``gui.run`` hands those over. Qt sends no FileOpen events there,
so this filter costs nothing on them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFileOpenEvent

Deliver = Callable[[list[Path]], None]


class FilesFromTheDesktop(QObject):
    """Installed on the application as an event filter; ``deliver_to`` says where files go."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: list[Path] = []
        self._deliver: Deliver | None = None
        self._handing_over = QTimer(self)
        self._handing_over.setSingleShot(True)
        self._handing_over.setInterval(0)  # after every FileOpen already queued
        self._handing_over.timeout.connect(self._hand_over)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            file = event.file()
            if file:  # a URL without a local file has nothing to import
                self._waiting.append(Path(file))
                self._hand_over_soon()
            return True
        return super().eventFilter(watched, event)

    def deliver_to(self, deliver: Deliver) -> None:
        """From now on, files go to ``deliver``; those that came earlier go now."""
        self._deliver = deliver
        self._hand_over_soon()

    def _hand_over_soon(self) -> None:
        if self._deliver is not None and self._waiting:
            self._handing_over.start()

    def _hand_over(self) -> None:
        if self._deliver is None or not self._waiting:
            return
        files = list(dict.fromkeys(self._waiting))  # once each, in the order they came
        self._waiting.clear()
        self._deliver(files)
