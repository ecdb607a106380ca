"""The list of stories: search, filters, sorting, and a clear first step for a new user.

The list refreshes itself when the task runner says that something it shows has changed: at once
while it is on screen, and otherwise once, when it is next shown (a story being typed saves every
few seconds, and the hidden list need not follow each save).
"""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import ConsentState, Polarity, StoryStatus
from storykeeper.gui.context import AppContext
from storykeeper.gui.models.story_table import ID_ROLE, Column, StoryTableModel
from storykeeper.gui.ops.changes import Kind
from storykeeper.gui.ops.story_list import FilterChoices, load_filter_choices
from storykeeper.gui.widgets.date_field import NO_DATE, DateField
from storykeeper.gui.widgets.empty_list import EmptyList
from storykeeper.gui.widgets.sort_arrow import point_arrow_the_way_rows_go
from storykeeper.gui.widgets.story_selection import StorySelection
from storykeeper.gui.widgets.story_table_view import StoryTableView
from storykeeper.gui.widgets.where_from_filters import WhereFromFilters, filter_combo

SEARCH_DELAY_MS = 250
REVIEW_DUE = "review_due"
#: The stories the insight page counts (the consent allows use in reports): where its numbers
#: open the list.
IN_REPORTS = "in_reports"
#: What the list shows: its rows (words, storyteller, consent, where they came from), its
#: filters (themes, supporters) and its reminders.
#: The enabler-and-barrier filter's choices, as a person reads them in a list of stories.
_FILTER_WORDS = {
    Polarity.ENABLER: "Enablers",
    Polarity.BARRIER: "Barriers",
    Polarity.MIXED: "Mixed",  # not "Mixeds"
}
SHOWN_KINDS = frozenset({Kind.STORIES, Kind.CONSENT, Kind.PEOPLE, Kind.THEMES, Kind.EXCHANGE})


