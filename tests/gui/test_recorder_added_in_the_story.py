"""On a fresh install nobody is there to choose as "Recorded by": the advocate adds themselves
from the story itself, by keyboard, and the story is saved as recorded by them (issue 17)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import stories
from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker
from storykeeper.gui.main_window import MainWindow
from tests.gui.answering import when_dialog_opens


def focused_name() -> str:
    widget = QApplication.focusWidget()
    return widget.accessibleName() if widget else ""


def test_the_advocate_adds_themselves_as_the_recorder_from_the_story(
    qtbot: QtBot, window: MainWindow
) -> None:
    def pick(picker: QWidget) -> None:
        assert isinstance(picker, StorytellerPicker)
        QtBot.keyClicks(picker.name, "Gwen Davies")
        QtBot.keyClick(picker.name, Qt.Key.Key_Return)

    window.activateWindow()
    qtbot.waitActive(window)
    when_dialog_opens(pick, StorytellerPicker)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: window.pages.currentWidget() is editor and editor.story is not None)
    assert [editor.supporter.itemText(i) for i in range(editor.supporter.count())] == [
        "Not recorded"
    ]

    # Alt+Y goes to "Recorded by"; Tab to the button that adds a person.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: focused_name() == "Recorded by")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert focused_name() == "Add yourself or another recorder"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: focused_name() == "New person’s name")
    qtbot.keyClicks(QApplication.focusWidget(), "Priya Shah")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: editor.supporter.currentText().startswith("Priya Shah"))
    assert focused_name() == "Recorded by"
    qtbot.waitUntil(
        lambda: editor.saved_state.text().startswith("All changes saved at"), timeout=5000
    )
    with window.context.store.read() as session:
        story = stories.get_story(session, editor.story.id)  # type: ignore[union-attr]
    assert story.supporter is not None and story.supporter.name == "Priya Shah"
