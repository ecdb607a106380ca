"""Several stories chosen together in the list (issue 20): chosen by Shift+arrows, Ctrl+click
and Ctrl+A, counted on the line under the list and in the table's name, exported together, and
deleted together after one question. Driven by keys and clicks on a real window and store."""

from __future__ import annotations

from pathlib import Path

from pyrage import x25519
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, demo, recipients, search, stories
from storykeeper.core.bundle.reader import open_bundle
from storykeeper.gui.dialogs.export_several import ExportSelectedDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.pages.story_list import StoryListPage
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.fit_screen import LAPTOP_ROOM, cut_off_words

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _list_of(qtbot: QtBot, window: MainWindow, count: int) -> StoryListPage:
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == count)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    return page


def _click_row(qtbot: QtBot, page: StoryListPage, row: int, modifier: Qt.KeyboardModifier) -> None:
    where = page.table.visualRect(page.model.index(row, 0)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, modifier, where)


def _stored_titles(window: MainWindow) -> set[str]:
    with window.context.store.read() as session:
        return {s.title for s in search.search_stories(session, limit=100).items}


def test_shift_arrows_and_ctrl_click_choose_several_and_say_how_many(
    qtbot: QtBot, window: MainWindow
) -> None:
    for n in range(5):
        make_story(window.context.store, title=f"Story {n}")
    page = _list_of(qtbot, window, 5)
    selection = page.selection
    _click_row(qtbot, page, 0, Qt.KeyboardModifier.NoModifier)
    assert page.table.accessibleName() == "Stories"
    assert not selection.delete_button.isVisible()  # one story: the single-story ways

    qtbot.keyClick(page.table, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(page.table, Qt.Key.Key_Down, SHIFT)
    assert selection.chosen_label.text() == "· 3 selected"
    assert page.table.accessibleName() == "Stories, 3 selected"
    assert selection.export_button.isVisible() and selection.delete_button.isVisible()
    assert selection.delete_button.text() == "&Delete the 3 selected…"
    assert selection.export_button.accessibleName() == "Export the 3 selected stories"

    _click_row(qtbot, page, 4, CTRL)  # one more, away from the others
    assert page.table.accessibleName() == "Stories, 4 selected"
    _click_row(qtbot, page, 1, CTRL)  # and one taken away again
    assert [title for _, title in selection.chosen()] == [
        page.model.summary(row).title  # type: ignore[union-attr]
        for row in (0, 2, 4)
    ]
    assert selection.chosen_label.text() == "· 3 selected"

    # By keys alone, apart from each other: Ctrl+arrows move without choosing, Ctrl+Space
    # chooses (or lets go of) the story there.
    _click_row(qtbot, page, 0, Qt.KeyboardModifier.NoModifier)
    qtbot.keyClick(page.table, Qt.Key.Key_Down, CTRL)
    qtbot.keyClick(page.table, Qt.Key.Key_Down, CTRL)
    qtbot.keyClick(page.table, Qt.Key.Key_Space, CTRL)
    assert sorted(i.row() for i in page.table.selectionModel().selectedRows()) == [0, 2]
    assert page.table.accessibleName() == "Stories, 2 selected"


def test_deleting_several_asks_once_keeps_them_by_default_then_deletes_them_all(
    qtbot: QtBot, window: MainWindow
) -> None:
    for title in ("The bus", "Tuesdays", "The mill", "Kept"):
        make_story(window.context.store, title=title)
    page = _list_of(qtbot, window, 4)
    rows = {page.model.summary(r).title: r for r in range(4)}  # type: ignore[union-attr]
    _click_row(qtbot, page, rows["The bus"], Qt.KeyboardModifier.NoModifier)
    for title in ("Tuesdays", "The mill"):
        _click_row(qtbot, page, rows[title], CTRL)
    questions: list[str] = []

    def keep(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        questions.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the safe choice is the default

    when_dialog_opens(keep, QMessageBox)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: bool(questions))
    (question,) = questions
    assert question.startswith("Delete these 3 stories: ")
    assert all(f"“{t}”" in question for t in ("The bus", "Tuesdays", "The mill"))
    assert "This cannot be undone." in question
    assert window.context.tasks.wait_for_idle()
    assert _stored_titles(window) == {"The bus", "Tuesdays", "The mill", "Kept"}

    def delete(box: QWidget) -> None:
        qtbot.keyClick(box, Qt.Key.Key_D, ALT)  # "Delete 3 stories"

    qtbot.waitUntil(page.table.hasFocus)  # back in the list after the question
    when_dialog_opens(delete, QMessageBox)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.selection.chosen_label.text() == "Deleted 3 stories.")
    assert _stored_titles(window) == {"Kept"}
    with window.context.store.read() as session:
        assert len(stories.list_tombstones(session)) == 3
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert not page.selection.delete_button.isVisible()


