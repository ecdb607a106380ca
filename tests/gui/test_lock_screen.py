"""The lock screen for everyone: named for screen readers, worked by keys alone, whole at twice
the text size in high contrast on a 1366×768 laptop, and plain about a lost passphrase; and the
unlocking itself: a wrong passphrase, the wait after several, the recovery key, the keyring."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.core.store_keys import NewStoreKey, StoreKeys
from storykeeper.gui.context import AppContext
from storykeeper.gui.lock import RECOVERY_KEY_USED
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.lock_screen import WHEN_FORGOTTEN, LockScreen, UnlockWith
from storykeeper.paths import DataPaths
from tests.gui.inspecting import unnamed_controls
from tests.gui.locking import PASSPHRASE, encrypted_store, type_and_enter

ALT = Qt.KeyboardModifier.AltModifier
#: A 1366×768 laptop less a desktop panel and the window's frame.
ROOM = (1366, 768 - 60)


@pytest.fixture
def made(paths: DataPaths) -> Iterator[tuple[Store, NewStoreKey]]:
    with encrypted_store(paths) as opened:
        yield opened


@pytest.fixture
def store(made: tuple[Store, NewStoreKey]) -> Store:
    return made[0]


def locked(qtbot: QtBot, window: MainWindow) -> LockScreen:
    window.app_lock.lock()
    screen = window.app_lock.lock_screen
    assert screen is not None
    return screen


def whole_on_screen(window: MainWindow, screen: LockScreen) -> None:
    """Nothing to scroll to, and every word of every label shown in full inside the window."""
    scroller = screen.findChild(QScrollArea)
    assert scroller is not None
    assert scroller.verticalScrollBar().maximum() == 0, screen.sizeHint()
    assert scroller.horizontalScrollBar().maximum() == 0, screen.sizeHint()
    inside = QRect(QPoint(0, 0), window.size())
    for widget in screen.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.parentWidget() is None:
            continue
        corner = widget.mapTo(window, QPoint(0, 0))
        assert inside.contains(QRect(corner, widget.size())), widget.accessibleName()
        if isinstance(widget, QLabel) and widget.wordWrap():
            assert widget.height() >= widget.heightForWidth(widget.width()), widget.text()


@pytest.mark.parametrize("with_passphrase", [True, False], ids=["passphrase", "keyring"])
def test_the_lock_screen_fits_twice_the_text_size_in_high_contrast(
    qtbot: QtBot,
    window: MainWindow,
    made: tuple[Store, NewStoreKey],
    with_passphrase: bool,
) -> None:
    if not with_passphrase:
        # Keyring only: the longer words about who can unlock, and how to set a passphrase.
        keys = StoreKeys(window.context.paths.data_dir)
        keys.remember_in_keyring(made[1].store_key)
        keys.set_passphrase(made[1].store_key, None)
    window.context.set_text_scale(200)
    window.context.set_high_contrast(True)
    window.resize(*ROOM)
    assert (window.width(), window.height()) == ROOM
    screen = locked(qtbot, window)
    assert screen.unlock_with is (UnlockWith.PASSPHRASE if with_passphrase else UnlockWith.SYSTEM)
    qtbot.waitUntil(lambda: screen.isVisible())
    QApplication.processEvents()
    whole_on_screen(window, screen)
    assert unnamed_controls(screen) == []
    assert screen.if_lost.isVisible()
    # The recovery key's words too (the other thing a person may need to read here).
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_I, ALT)
    qtbot.waitUntil(lambda: screen.using_recovery_key)
    QApplication.processEvents()
    whole_on_screen(window, screen)


def test_wrong_passphrase_then_the_right_one(qtbot: QtBot, window: MainWindow) -> None:
    screen = locked(qtbot, window)
    assert screen.if_lost.text() == WHEN_FORGOTTEN
    assert screen.secret.hasFocus()
    type_and_enter(qtbot, window, "blackberries by the river")
    qtbot.waitUntil(
        lambda: screen.unlock_button.isEnabled() or screen.message.text() != "Checking…"
    )
    qtbot.waitUntil(lambda: screen.message.text() not in ("", "Checking…"), timeout=20_000)
    assert window.app_lock.locked
    words = screen.message.text()
    assert "passphrase" in words.lower() and "blackberries" not in words
    assert screen.secret.text() == ""  # what was typed is not left in the field
    type_and_enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: not window.app_lock.locked, timeout=20_000)


def test_several_wrong_tries_hold_the_next_back_with_a_countdown(
    qtbot: QtBot, window: MainWindow
) -> None:
    keys = StoreKeys(window.context.paths.data_dir)
    screen = locked(qtbot, window)
    for _try in range(10):
        type_and_enter(qtbot, window, "not it at all")
        qtbot.waitUntil(lambda: screen.message.text() not in ("", "Checking…"), timeout=20_000)
        if keys.seconds_before_next_try() > 0:
            break
    assert keys.seconds_before_next_try() > 0, "ten wrong tries and no delay"
    assert not screen.unlock_button.isEnabled()
    assert "You can try again in" in screen.message.text()
    # Enter meanwhile tries nothing (no extra wrong try is counted, nothing is checked).
    before = screen.message.text()
    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    assert window.app_lock.locked and screen.message.text() == before
    # The wait holds in a new lock too (it is kept in the store's keys file).
    window.app_lock.unlock()
    screen = locked(qtbot, window)
    assert not screen.unlock_button.isEnabled()
    assert "You can try again in" in screen.message.text()


def test_the_recovery_key_unlocks_typed_loosely(
    qtbot: QtBot, window: MainWindow, made: tuple[Store, NewStoreKey]
) -> None:
    screen = locked(qtbot, window)
    qtbot.keyClick(screen.secret, Qt.Key.Key_I, ALT)  # "Use the recovery key instead"
    qtbot.waitUntil(lambda: screen.using_recovery_key)
    assert screen.secret_label.text() == "&Recovery key:"
    type_and_enter(qtbot, window, made[1].recovery_key.lower().replace("-", " "))
    qtbot.waitUntil(lambda: not window.app_lock.locked, timeout=20_000)
    # The way to a new passphrase, since the old one may be lost.
    assert window.statusBar().currentMessage() == RECOVERY_KEY_USED


def test_the_window_gone_while_the_passphrase_is_checked_is_no_error(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    # Not pytest-qt's window: this one is deleted before the test ends.
    window = MainWindow(context)
    window.show()
    qtbot.waitExposed(window)
    screen = locked(qtbot, window)
    type_and_enter(qtbot, window, PASSPHRASE)
    assert screen.message.text() == "Checking…"
    checking = [t for t in threading.enumerate() if t.name == "storykeeper-unlock"]
    assert checking
    window.close()
    shiboken6.delete(window)
    checking[0].join(30)
    assert not checking[0].is_alive()
    QApplication.processEvents()
    assert raised == []


def test_what_was_typed_cannot_be_brought_back_by_undo(qtbot: QtBot, window: MainWindow) -> None:
    screen = locked(qtbot, window)
    qtbot.keyClick(screen.secret, Qt.Key.Key_I, ALT)  # the recovery key is shown as typed
    qtbot.waitUntil(lambda: screen.using_recovery_key)
    type_and_enter(qtbot, window, "ABCDE-FGHJK")
    qtbot.waitUntil(lambda: screen.message.text() not in ("", "Checking…"), timeout=20_000)
    qtbot.keyClick(screen.secret, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert screen.secret.text() == ""
