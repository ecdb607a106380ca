"""Typing one letter in a large store: the list comes newest first and says why, and typing
more puts the best matches first again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from storykeeper.core import demo, search
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.story_table import Column
from tests.factories import make_story


def test_one_letter_lists_the_newest_and_says_so(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.generate(window.context.store, stories=60, seed=4)
    monkeypatch.setattr(search, "RANK_AT_MOST", 10)  # 100,000 stories' worth of "p"
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.total == 60)
    page.search.setFocus()
    qtbot.keyClicks(page.search, "c")
    with window.context.store.read() as session:
        matched = search.count_stories(session, search.StoryFilter(text="c"))
    assert matched > 10
    qtbot.waitUntil(
        lambda: (
            page.count_label.text()
            == f"{matched} stories, newest first: type more to see the best matches first"
        )
    )
    qtbot.keyClicks(page.search, "ouncil tax")
    qtbot.waitUntil(lambda: page.model.total <= 10)
    assert "newest first" not in page.count_label.text()


def test_words_typed_list_the_best_match_first_until_a_column_is_clicked(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The view sorts once as it is set up; that is not the person choosing a column."""
    store = window.context.store
    best = make_story(store, title="All about the garden", own_words="Garden, garden, my garden.")
    make_story(store, title="A walk", own_words="We walked past a garden on the way.")
    page = window.list_page
    page.reload()
    qtbot.waitUntil(lambda: page.model.total == 2)
    page.search.setFocus()
    qtbot.keyClicks(page.search, "garden")
    first = lambda: page.model.summary(0).title if page.model.summary(0) else None  # noqa: E731
    # The same two stories, newest first, until the search's answer arrives: then the best.
    qtbot.waitUntil(lambda: page.model.story_filter.text == "garden" and first() == best.title)
    header = page.table.horizontalHeader()
    title_at = header.sectionViewportPosition(Column.TITLE) + header.sectionSize(Column.TITLE) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(title_at, 5))
    qtbot.waitUntil(
        lambda: page.model.summary(0) is not None and page.model.summary(0).title == "A walk"
    )  # type: ignore[union-attr]
