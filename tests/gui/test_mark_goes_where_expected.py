"""Ctrl+M puts the recording mark where a person expects it in the notes (issue 20, section 4).

Before, the mark went in at the notes' cursor even when the advocate had never been in the
notes, which is their very start, before what they had written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.core import consent
from storykeeper.core.attachments import add_attachment
from storykeeper.core.vocabulary import ConsentScope
from storykeeper.gui.main_window import MainWindow
from tests.factories import given, make_story
from tests.gui.imported_stories import three_seconds_of_sound

CTRL = Qt.KeyboardModifier.ControlModifier
NOTES = "Met Mair at the day centre. Her son joined later."


def open_with_a_recording(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    store = window.context.store
    story = make_story(store, notes=NOTES)
    sound = three_seconds_of_sound(tmp_path / "interview.wav")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=frozenset(ConsentScope)))
        add_attachment(session, store.media, story.id, sound)
    window.open_story(story.id)
    panel = window.editor.recorder
    qtbot.waitUntil(lambda: panel.list.count() == 1 and bool(panel.player.title))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def mark_from_the_title(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+M pressed while typing the title, as a person listening back might."""
    title = window.editor.form.title
    title.setFocus()
    qtbot.waitUntil(title.hasFocus)
    qtbot.keyClick(title, Qt.Key.Key_M, CTRL)


def test_a_mark_goes_at_the_end_of_notes_the_advocate_has_not_been_in(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    open_with_a_recording(qtbot, window, tmp_path)
    notes = window.editor.form.notes
    mark_from_the_title(qtbot, window)
    qtbot.waitUntil(lambda: notes.toPlainText() != NOTES)
    assert notes.toPlainText().startswith(NOTES + " [interview")
    assert notes.textCursor().position() == len(notes.toPlainText())
    # A second mark follows the first, still after the notes.
    before = notes.toPlainText()
    mark_from_the_title(qtbot, window)
    qtbot.waitUntil(lambda: notes.toPlainText() != before)
    assert notes.toPlainText().startswith(before)


def test_a_mark_goes_where_the_advocate_last_was_in_the_notes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    open_with_a_recording(qtbot, window, tmp_path)
    notes = window.editor.form.notes
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    qtbot.keyClick(notes, Qt.Key.Key_Home, CTRL)
    for _ in range(len("Met Mair at the day centre.")):
        qtbot.keyClick(notes, Qt.Key.Key_Right)
    mark_from_the_title(qtbot, window)
    qtbot.waitUntil(lambda: notes.toPlainText() != NOTES)
    text = notes.toPlainText()
    assert text.startswith("Met Mair at the day centre. [interview")
    assert text.endswith("Her son joined later.")
