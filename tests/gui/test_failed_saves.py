"""A save that fails is tried again by itself, says why in plain words, and quitting never loses
the words: a real second connection holds the store's write lock, or the database cannot grow
(SQLite's own SQLITE_FULL), while a real window is driven by keys."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import db, stories
from storykeeper.core.db import Store
from storykeeper.core.drafts import DraftStore
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.failing_store import FullDatabase, HeldWriteLock

TYPED = " And then the bus came back for us."
#: Longer than a database page: saving it needs room the full database does not have.
PASTED = " We sang all the way home." * 240
#: What a status line about a failed save must never show.
NEVER_SHOWN = ("sqlite", "SQL", "OperationalError", "http", "locked", "INSERT", "UPDATE")


@pytest.fixture
def store(paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    # Another program's lock is waited for this long before a save fails: short here, so the
    # tests see failures and retries in moments rather than the real ten seconds.
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    with Store.open(paths) as opened:
        yield opened


def stored_words(store: Store, story_id: str) -> str:
    with store.read() as session:
        return stories.get_story(session, story_id).own_words


def open_and_type(qtbot: QtBot, window: MainWindow, story_id: str) -> None:
    window.open_story(story_id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(window.editor.own_words.hasFocus)
    qtbot.keyClicks(window.editor.own_words, TYPED)


def status(window: MainWindow) -> str:
    return window.editor.saved_state.text()


def assert_plain(words: str) -> None:
    assert not [shown for shown in NEVER_SHOWN if shown in words], words


def test_a_save_while_another_program_holds_the_lock_is_retried_by_itself(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, own_words="The bus.")
    lock = HeldWriteLock(window.context.paths.database)
    try:
        open_and_type(qtbot, window, story.id)
        qtbot.waitUntil(lambda: "busy" in status(window), timeout=10_000)
        assert status(window) == (
            "Not saved yet: Storykeeper is busy in another window (an import, perhaps). "
            "Trying again; your words are kept."
        )
        assert stored_words(window.context.store, story.id) == "The bus."
    finally:
        lock.release()
    # No key pressed since: the save is tried again by itself and lands.
    qtbot.waitUntil(lambda: status(window).startswith("All changes saved"), timeout=20_000)
    assert stored_words(window.context.store, story.id) == "The bus." + TYPED
    # Once the store has the words, no draft of them is left behind.
    assert DraftStore.of_store(window.context.store).all() == []


def test_a_save_on_a_full_disk_says_so_and_lands_once_there_is_room(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, own_words="The bus.")
    full = FullDatabase(window.context.store)
    try:
        full.fill()
        open_and_type(qtbot, window, story.id)
        QApplication.clipboard().setText(PASTED)
        qtbot.keyClick(window.editor.own_words, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "disk is full" in status(window), timeout=10_000)
        assert status(window) == (
            "Not saved: the disk is full. Free some space; your words are kept and saved as "
            "soon as there is room."
        )
        assert_plain(status(window))
        # Typing on while the disk is full keeps saying so, not "not saved yet".
        qtbot.keyClicks(window.editor.own_words, " Twice.")
        assert "disk is full" in status(window)
        assert stored_words(window.context.store, story.id) == "The bus."
        drafted = DraftStore.of_store(window.context.store).get(story.id)
        assert drafted is not None
        assert drafted.fields.own_words.startswith("The bus." + TYPED + PASTED)

        full.free()
        qtbot.waitUntil(lambda: status(window).startswith("All changes saved"), timeout=20_000)
    finally:
        full.remove()
    assert stored_words(window.context.store, story.id) == "The bus." + TYPED + PASTED + " Twice."


def test_quitting_while_another_program_holds_the_lock_waits_and_saves(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, own_words="The bus.")
    lock = HeldWriteLock(window.context.paths.database)
    try:
        open_and_type(qtbot, window, story.id)
        qtbot.keyClick(window.editor.own_words, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        # The window stays, saying what it waits for, while the save cannot be made.
        qtbot.waitUntil(lambda: "busy" in status(window), timeout=10_000)
        assert window.isVisible()
    finally:
        lock.release()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    assert stored_words(window.context.store, story.id) == "The bus." + TYPED
    assert QApplication.activeModalWidget() is None  # the question went with the window


def test_quitting_while_saves_still_fail_keeps_the_words_and_offers_them_next_time(
    qtbot: QtBot, window: MainWindow, make_window: Callable[[], MainWindow]
) -> None:
    story = make_story(window.context.store, title="The day centre bus", own_words="The bus.")
    drafts = DraftStore.of_store(window.context.store)
    asked: list[str] = []

    def quit_anyway(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)

    lock = HeldWriteLock(window.context.paths.database)
    try:
        open_and_type(qtbot, window, story.id)
        when_dialog_opens(quit_anyway, QMessageBox)
        qtbot.keyClick(window.editor.own_words, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    finally:
        lock.release()
    assert asked and "not saved yet" in asked[0]
    assert_plain(asked[0])
    assert stored_words(window.context.store, story.id) == "The bus."
    drafted = drafts.get(story.id)
    assert drafted is not None and drafted.fields.own_words == "The bus." + TYPED

    # The next start offers them, naming the story; Enter keeps them, through the normal save.
    offered: list[str] = []

    def keep_them(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        offered.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    when_dialog_opens(keep_them, QMessageBox)
    again = make_window()
    qtbot.waitUntil(lambda: bool(offered), timeout=10_000)
    assert "The day centre bus" in offered[0]
    assert TYPED.strip() not in offered[0]  # the person's words are not put in the question
    qtbot.waitUntil(
        lambda: stored_words(again.context.store, story.id) == "The bus." + TYPED, timeout=10_000
    )
    qtbot.waitUntil(lambda: drafts.get(story.id) is None)
    qtbot.waitUntil(lambda: again.editor.own_words.toPlainText() == "The bus." + TYPED)


def test_quitting_when_the_story_changed_elsewhere_asks_and_can_stay(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, own_words="The bus.")
    open_and_type(qtbot, window, story.id)
    # Another window saves the story meanwhile: this window's save is refused, not retried.
    with window.context.store.write(actor="elsewhere") as session:
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, title="Renamed elsewhere")
        )
    questions: list[str] = []

    def answer(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        questions.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the default: OK, then stay
        if len(questions) == 1:
            when_dialog_opens(answer, QMessageBox)

    when_dialog_opens(answer, QMessageBox)
    qtbot.keyClick(window.editor.own_words, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(questions) == 2, timeout=10_000)
    assert "changed elsewhere" in questions[0]
    assert "Stay, to see what to change" in questions[1]
    assert window.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # the keyboard is back

    # Asked again, the person quits: the words are kept in the draft, for the next start.
    def quit_this_time(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        questions.append(box.text())
        if box.windowTitle() == "Changed elsewhere":  # the editor's warning comes first
            qtbot.keyClick(box, Qt.Key.Key_Return)
            when_dialog_opens(quit_this_time, QMessageBox)
        else:
            qtbot.keyClick(box, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)

    when_dialog_opens(quit_this_time, QMessageBox)
    qtbot.keyClick(window.editor.own_words, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    drafted = DraftStore.of_store(window.context.store).get(story.id)
    assert drafted is not None and drafted.fields.own_words == "The bus." + TYPED


def test_when_the_words_cannot_be_kept_either_quitting_says_they_would_be_lost(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, own_words="The bus.")
    # A file where the drafts folder should be: no draft can be written.
    (window.context.paths.data_dir / "drafts").write_text("in the way", encoding="utf-8")
    asked: list[str] = []

    def keep_waiting(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        asked.extend(button.text() for button in box.buttons())
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the default: keep waiting

    lock = HeldWriteLock(window.context.paths.database)
    try:
        open_and_type(qtbot, window, story.id)
        when_dialog_opens(keep_waiting, QMessageBox)
        qtbot.keyClick(window.editor.own_words, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
        assert "could not be kept anywhere else" in asked[0]
        assert "Quitting now loses them." in asked[0]
        assert "&Quit and lose them" in asked
        assert window.isVisible()
    finally:
        lock.release()
    # Kept waiting: once the save lands, the window closes by itself.
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    assert stored_words(window.context.store, story.id) == "The bus." + TYPED


def test_words_left_unsaved_in_another_story_are_offered_when_it_is_opened_again(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, title="The day centre bus", own_words="The bus.")
    other = make_story(window.context.store, title="Tea on Thursdays", own_words="Tea.")
    lock = HeldWriteLock(window.context.paths.database)
    try:
        open_and_type(qtbot, window, story.id)
        qtbot.waitUntil(lambda: "busy" in status(window), timeout=10_000)
        # Off to another story while the words cannot be saved: they leave the page.
        window.open_story(other.id)
        qtbot.waitUntil(lambda: window.editor.title.text() == "Tea on Thursdays")
    finally:
        lock.release()
    offered: list[str] = []

    def keep_them(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        offered.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    # Back to the first story: its kept words are offered before anything is typed over them.
    when_dialog_opens(keep_them, QMessageBox)
    window.open_story(story.id)
    qtbot.waitUntil(lambda: bool(offered), timeout=10_000)
    assert "The day centre bus" in offered[0]
    qtbot.waitUntil(
        lambda: stored_words(window.context.store, story.id) == "The bus." + TYPED,
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: window.editor.own_words.toPlainText() == "The bus." + TYPED)
