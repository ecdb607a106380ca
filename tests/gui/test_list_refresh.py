"""The story list refreshes itself when the task runner says what changed: at once while it is
on screen, and once, when it is next shown, while a story is open in its place. Nothing in the
window reloads a view by hand after a dialog."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import stories
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.writer import Selection
from storykeeper.core.db import Store
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.dialogs.people import StorytellersDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.story_table import Column
from storykeeper.gui.ops import story_list as list_ops
from storykeeper.gui.ops.people import PickedStoryteller
from storykeeper.paths import resolve_paths
from tests import exchange
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens


def storyteller_shown(window: MainWindow, row: int = 0) -> object:
    model = window.list_page.model
    return model.data(model.index(row, Column.STORYTELLER))


def test_a_storyteller_renamed_in_the_people_dialog_is_renamed_in_the_list(
    qtbot: QtBot, window: MainWindow
) -> None:
    make_story(window.context.store, teller="Mary Jones")
    window.list_page.reload()
    qtbot.waitUntil(lambda: storyteller_shown(window) == "Mary Jones")

    # Opened on its own, not through the window's menu: nothing tells the list by hand.
    dialog = StorytellersDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 1)
    dialog.list.setCurrentRow(0)
    assert dialog.name.text() == "Mary Jones"
    dialog.name.setFocus()
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Mary Jones-Price")
    qtbot.keyClick(dialog.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.state.text().startswith("Saved Mary Jones-Price"))

    qtbot.waitUntil(lambda: storyteller_shown(window) == "Mary Jones-Price")


def test_a_change_while_a_story_is_open_reloads_the_list_once_it_is_shown_again(
    qtbot: QtBot, window: MainWindow
) -> None:
    context = window.context
    first = make_story(context.store, title="Open in the editor")
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.total == 1)
    window.open_story(first.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)

    asked: list[bool] = []
    page.model.loading_changed.connect(lambda loading: loading and asked.append(True))
    # A write by someone other than the list (as an import would add a story).
    with qtbot.waitSignal(context.tasks.changed, timeout=10_000):
        context.tasks.write(
            partial(list_ops.new_story, picked=PickedStoryteller(None, "Ada Price", "Ada Price")),
            changes=list_ops.NewStory.changes,
        )
    # A turn or two of the event loop later, a list that reloaded while hidden would have asked.
    turned: list[object] = []
    context.tasks.run(lambda: None, on_done=turned.append)
    qtbot.waitUntil(lambda: bool(turned))
    assert asked == [] and page.model.total == 1

    window.editor.close_editor()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    qtbot.waitUntil(lambda: page.model.total == 2)
    assert asked == [True]


def test_one_write_that_changes_several_kinds_reloads_the_shown_list_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    context = window.context
    page = window.list_page
    resets: list[bool] = []
    page.model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(page.model.loaded, timeout=10_000):
        # A new storyteller and their story: people and stories are both announced.
        context.tasks.write(
            partial(list_ops.new_story, picked=PickedStoryteller(None, "Ada Price", "Ada Price")),
            changes=list_ops.NewStory.changes,
        )
    assert page.model.total == 1
    assert resets == [True]


def test_a_title_typed_in_a_story_is_in_the_list_on_the_way_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, title="Before")
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.total == 1)
    window.open_story(story.id)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.story is not None)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    editor.title.setFocus()
    editor.title.selectAll()
    qtbot.keyClicks(editor.title, "After")
    qtbot.keyClick(editor.title, Qt.Key.Key_Escape)  # saves, and back to the list

    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    model = page.model
    qtbot.waitUntil(lambda: model.data(model.index(0, Column.TITLE)) == "After")


@pytest.fixture
def advocate(tmp_path: Path) -> Iterator[Store]:
    with Store.open(resolve_paths(tmp_path / "advocate")) as opened:
        yield opened


def test_an_import_that_updates_the_open_story_shows_it_as_it_is_now(
    qtbot: QtBot, window: MainWindow, advocate: Store, tmp_path: Path
) -> None:
    here = window.context.store
    exchange.trust_advocate(advocate, here)
    story = exchange.shared(advocate, "The bus")
    first = exchange.export(advocate, here, tmp_path / "first", Selection.SINCE_LAST)
    assert import_bundle(here, first, actor="test").outcome.value == "imported"
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    assert window.editor.own_words.toPlainText() == story.fields.own_words

    with advocate.write(actor="test") as session:
        newer = dataclasses.replace(story.fields, own_words="Told again, with the ending.")
        stories.update_story(session, story.id, newer)
    second = exchange.export(advocate, here, tmp_path / "second", Selection.SINCE_LAST)

    def run(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportDialog)
        with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
            qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(run, ImportDialog)
    window.show_import([second])
    qtbot.waitUntil(lambda: window.editor.own_words.toPlainText() == "Told again, with the ending.")
