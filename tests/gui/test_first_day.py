"""The first day of a new data folder (issue 20 §3): the window asks what the person will do
here, sets up what that needs (an advocate's own entry as "recorded by"; a coordinator's next
steps), remembers the choice, and shows an empty list that says what to do next."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QRadioButton, QWidget
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from storykeeper.core import people, stories
from storykeeper.core.vocabulary import SupporterRole
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.first_day import FirstDayDialog
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.settings import GuiSettings, Use
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.fit_screen import cut_off_words
from tests.gui.inspecting import unnamed_controls

#: Words of the program's insides that must not greet a new person (issue 20 §3).
JARGON = ("age", "minisign", "recipient")

ALT = Qt.KeyboardModifier.AltModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def active(qtbot: QtBot, window: QWidget) -> None:
    """The keyboard on ``window``, as after a click on it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def key(
    qtbot: QtBot, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(focused(), which, modifier)


def choose(qtbot: QtBot, answer: QRadioButton, letter: Qt.Key) -> None:
    """Alt and the answer's letter, as a person would; Qt clicks it a moment later."""
    key(qtbot, letter, ALT)
    qtbot.waitUntil(answer.isChecked)


def no_jargon(dialog: FirstDayDialog) -> list[str]:
    """Visible words of the dialog that use the crypto tools' own terms."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    words = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)]
    words.append(dialog.windowTitle())
    return [
        text
        for text in words
        if any(term in text.lower().replace("&", "").split() for term in JARGON)
    ]


def offered(qtbot: QtBot, window: MainWindow) -> bool:
    """Whether the window asks the first-day question at this start."""
    with qtbot.waitSignal(window.offer_first_day().decided, timeout=10_000) as decided:
        pass
    return bool(decided.args[0])


def answer_as_advocate(qtbot: QtBot, name: str, organisation: str) -> None:
    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, FirstDayDialog)
        assert no_jargon(dialog) == []
        choose(qtbot, dialog.record, Qt.Key.Key_R)  # I record people's stories
        key(qtbot, Qt.Key.Key_Return)  # Continue
        qtbot.waitUntil(lambda: focused() is dialog.your_name)
        assert no_jargon(dialog) == []
        qtbot.keyClicks(focused(), name)
        key(qtbot, Qt.Key.Key_Tab)
        assert focused() is dialog.your_role
        key(qtbot, Qt.Key.Key_Tab)
        assert focused() is dialog.organisation
        qtbot.keyClicks(focused(), organisation)
        key(qtbot, Qt.Key.Key_Return)  # Done

    when_dialog_opens(answer, FirstDayDialog)


def test_a_new_advocate_records_a_story_recorded_by_their_own_entry(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    active(qtbot, window)
    answer_as_advocate(qtbot, "Priya Shah", "Valleys Advocacy")
    assert offered(qtbot, window)
    qtbot.waitUntil(lambda: context.settings.own_supporter is not None)
    assert context.settings.use is Use.RECORD
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)

    # The advocate's empty screen: record the first story, Ctrl+N.
    empty = window.list_page.empty
    assert "Ctrl+N" in empty.label.text()
    assert empty.new_button.isVisibleTo(window)
    assert not empty.import_button.isVisibleTo(window)

    def whose_story(picker: QWidget) -> None:
        assert isinstance(picker, StorytellerPicker)
        QtBot.keyClicks(picker.name, "Gwen Davies")
        QtBot.keyClick(picker.name, Qt.Key.Key_Return)

    active(qtbot, window)
    when_dialog_opens(whose_story, StorytellerPicker)
    key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.story is not None and focused().accessibleName() == "Title")
    qtbot.keyClicks(focused(), "Tea on Thursdays")
    qtbot.waitUntil(
        lambda: editor.saved_state.text().startswith("All changes saved at"), timeout=5000
    )
    assert editor.story is not None
    with context.store.read() as session:
        story = stories.get_story(session, editor.story.id)
        own = people.get_supporter(session, context.settings.own_supporter or "")
    assert story.title == "Tea on Thursdays"
    assert story.supporter is not None and story.supporter.id == own.id
    assert (own.name, own.role, own.organisation) == (
        "Priya Shah",
        SupporterRole.INDEPENDENT_ADVOCATE,
        "Valleys Advocacy",
    )
    assert editor.form.supporter.currentText().startswith("Priya Shah")


def test_a_new_coordinator_goes_from_the_first_start_to_the_import(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    imports: list[bool] = []

    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, FirstDayDialog)
        choose(qtbot, dialog.receive, Qt.Key.Key_E)  # I receive stories from others
        key(qtbot, Qt.Key.Key_Return)  # Continue
        qtbot.waitUntil(lambda: dialog.import_button.isVisible())
        assert no_jargon(dialog) == []
        assert unnamed_controls(dialog) == []
        # Their next steps, as buttons: share the key, trust senders, import.
        assert dialog.key_button.isVisible() and dialog.trust_button.isVisible()
        key(qtbot, Qt.Key.Key_I, ALT)

    def close_import(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportDialog)
        imports.append(True)
        QtBot.keyClick(dialog, Qt.Key.Key_Escape)

    active(qtbot, window)
    when_dialog_opens(answer, FirstDayDialog)
    when_dialog_opens(close_import, ImportDialog)  # once the first day has closed
    assert offered(qtbot, window)
    qtbot.waitUntil(lambda: bool(imports))
    assert context.settings.use is Use.RECEIVE
    assert context.settings.own_supporter is None
    with context.store.read() as session:
        assert people.list_supporters(session) == []  # nobody records here

    # Not the advocate's screen: importing first, then sharing the key; no "record the first".
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    empty = window.list_page.empty
    assert not empty.new_button.isVisibleTo(window)
    shown = [b for b in empty.buttons() if b.isVisibleTo(window)]
    assert shown == [empty.import_button, empty.key_button]
    assert "Ctrl+I" in empty.label.text()


def test_the_choice_is_remembered_across_a_restart_and_changed_from_the_menu(
    qtbot: QtBot, make_window: Callable[[], MainWindow], context: AppContext
) -> None:
    first = make_window()

    def receive(dialog: QWidget) -> None:
        assert isinstance(dialog, FirstDayDialog)
        choose(qtbot, dialog.receive, Qt.Key.Key_E)
        key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: isinstance(dialog, FirstDayDialog) and dialog.import_button.isVisible()
        )
        key(qtbot, Qt.Key.Key_D, ALT)  # Done, no step now

    active(qtbot, first)
    when_dialog_opens(receive, FirstDayDialog)
    assert offered(qtbot, first)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    first.close()

    # A restart: the settings file read afresh by a new context and window.
    assert GuiSettings(context.paths.data_dir / "settings.ini").use is Use.RECEIVE
    again = AppContext(context.store, context.paths)
    try:
        window = MainWindow(again)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert not offered(qtbot, window)
        qtbot.waitUntil(lambda: window.list_page.body.currentIndex() == 1)
        assert window.list_page.empty.import_button.isVisibleTo(window)

        # Help → Getting started… asks again, with the remembered choice chosen; now both.
        def both(dialog: QWidget) -> None:
            assert isinstance(dialog, FirstDayDialog)
            assert dialog.receive.isChecked()
            choose(qtbot, dialog.both, Qt.Key.Key_B)
            key(qtbot, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: focused() is dialog.your_name)
            qtbot.keyClicks(focused(), "Sam Okoro")
            key(qtbot, Qt.Key.Key_Return)  # Continue to the next steps
            qtbot.waitUntil(lambda: dialog.import_button.isVisible())
            key(qtbot, Qt.Key.Key_D, ALT)

        active(qtbot, window)
        when_dialog_opens(both, FirstDayDialog)
        window.show_first_day()
        assert again.settings.use is Use.BOTH
        qtbot.waitUntil(lambda: again.settings.own_supporter is not None)
        empty = window.list_page.empty
        qtbot.waitUntil(lambda: empty.new_button.isVisibleTo(window))
        assert empty.import_button.isVisibleTo(window)
        window.close()
    finally:
        again.shutdown()


def test_a_data_folder_with_stories_is_not_asked(
    qtbot: QtBot, make_window: Callable[[], MainWindow], context: AppContext
) -> None:
    make_story(context.store, title="Already here")
    window = make_window()
    assert not offered(qtbot, window)
    assert context.settings.use is None
    assert QApplication.activeModalWidget() is None


def test_an_advocate_without_a_name_is_told_what_to_write(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = FirstDayDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.record.setChecked(True)
    dialog.continue_button.click()
    dialog.continue_button.click()  # Done, with no name
    assert dialog.problem.isVisible()
    assert dialog.problem.text() == "Write your name: stories you record will say it."
    assert dialog.isVisible()
    with context.store.read() as session:
        assert people.list_supporters(session) == []


@pytest.mark.parametrize("use", [None, *Use])
def test_the_empty_list_says_what_to_do_whole_at_twice_the_text_size(
    qtbot: QtBot, make_window: Callable[[], MainWindow], context: AppContext, use: Use | None
) -> None:
    context.settings.use = use
    context.set_text_scale(200)
    window = make_window()
    window.resize(1280, 800)  # a small laptop's screen, filled (the test screen is smaller)
    page = window.list_page
    qtbot.waitUntil(lambda: page.body.currentIndex() == 1)
    window.list_page.empty.refresh()
    # Layouts settle over a few turns of the event loop; words cut off stay cut off.
    with contextlib.suppress(WaitTimeout):
        qtbot.waitUntil(lambda: cut_off_words(page.empty) == [], timeout=2_000)
    assert cut_off_words(page.empty) == []
    assert all(b.isVisible() for b in page.empty.buttons())


def test_the_program_asks_once_the_new_data_folder_is_open(qtbot: QtBot, paths: DataPaths) -> None:
    """Through ``run_gui``, as a person starts it: the question comes after the store is open,
    and the coordinator's answer is there when the program has closed."""
    from storykeeper.gui.run import run_gui

    def close_the_window() -> None:
        if QApplication.activeModalWidget() is not None:
            QTimer.singleShot(20, close_the_window)  # the first day is still closing
            return
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.close()

    def receive(dialog: QWidget) -> None:
        assert isinstance(dialog, FirstDayDialog)
        choose(qtbot, dialog.receive, Qt.Key.Key_E)
        key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(dialog.import_button.isVisible)
        key(qtbot, Qt.Key.Key_D, ALT)  # Done
        QTimer.singleShot(0, close_the_window)

    def never_asked() -> None:
        # Not a measure of speed: without it a window that never asks would wait for ever.
        if not asked:
            close_the_window()

    asked: list[bool] = []
    when_dialog_opens(lambda dialog: (asked.append(True), receive(dialog)), FirstDayDialog)
    QTimer.singleShot(60_000, never_asked)
    assert run_gui(paths, plain=True) == 0
    assert asked, "the first day was not asked"
    settings = GuiSettings(paths.data_dir / "settings.ini")
    assert settings.use is Use.RECEIVE and settings.first_day_asked
