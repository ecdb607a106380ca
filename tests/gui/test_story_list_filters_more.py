"""The story list's filter row offers where a story came from (written here, imported, or one
sender by label), the setting and how it was told (issue 18 §1): by keyboard, with accessible
names, and a drill-down from the insight page carries them into the list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from storykeeper.core.search import StoryFilter, StorySource
from storykeeper.core.vocabulary import HowTold, Setting
from storykeeper.gui.main_window import MainWindow
from tests.core.filtered_stories import PRIYA, stories_from_everywhere


def shown(window: MainWindow, made: dict[str, str]) -> set[str]:
    model = window.list_page.model
    ids = {model.story_id(row) for row in range(model.rowCount())}
    return {name for name, story_id in made.items() if story_id in ids}


def choose_by_keyboard(qtbot: QtBot, combo: QComboBox, label: str) -> None:
    """Down arrow until the label is chosen, as a person tabbing to the box would."""
    combo.setFocus()
    for _ in range(combo.count()):
        if combo.currentText() == label:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == label, [combo.itemText(i) for i in range(combo.count())]


def test_where_from_setting_and_how_told_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    made = stories_from_everywhere(window.context.store)
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.sender_filter.findText("Priya (advocate)") >= 0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)
    assert page.sender_filter.accessibleName() == "Filter by where the story came from"
    assert page.setting_filter.accessibleName() == "Filter by setting"
    assert page.how_told_filter.accessibleName() == "Filter by how it was told"

    choose_by_keyboard(qtbot, page.sender_filter, "Priya (advocate)")
    qtbot.waitUntil(lambda: shown(window, made) == {"priya1", "priya2"})
    choose_by_keyboard(qtbot, page.setting_filter, Setting.HOME.label)
    qtbot.waitUntil(lambda: shown(window, made) == {"priya1"})

    page.clear_filters()
    choose_by_keyboard(qtbot, page.sender_filter, "Written here")
    qtbot.waitUntil(lambda: shown(window, made) == {"own_home", "own_care"})
    choose_by_keyboard(qtbot, page.how_told_filter, HowTold.PROXY_ACCOUNT.label)
    qtbot.waitUntil(lambda: shown(window, made) == {"own_care"})

    page.clear_filters()
    choose_by_keyboard(qtbot, page.sender_filter, "Imported")
    qtbot.waitUntil(lambda: shown(window, made) == {"priya1", "priya2", "tom"})
    page.clear_button.click()
    assert page.current_filter() == StoryFilter()


def test_a_drill_down_sets_them(qtbot: QtBot, window: MainWindow) -> None:
    made = stories_from_everywhere(window.context.store)
    page = window.list_page
    page.show_filtered(StoryFilter(sender=PRIYA, setting=Setting.HOME, in_reports=True))
    assert page.current_filter() == StoryFilter(sender=PRIYA, setting=Setting.HOME, in_reports=True)
    qtbot.waitUntil(lambda: shown(window, made) == {"priya1"})
    # Chosen before the list knew the sender's label: it shows once the choices come back.
    page.reload()
    qtbot.waitUntil(lambda: page.sender_filter.currentText() == "Priya (advocate)")
    assert page.current_filter().sender == PRIYA
    page.show_filtered(StoryFilter(source=StorySource.OWN, how_told=HowTold.PROXY_ACCOUNT))
    assert page.sender_filter.currentText() == "Written here"
    qtbot.waitUntil(lambda: shown(window, made) == {"own_care"})
