"""The enablers-and-barriers chart, drawn with QPainter onto any paint device.

One drawing serves the window (a widget), the printed report (a ``QPdfWriter`` page, as vector
paths and real text) and the Word report (an SVG from ``QSvgGenerator``). Qt Charts is deprecated
since Qt 6.10 and Qt Graphs' 2D charts need QML, so the chart is painted here by hand: no new
dependency, and the same code on every device.

The chart diverges from one axis: barriers to the left, enablers to the right, on one scale so
their lengths compare. A story marked *mixed* is both at once, so it belongs to neither side: it
is a thin bar of its own beneath the theme's bar, centred on the axis. Stacking it onto either
side would move where that side's bar ends and make a barrier look like an enabler.

Nothing relies on colour alone: barriers are hatched, every bar carries its count in words, and
the legend and the sides' headings name them. The colours are Okabe–Ito's, which people with
the common kinds of colour blindness tell apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPaintDevice,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtSvg import QSvgGenerator

from storykeeper.core.vocabulary import Polarity

#: Below this many stories a count that leaves the program is shown as "fewer than 5".
DEFAULT_THRESHOLD = 5
#: The chart never shrinks its text below this to fit a page: smaller is not readable on paper.
SMALLEST_PRINT_POINTS = 6.0
#: Left to right, as the chart and its table show them.
CELL_ORDER = (Polarity.BARRIER, Polarity.MIXED, Polarity.ENABLER)


@dataclass(frozen=True)
class ThemeBalance:
    """One theme's stories by polarity; ``None`` is a count held back below the threshold."""

    name: str
    enablers: int | None
    barriers: int | None
    mixed: int | None

    def count(self, polarity: Polarity) -> int | None:
        return {
            Polarity.ENABLER: self.enablers,
            Polarity.BARRIER: self.barriers,
            Polarity.MIXED: self.mixed,
        }[polarity]


@dataclass(frozen=True)
class BalanceChart:
    """The themes in the order they are drawn (the caller orders them, usually by mentions)."""

    themes: tuple[ThemeBalance, ...]
    threshold: int = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class ChartColours:
    background: str
    text: str
    enabler: str
    barrier: str
    barrier_hatch: str
    mixed: str
    focus: str


#: Okabe–Ito blue and vermillion on white; each at least 3:1 against the page (WCAG 1.4.11).
CALM_COLOURS = ChartColours(
    background="#ffffff",
    text="#1d1d1b",
    enabler="#0072B2",
    barrier="#D55E00",
    barrier_hatch="#ffffff",
    mixed="#6e6e6e",
    focus="#1f5fa8",
)
#: The program's high contrast: black ground, white text, yellow focus; Okabe–Ito's sky blue and
#: orange are the pair of its colours that stand out on black.
HIGH_CONTRAST_COLOURS = ChartColours(
    background="#000000",
    text="#ffffff",
    enabler="#56B4E9",
    barrier="#E69F00",
    barrier_hatch="#000000",
    mixed="#ffffff",
    focus="#ffd700",
)


def colours_for(palette: QPalette) -> ChartColours:
    """The chart's colours for a widget's palette: high contrast when its ground is black."""
    window = palette.color(QPalette.ColorRole.Window)
    return HIGH_CONTRAST_COLOURS if window.lightness() < 40 else CALM_COLOURS


def count_text(count: int | None, threshold: int) -> str:
    return f"fewer than {threshold}" if count is None else str(count)


def cell_text(theme: ThemeBalance, polarity: Polarity, threshold: int) -> str:
    """The words a screen reader and a tooltip give for one cell."""
    count = count_text(theme.count(polarity), threshold)
    stories = "story" if count == "1" else "stories"
    return f"{theme.name}, {polarity.label.lower()}: {count} {stories}"


@dataclass
class RowGeometry:
    theme: ThemeBalance
    elided_name: str
    name_rect: QRectF
    bars: dict[Polarity, QRectF]
    cells: dict[Polarity, QRectF]
    labels: dict[Polarity, tuple[QRectF, Qt.AlignmentFlag]]


