"""Story > Security…: the passphrase set and removed, the keyring left and rejoined, a new
recovery key, and a plain store's "encrypt at the next start" — by clicks and keys, against the
real keyring daemon and real keys files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.store_keys import StoreKeys
from storykeeper.core.unlock import open_store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.recovery_key import RecoveryKeyDialog
from storykeeper.gui.dialogs.security import SecurityDialog
from storykeeper.gui.dialogs.unlock import DialogAsker, NewPassphraseDialog, UnlockDialog
from storykeeper.paths import DataPaths
from tests.gui.answering import when_dialog_opens
from tests.unlocking import ScriptedAsker

ALT = Qt.KeyboardModifier.AltModifier


def opened(qapp: QApplication, paths: DataPaths, *, plain: bool) -> Iterator[AppContext]:
    with open_store(paths, ScriptedAsker(), plain=plain) as store:
        context = AppContext(store, paths)
        yield context
        context.shutdown()


@pytest.fixture
def encrypted(qapp: QApplication, paths: DataPaths) -> Iterator[AppContext]:
    yield from opened(qapp, paths, plain=False)


@pytest.fixture
def plain(qapp: QApplication, paths: DataPaths) -> Iterator[AppContext]:
    yield from opened(qapp, paths, plain=True)


def type_new_passphrase(qtbot: QtBot, passphrase: str) -> None:
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, NewPassphraseDialog)
        qtbot.keyClicks(dialog.first, passphrase)
        qtbot.keyClick(dialog.first, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.again, passphrase)
        qtbot.keyClick(dialog.again, Qt.Key.Key_Return)

    when_dialog_opens(act, NewPassphraseDialog)


def test_passphrase_keyring_and_recovery_key_by_clicks(
    qtbot: QtBot, encrypted: AppContext, paths: DataPaths
) -> None:
    keys = StoreKeys(paths.data_dir)
    dialog = SecurityDialog(encrypted)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "keyring" in dialog.summary.text() and "no passphrase" in dialog.summary.text()
    assert not dialog.remove_passphrase.isEnabled()

    type_new_passphrase(qtbot, "a passphrase for the office")
    qtbot.mouseClick(dialog.set_passphrase, Qt.MouseButton.LeftButton)
    assert keys.has_passphrase and dialog.outcome.text() == "The passphrase is set."

    qtbot.mouseClick(dialog.in_keyring, Qt.MouseButton.LeftButton)  # leave the keyring
    assert keys.from_keyring() is None and not dialog.in_keyring.isChecked()

    # Back into the keyring: with the key out of it, the passphrase is asked again first.
    def type_passphrase(asking: QWidget) -> None:
        assert isinstance(asking, UnlockDialog)
        qtbot.keyClicks(asking.answer, "a passphrase for the office")
        qtbot.keyClick(asking.answer, Qt.Key.Key_Return)

    when_dialog_opens(type_passphrase, UnlockDialog)
    qtbot.mouseClick(dialog.in_keyring, Qt.MouseButton.LeftButton)
    assert keys.from_keyring() is not None and dialog.in_keyring.isChecked()

    shown: list[str] = []

    def keep(recovery: QWidget) -> None:
        assert isinstance(recovery, RecoveryKeyDialog)
        shown.append(recovery.recovery_key)
        qtbot.keyClick(recovery, Qt.Key.Key_K, ALT)

    when_dialog_opens(keep, RecoveryKeyDialog)
    qtbot.mouseClick(dialog.new_recovery_key, Qt.MouseButton.LeftButton)
    (new_key,) = shown
    assert keys.with_recovery_key(new_key) == keys.from_keyring()

    qtbot.mouseClick(dialog.remove_passphrase, Qt.MouseButton.LeftButton)
    assert not keys.has_passphrase


def test_leaving_the_keyring_without_a_passphrase_is_refused(
    qtbot: QtBot, encrypted: AppContext, paths: DataPaths
) -> None:
    dialog = SecurityDialog(encrypted)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.in_keyring, Qt.MouseButton.LeftButton)
    assert "Set a passphrase first" in dialog.outcome.text()
    assert StoreKeys(paths.data_dir).from_keyring() is not None
    assert dialog.in_keyring.isChecked()


def test_a_plain_store_is_encrypted_at_the_next_start(
    qtbot: QtBot, plain: AppContext, paths: DataPaths
) -> None:
    dialog = SecurityDialog(plain)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "not encrypted" in dialog.summary.text()
    assert not dialog.set_passphrase.isVisible() and dialog.encrypt.isVisible()
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    assert "next time" in dialog.outcome.text()
    # The next start's asker says yes without a question.
    assert DialogAsker(paths).offer_conversion()
