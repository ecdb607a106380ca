"""GUI fixtures: a real window on a real store, driven by keys (tests/gui/answering.py answers
its dialogs); a question a failed test leaves open is dismissed at teardown; the virtual
microphone and a tone played into it, for the recorder's tests and the lock's."""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtMultimedia import QMediaDevices
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


@pytest.fixture
def microphone(qapp: QApplication) -> None:
    if not QMediaDevices.audioInputs():
        # Fail, not skip, as the interop tests do: a recorder test that never runs proves nothing.
        problem = os.environ.get("STORYKEEPER_TEST_SOUND_PROBLEM")
        pytest.fail(
            f"no virtual microphone: {problem}"
            if problem
            else "no virtual microphone: install PulseAudio with "
            "packaging/linux/install-system-deps --test (tests/audio/virtual-microphone starts it)"
        )


@pytest.fixture
def tone(tmp_path: Path) -> Iterator[None]:
    """A loud tone into the virtual speaker, which the virtual microphone hears."""
    sound = tmp_path / "tone.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(16000 * math.sin(2 * math.pi * 440 * i / 16000)))
                for i in range(16000 * 20)
            )
        )
    player = shutil.which("paplay")
    if player is None:
        pytest.fail(
            "paplay not found: install pulseaudio-utils with "
            "packaging/linux/install-system-deps --test"
        )
    playing = subprocess.Popen([player, "--device=virtual_speaker", str(sound)])
    yield
    playing.kill()
    playing.wait()
