"""A storyteller's name or a title cannot disguise itself where the window shows it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storykeeper.gui.dialogs.people import StorytellersDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.story_table import Column
from tests.factories import make_story

#: Shows as "Ann Jones" followed by a reversed word: another person's name, to the eye.
DISGUISED = "Ann Jones\u202esenoJ\u202c"
TITLE = "The day\u200b centre"  # a zero-width space: two different titles that look the same


def test_the_list_and_the_editor_show_the_hidden_characters(
    window: MainWindow, qtbot: QtBot
) -> None:
    story = make_story(window.context.store, title=TITLE, teller=DISGUISED)
    window.list_page.reload()
    model = window.list_page.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    shown = {
        column: model.data(model.index(0, column), Qt.ItemDataRole.DisplayRole)
        for column in (Column.TITLE, Column.STORYTELLER)
    }
    assert shown == {
        Column.TITLE: "The day\ufffd centre",
        Column.STORYTELLER: "Ann Jones\ufffdsenoJ\ufffd",
    }
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    assert window.editor.heading.text() == "Ann Jones\ufffdsenoJ\ufffd’s story"
    assert "\u202e" not in window.editor.storyteller_label.text()
    assert window.editor.title.text() == TITLE  # what is edited is the text as stored


def test_the_storytellers_list_shows_the_hidden_characters(
    window: MainWindow, qtbot: QtBot
) -> None:
    make_story(window.context.store, teller=DISGUISED)
    dialog = StorytellersDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 1)
    shown = dialog.list.item(0).text()
    assert shown.startswith("Ann Jones\ufffdsenoJ\ufffd"), shown
    dialog.list.setCurrentRow(0)
    assert dialog.name.text() == DISGUISED  # what is edited is the name as stored
