"""Walking away from the window: it locks after a while idle and by Ctrl+L, hides every story
and name, saves what was typed first, closes the dialogs, and comes back with the passphrase."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMenu
from pytestqt.qtbot import QtBot

from storykeeper import APP_NAME
from storykeeper.core import stories
from storykeeper.core.db import Store
from storykeeper.gui.dialogs.people import StorytellersDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.settings import GuiSettings
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.locking import PASSPHRASE, encrypted_store, shown_texts, type_and_enter

CTRL = Qt.KeyboardModifier.ControlModifier
TITLE = "The allotment on Tanners Lane"
TELLER = "Gwenllian Pritchard"


@pytest.fixture
def store(paths: DataPaths) -> Iterator[Store]:
    with encrypted_store(paths) as (opened, _made):
        yield opened


def press_lock(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, CTRL)


def test_idle_time_locks_the_window(qtbot: QtBot, window: MainWindow) -> None:
    assert window.app_lock.idle.idle_ms == 5 * 60_000  # the default: five minutes
    window.app_lock.idle.set_idle_ms(50)
    qtbot.waitUntil(lambda: window.app_lock.locked, timeout=5_000)
    assert window.centralWidget().currentWidget() is window.app_lock.lock_screen


def test_a_key_or_a_click_starts_the_idle_time_again(qtbot: QtBot, window: MainWindow) -> None:
    idle = window.app_lock.idle
    idle.set_idle_ms(60_000)
    qtbot.waitUntil(lambda: idle.remaining_ms() < 59_000, timeout=5_000)
    qtbot.keyClick(window.list_page.search, Qt.Key.Key_A)
    assert idle.remaining_ms() > 59_000
    qtbot.waitUntil(lambda: idle.remaining_ms() < 59_000, timeout=5_000)
    qtbot.mouseClick(window.list_page.table.viewport(), Qt.MouseButton.LeftButton)
    assert idle.remaining_ms() > 59_000
    assert not window.app_lock.locked


def test_never_means_only_when_asked(qtbot: QtBot, window: MainWindow) -> None:
    window.app_lock.set_lock_after(0)
    assert window.context.settings.lock_after_minutes == 0
    assert not window.app_lock.idle.counting
    window.app_lock.set_lock_after(10)
    assert window.app_lock.idle.idle_ms == 10 * 60_000 and window.app_lock.idle.counting
    checked = [a.data() for a in window.app_lock.idle_choices.actions() if a.isChecked()]
    assert checked == [10]
    # Kept with the window's other settings, for the next start.
    again = GuiSettings(window.context.paths.data_dir / "settings.ini")
    assert again.lock_after_minutes == 10


def test_locked_window_shows_no_story_or_name_until_the_passphrase(
    qtbot: QtBot, window: MainWindow
) -> None:
    make_story(window.context.store, title=TITLE, teller=TELLER)
    window.list_page.reload()
    qtbot.waitUntil(lambda: any(TITLE in text for text in shown_texts()))
    assert any(TELLER in text for text in shown_texts())

    press_lock(qtbot, window)
    assert window.app_lock.locked
    shown = "\n".join(shown_texts())
    assert TITLE not in shown and TELLER not in shown
    assert "Tanners" not in shown and "Pritchard" not in shown
    assert window.windowTitle() == APP_NAME
    assert not window.menuBar().isEnabled()
    # The menus' shortcuts are off too: Ctrl+N (new story) does nothing while locked.
    assert not any(a.isEnabled() for a in window.actions() if a.shortcut().toString() == "Ctrl+N")

    type_and_enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: not window.app_lock.locked, timeout=20_000)
    assert any(TITLE in text for text in shown_texts())
    assert window.menuBar().isEnabled()


def test_unsaved_typing_is_saved_when_the_window_locks(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store, title=TITLE, own_words="")
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    window.editor.own_words.setFocus()
    qtbot.keyClicks(window.editor.own_words, "We grew leeks")
    assert window.editor.saver.dirty  # not yet saved: the autosave waits for a pause
    press_lock(qtbot, window)
    assert window.app_lock.locked
    # Sent to the store at the lock, not left to the autosave's timer.
    assert not window.editor.saver.dirty

    def saved() -> bool:
        with window.context.store.read() as session:
            return stories.get_story(session, story.id).own_words == "We grew leeks"

    qtbot.waitUntil(saved, timeout=10_000)
    assert "We grew leeks" not in "\n".join(shown_texts())


def test_an_open_dialog_is_closed_when_the_window_locks(qtbot: QtBot, window: MainWindow) -> None:
    make_story(window.context.store, title=TITLE, teller=TELLER)
    opened: list[QDialog] = []

    def lock_soon() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, StorytellersDialog) or not dialog.isVisible():
            QTimer.singleShot(20, lock_soon)
            return
        opened.append(dialog)
        # Typed into, unsaved: its Cancel would ask "Save the changes?"; locking must not.
        qtbot.keyClicks(dialog.name, "Half a name")
        window.app_lock.idle.set_idle_ms(50)

    # A guard, so a dialog the lock failed to close fails the test rather than hanging it.
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: [QDialog.done(d, 0) for d in opened if d.isVisible()])
    guard.start(15_000)
    QTimer.singleShot(0, lock_soon)
    window.show_storytellers()  # modal: returns once the dialog has gone
    guard.stop()

    assert opened and window.app_lock.locked
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if w is not window)
    assert TELLER not in "\n".join(shown_texts())


def test_ctrl_l_in_a_dialog_locks_too(qtbot: QtBot, window: MainWindow) -> None:
    """The window's shortcut cannot reach past a modal dialog; the lock's keys still do."""
    pressed: list[QDialog] = []

    def press_in_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, StorytellersDialog) or QApplication.activeWindow() is not dialog:
            if isinstance(dialog, StorytellersDialog):
                dialog.activateWindow()
            QTimer.singleShot(20, press_in_dialog)
            return
        pressed.append(dialog)
        qtbot.keyClick(dialog.name, Qt.Key.Key_L, CTRL)

    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: [QDialog.done(d, 0) for d in pressed if d.isVisible()])
    guard.start(15_000)
    QTimer.singleShot(0, press_in_dialog)
    window.show_storytellers()
    guard.stop()
    assert pressed and window.app_lock.locked
    assert pressed[0].name.text() == ""  # the keys locked; they were not typed as well


def test_a_dialog_opening_while_locked_is_closed(qtbot: QtBot, window: MainWindow) -> None:
    press_lock(qtbot, window)
    # As a message from a task finishing while nobody is there would open.
    window.show_about()
    assert window.app_lock.locked
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if w is not window)


def test_an_open_menu_is_closed_when_the_window_locks(qtbot: QtBot, window: MainWindow) -> None:
    menu = window.menuBar().actions()[0].menu()
    assert isinstance(menu, QMenu)
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitUntil(menu.isVisible)
    window.app_lock.lock()
    assert not menu.isVisible()
    assert QApplication.activePopupWidget() is None


@pytest.mark.parametrize("written", ["-3", "100000", "soon"])
def test_a_lock_time_edited_by_hand_out_of_bounds_is_five_minutes(
    tmp_path: Path, written: str
) -> None:
    # Never days long (an unattended window) nor negative, whatever the file says.
    path = tmp_path / "settings.ini"
    path.write_text(f"[lock]\nidle_minutes={written}\n", encoding="utf-8")
    assert GuiSettings(path).lock_after_minutes == 5


def test_a_closed_window_stops_counting_instead_of_locking(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible())
    window.app_lock.idle.idle.emit()  # its time runs out after the close
    assert not window.app_lock.locked
    assert not window.app_lock.idle.counting
