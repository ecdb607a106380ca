"""Read aloud on a computer with no sound output: it says so in one line and the button stays
"Read aloud", instead of sitting on "Stop reading" in silence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storykeeper.gui.widgets.read_aloud import ENGINE_ENV
from storykeeper.paths import DATA_DIR_ENV

#: The real editor page, its button clicked; the message is read and answered by Enter.
SCRIPT = """
from PySide6.QtCore import Qt, QTimer
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.pages.story_editor import StoryEditorPage
from storykeeper.paths import resolve_paths
from tests.factories import make_story

app = QApplication([])
paths = resolve_paths()
seen = []


def answer():
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        seen.append(box.text())
        QTest.keyClick(box, Qt.Key.Key_Return)
    else:
        QTimer.singleShot(20, answer)


with Store.open(paths) as store:
    story = make_story(store, own_words="The bus was late again.")
    context = AppContext(store, paths)
    editor = StoryEditorPage(context)
    editor.show()
    editor.open_story(story.id)
    while editor.story is None:
        app.processEvents()
    QTimer.singleShot(0, answer)
    QTest.mouseClick(editor.read_button, Qt.MouseButton.LeftButton)
    for _ in range(20):
        app.processEvents()
    print(len(QMediaDevices.audioOutputs()))
    print(editor.read_button.text().replace("&", ""))
    print("|".join(seen))
    editor.close_editor()
    context.shutdown()
"""


def test_read_aloud_with_no_sound_output_says_so_and_recovers(tmp_path: Path) -> None:
    env = os.environ.copy()
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-sound-server"  # no sound server, no output
    env[ENGINE_ENV] = "mock"  # a speech engine that works: only the sound is missing
    env[DATA_DIR_ENV] = str(tmp_path / "data")
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outputs, button, message = done.stdout.splitlines()[-3:]
    assert outputs == "0"
    assert button == "Read aloud"
    assert "sound" in message and "\n" not in message
