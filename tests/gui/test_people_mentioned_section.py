"""The story page's People mentioned section and the "What will leave" preview, by keys
(issue 17): the advocate lists the people a story names with a role, confirms names found in
the text, and sees the story beside exactly what an export would carry."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, mentioned
from storykeeper.core.mentioned import PersonMentioned
from storykeeper.gui.dialogs.people_mentioned import PersonDialog, SuggestedNamesDialog
from storykeeper.gui.dialogs.what_will_leave import WhatWillLeaveDialog
from storykeeper.gui.main_window import MainWindow
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
WORDS = "My neighbour Tom Price takes me in his car, and Mair Crisp comes too with her flask."
#: What a 1366×768 screen leaves a dialog once the desktop's panel and the frame are counted.
ROOM = (1326, 708)


def _open(qtbot: QtBot, window: MainWindow) -> str:
    story = make_story(window.context.store, own_words=WORDS, teller="Margaret Evans")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())  # shared, without the name
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.own_words.hasFocus())
    return story.id


def _stored(window: MainWindow, story_id: str) -> list[PersonMentioned]:
    with window.context.store.read() as session:
        return mentioned.people_mentioned(session, story_id)


def _press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = CTRL_SHIFT) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_people_mentioned_are_added_found_and_removed_by_keys(
    qtbot: QtBot, window: MainWindow
) -> None:
    story_id = _open(qtbot, window)
    section = window.editor.people_mentioned

    def add_tom(dialog: QWidget) -> None:
        assert isinstance(dialog, PersonDialog)
        qtbot.keyClicks(dialog.name, "Tom Price")
        qtbot.keyClick(dialog.name, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # Role
        assert dialog.role.hasFocus()
        dialog.role.lineEdit().selectAll()
        qtbot.keyClicks(dialog.role, "a neighbour")
        qtbot.keyClick(dialog.role, Qt.Key.Key_Return)

    when_dialog_opens(add_tom, PersonDialog)
    _press(qtbot, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: section.message.text() == "Added to the people mentioned.")
    assert _stored(window, story_id) == [PersonMentioned("Tom Price", "a neighbour")]
    assert section.table.item(0, 0).text() == "Tom Price"

    offered: list[str] = []

    def confirm_mair(dialog: QWidget) -> None:
        assert isinstance(dialog, SuggestedNamesDialog)
        offered.extend(tick.text() for tick in dialog.ticks)
        first = dialog.ticks[0]
        assert first.hasFocus()
        qtbot.keyClick(first, Qt.Key.Key_Space)
        qtbot.keyClick(first, Qt.Key.Key_Tab)
        assert dialog.roles[0].hasFocus()
        qtbot.keyClicks(dialog.roles[0], "a friend")
        qtbot.keyClick(dialog.roles[0], Qt.Key.Key_Return)

    window.editor.own_words.setFocus()
    when_dialog_opens(confirm_mair, SuggestedNamesDialog)
    _press(qtbot, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: section.message.text() == "Added 1 to the people mentioned.")
    # Neither the storyteller nor someone listed already is offered again.
    assert offered == ["Mair Crisp"]
    assert _stored(window, story_id) == [
        PersonMentioned("Tom Price", "a neighbour"),
        PersonMentioned("Mair Crisp", "a friend"),
    ]

    section.table.setFocus()
    section.table.selectRow(0)
    qtbot.keyClick(section.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: section.message.text() == "Removed from the list.")
    assert _stored(window, story_id) == [PersonMentioned("Mair Crisp", "a friend")]


def test_what_will_leave_shows_the_story_beside_what_an_export_carries(
    qtbot: QtBot, window: MainWindow
) -> None:
    story_id = _open(qtbot, window)
    with window.context.store.write(actor="test") as session:
        mentioned.set_people_mentioned(
            session, story_id, [PersonMentioned("Tom Price", "a neighbour")]
        )
    window.context.set_text_scale(200)
    seen: dict[str, str] = {}

    def read(dialog: QWidget) -> None:
        assert isinstance(dialog, WhatWillLeaveDialog)
        seen["here"] = dialog.here.toPlainText()
        seen["leaving"] = dialog.leaving.toPlainText()
        needed, size = dialog.minimumSizeHint(), dialog.size()
        seen["fits"] = str(
            max(needed.width(), size.width()) <= ROOM[0]
            and max(needed.height(), size.height()) <= ROOM[1]
        )
        seen["size"] = f"{needed.width()}×{needed.height()}, {size.width()}×{size.height()}"
        qtbot.keyClick(dialog.leaving, Qt.Key.Key_Return)

    when_dialog_opens(read, WhatWillLeaveDialog)
    window.editor.own_words.setFocus()
    _press(qtbot, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: "leaving" in seen, timeout=10_000)
    assert "Tom Price" in seen["here"] and "Margaret Evans" in seen["here"]
    assert "[a neighbour]" in seen["leaving"]
    assert "Tom Price" not in seen["leaving"]
    assert "Margaret" not in seen["leaving"] and "Evans" not in seen["leaving"]
    assert seen["fits"] == "True", seen["size"]


def test_the_section_fits_a_small_laptop_at_twice_the_text_size(
    qtbot: QtBot, window: MainWindow
) -> None:
    _open(qtbot, window)
    window.context.set_text_scale(200)
    needed = window.editor.people_mentioned.minimumSizeHint()
    assert needed.width() <= ROOM[0] - 100, needed  # beside the page's margins and scroll bar


def test_every_control_of_the_section_and_its_dialogs_has_a_name(
    qtbot: QtBot, window: MainWindow
) -> None:
    from storykeeper.gui.ops.mentioned import LeavePreview
    from tests.gui.inspecting import unnamed_controls

    _open(qtbot, window)
    assert unnamed_controls(window.editor.people_mentioned) == []
    for dialog in (
        PersonDialog(PersonMentioned("Tom Price", "a neighbour")),
        SuggestedNamesDialog(["Tom Price", "Mair Crisp"]),
        WhatWillLeaveDialog(LeavePreview("The bus", "here", "leaving", "")),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert unnamed_controls(dialog) == [], type(dialog).__name__
