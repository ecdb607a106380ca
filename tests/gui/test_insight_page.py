"""The insight page in the window: reached by keys, counting only what consent allows, from a
number to the stories behind it, following the store, fitted at twice the text size (issue 18)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.core import consent
from storykeeper.core.insight import Insight
from storykeeper.core.stories import get_story
from storykeeper.core.vocabulary import ConsentDecision, Polarity, StoryStatus
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.ops import insight as insight_ops
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.gui.pages import insight_page
from storykeeper.gui.pages.insight_page import InsightPage
from storykeeper.gui.pages.story_list import IN_REPORTS
from tests.factories import given, make_story
from tests.gui.insight_stories import MONEY, TRANSPORT, every_situation
from tests.gui.inspecting import mnemonics, unnamed_controls

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
#: A 1366×768 laptop, less the window manager's frame and panel.
ROOM = QSize(1326, 708)


def open_insight(qtbot: QtBot, window: MainWindow) -> InsightPage:
    page = window.insight_page
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(page.counted):
        key(qtbot, Qt.Key.Key_I, CTRL_SHIFT)
    assert window.pages.currentWidget() is page
    qtbot.waitUntil(page.chart.canvas.hasFocus)
    return page


def table_row(page: InsightPage, theme: str) -> list[str]:
    model = page.chart.model
    for row in range(model.rowCount()):
        cells = [model.index(row, column).data() for column in range(model.columnCount())]
        if cells[0] == theme:
            return cells
    raise AssertionError(f"{theme} is not in the table")


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def test_ctrl_shift_i_opens_the_page_which_counts_only_what_consent_allows(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    every_situation(window.context.store)
    page = open_insight(qtbot, window)
    assert page.counts_label.text() == (
        "4 stories from 2 people, told between 30 November 2025 and 2 April 2026."
    )
    left_out = page.left_out_label.text()
    assert left_out.startswith("4 stories left out: 1 because"), left_out
    assert "1 counted story has no date told" in left_out
    # Barriers, mixed, enablers: the four stories left out are all transport barriers.
    assert table_row(page, TRANSPORT) == [TRANSPORT, "2", "1", "1"]
    assert table_row(page, MONEY) == [MONEY, "1", "0", "0"]
    # People, not only stories: Ann's two barrier stories are one person.
    page.count_choice.setFocus()
    key(qtbot, Qt.Key.Key_Down)
    assert page.counting_people()
    assert table_row(page, TRANSPORT) == [TRANSPORT, "1", "1", "1"]
    # The trend follows the chosen theme: Transport's barriers in 2026-Q1 and 2026-Q2.
    assert page.trend_label.text() == f"Over time, stories by quarter: {TRANSPORT}"
    trend = [
        [page.trend.item(row, column).text() for column in range(4)]
        for row in range(page.trend.rowCount())
    ]
    assert trend == [
        ["2025-Q4", "0", "1", "0"],
        ["2026-Q1", "1", "0", "0"],
        ["2026-Q2", "1", "0", "0"],
    ]
    key(qtbot, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.list_page


def test_tab_goes_from_the_chart_through_the_filters_and_every_control_is_named(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = open_insight(qtbot, window)
    expected = [
        page.chart.table,
        page.status_filter,
        page.supporter_filter,
        page.date_from,
        page.date_to,
        page.sender_filter,
        page.setting_filter,
        page.how_told_filter,
        page.period_choice,
        page.count_choice,
        page.clear_button,
        page.trend,
        page.voices.voices,
        page.save_button,
        page.back_button,
    ]
    for widget in expected:
        key(qtbot, Qt.Key.Key_Tab)
        qtbot.waitUntil(widget.hasFocus)
    assert unnamed_controls(page) == []
    keys = mnemonics(window)
    assert len(keys) == len(set(keys)), keys
    # The button says where it goes, as Escape does.
    with qtbot.waitSignal(page.closed):
        key(qtbot, Qt.Key.Key_Space)


def test_choosing_a_cell_opens_the_list_filtered_to_those_stories(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    every_situation(window.context.store)
    page = open_insight(qtbot, window)
    # The first cell is the most mentioned theme's barriers: Transport, two stories.
    assert page.chart.canvas.highlighted == (0, Polarity.BARRIER)
    list_page = window.list_page
    with qtbot.waitSignal(list_page.model.loaded):
        key(qtbot, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is list_page
    assert list_page.theme_filter.currentData() == TRANSPORT
    assert list_page.polarity_filter.currentData() == Polarity.BARRIER
    # Only the stories counted: not the four left out, which are Transport barriers too.
    assert list_page.consent_filter.currentData() == IN_REPORTS
    qtbot.waitUntil(lambda: list_page.count_label.text() == "2 stories")
    assert list_page.table.hasFocus()


def test_the_filters_narrow_what_is_counted(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    every_situation(window.context.store)
    page = open_insight(qtbot, window)
    page.status_filter.setFocus()
    with qtbot.waitSignal(page.counted):
        key(qtbot, Qt.Key.Key_Down)  # Draft
    assert page.status_filter.currentData() == StoryStatus.DRAFT
    assert page.counts_label.text().startswith("4 stories from 2 people")
    with qtbot.waitSignal(page.counted):
        key(qtbot, Qt.Key.Key_Down)  # Final: none of them
    assert page.counts_label.text() == "0 stories from 0 people."
    assert table_row(page, TRANSPORT) == [TRANSPORT, "0", "0", "0"]


def test_an_answer_for_older_filters_never_replaces_a_newer_one(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first count is held on the reader pool until the second has been shown."""
    every_situation(window.context.store)
    page = open_insight(qtbot, window)
    second_shown = threading.Event()
    first_done = threading.Event()

    def held(session: Session, query: insight_ops.InsightQuery) -> Insight:
        figures = insight_ops.load_insight(session, query)
        if query.wanted.status is None:  # the older count, for every status
            assert second_shown.wait(30)
            first_done.set()
        return figures

    monkeypatch.setattr(insight_page, "load_insight", held)
    # The quiet check after start may still hold the pool's other reader: let it finish, so the
    # newer count does not wait behind it while the older one is held.
    window.context.tasks.wait_for_idle()
    page.refresh()  # every status: 4 stories
    page.status_filter.setCurrentIndex(page.status_filter.findData(StoryStatus.FINAL))
    qtbot.waitUntil(lambda: page.counts_label.text() == "0 stories from 0 people.")
    second_shown.set()
    qtbot.waitUntil(first_done.is_set)
    window.context.tasks.wait_for_idle()
    QApplication.processEvents()
    assert page.counts_label.text() == "0 stories from 0 people."