@dataclass
class ChartLayout:
    """Where everything goes, in the device's own units, the chart's top left at (0, 0)."""

    width: float
    height: float
    unit: float
    axis_x: float
    heading_y: float
    legend: list[tuple[Polarity, QRectF, QRectF, str]] = field(default_factory=list)
    rows: list[RowGeometry] = field(default_factory=list)

    def cell_at(self, point: QPointF) -> tuple[int, Polarity] | None:
        for index, row in enumerate(self.rows):
            for polarity, rect in row.cells.items():
                if rect.contains(point):
                    return index, polarity
        return None

    def row_at(self, point: QPointF) -> int | None:
        for index, row in enumerate(self.rows):
            band = row.name_rect.united(row.cells[Polarity.MIXED])
            if point.y() >= band.top() and point.y() <= band.bottom():
                return index
        return None


# Proportions of one line of text; every length in the chart is one of these times the line, so
# the whole chart grows with the text size.
_MARGIN = 0.5
_BAR = 1.3
_LANE_GAP = 0.3
_MIXED = 0.55
_ROW_GAP = 0.8
_PAD = 0.3
_NAME_SHARE = 0.3  # the theme names take at most this share of the width; longer are elided


def _mixed_text(count: int | None, threshold: int) -> str:
    return f"{count_text(count, threshold)} mixed"


_LEGEND = (
    (Polarity.BARRIER, "Barrier (hatched)"),
    (Polarity.ENABLER, "Enabler"),
    (Polarity.MIXED, "Mixed (thin bar)"),
)


def _lay_out_legend(
    metrics: QFontMetricsF, width: float
) -> tuple[list[tuple[Polarity, QRectF, QRectF, str]], float]:
    """The legend's swatches and words, flowing onto another line where the width runs out;
    returns them and the height below them."""
    unit = metrics.height()
    margin, pad = unit * _MARGIN, unit * _PAD
    x, y = margin, margin
    entries = []
    for polarity, full_words in _LEGEND:
        room = max(unit, width - 2 * margin - unit * 1.2 - pad)
        words = metrics.elidedText(full_words, Qt.TextElideMode.ElideRight, room)
        words_width = min(metrics.horizontalAdvance(words) + 1, room)
        entry_width = unit * 1.2 + pad + words_width
        if x > margin and x + entry_width > width - margin:
            x, y = margin, y + unit * 1.2
        swatch = QRectF(x, y + unit * 0.1, unit * 1.2, unit * 0.8)
        if polarity is Polarity.MIXED:
            swatch = QRectF(x, y + unit * (0.5 - _MIXED * 0.4), unit * 1.2, unit * _MIXED * 0.8)
        text = QRectF(x + unit * 1.2 + pad, y, words_width, unit)
        entries.append((polarity, swatch, text, words))
        x += entry_width + unit
    return entries, y + unit * 1.4


def _scale(
    chart: BalanceChart, metrics: QFontMetricsF, left_room: float, right_room: float
) -> float:
    """Length per story: as long as lets every bar and the count beside it fit its side (one
    scale for both sides, so a barrier and an enabler compare by length)."""
    limits = [max(left_room, right_room)]
    for theme in chart.themes:
        mixed_half = (theme.mixed or 0) / 2  # centred on the axis: half of it on either side
        for length, words, room in (
            (theme.barriers or 0, count_text(theme.barriers, chart.threshold), left_room),
            (theme.enablers or 0, count_text(theme.enablers, chart.threshold), right_room),
            (mixed_half, _mixed_text(theme.mixed, chart.threshold), right_room),
            (mixed_half, "", left_room),
        ):
            if length:
                limits.append((room - metrics.horizontalAdvance(words)) / length)
    return max(0.0, min(limits))


