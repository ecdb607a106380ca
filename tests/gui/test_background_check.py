"""The window checks the store by itself once the list's first page is shown, and says so in a
bar when something is wrong — and shows nothing when all is well (issue 15, part 5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.check import CheckReport
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_store import CheckStoreDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.damage import change_with_plain_sql, damage_a_stories_page
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens

#: The check reads every row and file; on a loaded test machine that can take a while.
CHECKED_WITHIN_MS = 30_000


@pytest.fixture
def open_window(
    qtbot: QtBot, qapp: QApplication, paths: DataPaths
) -> Iterator[Callable[[], MainWindow]]:
    """Opens the window on the data folder as it is by then (the test prepares it first)."""
    opened: list[tuple[Store, AppContext, MainWindow]] = []

    def open_() -> MainWindow:
        store = Store.open(paths)
        context = AppContext(store, paths)
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append((store, context, window))
        return window

    yield open_
    for store, context, window in opened:
        if shiboken6.isValid(window):
            window.close()
        context.tasks.wait_for_idle()
        context.shutdown()
        store.close()


def checked(qtbot: QtBot, window: MainWindow) -> CheckReport:
    qtbot.waitUntil(lambda: window.check_bar.report is not None, timeout=CHECKED_WITHIN_MS)
    report = window.check_bar.report
    assert report is not None
    return report


def test_a_clean_store_shows_no_bar(
    qtbot: QtBot, paths: DataPaths, open_window: Callable[[], MainWindow]
) -> None:
    with Store.open(paths) as store:
        make_story(store)
    window = open_window()
    report = checked(qtbot, window)
    assert report.ok
    assert not window.check_bar.isVisible()


def test_damaged_pages_show_the_bar(
    qtbot: QtBot, paths: DataPaths, open_window: Callable[[], MainWindow]
) -> None:
    with Store.open(paths) as store:
        for n in range(3):
            make_story(store, title=f"Story {n}", teller=f"Teller {n}")
    damage_a_stories_page(paths.database)
    window = open_window()
    report = checked(qtbot, window)
    assert [p.area for p in report.problems] == ["database"]
    assert window.check_bar.isVisible()
    assert window.check_bar.message.text().startswith(
        "Storykeeper found a problem with this computer’s stories."
    )
    # The bar never takes the keyboard.
    assert not window.check_bar.isAncestorOf(QApplication.focusWidget())
    seen: dict[str, object] = {}

    def read_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, CheckStoreDialog)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=CHECKED_WITHIN_MS)
        seen["findings"] = [
            dialog.findings.item(row).text() for row in range(dialog.findings.count())
        ]
        seen["status"] = dialog.status.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(read_and_close, CheckStoreDialog)
    qtbot.mouseClick(window.check_bar.see_button, Qt.MouseButton.LeftButton)
    assert seen["findings"] == [
        f"Problem — Database: The database file is damaged (1 page). Copy the data folder "
        f"({paths.data_dir}) somewhere safe first, then restore the newest backup from "
        f"{paths.backups_dir} (see “To restore a backup” in the README)."
    ]
    # Nothing was counted: no "0 stories checked".
    assert seen["status"] == (
        f"Found 1 problem. Nothing was changed. Backups of the database are in "
        f"{paths.backups_dir}; the list below helps whoever supports you."
    )


def test_changed_words_show_the_bar_which_opens_the_check(
    qtbot: QtBot, paths: DataPaths, open_window: Callable[[], MainWindow]
) -> None:
    with Store.open(paths) as store:
        story = make_story(store, title="The day centre bus")
    change_with_plain_sql(
        paths.database, "UPDATE stories SET own_words = 'The minibus never comes.'"
    )
    window = open_window()
    checked(qtbot, window)
    qtbot.waitUntil(window.check_bar.isVisible)
    seen: list[str] = []

    def read_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, CheckStoreDialog)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=CHECKED_WITHIN_MS)
        seen.extend(dialog.findings.item(row).text() for row in range(dialog.findings.count()))
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(read_and_close, CheckStoreDialog)
    qtbot.mouseClick(window.check_bar.see_button, Qt.MouseButton.LeftButton)
    assert seen == [
        f"Problem — Stories: Story {story.id[:8]} “The day centre bus”: own words changed "
        "outside Storykeeper since it was saved."
    ]
    assert window.check_bar.isVisible()  # still wrong: the bar stays


def test_closing_the_window_stops_the_quiet_check(
    qtbot: QtBot, paths: DataPaths, open_window: Callable[[], MainWindow]
) -> None:
    with Store.open(paths) as store:
        make_story(store)
    window = open_window()
    bar = window.check_bar
    window.close()
    assert bar.cancelled.is_set()
