"""Choosing a pseudonym with the person, from the Storytellers dialog, by keys (issue 17)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import people
from storykeeper.gui.dialogs.people import StorytellersDialog
from storykeeper.gui.dialogs.pseudonym import PseudonymDialog
from storykeeper.gui.main_window import MainWindow
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens


def test_a_pseudonym_is_chosen_by_keys_and_one_holding_the_name_is_refused(
    window: MainWindow, qtbot: QtBot
) -> None:
    story = make_story(window.context.store, teller="Margaret Evans")
    dialog = StorytellersDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 1)
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: dialog.name.text() == "Margaret Evans")
    assert dialog.choose_pseudonym.isEnabled()
    seen: dict[str, object] = {}

    def choose(opened: QWidget) -> None:
        assert isinstance(opened, PseudonymDialog)
        qtbot.waitUntil(lambda: opened.offered.count() == 6)
        seen["offered"] = [opened.offered.item(i).text() for i in range(6)]
        # Picking one of those offered puts it in the box.
        opened.offered.setFocus()
        qtbot.keyClick(opened.offered, Qt.Key.Key_Down)
        seen["picked"] = opened.text.text()
        # One holding part of her own name is refused, and the dialog stays.
        opened.text.setFocus()
        opened.text.selectAll()
        qtbot.keyClicks(opened.text, "Maggie Evans")
        qtbot.keyClick(opened.text, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: opened.state.text().startswith("Not saved"))
        seen["refused"] = opened.state.text()
        assert opened.isVisible()
        # Her own choice is kept; Enter uses it.
        opened.text.selectAll()
        qtbot.keyClicks(opened.text, "Peggy W.")
        qtbot.keyClick(opened.text, Qt.Key.Key_Return)

    when_dialog_opens(choose, PseudonymDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.pseudonym.text() == "Peggy W.")

    offered = seen["offered"]
    assert isinstance(offered, list) and seen["picked"] in offered
    assert not any("margaret" in o.casefold() or "evans" in o.casefold() for o in offered)
    refused = str(seen["refused"])
    assert "part of the person’s own name" in refused and "Evans" not in refused
    qtbot.waitUntil(lambda: dialog.list.item(0).text() == "Margaret Evans — Peggy W.")
    with window.context.store.read() as session:
        assert people.get_storyteller(session, story.storyteller.id).pseudonym == "Peggy W."
