"""Words the field test found wrong, each read where a person sees it (issue 20, section 4)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QGroupBox, QHeaderView
from pytestqt.qtbot import QtBot

from storykeeper import APP_NAME
from storykeeper.core.bundle.report import Action, StoryLine
from storykeeper.core.db import Store
from storykeeper.core.stories import PersonRef
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.keys import KeysDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.import_lines import Column as LineColumn
from storykeeper.gui.models.import_lines import ImportLinesModel
from storykeeper.gui.models.story_table import Column
from tests.factories import make_story


def test_the_enabler_and_barrier_filter_says_mixed_not_mixeds(window: MainWindow) -> None:
    combo = window.list_page.polarity_filter
    shown = [combo.itemText(i) for i in range(combo.count())]
    assert shown == ["Enablers and barriers", "Enablers", "Barriers", "Mixed"]


def test_the_keys_screen_names_the_coordinators_in_plain_words(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = KeysDialog(context)
    qtbot.addWidget(dialog)
    titles = [box.title() for box in dialog.findChildren(QGroupBox)]
    assert "Coordinators who can open your bundles" in titles
    assert not any("Coordinators bundles" in title for title in titles)


def test_the_window_title_names_the_program_once(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store)
    window.open_story(story.id)
    # The desktop adds the application's display name unless the title already ends with it.
    assert window.windowTitle() == f"Story — {APP_NAME}"
    window.show_insight()
    assert window.windowTitle() == f"What people are telling us — {APP_NAME}"
    window.show_list()
    assert window.windowTitle() == APP_NAME


def test_a_storyteller_known_only_by_a_pseudonym_is_not_named_twice(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, teller="Crisp Finch 31")
    window.open_story(story.id)
    form = window.editor.form
    qtbot.waitUntil(lambda: "Crisp Finch 31" in form.storyteller_label.text())
    # As an imported story without the name arrives: its storyteller is their pseudonym.
    alias = dataclasses.replace(
        window.editor.story,
        storyteller=PersonRef(window.editor.story.storyteller.id, "Crisp Finch 31"),
        storyteller_pseudonym="Crisp Finch 31",
    )
    form.show_storyteller(alias)
    assert form.storyteller_label.text() == "Crisp Finch 31"
    named = dataclasses.replace(alias, storyteller=PersonRef(alias.storyteller.id, "Ann Lee"))
    form.show_storyteller(named)
    assert form.storyteller_label.text() == "Ann Lee  (pseudonym: Crisp Finch 31)"


def _section_image(header: QHeaderView, column: int, order: Qt.SortOrder) -> QImage:
    header.setSortIndicator(column, order)
    section = QRect(
        header.sectionViewportPosition(column), 0, header.sectionSize(column), header.height()
    )
    return header.grab(section).toImage().convertToFormat(QImage.Format.Format_RGB32)


def _arrow_rows(header: QHeaderView, column: int, order: Qt.SortOrder) -> list[int]:
    """How wide the sort arrow is on each of its rows, top to bottom, for ``order``.

    The arrow is where the two orders' pictures differ (the title is drawn the same in both);
    on those rows and columns, the arrow is whatever is not the header's background.
    """
    shown = _section_image(header, column, order)
    other_order = (
        Qt.SortOrder.AscendingOrder
        if order == Qt.SortOrder.DescendingOrder
        else Qt.SortOrder.DescendingOrder
    )
    other = _section_image(header, column, other_order)
    header.setSortIndicator(column, order)
    differing = [
        (x, y)
        for y in range(shown.height())
        for x in range(shown.width())
        if shown.pixel(x, y) != other.pixel(x, y)
    ]
    assert differing, "no sort arrow was drawn"
    left, right = min(x for x, _ in differing), max(x for x, _ in differing)
    top, bottom = min(y for _, y in differing), max(y for _, y in differing)
    background = QColor(
        Counter(
            shown.pixel(x, y) for y in range(shown.height()) for x in range(shown.width())
        ).most_common(1)[0][0]
    ).lightness()
    # The arrow is drawn smoothed: how much ink a row holds, not how many pixels it touches.
    ink = [
        sum(abs(background - QColor(shown.pixel(x, y)).lightness()) for x in range(left, right + 1))
        for y in range(top, bottom + 1)
    ]
    return [row for row in ink if row]


def _top_half(rows: list[int]) -> int:
    assert len(rows) >= 2, "the arrow is too small to have a direction"
    return sum(rows[: len(rows) // 2])


def _bottom_half(rows: list[int]) -> int:
    return sum(rows[-(len(rows) // 2) :])


@pytest.mark.parametrize("high_contrast", [False, True])  # the style sheet draws the header
def test_newest_first_shows_an_arrow_pointing_down(
    qtbot: QtBot, store: Store, make_window: Callable[[], MainWindow], high_contrast: bool
) -> None:
    make_story(store)  # the list, not its empty state
    window = make_window()
    window.context.set_high_contrast(high_contrast)
    window.resize(1366, 768)  # wide enough for the Updated column
    header = window.list_page.table.horizontalHeader()
    qtbot.waitUntil(lambda: header.isVisible() and header.sectionSize(Column.UPDATED) > 0)
    assert header.sortIndicatorSection() == Column.UPDATED
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    newest_first = _arrow_rows(header, Column.UPDATED, Qt.SortOrder.DescendingOrder)
    assert _top_half(newest_first) > _bottom_half(newest_first)  # wide at the top: ▼
    oldest_first = _arrow_rows(header, Column.UPDATED, Qt.SortOrder.AscendingOrder)
    assert _top_half(oldest_first) < _bottom_half(oldest_first)  # ▲


def test_the_import_report_says_why_without_revision_numbers() -> None:
    model = ImportLinesModel()
    model.set_lines(
        [
            StoryLine("a" * 36, Action.NEW, "revision 11", "The bus"),
            StoryLine("b" * 36, Action.UPDATED, "revision 11 in place of revision 10", "Lido"),
            StoryLine(
                "c" * 36, Action.SKIPPED, "this computer already has the same revision (4)", "X"
            ),
            StoryLine(
                "d" * 36, Action.SKIPPED, "this computer already has a newer revision (9)", "Y"
            ),
            StoryLine("e" * 36, Action.SKIPPED, "its consent was withdrawn here", "Z"),
        ],
        dry_run=False,
    )
    why = {
        model.cell(row, LineColumn.TITLE): model.cell(row, LineColumn.DETAIL)
        for row in range(model.rowCount())
    }
    assert why == {
        "The bus": "It was not on this computer",
        "Lido": "Newer than the copy on this computer",
        "X": "This computer already has this copy",
        "Y": "This computer already has a newer copy",
        "Z": "its consent was withdrawn here",
    }
    for row in range(model.rowCount()):
        tip = model.data(model.index(row, LineColumn.DETAIL), Qt.ItemDataRole.ToolTipRole)
        assert "revision" not in str(tip)
