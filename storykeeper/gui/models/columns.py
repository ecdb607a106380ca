"""A read-only table model whose columns are an ``IntEnum`` with a ``header`` for each."""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class NamedColumn(Protocol):
    @property
    def header(self) -> str: ...


class ColumnsModel(QAbstractTableModel):
    """The column count, the headings and the flags (selectable, not editable) from ``columns``;
    subclasses give the rows and the cells."""

    columns: ClassVar[type[IntEnum]]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        horizontal = orientation is Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            column: NamedColumn = self.columns(section)  # type: ignore[assignment]
            return column.header
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
