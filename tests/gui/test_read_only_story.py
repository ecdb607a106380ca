"""An imported story is read-only: nothing offers to change it, and what it holds is readable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.gui.main_window import MainWindow
from tests.gui.imported_stories import imported_story_with_a_recording


def test_mark_this_moment_is_off_on_an_imported_story_and_says_why(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story = imported_story_with_a_recording(window.context.store, tmp_path)
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    panel = window.editor.recorder
    qtbot.waitUntil(lambda: panel.list.count() == 1)
    assert window.editor.read_only
    assert not panel.mark_button.isEnabled()
    why = "came from another computer"
    assert why in panel.mark_button.toolTip()
    assert why in panel.mark_button.accessibleDescription()
    notes_before = window.editor.form.notes.toPlainText()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.editor.form.notes.setFocus()
    qtbot.keyClick(window.editor.form.notes, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.form.notes.toPlainText() == notes_before
