"""The export dialog plans for the recipients ticked (issue 17): a withdrawal notice goes only to
those who had its story, so ticking someone who never had it holds the notice back, and the
dialog says so. From its lists, the advocate sees what will leave for a story."""

from __future__ import annotations

from pathlib import Path

from pyrage import x25519
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, recipients
from storykeeper.core.bundle.export import Selection, export_bundle
from storykeeper.gui.dialogs.export import ExportDialog
from storykeeper.gui.dialogs.what_will_leave import WhatWillLeaveDialog
from storykeeper.gui.main_window import MainWindow
from tests.exchange import shared, withdraw_fully
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens

#: What a 1366×768 screen leaves a dialog once the desktop's panel and the frame are counted.
ROOM = (1326, 708)


def _recipient() -> str:
    return str(x25519.Identity.generate().to_public())


def test_a_notice_is_held_back_while_someone_who_never_had_the_story_is_ticked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    store = window.context.store
    north, south = _recipient(), _recipient()
    with store.write(actor="test") as session:
        recipients.add_recipient(session, north, "North")
        recipients.add_recipient(session, south, "South")
    story = shared(store, "Only the north had it")
    export_bundle(store, actor="test", out=tmp_path, selection=Selection.ALL, recipients=[north])
    withdraw_fully(store, story.id)
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.recipient_list.count() == 2 and dialog.plan is not None)
    qtbot.waitUntil(
        lambda: (
            dialog.summary.text()
            == "Nothing to send to all of these coordinators: 1 withdrawal waits for a bundle "
            "only to those who had the story (a coordinator ticked never had it)."
        )
    )
    assert dialog.plan is not None and dialog.plan.withdrawals == []

    # Untick South by keyboard: the plan is made again, and the notice goes to North.
    dialog.recipient_list.setFocus()
    south_row = next(
        row
        for row in range(2)
        if dialog.recipient_list.item(row).data(Qt.ItemDataRole.UserRole) == south
    )
    dialog.recipient_list.setCurrentRow(south_row)
    qtbot.keyClick(dialog.recipient_list, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: (
            dialog.summary.text()
            == "0 stories will go; 1 withdrawal (the coordinator removes those); 0 stories are "
            "left out."
        )
    )
    qtbot.waitUntil(dialog.export_button.isEnabled)
    assert dialog.plan is not None and dialog.plan.recipients == (north,)


def test_what_will_leave_from_the_export_dialogs_list(qtbot: QtBot, window: MainWindow) -> None:
    store = window.context.store
    story = make_story(
        store, title="Margaret’s bus", own_words="Margaret Evans rides it.", teller="Margaret Evans"
    )
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    window.context.set_text_scale(200)
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.going.count() == 1)
    needed = dialog.minimumSizeHint()
    assert needed.width() <= ROOM[0] and needed.height() <= ROOM[1], needed
    seen: dict[str, str] = {}

    def read(preview: QWidget) -> None:
        assert isinstance(preview, WhatWillLeaveDialog)
        seen["leaving"] = preview.leaving.toPlainText()
        qtbot.keyClick(preview.leaving, Qt.Key.Key_Escape)

    when_dialog_opens(read, WhatWillLeaveDialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.isActiveWindow())
    qtbot.keyClick(dialog.going, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "leaving" in seen, timeout=10_000)
    assert "Margaret" not in seen["leaving"] and "Evans" not in seen["leaving"]
    assert "rides it." in seen["leaving"]
