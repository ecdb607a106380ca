"""The chart on screen: driven by keys and clicks, read by a screen reader, fitted at 200% text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAccessible, QColor, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QMainWindow, QToolTip
from pytestqt.qtbot import QtBot

from storykeeper.core.vocabulary import Polarity
from storykeeper.gui.appearance import apply_appearance
from storykeeper.gui.charts import CALM_COLOURS, HIGH_CONTRAST_COLOURS, BalanceChart, ThemeBalance
from storykeeper.gui.widgets.insight_chart import InsightChart

LONG_NAME = "Being listened to by the professionals who come to the house every single week"
CHART = BalanceChart(
    (
        ThemeBalance("Transport", enablers=12, barriers=30, mixed=4),
        ThemeBalance(LONG_NAME, enablers=25, barriers=8, mixed=None),
        ThemeBalance("Money", enablers=0, barriers=3, mixed=0),
    )
)


@pytest.fixture
def appearance(qapp: QApplication) -> Iterator[None]:
    """Each test sets the text size and contrast it needs; the next test gets the default."""
    font, palette, sheet = qapp.font(), qapp.palette(), qapp.styleSheet()
    yield
    qapp.setFont(font)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def _shown(qtbot: QtBot, width: int = 1000, height: int = 700) -> InsightChart:
    chart = InsightChart()
    qtbot.addWidget(chart)
    chart.set_chart(CHART)
    chart.resize(width, height)
    chart.show()
    qtbot.waitExposed(chart)
    chart.activateWindow()
    qtbot.waitUntil(chart.isActiveWindow)
    return chart


def test_arrow_keys_move_the_highlight_and_enter_chooses_it(qtbot: QtBot, appearance: None) -> None:
    chart = _shown(qtbot)
    chart.canvas.setFocus()
    qtbot.waitUntil(chart.canvas.hasFocus)
    assert chart.canvas.highlighted == (0, Polarity.BARRIER)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Right):
        qtbot.keyClick(chart.canvas, key)
    assert chart.canvas.highlighted == (1, Polarity.ENABLER)  # the right edge stops it
    # The table follows, so a screen reader switching to it lands on the same cell.
    assert (chart.table.currentIndex().row(), chart.table.currentIndex().column()) == (1, 3)
    with qtbot.waitSignal(chart.chosen) as chosen:
        qtbot.keyClick(chart.canvas, Qt.Key.Key_Return)
    assert chosen.args == [LONG_NAME, "enabler"]
    qtbot.keyClick(chart.canvas, Qt.Key.Key_End)
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Left)
    with qtbot.waitSignal(chart.chosen) as chosen:
        qtbot.keyClick(chart.canvas, Qt.Key.Key_Space)
    assert chosen.args == ["Money", "mixed"]


def test_clicking_a_bar_chooses_it(qtbot: QtBot, appearance: None) -> None:
    chart = _shown(qtbot)
    bar = chart.canvas.current_layout().rows[0].bars[Polarity.BARRIER]
    with qtbot.waitSignal(chart.chosen) as chosen:
        qtbot.mouseClick(chart.canvas, Qt.MouseButton.LeftButton, pos=bar.center().toPoint())
    assert chosen.args == ["Transport", "barrier"]
    qtbot.waitUntil(chart.canvas.hasFocus)


def test_the_table_holds_the_same_numbers_in_the_same_order_and_chooses_too(
    qtbot: QtBot, appearance: None
) -> None:
    chart = _shown(qtbot)
    model = chart.model
    headings = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headings == ["Theme", "Barriers", "Mixed", "Enablers"]
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    assert rows == [
        ["Transport", "30", "4", "12"],
        [LONG_NAME, "8", "fewer than 5", "25"],
        ["Money", "3", "0", "0"],
    ]
    spoken = model.index(1, 2).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == f"{LONG_NAME}, mixed: fewer than 5 stories"
    chart.table.setFocus()
    qtbot.waitUntil(chart.table.hasFocus)
    chart.table.setCurrentIndex(model.index(2, 1))
    assert chart.canvas.highlighted == (2, Polarity.BARRIER)  # the chart follows the table
    with qtbot.waitSignal(chart.chosen) as chosen:
        qtbot.keyClick(chart.table, Qt.Key.Key_Return)
    assert chosen.args == ["Money", "barrier"]


def test_a_screen_reader_hears_what_each_part_is_and_the_cell_in_hand(
    qtbot: QtBot, appearance: None
) -> None:
    chart = _shown(qtbot)
    canvas = QAccessible.queryAccessibleInterface(chart.canvas)
    table = QAccessible.queryAccessibleInterface(chart.table)
    assert canvas.text(QAccessible.Text.Name) == "Enablers and barriers by theme, as a chart"
    assert table.text(QAccessible.Text.Name) == "Enablers and barriers by theme, as a table"
    chart.canvas.setFocus()
    qtbot.keyClick(chart.canvas, Qt.Key.Key_Down)
    assert canvas.text(QAccessible.Text.Description) == f"{LONG_NAME}, barrier: 8 stories"


def test_a_long_name_is_shortened_on_the_chart_but_whole_in_its_tooltip(
    qtbot: QtBot, appearance: None
) -> None:
    chart = _shown(qtbot, width=700)
    row = chart.canvas.current_layout().rows[1]
    assert row.elided_name != LONG_NAME
    assert chart.model.index(1, 0).data() == LONG_NAME
    point = row.name_rect.center().toPoint()
    QApplication.sendEvent(
        chart.canvas, QHelpEvent(QEvent.Type.ToolTip, point, chart.canvas.mapToGlobal(point))
    )
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text().startswith(f"{LONG_NAME}: barriers 8")


def test_at_double_text_size_it_fits_a_1366_by_768_window(
    qtbot: QtBot, qapp: QApplication, appearance: None
) -> None:
    apply_appearance(qapp, 200, False)
    window = QMainWindow()
    qtbot.addWidget(window)
    chart = InsightChart()
    chart.set_chart(
        BalanceChart(tuple(ThemeBalance(f"Theme {i}", i, 30 - i, 2) for i in range(30)))
    )
    window.setCentralWidget(chart)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert chart.scroll.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    layout = chart.canvas.current_layout()
    assert all(text.right() <= chart.canvas.width() for _p, _s, text, _w in layout.legend)
    assert (
        chart.table.isVisible() and chart.table.height() >= chart.table.fontMetrics().height() * 3
    )
    # The last theme is reached by keyboard: the chart scrolls to the highlighted cell.
    chart.canvas.setFocus()
    qtbot.keyClick(chart.canvas, Qt.Key.Key_End)
    cell = layout.rows[-1].cells[Polarity.BARRIER]
    top_left = chart.canvas.mapTo(chart.scroll.viewport(), cell.topLeft().toPoint())
    assert chart.scroll.viewport().rect().contains(top_left)
    assert chart.scroll.viewport().rect().contains(top_left + QPoint(0, round(cell.height()) - 1))


def test_the_chart_gets_more_of_the_height_than_its_table(qtbot: QtBot, appearance: None) -> None:
    """The table would take every row's height if let; the chart is what the page is for."""
    chart = InsightChart()
    qtbot.addWidget(chart)
    chart.set_chart(BalanceChart(tuple(ThemeBalance(f"Theme {i}", i, i, i) for i in range(15))))
    chart.resize(1366, 768)
    chart.show()
    qtbot.waitExposed(chart)
    assert chart.scroll.height() > chart.table.height() >= chart.table.fontMetrics().height() * 3


