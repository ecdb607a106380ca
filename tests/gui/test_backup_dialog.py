"""“Back up or restore…” in the window, opened from the Story menu by keys: a backup with its
progress off the GUI thread, a restore prepared and done at the next start, and the reminder
bar when the newest backup is old (an injected clock)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storykeeper.core import backups, clock, restore
from storykeeper.core.db import Store
from storykeeper.core.store_keys import StoreKeys
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.backup import PLAIN_WORDS, BackupDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.backup_stores import fill, holdings
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens

ALT = Qt.KeyboardModifier.AltModifier


def open_dialog(qtbot: QtBot, window: MainWindow) -> BackupDialog:
    dialog = BackupDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_story_menu_opens_it(qtbot: QtBot, window: MainWindow) -> None:
    """Alt+S opens the Story menu, B chooses “Back up or restore…”."""
    seen: list[str] = []

    def close(dialog: QWidget) -> None:
        seen.append(dialog.windowTitle())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(close, BackupDialog)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_B)
    qtbot.waitUntil(lambda: seen == ["Back up or restore"])


def test_back_up_from_the_window(
    qtbot: QtBot,
    window: MainWindow,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    threads: list[threading.Thread] = []
    real = backups.make_backup

    def noting_the_thread(*args: object, **kwargs: object) -> backups.BackupMade:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backups, "make_backup", noting_the_thread)
    dialog = open_dialog(qtbot, window)
    moved: list[int] = []
    dialog._progress.moved.connect(lambda _what, permille: moved.append(permille))
    dialog.folder.setFocus()
    qtbot.keyClicks(dialog.folder, str(usb))

    with qtbot.waitSignal(dialog.backup_finished, timeout=60_000) as finished:
        qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # Enter: “Back up now”

    made = finished.args[0]
    assert isinstance(made, backups.BackupMade), made
    assert threads and threads[0] is not threading.main_thread()
    assert moved and max(moved) == 1000
    assert dialog.status.text().startswith("Backed up 2 stories, 4 people and 2 attached files")
    assert "Everything was checked after writing" in dialog.status.text()
    qtbot.waitUntil(lambda: dialog.last_backup.text().startswith("Newest backup: today"))
    backups.check_backup(made.folder)
    assert window.context.settings.backup_folder == str(usb)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_restore_from_the_window_is_done_at_the_next_start(
    qtbot: QtBot,
    window: MainWindow,
    store: Store,
    store_key: bytes,
    paths: DataPaths,
    tmp_path: Path,
) -> None:
    fill(store, tmp_path / "files")
    before = holdings(store)
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)
    make_story(store, title="Written after the backup", teller="Edna Morris")
    dialog = open_dialog(qtbot, window)
    said: list[str] = []

    def ready(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    def restore_it(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        (restore_button,) = [b for b in box.buttons() if b.text() == "&Restore this backup"]
        qtbot.mouseClick(restore_button, Qt.MouseButton.LeftButton)
        when_dialog_opens(ready, QMessageBox)  # then “checked and ready”

    when_dialog_opens(restore_it, QMessageBox)
    with qtbot.waitSignal(dialog.restore_finished, timeout=60_000) as finished:
        dialog.restore_from(usb)

    assert isinstance(finished.args[0], restore.PreparedRestore), finished.args[0]
    assert "It holds 2 stories, 4 people and 2 attached files" in said[0]
    qtbot.waitUntil(lambda: len(said) == 2)
    assert "Storykeeper closes now" in said[1]
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    # Nothing was swapped while the window had the store open.
    assert len(holdings(store).stories) == 3
    assert restore.restore_pending(paths)
    store.close()

    # The next start: the restore is finished before the store opens.
    assert restore.finish_interrupted_restore(paths)
    with Store.open(paths, store_key) as reopened:
        assert holdings(reopened) == before


def test_a_plain_store_says_its_backups_are_not_encrypted(
    qtbot: QtBot, qapp: QApplication, plain_store: Store, paths: DataPaths
) -> None:
    context = AppContext(plain_store, paths)
    try:
        dialog = BackupDialog(context)
        qtbot.addWidget(dialog)
        assert dialog.protection.text() == PLAIN_WORDS
    finally:
        context.shutdown()


def test_the_reminder_shows_when_the_newest_backup_is_old(
    qtbot: QtBot,
    make_window: object,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_story(store)
    made_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: made_at)
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)

    # Six days later: no reminder.
    monkeypatch.setattr(clock, "now", lambda: made_at + dt.timedelta(days=6))
    window = make_window()  # type: ignore[operator]
    bar = window.backup_reminder
    with qtbot.waitSignal(bar.checked, timeout=10_000) as looked:
        bar.check()
    assert looked.args == [False] and not bar.isVisible()

    # Eight days later: the bar says when, and offers a backup.
    monkeypatch.setattr(clock, "now", lambda: made_at + dt.timedelta(days=8))
    with qtbot.waitSignal(bar.checked, timeout=10_000) as looked:
        bar.check()
    assert looked.args == [True] and bar.isVisible()
    assert "made 8 days ago (2 March 2026)" in bar.message.text()

    # Set to 14 days in the dialog: no reminder again.
    window.context.settings.backup_reminder_days = 14
    with qtbot.waitSignal(bar.checked, timeout=10_000) as looked:
        bar.check()
    assert looked.args == [False] and not bar.isVisible()


def test_a_backup_of_another_store_asks_for_its_recovery_key(
    qtbot: QtBot, window: MainWindow, paths: DataPaths, tmp_path: Path
) -> None:
    """Another store's backup (the keyring has no key for it): a wrong secret asks again,
    saying so; its recovery key opens it, and the next start has its stories."""
    other = DataPaths(tmp_path / "other", tmp_path / "other logs")
    phrase = "the other store's phrase"
    other_key = StoreKeys(other.data_dir).create(passphrase=phrase)
    with Store.open(other, other_key.store_key) as other_store:
        fill(other_store, tmp_path / "files")
        theirs = holdings(other_store)
        usb = tmp_path / "usb"
        usb.mkdir()
        backups.make_backup(other_store, usb)
    StoreKeys(other.data_dir).forget_in_keyring()
    dialog = open_dialog(qtbot, window)
    asked: list[str] = []

    def type_into(box: QWidget, secret: str) -> None:
        assert isinstance(box, QInputDialog)
        asked.append(box.labelText())
        field = box.findChild(QLineEdit)
        assert field is not None and field.echoMode() is QLineEdit.EchoMode.Password
        qtbot.keyClicks(field, secret)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    def ready(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        qtbot.keyClick(box, Qt.Key.Key_Return)

    def right_key(box: QWidget) -> None:
        when_dialog_opens(ready, QMessageBox)
        type_into(box, other_key.recovery_key)

    def wrong_phrase(box: QWidget) -> None:
        when_dialog_opens(right_key, QInputDialog)
        type_into(box, "not the phrase")

    def restore_it(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        (restore_button,) = [b for b in box.buttons() if b.text() == "&Restore this backup"]
        when_dialog_opens(wrong_phrase, QInputDialog)
        qtbot.mouseClick(restore_button, Qt.MouseButton.LeftButton)

    when_dialog_opens(restore_it, QMessageBox)
    with qtbot.waitSignal(dialog.restore_finished, timeout=60_000) as finished:
        dialog.restore_from(usb)

    assert isinstance(finished.args[0], restore.PreparedRestore), finished.args[0]
    assert len(asked) == 2 and asked[1].startswith("That did not open the backup")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    window.context.store.close()
    assert restore.finish_interrupted_restore(paths)
    with Store.open(paths, other_key.store_key) as reopened:
        assert holdings(reopened) == theirs


def test_a_plain_store_offers_to_encrypt_it(
    qtbot: QtBot, qapp: QApplication, plain_store: Store, paths: DataPaths
) -> None:
    class Window(QWidget):
        asked = 0

        def show_security(self) -> None:
            self.asked += 1

    context = AppContext(plain_store, paths)
    try:
        parent = Window()
        qtbot.addWidget(parent)
        dialog = BackupDialog(context, parent)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.encrypt_button.isVisible()
        qtbot.mouseClick(dialog.encrypt_button, Qt.MouseButton.LeftButton)
        assert parent.asked == 1 and not dialog.isVisible()
    finally:
        context.shutdown()