def lay_out(chart: BalanceChart, font: QFont, width: float, device: QPaintDevice) -> ChartLayout:
    metrics = QFontMetricsF(font, device)
    unit = metrics.height()
    margin, pad = unit * _MARGIN, unit * _PAD
    legend, heading_y = _lay_out_legend(metrics, width)
    top = heading_y + unit * 1.4
    widest_name = max((metrics.horizontalAdvance(t.name) for t in chart.themes), default=0.0)
    name_width = min(widest_name, width * _NAME_SHARE)
    plot_left = margin + name_width + pad
    plot_right = width - margin
    axis_x = (plot_left + plot_right) / 2
    scale = _scale(chart, metrics, axis_x - plot_left - 2 * pad, plot_right - axis_x - 2 * pad)
    layout = ChartLayout(width, 0.0, unit, axis_x, heading_y, legend)
    y = top
    for theme in chart.themes:
        bar_top, bar_height = y, unit * _BAR
        mixed_top = bar_top + bar_height + unit * _LANE_GAP
        mixed_height = unit * _MIXED
        barrier_length = (theme.barriers or 0) * scale
        enabler_length = (theme.enablers or 0) * scale
        mixed_half = (theme.mixed or 0) * scale / 2
        bars = {
            Polarity.BARRIER: QRectF(axis_x - barrier_length, bar_top, barrier_length, bar_height),
            Polarity.ENABLER: QRectF(axis_x, bar_top, enabler_length, bar_height),
            Polarity.MIXED: QRectF(axis_x - mixed_half, mixed_top, 2 * mixed_half, mixed_height),
        }
        cells = {
            Polarity.BARRIER: QRectF(plot_left, bar_top, axis_x - plot_left, bar_height),
            Polarity.ENABLER: QRectF(axis_x, bar_top, plot_right - axis_x, bar_height),
            Polarity.MIXED: QRectF(plot_left, mixed_top, plot_right - plot_left, mixed_height),
        }
        barrier_end = bars[Polarity.BARRIER].left() - pad
        # +1: a rectangle exactly the text's width may drop its last letter when rounded
        enabler_words = metrics.horizontalAdvance(count_text(theme.enablers, chart.threshold)) + 1
        mixed_words = metrics.horizontalAdvance(_mixed_text(theme.mixed, chart.threshold)) + 1
        labels = {
            Polarity.BARRIER: (
                QRectF(plot_left, bar_top, barrier_end - plot_left, bar_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            ),
            Polarity.ENABLER: (
                QRectF(axis_x + enabler_length + pad, bar_top, enabler_words, bar_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            ),
            Polarity.MIXED: (
                QRectF(
                    axis_x + mixed_half + pad,
                    mixed_top - unit * 0.25,
                    mixed_words,
                    mixed_height + unit * 0.5,
                ),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            ),
        }
        elided = metrics.elidedText(theme.name, Qt.TextElideMode.ElideRight, name_width)
        name_rect = QRectF(margin, bar_top, name_width, bar_height)
        layout.rows.append(RowGeometry(theme, elided, name_rect, bars, cells, labels))
        y = mixed_top + mixed_height + unit * _ROW_GAP
    layout.height = y + margin
    return layout


def chart_font(base: QFont | None = None) -> QFont:
    """The application's font (which carries the text size setting), or ``base``."""
    return QFont(base) if base is not None else QFont(QGuiApplication.font())


def fitted_font(chart: BalanceChart, font: QFont, area: QRectF, device: QPaintDevice) -> QFont:
    """``font``, made smaller only as far as needed for the chart to fit ``area`` (a page)."""
    fitted = QFont(font)
    while (
        lay_out(chart, fitted, area.width(), device).height > area.height()
        and fitted.pointSizeF() * 0.9 >= SMALLEST_PRINT_POINTS
    ):
        fitted.setPointSizeF(fitted.pointSizeF() * 0.9)
    return fitted


def _hatch(painter: QPainter, rect: QRectF, colour: QColor, unit: float) -> None:
    """Diagonal lines across a barrier's bar: its pattern, so it differs by more than colour."""
    painter.save()
    painter.setClipRect(rect, Qt.ClipOperation.IntersectClip)
    painter.setPen(QPen(colour, max(1.0, unit * 0.12)))
    step = unit * 0.5
    x = rect.left() - rect.height()
    while x < rect.right():
        painter.drawLine(QPointF(x, rect.bottom()), QPointF(x + rect.height(), rect.top()))
        x += step
    painter.restore()


def _draw_legend(painter: QPainter, layout: ChartLayout, colours: ChartColours) -> None:
    unit = layout.unit
    text_colour = QColor(colours.text)
    for polarity, swatch, text, words in layout.legend:
        _fill_bar(painter, swatch, polarity, colours, unit)
        painter.setPen(text_colour)
        painter.drawText(text, Qt.AlignmentFlag.AlignVCenter, words)
    pad = unit * _PAD
    heading = QRectF(0, layout.heading_y, layout.axis_x - pad, unit)
    painter.drawText(
        heading, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "← Barriers"
    )
    heading = QRectF(layout.axis_x + pad, layout.heading_y, layout.width, unit)
    painter.drawText(
        heading, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "Enablers →"
    )


def _fill_bar(
    painter: QPainter, rect: QRectF, polarity: Polarity, colours: ChartColours, unit: float
) -> None:
    if rect.width() <= 0:
        return
    fill = {
        Polarity.BARRIER: colours.barrier,
        Polarity.ENABLER: colours.enabler,
        Polarity.MIXED: colours.mixed,
    }[polarity]
    painter.fillRect(rect, QColor(fill))
    if polarity is Polarity.BARRIER:
        _hatch(painter, rect, QColor(colours.barrier_hatch), unit)


def paint_chart(
    painter: QPainter,
    chart: BalanceChart,
    area: QRectF,
    colours: ChartColours = CALM_COLOURS,
    font: QFont | None = None,
    highlighted: tuple[int, Polarity] | None = None,
) -> ChartLayout:
    """Draw ``chart`` into ``area`` of the painter's device; returns where things went
    (relative to ``area``'s top left). Text is drawn as text, bars as paths: vectors in a PDF."""
    font = chart_font(font)
    device = painter.device()
    layout = lay_out(chart, font, area.width(), device)
    unit = layout.unit
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp bar edges
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.translate(area.topLeft())
    painter.setFont(font)
    painter.fillRect(
        QRectF(0, 0, area.width(), max(layout.height, area.height())), QColor(colours.background)
    )
    text_colour = QColor(colours.text)
    if not chart.themes:
        painter.setPen(text_colour)
        painter.drawText(
            QRectF(0, 0, area.width(), layout.height + unit * 2),
            Qt.AlignmentFlag.AlignCenter,
            "No stories to count.",
        )
        painter.restore()
        return layout
    _draw_legend(painter, layout, colours)
    for row in layout.rows:
        painter.setPen(text_colour)
        painter.drawText(
            row.name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            row.elided_name,
        )
        for polarity in CELL_ORDER:
            _fill_bar(painter, row.bars[polarity], polarity, colours, unit)
            count = row.theme.count(polarity)
            words = (
                _mixed_text(count, chart.threshold)
                if polarity is Polarity.MIXED
                else count_text(count, chart.threshold)
            )
            italic = QFont(font)
            italic.setItalic(count is None)  # a held-back count reads differently, not by colour
            painter.setFont(italic)
            painter.setPen(text_colour)
            rect, alignment = row.labels[polarity]
            painter.drawText(rect, alignment, words)
            painter.setFont(font)
    first, last = layout.rows[0], layout.rows[-1]
    painter.setPen(QPen(text_colour, max(1.0, unit * 0.08)))
    painter.drawLine(
        QPointF(layout.axis_x, first.cells[Polarity.ENABLER].top() - unit * 0.2),
        QPointF(layout.axis_x, last.cells[Polarity.MIXED].bottom() + unit * 0.2),
    )
    if highlighted is not None and 0 <= highlighted[0] < len(layout.rows):
        cell = layout.rows[highlighted[0]].cells[highlighted[1]]
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        painter.setPen(QPen(QColor(colours.focus), max(2.0, unit * 0.15)))
        painter.drawRect(cell.adjusted(-unit * 0.1, -unit * 0.05, unit * 0.1, unit * 0.05))
    painter.restore()
    return layout


def chart_svg(chart: BalanceChart, width: int, font: QFont | None = None, title: str = "") -> bytes:
    """The chart as SVG (for a Word report, where it needs alternative text beside it)."""
    font = chart_font(font)
    generator = QSvgGenerator()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator.setOutputDevice(buffer)
    generator.setTitle(title or "Enablers and barriers by theme")
    generator.setResolution(96)
    height = math.ceil(lay_out(chart, font, width, generator).height)
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    painter = QPainter(generator)
    paint_chart(painter, chart, QRectF(0, 0, width, height), CALM_COLOURS, font)
    painter.end()
    return bytes(QByteArray(buffer.data()).data())


def chart_png(
    chart: BalanceChart, width_mm: float, dpi: int = 200, font: QFont | None = None
) -> bytes:
    """The chart as a PNG ``width_mm`` wide on paper at ``dpi``: the Word report's picture
    where SVG cannot go (Word wants a picture beside an SVG to fall back on)."""
    font = chart_font(font)
    dots_per_metre = round(dpi / 0.0254)
    width = round(width_mm / 25.4 * dpi)
    probe = QImage(1, 1, QImage.Format.Format_RGB32)
    probe.setDotsPerMeterX(dots_per_metre)  # the text is measured at the paper's resolution
    probe.setDotsPerMeterY(dots_per_metre)
    height = math.ceil(lay_out(chart, font, width, probe).height)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(image)
    paint_chart(painter, chart, QRectF(0, 0, width, height), CALM_COLOURS, font)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(QByteArray(buffer.data()).data())
