"""The lock never fails open: with the store's keys file gone or damaged while the window was
open, it still locks, says plainly what is wrong, and nothing unlocks it without the key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.core.store_keys import DAMAGED, StoreKeys
from storykeeper.gui.lock import KEYS_FILE_GONE
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.lock_screen import UnlockWith
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.locking import PASSPHRASE, encrypted_store, shown_texts, type_and_enter


@pytest.fixture
def store(paths: DataPaths) -> Iterator[Store]:
    with encrypted_store(paths) as (opened, _made):
        yield opened


def test_a_keys_file_removed_while_open_does_not_make_the_lock_a_return_button(
    qtbot: QtBot, window: MainWindow
) -> None:
    make_story(window.context.store, title="The chapel choir", teller="Eirlys Bowen")
    StoreKeys(window.context.paths.data_dir).path.unlink()  # by whoever sits down at it
    window.app_lock.lock()
    screen = window.app_lock.lock_screen
    assert screen is not None and screen.unlock_with is UnlockWith.PASSPHRASE
    type_and_enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: screen.message.text() == KEYS_FILE_GONE, timeout=20_000)
    assert window.app_lock.locked
    assert "Eirlys" not in "\n".join(shown_texts())


def test_a_damaged_keys_file_still_locks_and_says_so(qtbot: QtBot, window: MainWindow) -> None:
    StoreKeys(window.context.paths.data_dir).path.write_text("{ not the keys", encoding="utf-8")
    window.app_lock.lock()
    assert window.app_lock.locked
    screen = window.app_lock.lock_screen
    assert screen is not None
    type_and_enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: screen.message.text().startswith(DAMAGED), timeout=20_000)
    assert window.app_lock.locked
