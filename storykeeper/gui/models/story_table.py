"""The story list as a Qt table model, fetched a page at a time off the GUI thread.

Opening the list asks for one page (with the total); scrolling towards the end asks for the next.
So the window shows its first rows at once whether the store holds ten stories or 100,000.
A new search or sort starts a new "generation": pages that arrive late for an older query are
dropped instead of being mixed in.
"""

from __future__ import annotations

from enum import IntEnum
from functools import partial

import shiboken6
from PySide6.QtCore import (
    QModelIndex,
    QObject,
    Qt,
    Signal,
)

from storykeeper.core.display import neutralised
from storykeeper.core.search import SearchPage, SortBy, StoryFilter, StorySummary
from storykeeper.gui.models.columns import ColumnsModel, Index
from storykeeper.gui.ops.story_list import PageQuery, fetch_page
from storykeeper.gui.tasks import TaskRunner
from storykeeper.gui.widgets.labels import with_pseudonym

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    TITLE = 0
    STORYTELLER = 1
    TOLD = 2
    STATUS = 3
    CONSENT = 4
    UPDATED = 5
    #: Who an imported story came from ("Here" for one written on this computer). Last, so
    #: the other columns keep their numbers.
    ORIGIN = 6

    @property
    def header(self) -> str:
        return _HEADERS[self]

    @property
    def sort_by(self) -> SortBy | None:
        return _SORTS.get(self)


_HEADERS = {
    Column.TITLE: "Title",
    Column.STORYTELLER: "Storyteller",
    Column.TOLD: "Told on",
    Column.STATUS: "Status",
    Column.CONSENT: "Consent",
    Column.UPDATED: "Last changed",
    Column.ORIGIN: "Came from",
}
#: The "Came from" words for a story written on this computer.
HERE = "Here"
_SORTS = {
    Column.TITLE: SortBy.TITLE,
    Column.STORYTELLER: SortBy.STORYTELLER,
    Column.TOLD: SortBy.TOLD,
    Column.UPDATED: SortBy.UPDATED,
}


def _cell(item: StorySummary, column: Column) -> str:
    if column is Column.TITLE:
        return item.title or "(untitled)"
    if column is Column.STORYTELLER:
        return item.storyteller_name
    if column is Column.TOLD:
        return item.told_on.strftime("%d %b %Y") if item.told_on else "—"
    if column is Column.STATUS:
        return item.status.label
    if column is Column.CONSENT:
        if item.review_due_at_sender:
            return f"{item.consent_state.label} — review due at the sender’s"
        return item.consent_state.label
    if column is Column.ORIGIN:
        return item.origin or HERE
    return item.updated_at.astimezone().strftime("%d %b %Y %H:%M")


def _tip(item: StorySummary, column: Column) -> str | None:
    if column is Column.TITLE and item.snippet:
        return item.snippet
    if column is Column.STORYTELLER:
        if item.name_withheld:
            return "A pseudonym: this story’s consent does not allow the name"
        return with_pseudonym(item.storyteller_name, item.storyteller_pseudonym, " ")
    if column is Column.ORIGIN:
        if item.origin is None:
            return "Written on this computer"
        return f"Imported from a bundle sent by {item.origin}"
    return None


class StoryTableModel(ColumnsModel):
    columns = Column

    #: The first page of a query arrived: (total matching, whether any filter or text was set).
    loaded = Signal(int, bool)
    loading_changed = Signal(bool)
    #: Every matching story is loaded, as asked by load_all().
    all_loaded = Signal()

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._items: list[StorySummary] = []
        self._total = 0
        #: The words matched too many stories to put the best first: the newest come first.
        self.newest_instead_of_best = False
        self._generation = 0
        self._loading = False
        self._filter = StoryFilter()
        self._sort = SortBy.UPDATED
        self._descending = True
        # Until someone clicks a column header, a text search lists the best matches first.
        self._user_sorted = False
        # Ctrl+End asked for the last story: pages follow each other until all are in.
        self._loading_all = False

    # --- queries -------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def story_filter(self) -> StoryFilter:
        return self._filter

    def set_filter(self, story_filter: StoryFilter) -> None:
        self._filter = story_filter
        self.refresh()

    def refresh(self) -> None:
        """Ask again from the first page (after a search, a sort, or a change to the store)."""
        self._generation += 1
        self._loading_all = False
        self.beginResetModel()
        self._items = []
        self._total = 0
        self.endResetModel()
        self._request(offset=0)

    def _request(self, offset: int) -> None:
        generation = self._generation
        wanted, sort, descending = self._filter, self._sort, self._descending
        if wanted.text.strip() and sort is SortBy.UPDATED and not self._user_sorted:
            sort = SortBy.RELEVANCE
            descending = True
        query = PageQuery(wanted, sort, descending, offset, PAGE_SIZE)
        self._set_loading(True)
        self._tasks.read(
            partial(fetch_page, query=query),
            on_done=lambda page: self._arrived(generation, page),
            on_error=lambda error: self._failed(generation, error),
        )

    def _arrived(self, generation: int, page: SearchPage) -> None:
        if not shiboken6.isValid(self):
            return  # the list was closed while the page was on its way
        if generation != self._generation or page.offset != len(self._items):
            return  # an answer to an older question
        first = page.offset == 0
        self._total = page.total
        if first:
            self.newest_instead_of_best = page.newest_instead_of_best
        if page.items:
            start = len(self._items)
            self.beginInsertRows(QModelIndex(), start, start + len(page.items) - 1)
            self._items.extend(page.items)
            self.endInsertRows()
        # Only now: a view asking for more while the rows go in must not ask for this page again.
        self._set_loading(False)
        if first:
            filtered = self._filter != StoryFilter()
            self.loaded.emit(self._total, filtered)
        if self._loading_all:
            self._load_the_rest()

    def load_all(self) -> None:
        """Load every matching story, a page at a time in the background; then all_loaded."""
        self._loading_all = True
        if not self._loading:
            self._load_the_rest()

    def _load_the_rest(self) -> None:
        if len(self._items) < self._total:
            self._request(offset=len(self._items))
        else:
            self._loading_all = False
            self.all_loaded.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if shiboken6.isValid(self) and generation == self._generation:
            self._set_loading(False)
            self._tasks.unhandled_error.emit(error)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # --- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._loading and len(self._items) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._request(offset=len(self._items))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            # Titles and names are shown so that none can disguise itself (core.display).
            return neutralised(_cell(item, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = _tip(item, column)
            return None if tip is None else neutralised(tip)
        if role == ID_ROLE:
            return item.id
        return None

    def sorting_not_chosen_yet(self) -> None:
        """The view sorts as it is set up (``setSortingEnabled``, ``setSortIndicator``): that
        was nobody's choice, so a text search still lists the best matches first."""
        self._user_sorted = False

    def sort_as_searched(self) -> None:
        """Back to the list's own order: best matches first while searching, else newest."""
        self._sort = SortBy.UPDATED
        self._descending = True
        self._user_sorted = False
        self.refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sort_by = Column(column).sort_by if 0 <= column < len(Column) else None
        if sort_by is None:
            return
        self._user_sorted = True
        self._sort = sort_by
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def story_id(self, row: int) -> str | None:
        return self._items[row].id if 0 <= row < len(self._items) else None

    def summary(self, row: int) -> StorySummary | None:
        return self._items[row] if 0 <= row < len(self._items) else None
