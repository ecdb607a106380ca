"""The enablers-and-barriers chart on screen, with the same numbers as a table beside it.

The chart is painted by ``gui/charts.py`` (the same drawing the report prints). It takes the
keyboard: the arrow keys move a highlighted cell (a theme and a polarity), Enter or a click
chooses it, and ``chosen(theme, polarity)`` lets the view open the story list filtered to those
stories. A screen reader reads the table, which follows the chart's highlight and chooses the
same way, in the same order, left to right as the chart: barriers, mixed, enablers.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.vocabulary import Polarity
from storykeeper.gui.charts import (
    CELL_ORDER,
    BalanceChart,
    ChartLayout,
    cell_text,
    colours_for,
    count_text,
    lay_out,
    paint_chart,
)

#: The table's columns after the theme's name, in the chart's left-to-right order.
_HEADINGS = {Polarity.BARRIER: "Barriers", Polarity.MIXED: "Mixed", Polarity.ENABLER: "Enablers"}
#: The chart is not squeezed narrower than this many lines of text: it scrolls sideways instead.
_NARROWEST_IN_LINES = 18


class BalanceCanvas(QWidget):
    """The painted chart: focusable, a highlighted cell moved by the arrow keys."""

    chosen = Signal(str, str)
    highlight_moved = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = BalanceChart(())
        self.highlighted: tuple[int, Polarity] | None = None
        self._layout: ChartLayout | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Enablers and barriers by theme, as a chart")
        self.setAccessibleDescription(
            "Barriers left of the line, enablers right, mixed beneath. Arrow keys move, Enter "
            "opens those stories. The table holds the same numbers."
        )

    def set_chart(self, chart: BalanceChart) -> None:
        self.chart = chart
        self.highlighted = (0, Polarity.BARRIER) if chart.themes else None
        self._relayout()
        self.update()

    def current_layout(self) -> ChartLayout:
        if self._layout is None or self._layout.width != self.width():
            self._layout = lay_out(self.chart, self.font(), self.width(), self)
        return self._layout

    def _relayout(self) -> None:
        self._layout = None
        self.setMinimumHeight(round(self.current_layout().height))

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        width = max(self.width(), line * 36)
        return QSize(width, round(lay_out(self.chart, self.font(), width, self).height))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().height() * _NARROWEST_IN_LINES, self.minimumHeight())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._relayout()  # the text size or the contrast setting changed
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        layout = paint_chart(
            painter,
            self.chart,
            QRectF(0, 0, self.width(), self.height()),
            colours_for(self.palette()),
            self.font(),
            self.highlighted,
        )
        if self.hasFocus():  # the whole chart framed too, so focus shows even with no cell
            colours = colours_for(self.palette())
            painter.setPen(colours.focus)
            painter.drawRect(QRectF(0.5, 0.5, self.width() - 1, layout.height - 1))
        painter.end()

    def move_to(self, row: int, polarity: Polarity) -> None:
        if not self.chart.themes:
            return
        row = max(0, min(row, len(self.chart.themes) - 1))
        if self.highlighted == (row, polarity):
            return
        self.highlighted = (row, polarity)
        theme = self.chart.themes[row]
        self.setAccessibleDescription(cell_text(theme, polarity, self.chart.threshold))
        QAccessible.updateAccessibility(
            QAccessibleEvent(self, QAccessible.Event.DescriptionChanged)
        )
        self.update()
        self.highlight_moved.emit(row, polarity.value)

    def choose(self) -> None:
        if self.highlighted is not None:
            row, polarity = self.highlighted
            self.chosen.emit(self.chart.themes[row].name, polarity.value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.highlighted is None:
            super().keyPressEvent(event)
            return
        row, polarity = self.highlighted
        column = CELL_ORDER.index(polarity)
        moves = {
            Qt.Key.Key_Up: (row - 1, column),
            Qt.Key.Key_Down: (row + 1, column),
            Qt.Key.Key_Left: (row, max(0, column - 1)),
            Qt.Key.Key_Right: (row, min(len(CELL_ORDER) - 1, column + 1)),
            Qt.Key.Key_Home: (0, column),
            Qt.Key.Key_End: (len(self.chart.themes) - 1, column),
        }
        key = Qt.Key(event.key())
        if key in moves:
            new_row, new_column = moves[key]
            self.move_to(new_row, CELL_ORDER[new_column])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.choose()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self.current_layout().cell_at(event.position())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.move_to(*hit)
        self.choose()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            self._show_tooltip(event)
            return True
        return super().event(event)

    def _show_tooltip(self, event: QHelpEvent) -> None:
        """The theme's full name (elided in the chart when long) and all of its counts."""
        layout = self.current_layout()
        row = layout.row_at(QPointF(event.pos()))
        if row is None:
            QToolTip.hideText()
            return
        theme = self.chart.themes[row]
        counts = ", ".join(
            f"{_HEADINGS[p].lower()} {count_text(theme.count(p), self.chart.threshold)}"
            for p in CELL_ORDER
        )
        QToolTip.showText(event.globalPos(), f"{theme.name}: {counts}", self)


class InsightChart(QWidget):
    """The chart (scrolling when the themes outgrow it) above the table of the same numbers."""

    chosen = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = BalanceCanvas()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the canvas takes the keys
        self.model = QStandardItemModel(0, 1 + len(CELL_ORDER), self)
        self.model.setHorizontalHeaderLabels(["Theme"] + [_HEADINGS[p] for p in CELL_ORDER])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Enablers and barriers by theme, as a table")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 1 + len(CELL_ORDER)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.scroll)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])  # the chart first: the table's own wish is every row
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.setTabOrder(self.canvas, self.table)
        self.canvas.chosen.connect(self.chosen)
        self.canvas.highlight_moved.connect(self._follow_canvas)
        self.table.selectionModel().currentChanged.connect(self._follow_table)
        self.table.activated.connect(self._choose_from_table)

    def set_chart(self, chart: BalanceChart) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for theme in chart.themes:
            name = QStandardItem(theme.name)
            name.setToolTip(theme.name)
            cells = []
            for polarity in CELL_ORDER:
                item = QStandardItem(count_text(theme.count(polarity), chart.threshold))
                item.setData(
                    cell_text(theme, polarity, chart.threshold), Qt.ItemDataRole.AccessibleTextRole
                )
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cells.append(item)
            for item in [name, *cells]:
                item.setEditable(False)
            self.model.appendRow([name, *cells])
        self.canvas.set_chart(chart)
        if chart.themes:
            self._follow_canvas(0, Polarity.BARRIER.value)

    def _follow_canvas(self, row: int, polarity: str) -> None:
        column = 1 + CELL_ORDER.index(Polarity(polarity))
        index = self.model.index(row, column)
        if self.table.currentIndex() != index:
            self.table.setCurrentIndex(index)
        cell = self.canvas.current_layout().rows[row].cells[Polarity(polarity)]
        self.scroll.ensureVisible(
            round(cell.center().x()), round(cell.center().y()), 0, round(cell.height())
        )

    def _follow_table(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.column() >= 1:
            self.canvas.move_to(current.row(), CELL_ORDER[current.column() - 1])

    def _choose_from_table(self, index: QModelIndex) -> None:
        if index.isValid() and index.column() >= 1:
            theme = self.canvas.chart.themes[index.row()]
            self.chosen.emit(theme.name, CELL_ORDER[index.column() - 1].value)
