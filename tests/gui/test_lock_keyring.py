"""A store whose key is in the keyring and that has no passphrase: the system's unlock returns
to it (the key read again from the keyring), and the lock screen says plainly who can."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.core.store_keys import NewStoreKey, StoreKeys
from storykeeper.gui.lock import KEYRING_REFUSED, NOT_THIS_STORE
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.lock_screen import ANYONE_CAN_UNLOCK, UnlockWith
from storykeeper.paths import DataPaths
from tests.gui.locking import encrypted_store, type_and_enter

ALT = Qt.KeyboardModifier.AltModifier
STRANGERS = "known to a stranger"


@pytest.fixture
def made(paths: DataPaths) -> Iterator[tuple[Store, NewStoreKey]]:
    with encrypted_store(paths, passphrase=None, use_keyring=True) as opened:
        assert opened[1].in_keyring
        yield opened


@pytest.fixture
def store(made: tuple[Store, NewStoreKey]) -> Store:
    return made[0]


def test_the_keyring_unlocks_and_the_screen_says_anyone_here_can(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.app_lock.lock()
    screen = window.app_lock.lock_screen
    assert screen is not None and screen.unlock_with is UnlockWith.SYSTEM
    assert not screen.secret.isVisible()
    assert screen.note.isVisible() and screen.note.text() == ANYONE_CAN_UNLOCK
    type_and_enter(qtbot, window, "")  # Enter on Unlock
    qtbot.waitUntil(lambda: not window.app_lock.locked, timeout=20_000)


def test_a_keyring_that_gives_no_key_is_said_plainly_and_the_recovery_key_unlocks(
    qtbot: QtBot, window: MainWindow, made: tuple[Store, NewStoreKey]
) -> None:
    window.app_lock.lock()
    screen = window.app_lock.lock_screen
    assert screen is not None
    StoreKeys(window.context.paths.data_dir).forget_in_keyring()
    type_and_enter(qtbot, window, "")
    qtbot.waitUntil(lambda: screen.message.text() == KEYRING_REFUSED, timeout=20_000)
    assert window.app_lock.locked
    qtbot.keyClick(screen.unlock_button, Qt.Key.Key_I, ALT)  # "Use the recovery key instead"
    qtbot.waitUntil(lambda: screen.using_recovery_key)
    type_and_enter(qtbot, window, made[1].recovery_key)
    qtbot.waitUntil(lambda: not window.app_lock.locked, timeout=20_000)
    # No passphrase to have lost: nothing said about choosing a new one.
    assert window.statusBar().currentMessage() == ""


def test_a_keys_file_put_in_place_of_this_stores_does_not_unlock(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Whoever can write to the data folder could put another store's keys file there, with a
    passphrase they know: what it unlocks is not this store's key, and the window stays locked."""
    other = StoreKeys(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").mkdir()
    other.create(passphrase=STRANGERS, use_keyring=False)
    shutil.copyfile(other.path, StoreKeys(window.context.paths.data_dir).path)
    window.app_lock.lock()
    screen = window.app_lock.lock_screen
    assert screen is not None and screen.unlock_with is UnlockWith.PASSPHRASE
    type_and_enter(qtbot, window, STRANGERS)
    qtbot.waitUntil(lambda: screen.message.text().startswith(NOT_THIS_STORE), timeout=20_000)
    assert window.app_lock.locked
