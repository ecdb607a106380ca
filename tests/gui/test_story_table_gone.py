"""A page of the story list that arrives after its list is gone (the window closed meanwhile)
is dropped, not delivered to a deleted model."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from storykeeper.gui.context import AppContext
from storykeeper.gui.models.story_table import StoryTableModel
from tests.factories import make_story


def test_a_page_for_a_deleted_list_is_dropped(qtbot: QtBot, context: AppContext) -> None:
    make_story(context.store)
    model = StoryTableModel(context.tasks)
    model.refresh()  # the page is asked for on the reader pool
    model.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # The answer comes back to a model that is gone; pytest-qt fails the test on any
    # exception raised in the event loop ("Signal source has been deleted").
    qtbot.waitUntil(lambda: not context.tasks.busy, timeout=10_000)