def test_the_page_counts_again_when_consent_changes(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    stories = every_situation(window.context.store)
    page = open_insight(qtbot, window)
    declined = partial(
        consent.record_consent,
        story_id=stories["ann2"],
        consent=given(decision=ConsentDecision.DECLINED, scopes=frozenset()),
    )
    with qtbot.waitSignal(page.counted, timeout=10_000):
        window.context.tasks.write(
            lambda session: declined(session), changes=[Change.of(Kind.CONSENT, stories["ann2"])]
        )
    assert table_row(page, TRANSPORT) == [TRANSPORT, "1", "1", "1"]
    assert page.left_out_label.text().startswith("5 stories left out")


@pytest.mark.parametrize("contrast", [False, True])
def test_at_twice_the_text_size_the_page_fits_a_1366_by_768_screen(
    qtbot: QtBot, make_window: Callable[[], MainWindow], contrast: bool
) -> None:
    window = make_window()
    every_situation(window.context.store)
    window.context.set_text_scale(200)
    window.context.set_high_contrast(contrast)
    page = open_insight(qtbot, window)
    window.resize(ROOM)
    hint = window.minimumSizeHint()
    assert hint.width() <= ROOM.width() and hint.height() <= ROOM.height(), hint
    qtbot.waitUntil(lambda: window.width() <= ROOM.width())
    # Nothing of the page is cut off at the side: every filter is within the window.
    for widget in (page.clear_button, page.back_button, page.count_choice, page.date_to):
        right = widget.mapTo(window, widget.rect().topRight()).x()
        assert right <= window.width(), (widget.accessibleName(), right, window.width())


def test_the_trend_shows_its_four_columns_beside_the_chart(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    every_situation(window.context.store)
    window.resize(1280, 800)
    page = open_insight(qtbot, window)
    header = page.trend.horizontalHeader()
    assert header.length() <= page.trend.viewport().width(), (
        header.length(),
        page.trend.viewport().width(),
    )
    # The chart keeps the most room: it answers the question.
    chart_width, trend_width = page.body.sizes()
    assert chart_width > trend_width


def test_stepping_through_a_filter_counts_once_when_it_rests(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_situation(window.context.store)
    page = open_insight(qtbot, window)
    asked: list[insight_ops.InsightQuery] = []

    def counted(session: Session, query: insight_ops.InsightQuery) -> Insight:
        asked.append(query)
        return insight_ops.load_insight(session, query)

    monkeypatch.setattr(insight_page, "load_insight", counted)
    page.date_from.setFocus()
    qtbot.waitUntil(page.date_from.hasFocus)
    with qtbot.waitSignal(page.counted):
        for _ in range(5):  # from "Any date" up, a day at a time
            key(qtbot, Qt.Key.Key_Up)
    window.context.tasks.wait_for_idle()
    QApplication.processEvents()
    assert [query.wanted.told_from for query in asked] == [page.current_filter().told_from]


def test_ctrl_shift_i_in_a_story_keeps_its_words_and_opens_the_page(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    story = make_story(window.context.store, own_words="The bus.")
    window.open_story(story.id)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.story is not None)
    editor.own_words.setFocus()
    qtbot.waitUntil(editor.own_words.hasFocus)
    editor.own_words.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.own_words, " Every Tuesday.")
    open_insight(qtbot, window)
    window.context.tasks.wait_for_idle()
    with window.context.store.read() as session:
        assert get_story(session, story.id).own_words == "The bus. Every Tuesday."
    key(qtbot, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.list_page
