"""The window as a whole: deleting with care, names for every control, tab order, comfort
settings that are remembered, the table model, and the people dialogs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import demo, stories
from storykeeper.core.search import StoryFilter
from storykeeper.gui.appearance import BASE_POINT_SIZE
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.people import StorytellersDialog
from storykeeper.gui.dialogs.shortcuts import ShortcutsDialog
from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.story_table import StoryTableModel
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.inspecting import mnemonics, unnamed_controls


def press_delete_and_answer(qtbot: QtBot, window: MainWindow, answer: str) -> None:
    def choose(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        assert "cannot be undone" in box.text()
        key = Qt.Key.Key_Escape if answer == "keep" else Qt.Key.Key_D
        modifier = (
            Qt.KeyboardModifier.NoModifier if answer == "keep" else Qt.KeyboardModifier.AltModifier
        )
        QtBot.keyClick(box, key, modifier)

    asked: list[bool] = []
    when_dialog_opens(lambda box: (asked.append(True), choose(box)), QMessageBox)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.list_page.table.setFocus()
    qtbot.keyClick(window.list_page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: bool(asked))


def test_deleting_a_story_asks_first_and_leaves_a_tombstone(
    qtbot: QtBot, make_window: Callable[[], MainWindow], context: AppContext
) -> None:
    story = make_story(context.store, title="To be removed")
    window = make_window()
    table = window.list_page.table
    qtbot.waitUntil(lambda: window.list_page.model.rowCount() == 1)
    table.setFocus()
    table.selectRow(0)

    press_delete_and_answer(qtbot, window, "keep")
    assert context.tasks.wait_for_idle()  # a wrongly queued delete would have run by now
    with context.store.read() as session:
        assert stories.get_story(session, story.id).title == "To be removed"

    press_delete_and_answer(qtbot, window, "delete")
    qtbot.waitUntil(
        lambda: window.list_page.model.total == 0 and window.list_page.body.currentIndex() == 1
    )
    with context.store.read() as session:
        assert [t.story_id for t in stories.list_tombstones(session)] == [story.id]
        from storykeeper.core.audit import recent_events

        assert recent_events(session, limit=1)[0].action == "story.deleted"


def test_every_control_in_the_window_has_a_name(qtbot: QtBot, window: MainWindow) -> None:
    assert unnamed_controls(window) == []
    story = make_story(window.context.store)
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    assert unnamed_controls(window) == []


def test_every_control_in_the_dialogs_has_a_name(qtbot: QtBot, context: AppContext) -> None:
    from storykeeper.gui.dialogs.export import ExportDialog
    from storykeeper.gui.dialogs.import_bundles import ImportDialog
    from storykeeper.gui.dialogs.keys import KeysDialog
    from storykeeper.gui.dialogs.trust import TrustDialog

    for dialog in (
        StorytellersDialog(context),
        StorytellerPicker(context),
        ExportDialog(context),
        ImportDialog(context),
        KeysDialog(context),
        TrustDialog(context),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert unnamed_controls(dialog) == [], type(dialog).__name__


def test_tab_order_follows_the_page(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store, title="Tabbing")
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    window.activateWindow()
    qtbot.waitActive(window)
    page.focus_search()
    seen = []
    for _ in range(14):
        seen.append(QApplication.focusWidget().accessibleName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [
        "Search stories",
        "New story",
        "Filter by theme",
        "Filter by enabler or barrier",
        "Filter by consent",
        "Filter by status",
        "Filter by who recorded it",
        "Told on or after",
        "Told on or before",
        "Filter by where the story came from",
        "Filter by setting",
        "Filter by how it was told",
        "Clear filters",
        "Stories",
    ]

    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None and window.editor.own_words.hasFocus())
    # Widgets added to a visible page are shown on the next turn of the event loop; a person is
    # never that quick, but the test is: wait until the themes are on screen.
    qtbot.waitUntil(
        lambda: any(
            w.isVisible() and w.accessibleName() == "Theme: Activities and interests"
            for w in window.editor.findChildren(QComboBox)
        )
    )
    window.editor.title.setFocus()
    seen = []
    for _ in range(21):
        seen.append(QApplication.focusWidget().accessibleName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [
        "Title",
        "In their own words",
        "Recorder’s notes",
        "Recorded by",
        "Add yourself or another recorder",
        "Date told",
        "Setting",
        "How it was told",
        "Language",
        "Status",
        "People mentioned",
        "Add a person the story mentions",
        # (Change and remove are skipped: there is nobody to choose yet.)
        "Find names in the story’s words",
        "See what will leave this computer for this story",
        "Microphone",
        "Start recording",
        # (Stop and the mark are skipped: nothing is being recorded, there is no recording yet.)
        "Photos and documents of this story",
        "Add a photo or a document to this story",
        # (Remove and save a copy are skipped: there is nothing to choose yet.)
        "Go through consent with the person",
        # (Taking back consent is skipped: there is none to take back yet.)
        "Save the person’s consent copy as a PDF to print",
        "Theme: Activities and interests",
    ]


def test_text_size_and_contrast_apply_and_are_remembered(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    app = context.app
    window.activateWindow()
    qtbot.waitActive(window)
    target = QApplication.focusWidget()
    qtbot.keyClick(target, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(target, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert app.font().pointSizeF() == BASE_POINT_SIZE * 1.5
    assert window.list_page.search.font().pointSizeF() == BASE_POINT_SIZE * 1.5
    for _ in range(6):  # no bigger than 200%
        qtbot.keyClick(target, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert app.font().pointSizeF() == BASE_POINT_SIZE * 2
    qtbot.keyClick(
        target,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert app.palette().color(QPalette.ColorRole.Window).name() == "#000000"
    assert app.palette().color(QPalette.ColorRole.WindowText).name() == "#ffffff"
    assert window.contrast_action.isChecked()

    # A new start of the program reads the same settings back.
    again = AppContext(context.store, context.paths)
    assert again.settings.text_scale == 200
    assert again.settings.high_contrast is True
    assert app.font().pointSizeF() == BASE_POINT_SIZE * 2

    qtbot.keyClick(target, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(
        target,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert app.font().pointSizeF() == BASE_POINT_SIZE
    assert app.palette().color(QPalette.ColorRole.Window).name() != "#000000"


def test_story_table_model_is_a_well_behaved_model(
    qtbot: QtBot, qtmodeltester: object, context: AppContext
) -> None:
    demo.generate(context.store, stories=450, seed=9)
    model = StoryTableModel(context.tasks)
    with qtbot.waitSignal(model.loaded):
        model.set_filter(StoryFilter())
    assert model.total == 450
    assert model.rowCount() == 200  # one page, more on demand
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore()
    assert model.rowCount() == 400
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 450)
    assert not model.canFetchMore()
    titles = [model.summary(r).title for r in range(model.rowCount())]  # type: ignore[union-attr]
    with qtbot.waitSignal(model.loaded):
        model.sort(0, Qt.SortOrder.AscendingOrder)
    first = model.summary(0)
    assert first is not None and first.title.lower() == min(t.lower() for t in titles)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_storytellers_dialog_creates_edits_and_deletes(qtbot: QtBot, context: AppContext) -> None:
    story = make_story(context.store, teller="Mary Jones")
    dialog = StorytellersDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 1)

    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.name, "Bronwen Hughes")
    dialog.ways[next(iter(dialog.ways))].setChecked(True)
    qtbot.keyClick(dialog.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.list.count() == 2 and dialog.state.text().startswith("Saved"))
    assert "Bronwen Hughes" in dialog.state.text()

    dialog.search.setText("mary")
    qtbot.waitUntil(lambda: dialog.list.count() == 1)
    dialog.list.setCurrentRow(0)
    assert dialog.name.text() == "Mary Jones"

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        assert "and their 1 story" in box.text()
        QtBot.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)

    when_dialog_opens(confirm, QMessageBox)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state.text() == "Deleted.")
    with context.store.read() as session:
        assert [t.story_id for t in stories.list_tombstones(session)] == [story.id]


def test_history_shows_earlier_wording(
    qtbot: QtBot, context: AppContext, monkeypatch: object
) -> None:
    import dataclasses
    import datetime as dt

    from storykeeper.core import clock

    story = make_story(context.store, own_words="First telling.")
    later = clock.now() + dt.timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)  # type: ignore[attr-defined]
    with context.store.write(actor="test") as session:
        stories.update_story(
            session, story.id, dataclasses.replace(story.fields, own_words="Second telling.")
        )
    from storykeeper.gui.dialogs.history import HistoryDialog

    dialog = HistoryDialog(context, story.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.versions.count() == 2)
    assert dialog.words.toPlainText() == "Second telling."
    qtbot.keyClick(dialog.versions, Qt.Key.Key_Down)
    assert dialog.words.toPlainText() == "First telling."
    assert unnamed_controls(dialog) == []


def test_supporters_dialog_adds_a_supporter_the_editor_can_choose(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    from storykeeper.gui.dialogs.people import SupportersDialog

    dialog = SupportersDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.waitUntil(lambda: dialog.state.text().startswith("Fill in"))
    qtbot.keyClicks(dialog.name, "Sam Okafor")
    dialog.role.setFocus()
    qtbot.keyClick(dialog.role, Qt.Key.Key_Down)  # IMCA
    qtbot.keyClicks(dialog.organisation, "Valley Advocacy")
    qtbot.keyClick(dialog.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.state.text() == "Saved Sam Okafor (IMCA).")
    qtbot.waitUntil(lambda: dialog.list.count() == 1)  # the list reloads after the save

    story = make_story(context.store)
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    names = [window.editor.supporter.itemText(i) for i in range(window.editor.supporter.count())]
    assert "Sam Okafor (IMCA)" in names


def test_changing_the_storyteller_of_a_story(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store, teller="Wrong Person")
    window.open_story(story.id)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.story is not None)

    def pick(picker: QWidget) -> None:
        assert isinstance(picker, StorytellerPicker)
        QtBot.keyClicks(picker.name, "Right Person")
        QtBot.keyClick(picker.name, Qt.Key.Key_Return)

    when_dialog_opens(pick, StorytellerPicker)
    qtbot.mouseClick(editor.change_storyteller, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: editor.story is not None and editor.story.storyteller.name == "Right Person"
    )
    assert editor.storyteller_label.text().startswith("Right Person")
    with window.context.store.read() as session:
        assert stories.get_story(session, story.id).storyteller.name == "Right Person"


def test_no_two_alt_keys_clash(qtbot: QtBot, window: MainWindow) -> None:
    """An Alt+letter used twice does nothing at all in Qt: every one must be unique."""
    page = window.list_page
    make_story(window.context.store, teller="Someone")
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    on_list = mnemonics(window)
    assert len(on_list) == len(set(on_list)), on_list
    window.open_story(page.model.story_id(0) or "")
    qtbot.waitUntil(lambda: window.editor.story is not None)
    in_story = mnemonics(window)
    assert len(in_story) == len(set(in_story)), in_story


def test_at_twice_the_text_size_the_window_still_fits_a_small_laptop_screen(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """1280 pixels wide is a common small laptop: nothing may force the window wider."""
    import datetime as dt

    from storykeeper.core import consent
    from tests.factories import given

    for n in range(3):
        story = make_story(context.store, title=f"Story {n}")  # no consent: a reminder
    with context.store.write(actor="test") as session:  # and one review due: the other
        consent.record_consent(session, story.id, given(decided_on=dt.date(2024, 1, 1)))
    context.set_text_scale(200)
    context.set_high_contrast(True)  # the widest: thicker borders and more padding
    window.list_page.reload()
    qtbot.waitUntil(lambda: window.list_page.review_label.isVisibleTo(window))
    assert window.list_page.no_consent_label.isVisibleTo(window)
    assert window.minimumSizeHint().width() <= 1280, window.minimumSizeHint()
    # The reminders count comes before the rows do: wait for a row to open.
    qtbot.waitUntil(lambda: window.list_page.model.story_id(0) is not None)
    window.open_story(window.list_page.model.story_id(0) or "")
    qtbot.waitUntil(lambda: window.editor.story is not None)
    assert window.minimumSizeHint().width() <= 1280
    # And in that width the story needs no sideways scrolling: nothing is cut off at the right.
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    scroll = window.editor.scroll
    qtbot.waitUntil(lambda: scroll.viewport().width() > 1000)
    assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()


def test_help_and_find_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    shown: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, ShortcutsDialog)
        shown.append(box.text.toPlainText())
        QtBot.keyClick(box, Qt.Key.Key_Escape)

    when_dialog_opens(read_and_close, ShortcutsDialog)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(shown))
    assert "Keyboard shortcuts" in shown[0] and "Ctrl+N" in shown[0]

    # Ctrl+F inside a story: back to the list, words kept, the search box ready for typing.
    story = make_story(window.context.store, own_words="")
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.editor.own_words.setFocus()
    qtbot.keyClicks(window.editor.own_words, "Kept when I went to search.")
    qtbot.keyClick(window.editor.own_words, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.list_page
    assert window.list_page.search.hasFocus()
    assert window.context.tasks.wait_for_idle()
    with window.context.store.read() as session:
        assert stories.get_story(session, story.id).own_words == "Kept when I went to search."