def test_ctrl_a_and_shift_ctrl_end_choose_beyond_the_rows_loaded_and_deleting_shows_progress(
    qtbot: QtBot, window: MainWindow
) -> None:
    demo.generate(window.context.store, stories=2_000, seed=20)
    page = window.list_page
    page.model.refresh()
    qtbot.waitUntil(lambda: page.model.total == 2_000 and page.model.rowCount() > 0)
    assert page.model.rowCount() < 2_000  # one page so far
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)

    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(
        lambda: page.selection.chosen_label.text() == "· 2,000 selected", timeout=30_000
    )
    assert page.table.accessibleName() == "Stories, 2,000 selected"

    # From the second story to the last, with only the first page loaded again.
    page.model.refresh()
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < 2_000)
    second = page.model.story_id(1)
    _click_row(qtbot, page, 1, Qt.KeyboardModifier.NoModifier)
    qtbot.keyClick(page.table, Qt.Key.Key_End, CTRL | SHIFT)
    qtbot.waitUntil(
        lambda: page.selection.chosen_label.text() == "· 1,999 selected", timeout=30_000
    )
    assert page.table.currentIndex().row() == 1_999
    assert page.selection.chosen()[0][0] == second

    shown: list[int] = []
    page.selection.progress.valueChanged.connect(shown.append)
    when_dialog_opens(lambda box: qtbot.keyClick(box, Qt.Key.Key_D, ALT), QMessageBox)
    qtbot.mouseClick(page.selection.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.selection.chosen_label.text() == "Deleted 1,999 stories.", timeout=60_000
    )
    assert shown[-1] == 1_999 and len(shown) > 2  # it moved on the way, not only at the end
    assert not page.selection.progress.isVisible()
    with window.context.store.read() as session:
        assert search.search_stories(session).total == 1


def test_ctrl_e_exports_only_the_stories_chosen_together(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    coordinator = x25519.Identity.generate()
    store = window.context.store
    made = {title: make_story(store, title=title) for title in ("One", "Two", "Not this one")}
    for story in made.values():
        with store.write(actor="test") as session:
            consent.record_consent(session, story.id, given())
    with store.write(actor="test") as session:
        recipients.add_recipient(session, str(coordinator.to_public()), "North")
    page = _list_of(qtbot, window, 3)
    rows = {page.model.summary(r).title: r for r in range(3)}  # type: ignore[union-attr]
    _click_row(qtbot, page, rows["One"], Qt.KeyboardModifier.NoModifier)
    _click_row(qtbot, page, rows["Two"], CTRL)
    seen: list[str] = []

    def export(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportSelectedDialog)
        assert dialog.only_chosen.isChecked()
        assert dialog.only_chosen.text() == "&Only the 2 selected stories"
        qtbot.waitUntil(lambda: dialog.summary.text().startswith("2 stories will go"))
        dialog.folder.setText(str(tmp_path))
        qtbot.keyClick(dialog, Qt.Key.Key_X, ALT)  # "Export"
        qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved:"), timeout=15_000)
        seen.append(dialog.message.text())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(export, ExportSelectedDialog)
    qtbot.keyClick(page.table, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    (bundle,) = tmp_path.glob("*.zip.age")
    with open_bundle(bundle, [coordinator], [window.context.store.keys.public_key()]) as opened:
        sent = {s["id"] for s in opened.summary["stories"]}
    assert sent == {made["One"].id, made["Two"].id}


def test_at_twice_the_text_size_the_line_under_the_list_fits_a_laptop(
    qtbot: QtBot, window: MainWindow
) -> None:
    for n in range(3):
        make_story(window.context.store, title=f"Story {n}")
    window.context.set_text_scale(200)
    window.resize(LAPTOP_ROOM)
    page = _list_of(qtbot, window, 3)
    page.table.selectAll()
    selection = page.selection
    qtbot.waitUntil(lambda: selection.delete_button.isVisible())
    # Wider than three stories would need: the words for 2,000 chosen.
    selection.chosen_label.setText("· 2,000 selected")
    for button in (selection.export_button, selection.delete_button):
        button.setText(button.text().replace("3", "2,000"))
    qtbot.waitUntil(lambda: selection.width() >= selection.minimumSizeHint().width())
    assert selection.minimumSizeHint().width() <= selection.width()
    assert cut_off_words(selection) == []
    assert window.width() <= LAPTOP_ROOM.width()  # nothing made the window wider than that
    right_edge = selection.mapTo(window, selection.rect().topRight()).x()
    assert right_edge <= window.width()