class StoryListPage(QWidget):
    open_story = Signal(str)
    new_story = Signal()
    delete_story = Signal(str, str)  # id, title

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = StoryTableModel(context.tasks, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the title, the words, the notes or the storyteller")
        self.search.setAccessibleName("Search stories")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("&New story")
        self.new_button.setAccessibleName("New story")
        self.new_button.setToolTip("Record a new story (Ctrl+N)")

        filters = self._build_filters()

        self.table = StoryTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Stories")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several at once, to export or delete together (widgets/story_selection.py).
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(Column.UPDATED, Qt.SortOrder.DescendingOrder)
        self.model.sorting_not_chosen_yet()
        point_arrow_the_way_rows_go(self.table.horizontalHeader())  # ▼ for newest first
        self.table.horizontalHeader().setSectionResizeMode(
            Column.TITLE, QHeaderView.ResizeMode.Stretch
        )
        self.table.horizontalHeader().setMinimumSectionSize(60)
        context.appearance_changed.connect(self._size_columns)
        self._size_columns()
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.activated.connect(self._activated)

        self.reminders = self._build_reminders()
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of stories")
        # What to do next when there are no stories, for what the person does here.
        self.empty = EmptyList(context.settings)
        self.empty_label = self.empty.label
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)

        top = QHBoxLayout()
        search_label = QLabel("Sea&rch:")
        search_label.setBuddy(self.search)
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.reminders)
        layout.addLayout(filters)
        layout.addWidget(self.body, 1)
        # The count, and with several stories chosen, how many and what to do with them.
        self.selection = StorySelection(context, self.table, self.model, self.count_label)
        layout.addWidget(self.selection)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        for combo in self._filter_combos:
            combo.currentIndexChanged.connect(self.apply_filters)
        self.date_from.dateChanged.connect(self.apply_filters)
        self.date_to.dateChanged.connect(self.apply_filters)
        self.clear_button.clicked.connect(self.clear_filters)
        self.new_button.clicked.connect(self.new_story)
        self.review_button.clicked.connect(lambda: self._show_consent(REVIEW_DUE))
        self.no_consent_button.clicked.connect(lambda: self._show_consent(ConsentState.NONE))
        self.empty.new_story.connect(self.new_story)
        self.model.loaded.connect(self._loaded)
        self.model.loading_changed.connect(self._loading)

        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._delete_current)

        # As they are laid out: left to right, row by row.
        in_order = (self.search, self.new_button, *self._filter_combos[:5])
        in_order += (self.date_from, self.date_to, *self._filter_combos[5:])
        in_order += (self.clear_button, self.table)
        for before, after in itertools.pairwise(in_order):
            self.setTabOrder(before, after)

        # Several changes from one write (a story and its consent) make one reload.
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(0)
        self._reload_soon.timeout.connect(self.reload)
        self._stale = False
        context.tasks.changed.connect(self._store_changed)

    def _build_filters(self) -> QGridLayout:
        self.theme_filter = filter_combo("Filter by theme", [("Any theme", None)])
        self.polarity_filter = filter_combo(
            "Filter by enabler or barrier",
            [("Enablers and barriers", None)] + [(_FILTER_WORDS[p], p) for p in Polarity],
        )
        self.consent_filter = filter_combo(
            "Filter by consent",
            [("Any consent", None)]
            + [(s.label, s) for s in ConsentState]
            + [("Consent review due", REVIEW_DUE), ("Counted in reports", IN_REPORTS)],
        )
        self.status_filter = filter_combo(
            "Filter by status", [("Drafts and final", None)] + [(s.label, s) for s in StoryStatus]
        )
        self.supporter_filter = filter_combo("Filter by who recorded it", [("Anyone", None)])
        self.where_from = WhereFromFilters()
        self.sender_filter, self.setting_filter, self.how_told_filter = self.where_from.combos
        self._filter_combos = (
            self.theme_filter,
            self.polarity_filter,
            self.consent_filter,
            self.status_filter,
            self.supporter_filter,
            self.sender_filter,
            self.setting_filter,
            self.how_told_filter,
        )
        self.date_from = DateField("Told on or after", "Any date")
        self.date_to = DateField("Told on or before", "Any date")
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setAccessibleName("Clear filters")
        # Three rows of four, so the filters still fit beside each other at twice the text size.
        filters = QGridLayout()
        for column, widget in enumerate(
            (self.theme_filter, self.polarity_filter, self.consent_filter, self.status_filter)
        ):
            filters.addWidget(widget, 0, column)
        dates = QHBoxLayout()
        told_from = QLabel("Told &from")
        told_from.setBuddy(self.date_from)
        dates.addWidget(told_from)
        dates.addWidget(self.date_from, 1)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to, 1)
        filters.addWidget(self.supporter_filter, 1, 0)
        filters.addLayout(dates, 1, 1, 1, 2)
        filters.addWidget(self.sender_filter, 1, 3)
        filters.addWidget(self.setting_filter, 2, 0)
        filters.addWidget(self.how_told_filter, 2, 1)
        filters.addWidget(self.clear_button, 2, 3)
        return filters

    def _build_reminders(self) -> QWidget:
        """Reminders, in words and with a button each: never colour alone."""
        self.review_label = QLabel()
        self.review_button = QPushButton("Show &them")
        self.review_button.setAccessibleName("Show stories whose consent review is due")
        self.no_consent_label = QLabel()
        self.no_consent_button = QPushButton("Sho&w them")
        self.no_consent_button.setAccessibleName("Show stories with no consent yet")
        for label in (self.review_label, self.no_consent_label):
            label.setWordWrap(True)  # so the reminders never widen the window at large text
        reminders = QWidget()
        row = QHBoxLayout(reminders)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.review_label)
        row.addWidget(self.review_button)
        row.addSpacing(24)
        row.addWidget(self.no_consent_label)
        row.addWidget(self.no_consent_button)
        row.addStretch()
        return reminders

    def _size_columns(self) -> None:
        """Wide enough for typical values at the current text size (the title takes the rest)."""
        metrics = self.table.fontMetrics()
        samples = {
            Column.STORYTELLER: "Margaret Evans",
            Column.TOLD: "30 Sep 2026",
            Column.STATUS: "Draft",
            Column.CONSENT: "No consent yet",
            Column.UPDATED: "30 Sep 2026 23:59",
            Column.ORIGIN: "Priya Shah (advocate)",
        }
        header = self.table.horizontalHeader()
        widths = {
            column: max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(column.header))
            + 2 * metrics.averageCharWidth()
            + 12
            for column, sample in samples.items()
        }
        # With large text the title keeps room to be read: the least needed columns step aside
        # (last changed first, then the date told, then where it came from) rather than every
        # column becoming "…".
        title_room = 26 * metrics.averageCharWidth()
        # The page's width, not the table's: in a resize the table has not been resized yet.
        available = self.width() - 4 * metrics.averageCharWidth()
        hidden: set[Column] = set()
        for column in (Column.UPDATED, Column.TOLD, Column.ORIGIN):
            shown = sum(w for c, w in widths.items() if c not in hidden)
            if shown + title_room > available:
                hidden.add(column)
        for column, width in widths.items():
            header.setSectionHidden(column, column in hidden)
            header.resizeSection(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._size_columns()

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the filter choices and the stories again."""
        self._stale = False
        self._reload_soon.stop()
        self.context.tasks.read(load_filter_choices, on_done=self._set_choices)
        self.model.refresh()

    def _store_changed(self, kind: str, _ids: frozenset[str]) -> None:
        if kind not in SHOWN_KINDS:
            return
        if self.isVisible():
            self._reload_soon.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _set_choices(self, choices: FilterChoices) -> None:
        self._remind(
            self.review_label,
            self.review_button,
            choices.review_due,
            "{n} {stories} need{s} the person’s consent reviewed.",
        )
        self._remind(
            self.no_consent_label,
            self.no_consent_button,
            choices.no_consent,
            "{n} {stories} ha{ve} no consent yet.",
        )
        self.reminders.setVisible(bool(choices.review_due or choices.no_consent))
        self._refill(self.theme_filter, [(name, name) for name in choices.themes])
        self._refill(self.supporter_filter, [(name, sid) for sid, name in choices.supporters])
        self.where_from.set_senders(choices.senders)

    @staticmethod
    def _remind(label: QLabel, button: QPushButton, count: int, text: str) -> None:
        one = count == 1
        label.setText(
            text.format(
                n=f"{count:,}",
                stories="story" if one else "stories",
                s="s" if one else "",
                ve="s" if one else "ve",
            )
        )
        label.setVisible(bool(count))
        button.setVisible(bool(count))

    def _show_consent(self, value: object) -> None:
        self.consent_filter.setCurrentIndex(max(0, self.consent_filter.findData(value)))
        self.table.setFocus()

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for label, value in items:
            combo.addItem(label, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def current_filter(self) -> StoryFilter:
        consent = self.consent_filter.currentData()
        return StoryFilter(
            text=self.search.text(),
            theme=self.theme_filter.currentData(),
            polarity=self.polarity_filter.currentData(),
            # Qt hands enum item data back as plain strings: make them enums again.
            consent_states=(
                frozenset({ConsentState(consent)})
                if consent is not None and consent not in (REVIEW_DUE, IN_REPORTS)
                else frozenset()
            ),
            review_due=consent == REVIEW_DUE,
            in_reports=consent == IN_REPORTS,
            status=self.status_filter.currentData(),
            supporter_id=self.supporter_filter.currentData(),
            told_from=self._date(self.date_from),
            told_to=self._date(self.date_to),
            **self.where_from.fields(),
        )

    @staticmethod
    def _date(edit: QDateEdit) -> dt.date | None:
        value = edit.date()
        return None if value == NO_DATE else value.toPython()  # type: ignore[return-value]

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.current_filter())

    def _search_now(self) -> None:
        self.apply_filters()
        if self.model.rowCount():
            self.table.setFocus()

    def clear_filters(self) -> None:
        for combo in self._filter_combos:
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(NO_DATE)
            edit.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()

    def show_filtered(self, wanted: StoryFilter) -> None:
        """Set the filters to ``wanted`` (from the insight page's chosen cell) and show those
        stories: its theme, polarity, status, who recorded it, where from, setting, how told,
        dates, and whether only the stories counted in reports; no words."""
        self.clear_filters()
        chosen = (
            (self.theme_filter, wanted.theme),
            (self.polarity_filter, wanted.polarity),
            (self.status_filter, wanted.status),
            (self.supporter_filter, wanted.supporter_id),
            (self.consent_filter, IN_REPORTS if wanted.in_reports else None),
        )
        self.where_from.choose(wanted)
        for combo, value in chosen:
            if value is None:
                continue
            if combo.findData(value) < 0:  # the choices may not have come back yet
                combo.addItem(str(value), value)
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        for edit, day in ((self.date_from, wanted.told_from), (self.date_to, wanted.told_to)):
            edit.blockSignals(True)
            edit.setDate(day or NO_DATE)
            edit.blockSignals(False)
        self.apply_filters()

    def _loading(self, loading: bool) -> None:
        if loading and not self.model.rowCount():
            self.count_label.setText("Looking…")

    def _loaded(self, total: int, filtered: bool) -> None:
        if total:
            self.body.setCurrentIndex(0)
            counted = f"{total:,} {'story' if total == 1 else 'stories'}"
            if self.model.newest_instead_of_best:
                # So many match that "best first" would say little (core.search.RANK_AT_MOST).
                counted += ", newest first: type more to see the best matches first"
            self.count_label.setText(counted)
            return
        self.body.setCurrentIndex(1)
        self.count_label.setText("No stories")
        self.empty.show_empty(filtered)

    # --- actions ---------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        story_id = self.model.data(index, ID_ROLE)
        if isinstance(story_id, str):
            self.open_story.emit(story_id)

    def current_story(self) -> tuple[str, str] | None:
        index = self.table.currentIndex()
        summary = self.model.summary(index.row()) if index.isValid() else None
        return (summary.id, summary.title) if summary else None

    def _delete_current(self) -> None:
        if self.selection.several():
            self.selection.delete()  # asks once for them all
            return
        current = self.current_story()
        if current:
            self.delete_story.emit(*current)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
