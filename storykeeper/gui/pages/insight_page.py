"""What people are telling us: enablers and barriers by theme, at a glance (issue 18).

A page of its own beside the story list and the editor. It says what it counts and what consent
left out, draws the chart with its table (``widgets/insight_chart.py``), shows the chosen theme
over time, and takes the story list's filters. Choosing a cell (Enter, a click) asks the window
to open the story list filtered to that theme and polarity with the same filters.

The numbers are counted on the reader pool (``ops/insight.py``), never here. The page follows
the store by itself: a change to stories, consent, people or themes counts again shortly after
(several changes of one write make one count), at once while it is on screen and otherwise when
it is next shown; an answer for an older filter never replaces a newer one. The numbers stay on
this computer, so they are exact: only what leaves the program hides small counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.insight import Insight, Period, what_it_counts, what_was_left_out
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import Polarity, StoryStatus
from storykeeper.gui.charts import BalanceChart, ThemeBalance
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.save_report import SaveReportDialog
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops.changes import Kind
from storykeeper.gui.ops.insight import (
    InsightChoices,
    InsightQuery,
    forget_snapshot,
    load_insight,
    load_insight_choices,
)
from storykeeper.gui.widgets.date_field import NO_DATE, DateField
from storykeeper.gui.widgets.insight_chart import InsightChart
from storykeeper.gui.widgets.voices import VoicesPanel
from storykeeper.gui.widgets.where_from_filters import WhereFromFilters

#: What the numbers are counted from: the stories, their consent, who told them, the themes.
COUNTED_KINDS = frozenset({Kind.STORIES, Kind.CONSENT, Kind.PEOPLE, Kind.THEMES, Kind.EXCHANGE})
#: A burst of saves (someone typing in another story) makes one count, not one per save.
REFRESH_DELAY_MS = 400
#: A filter changed: counted once it rests this long, so a box stepped through with the arrow
#: keys (auto-repeat is about 30 ms a step) counts once. Short, now that a count from the
#: snapshot takes about 150 ms at 100,000 stories (p95): the wait is part of what a person sees.
FILTER_DELAY_MS = 50
#: Within the window every count is exact (threshold 1): nothing here leaves the program.
EXACT = 1
#: The trend table's columns after the period, in the chart's order.
_TREND_COLUMNS = (Polarity.BARRIER, Polarity.MIXED, Polarity.ENABLER)
_PERIOD_NAMES = {Period.QUARTER: "By quarter", Period.MONTH: "By month"}
STORIES, PEOPLE = "stories", "people"
#: The trend beside the chart takes at most this share of the width.
TREND_SHARE_AT_MOST = 0.4


class InsightPage(QWidget):
    #: The story list, filtered to exactly the stories behind a chosen cell.
    show_stories = Signal(object)  # StoryFilter
    #: Back to the story list (Escape, or the button).
    closed = Signal()
    #: The page has taken in an answer (for tests and the screen reader's status).
    counted = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.figures: Insight | None = None
        self._generation = 0
        self._stale = True
        # The boxes' choices (who recorded, which senders) are read with the next count only
        # when they may have changed, not on every filter change: at 100,000 stories reading
        # them took as long as the count.
        self._choices_stale = True

        heading = QLabel("What people are telling us")
        heading.setAccessibleName("What people are telling us")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.back_button = QPushButton("&Back to the list")
        self.back_button.setAccessibleName("Back to the story list")
        self.back_button.setToolTip("Back to the story list (Esc)")
        self.counts_label = self._sentence("What these numbers count")
        self.left_out_label = self._sentence("Stories left out, and why")
        self.status_label = self._sentence("Counting")

        self.status_filter = self._combo(
            "Filter by status", [("Drafts and final", None)] + [(s.label, s) for s in StoryStatus]
        )
        self.supporter_filter = self._combo("Filter by who recorded it", [("Anyone", None)])
        # The story list's own boxes, so a chosen cell carries them into the list.
        self.where_from = WhereFromFilters()
        self.sender_filter, self.setting_filter, self.how_told_filter = self.where_from.combos
        self.date_from = DateField("Told on or after", "Any date")
        self.date_to = DateField("Told on or before", "Any date")
        self.period_choice = self._combo(
            "Over time, group by", [(name, period) for period, name in _PERIOD_NAMES.items()]
        )
        self.count_choice = self._combo(
            "Count stories or people",
            [("Count stories", STORIES), ("Count people (storytellers)", PEOPLE)],
        )
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setAccessibleName("Clear filters")

        self.chart = InsightChart()
        self.trend_label = self._sentence("Over time")
        self.trend = QTableWidget(0, 1 + len(_TREND_COLUMNS))
        self.trend.setAccessibleName("The chosen theme over time")
        self.trend.setHorizontalHeaderLabels(["When told", "Barriers", "Mixed", "Enablers"])
        self.trend.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.trend.setTabKeyNavigation(False)
        self.trend.verticalHeader().setVisible(False)
        self.trend.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        trend_box = QWidget()
        trend_layout = QVBoxLayout(trend_box)
        trend_layout.setContentsMargins(0, 0, 0, 0)
        trend_layout.addWidget(self.trend_label)
        trend_layout.addWidget(self.trend, 1)
        self.voices = VoicesPanel(context)
        trend_layout.addWidget(self.voices, 1)
        self.body = body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.chart)
        body.addWidget(trend_box)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)

        top = QHBoxLayout()
        top.addWidget(heading, 1)
        self.save_button = QPushButton("Save &report…")
        self.save_button.setAccessibleName("Save a report or an extract")
        self.save_button.setToolTip("Save a report or an extract of these stories (Ctrl+Shift+S)")
        top.addWidget(self.save_button)
        top.addWidget(self.back_button)
        # Below the heading the page scrolls as a whole: at 200% text the sentences and three
        # rows of filters would otherwise leave the chart room for one theme. The chart and its
        # column keep most of a screen's height, whatever the text size.
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.counts_label)
        column.addWidget(self.left_out_label)
        column.addLayout(self._filters_layout())
        column.addWidget(body, 1)
        lines = self.fontMetrics().lineSpacing()
        body.setMinimumHeight(max(20 * lines, 420))
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.status_label)

        # Each count reads every story (a second or more at 100,000): a date typed digit by
        # digit, or a box stepped through with the arrow keys, counts once, when it rests.
        self._filter_soon = QTimer(self)
        self._filter_soon.setSingleShot(True)
        self._filter_soon.setInterval(FILTER_DELAY_MS)
        self._filter_soon.timeout.connect(self.refresh)
        for combo in (self.status_filter, self.supporter_filter, *self.where_from.combos):
            combo.currentIndexChanged.connect(self._filter_soon.start)
        self.period_choice.currentIndexChanged.connect(self._filter_soon.start)
        self.count_choice.currentIndexChanged.connect(self._show_figures)
        self.date_from.dateChanged.connect(self._filter_soon.start)
        self.date_to.dateChanged.connect(self._filter_soon.start)
        self.clear_button.clicked.connect(self.clear_filters)
        self.back_button.clicked.connect(self.closed)
        self.chart.chosen.connect(self._chosen)
        self.chart.canvas.highlight_moved.connect(lambda row, _polarity: self._show_trend(row))
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.closed)
        self.chart.canvas.highlight_moved.connect(lambda _row, _polarity: self._follow_voices())
        self.save_button.clicked.connect(self.save_report)
        save = QShortcut(QKeySequence("Ctrl+Shift+S"), self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save_report)

        in_order = (self.chart.canvas, self.chart.table, self.status_filter, self.supporter_filter)
        in_order += (self.date_from, self.date_to, *self.where_from.combos)
        in_order += (self.period_choice, self.count_choice)
        in_order += (self.clear_button, self.trend, self.voices.voices, self.save_button)
        in_order += (self.back_button,)
        for before, after in itertools.pairwise(in_order):
            self.setTabOrder(before, after)

        self._refresh_soon = QTimer(self)
        self._refresh_soon.setSingleShot(True)
        self._refresh_soon.setInterval(REFRESH_DELAY_MS)
        self._refresh_soon.timeout.connect(self.refresh)
        context.tasks.changed.connect(self._store_changed)

    def _filters_layout(self) -> QGridLayout:
        """Three rows, as the story list's, so they fit beside each other at twice the text
        size."""
        told_from = QLabel("Told &from")
        told_from.setBuddy(self.date_from)
        dates = QHBoxLayout()
        dates.addWidget(told_from)
        dates.addWidget(self.date_from, 1)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to, 1)
        filters = QGridLayout()
        filters.addWidget(self.status_filter, 0, 0)
        filters.addWidget(self.supporter_filter, 0, 1)
        filters.addLayout(dates, 0, 2, 1, 2)
        for column, combo in enumerate(self.where_from.combos):
            filters.addWidget(combo, 1, column)
        filters.addWidget(self.period_choice, 2, 0)
        filters.addWidget(self.count_choice, 2, 1)
        filters.addWidget(self.clear_button, 2, 3)
        return filters

    @staticmethod
    def _sentence(name: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)  # never widens the window at large text
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    @staticmethod
    def _combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        for label, value in items:
            combo.addItem(label, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    # --- counting ----------------------------------------------------------------------------

    def current_filter(self) -> StoryFilter:
        return StoryFilter(
            status=self.status_filter.currentData(),
            supporter_id=self.supporter_filter.currentData(),
            told_from=self._date(self.date_from),
            told_to=self._date(self.date_to),
            **self.where_from.fields(),
        )

    @staticmethod
    def _date(edit: DateField) -> dt.date | None:
        value = edit.date()
        return None if value == NO_DATE else value.toPython()  # type: ignore[return-value]

    def refresh(self) -> None:
        """Count again for the filters as they are now; an older count's answer is dropped."""
        self._stale = False
        self._refresh_soon.stop()
        self._filter_soon.stop()
        self._generation += 1
        generation = self._generation
        query = InsightQuery(self.current_filter(), Period(self.period_choice.currentData()))
        self.status_label.setText("Counting…")
        if self._choices_stale:
            self._choices_stale = False
            self.context.tasks.read(
                load_insight_choices, on_done=self._set_choices, on_error=self._choices_failed
            )
        self.context.tasks.read(
            partial(load_insight, query=query),
            on_done=partial(self._answered, generation),
            on_error=partial(self._failed, generation),
        )

    def _answered(self, generation: int, figures: Insight) -> None:
        if generation != self._generation:
            return  # the filters changed since: a newer count is on its way
        self.figures = figures
        self.status_label.setText("")
        self._show_figures()
        self.counted.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.status_label.setText(
            plain_error(error, self.context.paths, "The numbers shown may be out of date.")
        )

    def _choices_failed(self, _error: BaseException) -> None:
        # Read again with the next count; the count's own answer says what went wrong.
        self._choices_stale = True

    def _set_choices(self, choices: InsightChoices) -> None:
        combo = self.supporter_filter
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for supporter_id, name in choices.supporters:
            combo.addItem(name, supporter_id)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)
        self.where_from.set_senders(choices.senders)

    def _store_changed(self, kind: str, _ids: frozenset[str]) -> None:
        if kind not in COUNTED_KINDS:
            return
        forget_snapshot()  # what it counts from changed: read again, visible or not
        self._choices_stale = True
        if self.isVisible():
            self._refresh_soon.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Another program on the same folder may have added a supporter or imported meanwhile.
        self._choices_stale = True
        if self._stale:
            self.refresh()

    def clear_filters(self) -> None:
        for combo in (self.status_filter, self.supporter_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(NO_DATE)
            edit.blockSignals(False)
        self.where_from.clear()
        self.refresh()

    # --- showing -----------------------------------------------------------------------------

    def counting_people(self) -> bool:
        return self.count_choice.currentData() == PEOPLE

    def _show_figures(self) -> None:
        figures = self.figures
        if figures is None:
            return
        self.counts_label.setText(what_it_counts(figures, EXACT) + ".")
        left_out = what_was_left_out(figures, EXACT)
        if figures.undated:
            told = "story has" if figures.undated == 1 else "stories have"
            left_out += f" {figures.undated:,} counted {told} no date told, so not over time."
        self.left_out_label.setText(left_out)
        people = self.counting_people()
        self.chart.set_chart(
            BalanceChart(
                tuple(
                    ThemeBalance(
                        theme.theme,
                        *(
                            (cell.people if people else cell.stories)
                            for cell in (theme.enabler, theme.barrier, theme.mixed)
                        ),
                    )
                    for theme in figures.themes
                ),
                threshold=EXACT,
            )
        )
        if not figures.themes:
            self.status_label.setText("There are no themes to count yet.")
        self._show_trend(0)
        self._follow_voices()

    def _show_trend(self, row: int) -> None:
        figures = self.figures
        self.trend.setRowCount(0)
        if figures is None or not figures.over_time:
            self.trend_label.setText("Over time: no theme chosen.")
            return
        trend = figures.over_time[row]
        grouped = "quarter" if figures.period is Period.QUARTER else "month"
        self.trend_label.setText(f"Over time, stories by {grouped}: {trend.theme}")
        self.trend.setAccessibleDescription(f"{trend.theme}, stories by {grouped} told")
        series = {
            Polarity.ENABLER: trend.enabler,
            Polarity.BARRIER: trend.barrier,
            Polarity.MIXED: trend.mixed,
        }
        self.trend.setRowCount(len(figures.periods))
        for number, period in enumerate(figures.periods):
            self.trend.setItem(number, 0, QTableWidgetItem(period))
            for column, polarity in enumerate(_TREND_COLUMNS, start=1):
                item = QTableWidgetItem(f"{series[polarity][number]:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.trend.setItem(number, column, item)
        self._widen_trend()

    def _widen_trend(self) -> None:
        """Wide enough for its four columns, taken from the chart (up to a share of the width);
        never narrower than the person made it."""
        header = self.trend.horizontalHeader()
        needed = header.length() + 2 * self.trend.frameWidth() + 4
        needed += self.trend.verticalScrollBar().sizeHint().width()
        chart_width, trend_width = self.body.sizes()
        total = chart_width + trend_width
        # The chart answers the question: at large text the trend scrolls sideways instead.
        needed = min(needed, round(total * TREND_SHARE_AT_MOST))
        if trend_width < needed:
            self.body.setSizes([total - needed, needed])

    def _chosen(self, theme: str, polarity: str) -> None:
        """The stories behind a cell: the same filters, with the theme and the polarity, and only
        the stories counted (the story list can show those consent left out too)."""
        self.show_stories.emit(
            dataclasses.replace(
                self.current_filter(), theme=theme, polarity=Polarity(polarity), in_reports=True
            )
        )

    def _follow_voices(self) -> None:
        """Their voices for the highlighted cell, under the filters the numbers were counted
        with."""
        canvas = self.chart.canvas
        if canvas.highlighted is None or not canvas.chart.themes:
            self.voices.follow(self.current_filter(), None, None)
            return
        row, polarity = canvas.highlighted
        self.voices.follow(self.current_filter(), canvas.chart.themes[row].name, polarity)

    def save_report(self) -> None:
        """A report or an extract of the stories these filters find (``dialogs/save_report``)."""
        dialog = SaveReportDialog(
            self.context, self.current_filter(), Period(self.period_choice.currentData()), self
        )
        dialog.open()

    def focus_chart(self) -> None:
        self.chart.canvas.setFocus()
