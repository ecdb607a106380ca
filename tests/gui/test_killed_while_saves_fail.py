"""Killed while the store cannot be written: a real window in a child process types steadily
while another connection holds the store's write lock; SIGKILLed 10 s later, it has lost at most
the last 2 s of typing, and the next start offers what it kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from benchmarks.kill_while_typing import loss, type_until_killed
from storykeeper.core import stories
from storykeeper.core.db import Store
from storykeeper.core.drafts import DraftStore
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.failing_store import HeldWriteLock

#: Keys a second, a steady typist's pace.
RATE = 10.0


@pytest.fixture
def store(plain_store: Store) -> Store:
    """A plain store: the typist is a real second program that opens the data folder as it is,
    without a key (a sealed draft's own crash safety is tested in tests/core/test_drafts.py)."""
    return plain_store


def stored_words(store: Store, story_id: str) -> str:
    with store.read() as session:
        return stories.get_story(session, story_id).own_words


def test_killed_while_another_program_holds_the_lock_loses_at_most_two_seconds(
    qtbot: QtBot, paths: DataPaths, make_window: Callable[[], MainWindow], context: AppContext
) -> None:
    story = make_story(context.store, title="The seaside", own_words="")
    lock = HeldWriteLock(paths.database)
    try:
        # The child's saves wait the real busy timeout (10 s) and fail, and are tried again.
        typing = type_until_killed(paths.data_dir, story.id, seconds=10, rate=RATE)
    finally:
        lock.release()
    assert stored_words(context.store, story.id) == ""  # no save got through

    draft = DraftStore.of_store(context.store).get(story.id)
    assert draft is not None, "nothing typed was kept"
    lost = loss(typing, draft.fields.own_words, "draft")
    assert lost.typed >= 10 * RATE
    assert lost.seconds_lost <= 2.0, lost

    # The next start offers the kept words, naming the story; Enter keeps them.
    offered: list[str] = []

    def keep_them(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        offered.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    when_dialog_opens(keep_them, QMessageBox)
    context.settings.sync()  # the child's settings, as a new start reads them
    window = make_window()
    qtbot.waitUntil(lambda: bool(offered), timeout=10_000)
    assert "The seaside" in offered[0]
    qtbot.waitUntil(
        lambda: stored_words(context.store, story.id) == draft.fields.own_words, timeout=10_000
    )
    qtbot.waitUntil(lambda: window.editor.own_words.toPlainText() == draft.fields.own_words)
