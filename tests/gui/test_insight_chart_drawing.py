"""The enablers-and-barriers chart as drawn: pixels in a QImage, vectors and text in a PDF, an SVG.

The pixels are read back from the image, not taken from the layout, so a bar drawn on the wrong
side or at the wrong length fails here even if the layout's arithmetic agrees with itself.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication

from storykeeper.core.vocabulary import Polarity
from storykeeper.gui.charts import (
    CALM_COLOURS,
    HIGH_CONTRAST_COLOURS,
    SMALLEST_PRINT_POINTS,
    BalanceChart,
    ChartColours,
    ChartLayout,
    ThemeBalance,
    chart_png,
    chart_svg,
    fitted_font,
    lay_out,
    paint_chart,
)

TRANSPORT = ThemeBalance("Transport", enablers=12, barriers=30, mixed=4)
NOTHING_YET = ThemeBalance("Money", enablers=0, barriers=0, mixed=0)
HELD_BACK = ThemeBalance("Friends", enablers=None, barriers=None, mixed=None)
CHART = BalanceChart((TRANSPORT, NOTHING_YET, HELD_BACK))
WIDTH, HEIGHT = 1000, 400


def _font(points: float = 11.0) -> QFont:
    font = QFont(QApplication.font())
    font.setPointSizeF(points)
    return font


def _draw(
    qapp: QApplication, chart: BalanceChart = CHART, colours: ChartColours = CALM_COLOURS
) -> tuple[QImage, ChartLayout]:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    image.fill(QColor("#808080"))  # neither the ground nor any bar: what the chart leaves shows
    painter = QPainter(image)
    layout = paint_chart(painter, chart, QRectF(0, 0, WIDTH, HEIGHT), colours, _font())
    painter.end()
    return image, layout


def _colour(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name()


def _run(image: QImage, y: int, start: int, step: int, colours: set[str]) -> int:
    """How many pixels from ``start`` along row ``y`` (rightwards or leftwards) are ``colours``."""
    x, length = start, 0
    while 0 <= x < image.width() and _colour(image, x, y) in colours:
        length += 1
        x += step
    return length


def _colours_in(image: QImage, rect: QRectF) -> dict[str, int]:
    seen: dict[str, int] = {}
    for y in range(int(rect.top()) + 1, int(rect.bottom()) - 1):
        for x in range(int(rect.left()) + 1, int(rect.right()) - 1):
            name = _colour(image, x, y)
            seen[name] = seen.get(name, 0) + 1
    return seen


def test_barriers_lie_left_of_the_axis_and_enablers_right_at_lengths_in_proportion(
    qapp: QApplication,
) -> None:
    image, layout = _draw(qapp)
    row = layout.rows[0]
    middle = round(row.cells[Polarity.ENABLER].center().y())
    axis = round(layout.axis_x)
    barrier = {CALM_COLOURS.barrier.lower(), CALM_COLOURS.barrier_hatch.lower()}
    enabler = {CALM_COLOURS.enabler.lower()}
    enabler_length = _run(image, middle, axis + 2, +1, enabler) + 2
    barrier_length = _run(image, middle, axis - 2, -1, barrier) + 2
    # Nothing of the other side's colour crosses the axis.
    assert _run(image, middle, axis - 2, -1, enabler) == 0
    assert _run(image, middle, axis + 2, +1, barrier) == 0
    assert enabler_length > 50
    assert barrier_length / enabler_length == pytest.approx(30 / 12, rel=0.03)
    # The mixed bar is a thin one beneath, centred on the axis, four stories long.
    mixed = row.bars[Polarity.MIXED]
    mixed_middle = round(mixed.center().y())
    mixed_colour = {CALM_COLOURS.mixed.lower()}
    # (the axis itself is drawn over the bar's middle, three pixels either side of it)
    right = _run(image, mixed_middle, axis + 3, +1, mixed_colour) + 3
    left = _run(image, mixed_middle, axis - 3, -1, mixed_colour) + 3
    assert abs(right - left) <= 2
    assert (left + right) / enabler_length == pytest.approx(4 / 12, rel=0.1)


def test_barriers_are_hatched_not_told_apart_by_colour_alone(qapp: QApplication) -> None:
    image, layout = _draw(qapp)
    bars = layout.rows[0].bars
    barrier = _colours_in(image, bars[Polarity.BARRIER])
    fill, hatch = CALM_COLOURS.barrier.lower(), CALM_COLOURS.barrier_hatch.lower()
    total = sum(barrier.values())
    assert (barrier.get(fill, 0) + barrier.get(hatch, 0)) / total > 0.98
    assert 0.1 < barrier.get(hatch, 0) / total < 0.5  # a pattern: lines across the fill
    enabler = _colours_in(image, bars[Polarity.ENABLER])
    assert enabler == {CALM_COLOURS.enabler.lower(): sum(enabler.values())}  # solid


def test_zero_and_held_back_counts_draw_no_bar_but_still_say_so(qapp: QApplication) -> None:
    image, layout = _draw(qapp)
    bar_colours = {
        CALM_COLOURS.barrier.lower(),
        CALM_COLOURS.enabler.lower(),
        CALM_COLOURS.mixed.lower(),
    }
    for row in layout.rows[1:]:
        for polarity in Polarity:
            assert row.bars[polarity].width() == 0
            seen = _colours_in(image, row.cells[polarity])
            assert not bar_colours & set(seen), (row.theme.name, polarity)
            # Its count is written beside the axis: text pixels near the axis in the cell.
            label, _alignment = row.labels[polarity]
            assert set(_colours_in(image, label)) - {CALM_COLOURS.background.lower()}
    assert not any(r.bars[p].width() for r in layout.rows[1:] for p in Polarity)


def test_high_contrast_draws_on_black_with_its_own_colours(qapp: QApplication) -> None:
    image, layout = _draw(qapp, colours=HIGH_CONTRAST_COLOURS)
    bars = layout.rows[0].bars
    assert _colour(image, 2, HEIGHT - 2) == "#000000"
    assert HIGH_CONTRAST_COLOURS.enabler.lower() in _colours_in(image, bars[Polarity.ENABLER])
    barrier = _colours_in(image, bars[Polarity.BARRIER])
    assert HIGH_CONTRAST_COLOURS.barrier.lower() in barrier
    assert HIGH_CONTRAST_COLOURS.barrier_hatch.lower() in barrier


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    colour = QColor(hex_colour)
    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


@pytest.mark.parametrize("colours", [CALM_COLOURS, HIGH_CONTRAST_COLOURS])
def test_every_mark_stands_out_from_the_ground_by_at_least_three_to_one(
    colours: ChartColours,
) -> None:
    ground = _luminance(colours.background)
    for mark in (colours.enabler, colours.barrier, colours.mixed, colours.text, colours.focus):
        light, dark = sorted((_luminance(mark), ground), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3.0, mark


def test_long_names_are_elided_and_thirty_themes_fit_at_double_text_size(
    qapp: QApplication,
) -> None:
    long_name = "Being listened to by the professionals who come to the house every single week"
    themes = tuple(
        ThemeBalance(long_name if i == 0 else f"Theme {i}", i, 30 - i, i % 4) for i in range(30)
    )
    chart = BalanceChart(themes)
    image = QImage(1366, 100, QImage.Format.Format_RGB32)
    layout = lay_out(chart, _font(22), 1366, image)
    assert len(layout.rows) == 30
    first = layout.rows[0]
    assert first.elided_name != long_name and first.elided_name.endswith("…")
    for upper, lower in zip(layout.rows, layout.rows[1:], strict=False):
        assert upper.cells[Polarity.MIXED].bottom() < lower.cells[Polarity.BARRIER].top()
    for row in layout.rows:
        assert row.name_rect.right() < row.cells[Polarity.BARRIER].left()
        for polarity in Polarity:
            assert row.bars[polarity].left() >= 0 and row.bars[polarity].right() <= 1366
            label, _alignment = row.labels[polarity]
            assert label.right() <= 1366
    for _polarity, swatch, text, _words in layout.legend:
        assert swatch.left() >= 0 and text.right() <= 1366


def test_a_narrow_chart_wraps_its_legend_instead_of_cutting_it(qapp: QApplication) -> None:
    image = QImage(400, 100, QImage.Format.Format_RGB32)
    layout = lay_out(CHART, _font(22), 400, image)
    assert all(text.right() <= 400 for _p, _s, text, _w in layout.legend)
    assert len({round(text.top()) for _p, _s, text, _w in layout.legend}) > 1
    assert layout.heading_y > max(text.bottom() for _p, _s, text, _w in layout.legend)


def _pdf(path: Path, chart: BalanceChart) -> pypdf.PageObject:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(300)
    page = QRectF(0, 0, writer.width(), writer.height())
    painter = QPainter(writer)
    paint_chart(painter, chart, page, CALM_COLOURS, fitted_font(chart, _font(), page, writer))
    painter.end()
    return pypdf.PdfReader(path).pages[0]


def test_in_a_pdf_the_chart_is_vector_paths_and_real_text(
    qapp: QApplication, tmp_path: Path
) -> None:
    page = _pdf(tmp_path / "chart.pdf", CHART)
    text = " ".join(page.extract_text().split())
    for words in ("Transport", "Money", "Friends", "Barriers", "Enablers", "fewer than 5", "30"):
        assert words in text
    resources = page["/Resources"]
    images = [
        name
        for name, xobject in resources.get("/XObject", {}).items()
        if xobject.get_object().get("/Subtype") == "/Image"
    ]
    assert images == []
    content = page.get_contents().get_data()
    assert b" re\nf" in content  # the bars: filled rectangles
    assert b" l\nS" in content  # the hatching and the axis: stroked lines


def test_thirty_themes_fit_one_a4_page_in_print_without_tiny_text(
    qapp: QApplication, tmp_path: Path
) -> None:
    chart = BalanceChart(tuple(ThemeBalance(f"Theme {i}", i, 30 - i, i % 4) for i in range(30)))
    writer = QPdfWriter(str(tmp_path / "fit.pdf"))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(300)
    page = QRectF(0, 0, writer.width(), writer.height())
    font = fitted_font(chart, _font(11), page, writer)
    assert font.pointSizeF() >= SMALLEST_PRINT_POINTS
    assert lay_out(chart, font, page.width(), writer).height <= page.height()
    painter = QPainter(writer)  # the writer needs a page drawn before it is let go
    painter.end()


def test_the_svg_for_the_word_report_holds_text_not_a_picture(qapp: QApplication) -> None:
    svg = chart_svg(CHART, 800, _font()).decode("utf-8")
    assert "<image" not in svg
    assert "Transport" in svg and "fewer than 5" in svg
    assert "<title>Enablers and barriers by theme</title>" in svg


def test_the_png_for_the_word_report_is_drawn_at_print_resolution(qapp: QApplication) -> None:
    """Word reads SVG only beside a picture to fall back on: the same drawing, at 200 dpi."""
    image = QImage.fromData(chart_png(CHART, width_mm=160, dpi=200, font=_font()), "PNG")
    assert image.width() == round(160 / 25.4 * 200)
    assert round(image.dotsPerMeterX() * 0.0254) == 200
    colours = {
        QColor(image.pixel(x, y)).name()
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }
    assert CALM_COLOURS.barrier.lower() in colours and CALM_COLOURS.enabler.lower() in colours
    # The text is sized for paper at 200 dpi, not the screen: a line is a line of 11 points.
    expected_line = 11 / 72 * 200
    assert image.height() > expected_line * 3 * len(CHART.themes)


def test_the_longest_bar_and_its_count_fill_their_side(qapp: QApplication) -> None:
    """One scale for both sides, as long as the bars and their counts allow: a wide label on
    one side ("fewer than 5 mixed") must not shrink every bar on the other."""
    image, layout = _draw(qapp)
    row = layout.rows[0]
    side = row.cells[Polarity.BARRIER]
    words = QFontMetricsF(_font(), image).horizontalAdvance("30")
    used = row.bars[Polarity.BARRIER].width() + words + 2 * layout.unit * 0.3
    assert used >= 0.9 * side.width()