def test_high_contrast_is_followed_when_it_is_switched_on(
    qtbot: QtBot, qapp: QApplication, appearance: None
) -> None:
    chart = _shown(qtbot)
    apply_appearance(qapp, 100, True)
    qtbot.waitUntil(lambda: _pixel(chart, 2, chart.canvas.height() - 2) == "#000000")
    bar = chart.canvas.current_layout().rows[0].bars[Polarity.ENABLER]
    assert _pixel(chart, round(bar.center().x()), round(bar.center().y())) == (
        HIGH_CONTRAST_COLOURS.enabler.lower()
    )


def _pixel(chart: InsightChart, x: int, y: int) -> str:
    image: QImage = chart.canvas.grab().toImage()
    return QColor(image.pixel(x, y)).name()


def test_with_nothing_to_count_it_says_so_and_the_keys_choose_nothing(
    qtbot: QtBot, appearance: None
) -> None:
    chart = _shown(qtbot)
    chart.set_chart(BalanceChart(()))
    assert chart.model.rowCount() == 0
    assert chart.canvas.highlighted is None
    chart.canvas.setFocus()
    qtbot.waitUntil(chart.canvas.hasFocus)
    with qtbot.assertNotEmitted(chart.chosen):
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Return):
            qtbot.keyClick(chart.canvas, key)
    image = chart.canvas.grab().toImage()
    drawn = {
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(image.height())
    }
    assert CALM_COLOURS.text.lower() in drawn  # the words "No stories to count."
