"""GUI fixtures: a real window on a real store, driven by keys (tests/gui/answering.py answers
its dialogs); a question a failed test leaves open is dismissed at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.read_aloud import ENGINE_ENV
from storykeeper.paths import DataPaths


@pytest.fixture(autouse=True)
def mock_speech(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "mock")


@pytest.fixture
def context(qapp: QApplication, store: Store, paths: DataPaths) -> Iterator[AppContext]:
    made = AppContext(store, paths)
    yield made
    made.shutdown()


@pytest.fixture
def make_window(qtbot: QtBot, context: AppContext) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if shiboken6.isValid(window):  # pytest-qt may have closed and deleted it already
            window.close()
    context.tasks.wait_for_idle()


@pytest.fixture
def window(make_window: Callable[[], MainWindow], qtbot: QtBot) -> MainWindow:
    made = make_window()
    qtbot.waitUntil(lambda: made.list_page.count_label.text() not in ("", "Looking…"))
    return made


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """A failed test can leave a question open (“Save the changes?”) when its windows close:
    answer any such dialog with its cancel button, so the failure is reported instead of hanging."""
    if QApplication.instance() is None:  # a gui/ops test, which needs no window
        yield
        return
    guard = QTimer()
    guard.setInterval(50)

    def dismiss() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            dialog.close()

    guard.timeout.connect(dismiss)
    guard.start()
    yield
    guard.stop()
