"""A store kept unencrypted (asked for at its first start) locks the same way; its lock screen
says plainly that anyone using this computer account can return, and how to protect it."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.lock_screen import NOT_ENCRYPTED, UnlockWith
from tests.factories import make_story
from tests.gui.locking import shown_texts, type_and_enter


@pytest.fixture
def store(plain_store: Store) -> Store:
    return plain_store


def test_a_plain_store_locks_and_says_anyone_here_can_return(
    qtbot: QtBot, window: MainWindow
) -> None:
    make_story(window.context.store, title="The bakery on Heol Fawr", teller="Eirlys Bowen")
    window.list_page.reload()
    qtbot.waitUntil(lambda: any("Heol Fawr" in text for text in shown_texts()))
    window.app_lock.lock()
    screen = window.app_lock.lock_screen
    assert screen is not None and screen.unlock_with is UnlockWith.NOTHING
    assert screen.note.isVisible() and screen.note.text() == NOT_ENCRYPTED
    shown = "\n".join(shown_texts())
    assert "Heol Fawr" not in shown and "Eirlys" not in shown
    type_and_enter(qtbot, window, "")  # Enter on Return
    qtbot.waitUntil(lambda: not window.app_lock.locked)
