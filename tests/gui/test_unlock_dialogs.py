"""The questions before the window: the passphrase or recovery key (with the wait after wrong
tries), the recovery key shown once, and the offer to encrypt a plain store — by keys, at
twice the text size on a 1366×768 screen, in high contrast, with every control named."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.unlock import SecretRequest, open_store, store_state
from storykeeper.gui.appearance import apply_appearance
from storykeeper.gui.dialogs.recovery_key import RecoveryKeyDialog
from storykeeper.gui.dialogs.unlock import (
    DialogAsker,
    NewPassphraseDialog,
    UnlockDialog,
    WorkingNotice,
)
from storykeeper.paths import DataPaths
from tests.gui.answering import when_dialog_opens
from tests.gui.inspecting import unnamed_controls

ALT = Qt.KeyboardModifier.AltModifier
#: A 1366×768 laptop, less the window manager's frame and panel.
ROOM = QSize(1326, 708)
RECOVERY_KEY = "ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC-DEFGH"
NO_BUS = "unix:path=/nonexistent/storykeeper-test-no-keyring"


@pytest.fixture(autouse=True)
def normal_appearance(qapp: QApplication) -> Iterator[None]:
    yield
    apply_appearance(qapp, 100, False)


def asking(has_passphrase: bool = True, wait: float = 0.0) -> SecretRequest:
    return SecretRequest(
        reason="Enter your passphrase to open your stories.",
        wait_seconds=wait,
        has_passphrase=has_passphrase,
    )


def shown(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)


def test_the_passphrase_typed_and_enter_opens(qtbot: QtBot) -> None:
    dialog = UnlockDialog(asking())
    shown(qtbot, dialog)
    qtbot.waitUntil(dialog.answer.hasFocus)
    qtbot.keyClicks(dialog.answer, "my passphrase")
    qtbot.keyClick(dialog.answer, Qt.Key.Key_Return)
    assert dialog.secret is not None
    assert dialog.secret.text == "my passphrase" and not dialog.secret.is_recovery_key


def test_alt_r_switches_to_the_recovery_key(qtbot: QtBot) -> None:
    dialog = UnlockDialog(asking())
    qtbot.addWidget(dialog)

    def type_recovery_key(shown_dialog: QWidget) -> None:
        qtbot.keyClick(shown_dialog, Qt.Key.Key_R, ALT)
        qtbot.waitUntil(dialog.use_recovery.isChecked)  # a mnemonic clicks after a moment
        assert dialog.answer.accessibleName() == "Recovery key"
        qtbot.keyClicks(dialog.answer, RECOVERY_KEY.lower())
        qtbot.keyClick(dialog.answer, Qt.Key.Key_Return)

    when_dialog_opens(type_recovery_key, UnlockDialog)
    dialog.exec()
    assert dialog.secret is not None and dialog.secret.is_recovery_key


def test_a_store_without_a_passphrase_asks_only_for_the_recovery_key(qtbot: QtBot) -> None:
    dialog = UnlockDialog(asking(has_passphrase=False))
    shown(qtbot, dialog)
    assert not dialog.use_recovery.isVisible()
    assert dialog.field_label.text() == "&Recovery key:"


def test_after_wrong_tries_open_waits_and_counts_down(qtbot: QtBot) -> None:
    dialog = UnlockDialog(asking(wait=2.0))
    shown(qtbot, dialog)
    assert not dialog.open_button.isEnabled()
    assert "in 2 s" in dialog.open_button.text()
    assert "try again in 2 seconds" in dialog.wait_note.text()
    qtbot.keyClicks(dialog.answer, "my passphrase")
    qtbot.keyClick(dialog.answer, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.secret is None  # Enter does nothing while waiting
    qtbot.waitUntil(dialog.open_button.isEnabled, timeout=5_000)
    assert dialog.open_button.text() == "&Open"
    qtbot.keyClick(dialog.answer, Qt.Key.Key_Return)
    assert dialog.secret is not None


def test_it_says_what_to_do_if_the_passphrase_is_lost(qtbot: QtBot) -> None:
    dialog = UnlockDialog(asking())
    shown(qtbot, dialog)
    words = " ".join(label.text() for label in dialog.findChildren(type(dialog.reason)))
    assert "Lost the passphrase? Use the recovery key" in words


def test_a_new_passphrase_must_be_typed_the_same_twice(qtbot: QtBot) -> None:
    dialog = NewPassphraseDialog("Choose one.")
    shown(qtbot, dialog)
    qtbot.keyClicks(dialog.first, "one thing")
    qtbot.keyClick(dialog.first, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.again, "another")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.passphrase is None
    assert "not the same" in dialog.problem.text()
    qtbot.keyClicks(dialog.again, "one thing")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.passphrase == "one thing"  # noqa: S105 (typed in the test)


@pytest.mark.parametrize("contrast", [False, True])
def test_at_twice_the_text_size_each_question_fits_a_1366_by_768_screen(
    qtbot: QtBot, qapp: QApplication, contrast: bool
) -> None:
    apply_appearance(qapp, 200, contrast)
    for dialog in (
        UnlockDialog(asking(wait=30)),
        NewPassphraseDialog("Choose a passphrase you will remember. " * 3),
        RecoveryKeyDialog(RECOVERY_KEY),
    ):
        shown(qtbot, dialog)
        hint = dialog.sizeHint()
        assert hint.width() <= ROOM.width() and hint.height() <= ROOM.height(), hint
        assert unnamed_controls(dialog) == [], type(dialog).__name__
        dialog.close()


def test_the_recovery_key_closes_only_once_kept(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = RecoveryKeyDialog(RECOVERY_KEY)
    qtbot.addWidget(dialog)
    closed_by_escape: list[bool] = []

    def try_escape_copy_then_keep(shown_dialog: QWidget) -> None:
        qtbot.keyClick(shown_dialog, Qt.Key.Key_Escape)
        closed_by_escape.append(not dialog.isVisible())  # Escape would lose it for good
        assert "Keep the key first" in dialog.status.text()
        qtbot.keyClick(shown_dialog, Qt.Key.Key_C, ALT)
        qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == RECOVERY_KEY)
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "recovery.pdf"))
        dialog.print_on(printer)
        qtbot.keyClick(shown_dialog, Qt.Key.Key_K, ALT)

    when_dialog_opens(try_escape_copy_then_keep, RecoveryKeyDialog)
    assert dialog.exec() == QDialog.DialogCode.Accepted
    assert closed_by_escape == [False]
    assert (tmp_path / "recovery.pdf").read_bytes().startswith(b"%PDF")
    QGuiApplication.clipboard().clear()


def test_first_start_without_a_keyring_by_dialogs(
    qtbot: QtBot, paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new folder on a computer without a keyring: the reason and a new passphrase, then the
    recovery key; the next start asks the passphrase in its dialog. All by keys."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
    seen: list[str] = []

    def choose_passphrase(dialog: QWidget) -> None:
        assert isinstance(dialog, NewPassphraseDialog)
        seen.append(dialog.windowTitle())
        qtbot.keyClicks(dialog.first, "kept in my head")
        qtbot.keyClick(dialog.first, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.again, "kept in my head")
        when_dialog_opens(keep_recovery_key, RecoveryKeyDialog)
        qtbot.keyClick(dialog.again, Qt.Key.Key_Return)

    def keep_recovery_key(dialog: QWidget) -> None:
        assert isinstance(dialog, RecoveryKeyDialog)
        seen.append(dialog.key_label.text())
        qtbot.keyClick(dialog, Qt.Key.Key_K, ALT)

    when_dialog_opens(choose_passphrase, NewPassphraseDialog)
    with open_store(paths, DialogAsker(paths)) as store:
        assert store.encrypted
    assert seen[0] == "Choose a passphrase" and len(seen) == 2

    def type_passphrase(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        qtbot.keyClicks(dialog.answer, "kept in my head")
        qtbot.keyClick(dialog.answer, Qt.Key.Key_Return)

    when_dialog_opens(type_passphrase, UnlockDialog)
    with open_store(paths, DialogAsker(paths)) as store:
        assert store.encrypted


def answer_if_asked(act: Callable[[QWidget], None]) -> None:
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QMessageBox) and dialog.isVisible():
        act(dialog)


def test_not_now_to_encrypting_is_remembered(
    qtbot: QtBot, paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(paths, DialogAsker(paths), plain=True).close()
    offered: list[str] = []

    def not_now(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        offered.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_N, ALT)

    when_dialog_opens(not_now, QMessageBox)
    with open_store(paths, DialogAsker(paths)) as store:
        assert not store.encrypted
    assert len(offered) == 1 and "not encrypted" in offered[0]
    # The next start does not ask again: a question would be answered, and noted, here too.
    watching = QTimer()
    watching.timeout.connect(lambda: answer_if_asked(not_now))
    watching.start(20)
    with open_store(paths, DialogAsker(paths)) as store:
        assert not store.encrypted
    watching.stop()
    assert len(offered) == 1
    assert store_state(paths).value == "plain"


def test_encrypt_now_at_start_converts_and_shows_the_recovery_key(
    qtbot: QtBot, paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(paths, DialogAsker(paths), plain=True).close()
    kept: list[str] = []
    notices: list[str] = []
    shown_as_usual = WorkingNotice.showEvent

    def noted(notice: WorkingNotice, event: QShowEvent) -> None:
        notices.append(notice.what.text())
        shown_as_usual(notice, event)

    monkeypatch.setattr(WorkingNotice, "showEvent", noted)

    def keep(dialog: QWidget) -> None:
        assert isinstance(dialog, RecoveryKeyDialog)
        kept.append(dialog.recovery_key)
        qtbot.keyClick(dialog, Qt.Key.Key_K, ALT)

    def encrypt_now(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        when_dialog_opens(keep, RecoveryKeyDialog)
        qtbot.keyClick(box, Qt.Key.Key_Return)  # "Encrypt now" is the default

    when_dialog_opens(encrypt_now, QMessageBox)
    with open_store(paths, DialogAsker(paths)) as store:
        assert store.encrypted
    assert len(kept) == 1
    assert len(notices) == 1 and "Encrypting your stories" in notices[0]
    assert QApplication.overrideCursor() is None  # the busy pointer is gone again
    assert not any(isinstance(w, WorkingNotice) and w.isVisible() for w in qapp_widgets())
    assert store_state(paths).value == "encrypted"
    assert paths.database.read_bytes()[:16] != b"SQLite format 3\x00"


def test_quit_at_the_unlock_dialog_ends_quietly(
    qtbot: QtBot, paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storykeeper.gui.run import run_gui

    open_store(paths, DialogAsker(paths, unattended=True)).close()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)  # the keyring lost: it must ask
    asked: list[str] = []

    def quit_without_opening(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        asked.append(dialog.reason.text())
        qtbot.keyClick(dialog, Qt.Key.Key_Q, ALT)

    when_dialog_opens(quit_without_opening, UnlockDialog)
    assert run_gui(paths) == 1
    assert len(asked) == 1 and "recovery key" in asked[0]
    assert QApplication.activeModalWidget() is None  # no error message after a Quit


def qapp_widgets() -> list[QWidget]:
    return list(QApplication.topLevelWidgets())
