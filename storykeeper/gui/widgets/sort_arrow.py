"""A column header's sort arrow that points the way the rows go.

Qt hands the style "sort up" for a descending column (its convention since Qt 4), and Fusion
draws that as an arrow pointing up: the story list, newest first, showed ▲ over its newest
story. People read the arrow as the direction of the order (▼: from the top down, newest
first, as in most mail programs). This style swaps the two for the one primitive that draws it,
so every column reads the same way: ▲ for A to Z and oldest first, ▼ for newest first.
"""

from __future__ import annotations

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QHeaderView,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionHeader,
    QWidget,
)

_SWAPPED = {
    QStyleOptionHeader.SortIndicator.SortUp: QStyleOptionHeader.SortIndicator.SortDown,
    QStyleOptionHeader.SortIndicator.SortDown: QStyleOptionHeader.SortIndicator.SortUp,
}


class _ArrowTheWayRowsGo(QProxyStyle):
    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(
            option, QStyleOptionHeader
        ):
            turned = QStyleOptionHeader(option)
            turned.sortIndicator = _SWAPPED.get(option.sortIndicator, option.sortIndicator)
            option = turned
        super().drawPrimitive(element, option, painter, widget)


def point_arrow_the_way_rows_go(header: QHeaderView) -> None:
    """Give ``header`` the arrow above; the style lives as long as the header does."""
    style = _ArrowTheWayRowsGo()
    style.setParent(header)  # a widget does not own the style it is given
    header.setStyle(style)
