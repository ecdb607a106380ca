"""What an import did with each story of one bundle, as a small table model with named columns.

What was withdrawn or skipped, and why, comes first (as the command line prints it), so it is
never lost below a long list of new stories.
"""

from __future__ import annotations

import re
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QObject, Qt

from storykeeper.core.bundle.report import Action, StoryLine
from storykeeper.core.display import neutralised
from storykeeper.gui.models.columns import ColumnsModel, Index

NOT_HELD = "(not held here)"

#: The action in words, for an import that was kept and for a dry run that kept nothing.
ACTION_WORDS = {
    Action.NEW: ("New here", "Would be new here"),
    Action.UPDATED: ("Updated", "Would be updated"),
    Action.SKIPPED: ("Skipped", "Would be skipped"),
    Action.WITHDRAWN: ("Withdrawn", "Would be withdrawn"),
}
_ORDER = {Action.WITHDRAWN: 0, Action.SKIPPED: 1, Action.UPDATED: 2, Action.NEW: 3}


def action_words(action: Action, dry_run: bool = False) -> str:
    return ACTION_WORDS[action][1 if dry_run else 0]


class Column(IntEnum):
    TITLE = 0
    ACTION = 1
    DETAIL = 2

    @property
    def header(self) -> str:
        return _HEADERS[self]


_HEADERS = {Column.TITLE: "Story", Column.ACTION: "What happened", Column.DETAIL: "Why"}

#: A skipped story's reason, as the importer words it for the record ("this computer already
#: has a newer revision (9)"), and as a person reads it: copies, not revision numbers.
_ALREADY_HERE = re.compile(r"this computer already has (the same|a newer) revision\b")


def why(line: StoryLine) -> str:
    """The "Why" column: in words that read true after an import and in a dry run alike.

    The report keeps the importer's reasons with their revision numbers (the command line and
    the ledger show them); "revision 11" meant nothing to a person reading the window.
    """
    if line.action is Action.NEW:
        return "It was not on this computer"
    if line.action is Action.UPDATED:
        return "Newer than the copy on this computer"
    already = _ALREADY_HERE.match(line.detail)
    if line.action is Action.SKIPPED and already:
        same = already.group(1) == "the same"
        return f"This computer already has {'this' if same else 'a newer'} copy"
    return line.detail


class ImportLinesModel(ColumnsModel):
    columns = Column

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[StoryLine] = []
        self._dry_run = False

    def set_lines(self, lines: tuple[StoryLine, ...] | list[StoryLine], dry_run: bool) -> None:
        self.beginResetModel()
        self._lines = sorted(lines, key=lambda line: _ORDER[line.action])
        self._dry_run = dry_run
        self.endResetModel()

    def line(self, row: int) -> StoryLine | None:
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def cell(self, row: int, column: Column) -> str:
        line = self._lines[row]
        if column is Column.TITLE:
            return line.title or NOT_HELD
        if column is Column.ACTION:
            return action_words(line.action, self._dry_run)
        return why(line)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return neutralised(self.cell(index.row(), column))
        if role == Qt.ItemDataRole.ToolTipRole:
            line = self._lines[index.row()]
            # The whole line, however narrow the column: the title, what happened and why.
            return neutralised(
                f"{line.title or NOT_HELD} (story {line.story_id[:8]}): "
                f"{action_words(line.action, self._dry_run)} — {why(line)}"
            )
        return None
