"""The GUI's services in one place: the store, the task runner, settings and appearance.

A plain QObject rather than a QApplication subclass, so tests can build it inside pytest-qt's
own application; ``gui.run.run_gui`` makes the real application around it. Every window,
page and dialog imports this module; none imports ``gui.run``.
"""

from __future__ import annotations

import getpass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from storykeeper.core.db import Store
from storykeeper.gui.appearance import apply_appearance
from storykeeper.gui.collector import GuiThreadCollector
from storykeeper.gui.settings import TEXT_SCALE_MAX, TEXT_SCALE_MIN, GuiSettings
from storykeeper.gui.tasks import TaskRunner
from storykeeper.paths import DataPaths


def device_user() -> str:
    """Who is at the keyboard, for the audit log: the operating-system account name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no account name (some containers)
        return "unknown user"


class AppContext(QObject):
    """What every window and dialog needs."""

    appearance_changed = Signal()

    def __init__(self, store: Store, paths: DataPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.settings = GuiSettings(paths.data_dir / "settings.ini")
        self.collector = GuiThreadCollector(self)
        self.tasks = TaskRunner(store, actor=device_user(), parent=self)
        self.apply_appearance()

    @property
    def app(self) -> QApplication:
        instance = QApplication.instance()
        assert isinstance(instance, QApplication)
        return instance

    def apply_appearance(self) -> None:
        apply_appearance(self.app, self.settings.text_scale, self.settings.high_contrast)
        self.appearance_changed.emit()

    def set_text_scale(self, scale: int) -> None:
        self.settings.text_scale = max(TEXT_SCALE_MIN, min(TEXT_SCALE_MAX, scale))
        self.apply_appearance()

    def set_high_contrast(self, enabled: bool) -> None:
        self.settings.high_contrast = enabled
        self.apply_appearance()

    def shutdown(self) -> None:
        """Let queued saves finish before the store closes; reads still running stop."""
        self.tasks.finish()
        self.settings.sync()
        self.collector.stop()
