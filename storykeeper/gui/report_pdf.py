"""The printable report as an A4 PDF (``QPdfWriter``), from ``core.report_content``.

Text is real text (laid out by ``QTextDocument`` for the page itself) and the chart is drawn by
``charts.paint_chart`` straight onto the page, so it stays vectors and words a reader can
search and copy, sharp at any zoom. The pages are laid out by hand rather than with
``QTextDocument.print_`` so that the chart can sit on a page of its own between the text, and
every page after the cover carries "Page N of M".

The whole PDF is made in memory (a report is the same few hundred kilobytes whatever the number
of stories) and then written through ``report_content.atomic_target``: Python sees a full disk
or a missing folder as it writes, which ``QPdfWriter`` writing a file itself would hide.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from storykeeper import APP_NAME
from storykeeper.core import report_content as words
from storykeeper.core.report_content import ReportContent, ReportWriteError, printable
from storykeeper.core.report_docx import CHART_HEIGHT_MM, CHART_WIDTH_MM, ChartPictures
from storykeeper.gui.charts import (
    SMALLEST_PRINT_POINTS,
    BalanceChart,
    ThemeBalance,
    chart_png,
    chart_svg,
    fitted_font,
    lay_out,
    paint_chart,
)

PICTURE_DPI = 200  # the Word report's chart picture: sharp on paper
RESOLUTION = 300  # dots per inch of the page's coordinates; text and paths stay vectors
MARGIN_MM = 20.0
BODY_POINTS = 11.0
CHART_POINTS = 10.0
TITLE_POINTS = 28.0
HEADING_POINTS = 16.0


@dataclass(frozen=True)
class _Page:
    """One page of the body: where the paint rect's text area is, in the device's pixels."""

    width: float
    height: float  # the text area, above the page number's line
    footer: QRectF


def balance_chart(content: ReportContent) -> BalanceChart:
    """The report's themes as the chart draws them (the same order, the same held-back counts)."""
    return BalanceChart(
        tuple(ThemeBalance(t.name, t.enablers, t.barriers, t.mixed) for t in content.themes),
        content.threshold,
    )


def chart_pictures(content: ReportContent) -> ChartPictures:
    """The chart as the Word report takes it: a PNG at print resolution and the SVG, their
    text made smaller only as far as needed for the chart to fit its page."""
    chart = balance_chart(content)
    probe = QImage(1, 1, QImage.Format.Format_RGB32)
    dots_per_metre = round(PICTURE_DPI / 0.0254)
    probe.setDotsPerMeterX(dots_per_metre)  # measured as chart_png measures: on paper
    probe.setDotsPerMeterY(dots_per_metre)
    area = QRectF(0, 0, CHART_WIDTH_MM / 25.4 * PICTURE_DPI, CHART_HEIGHT_MM / 25.4 * PICTURE_DPI)
    font = _body_font()
    font.setPointSizeF(CHART_POINTS)
    font = _fitting_font(chart, font, area, probe) or fitted_font(chart, font, area, probe)
    return ChartPictures(
        png=chart_png(chart, CHART_WIDTH_MM, PICTURE_DPI, font),
        svg=chart_svg(chart, round(CHART_WIDTH_MM / 25.4 * 96), font, words.CHART_HEADING),
    )


def write_report_pdf(content: ReportContent, target: Path) -> None:
    """Write ``content`` as an A4 PDF at ``target``, replacing it only once whole.

    Raises ``ReportWriteError`` (or ``DiskFullError``) with one sentence a person can act on.
    """
    pdf = render_report_pdf(content)
    with words.atomic_target(target) as handle:
        handle.write(pdf)


def render_report_pdf(content: ReportContent) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter
    )
    writer.setResolution(RESOLUTION)
    writer.setTitle(printable(content.cover.title))
    writer.setCreator(APP_NAME)
    painter = QPainter()
    if not painter.begin(writer):
        raise ReportWriteError("Could not make the PDF report: the printing system refused.")
    try:
        _paint_report(painter, writer, content)
    finally:
        painter.end()
    del writer  # finishes the PDF in the buffer
    return bytes(QByteArray(buffer.data()).data())


def _paint_report(painter: QPainter, writer: QPdfWriter, content: ReportContent) -> None:
    line = _points_to_px(BODY_POINTS) * 1.6
    page = _Page(
        width=float(writer.width()),
        height=writer.height() - line * 2,
        footer=QRectF(0, writer.height() - line, writer.width(), line),
    )
    about = _text_document(writer, _about_html(content), page)
    rest = _text_document(writer, _rest_html(content), page)
    chart = balance_chart(content)
    chart_area = QRectF(0, _points_to_px(HEADING_POINTS) * 2.5, page.width, 0)
    chart_area.setHeight(page.height - chart_area.top())
    chart_pages = _chart_pages(chart, chart_area, writer)
    total = 1 + about.pageCount() + len(chart_pages) + rest.pageCount()

    _paint_cover(painter, writer, content, page)
    number = _paint_document(painter, writer, about, page, 1, total)
    for index, (part, part_font) in enumerate(chart_pages):
        writer.newPage()
        number += 1
        heading = words.CHART_HEADING + (" (continued)" if index else "")
        _paint_heading(painter, heading, page)
        paint_chart(painter, part, chart_area, font=part_font)
        _paint_page_number(painter, page, number, total)
    _paint_document(painter, writer, rest, page, number, total)


def _body_font() -> QFont:
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(BODY_POINTS)
    return font


def _points_to_px(points: float) -> float:
    return points / 72 * RESOLUTION


def _text_document(writer: QPdfWriter, body: str, page: _Page) -> QTextDocument:
    document = QTextDocument()
    # Laid out for the page in its own pixels, not for the screen and scaled.
    document.documentLayout().setPaintDevice(writer)
    document.setDefaultFont(_body_font())
    document.setDocumentMargin(0)
    document.setHtml(body)
    document.setPageSize(QSizeF(page.width, page.height))
    return document


def _paint_document(
    painter: QPainter,
    writer: QPdfWriter,
    document: QTextDocument,
    page: _Page,
    number: int,
    total: int,
) -> int:
    """Each of ``document``'s pages on a page of its own; returns the last page's number."""
    for index in range(document.pageCount()):
        writer.newPage()
        number += 1
        painter.save()
        top = index * page.height
        painter.translate(0, -top)
        document.drawContents(painter, QRectF(0, top, page.width, page.height))
        painter.restore()
        _paint_page_number(painter, page, number, total)
    return number


def _paint_cover(
    painter: QPainter, writer: QPdfWriter, content: ReportContent, page: _Page
) -> None:
    cover = content.cover
    body = (
        f'<p style="font-size:{TITLE_POINTS}pt; font-weight:bold">{_text(cover.title)}</p>'
        f'<p style="font-size:{HEADING_POINTS}pt">{_text(cover.organisation)}</p>'
        f'<p style="font-size:{HEADING_POINTS}pt">{_text(cover.period)}</p>'
    )
    document = _text_document(writer, body, page)
    painter.save()
    painter.translate(0, page.height / 3)
    document.drawContents(painter, QRectF(0, 0, page.width, page.height * 2 / 3))
    painter.restore()


def _paint_heading(painter: QPainter, text: str, page: _Page) -> None:
    font = _body_font()
    font.setPointSizeF(HEADING_POINTS)
    font.setBold(True)
    painter.save()
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.black)
    painter.drawText(
        QRectF(0, 0, page.width, _points_to_px(HEADING_POINTS) * 2),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        text,
    )
    painter.restore()


def _paint_page_number(painter: QPainter, page: _Page, number: int, total: int) -> None:
    painter.save()
    painter.setFont(_body_font())
    painter.setPen(Qt.GlobalColor.black)
    painter.drawText(page.footer, Qt.AlignmentFlag.AlignCenter, f"Page {number} of {total}")
    painter.restore()


def _chart_pages(
    chart: BalanceChart, area: QRectF, writer: QPdfWriter
) -> list[tuple[BalanceChart, QFont]]:
    """The chart on one page, its text made smaller only as far as it stays readable; when even
    that is too tall, the themes shared over as few pages as hold them."""
    font = _body_font()
    font.setPointSizeF(CHART_POINTS)
    whole = _fitting_font(chart, font, area, writer)
    if whole is not None or len(chart.themes) <= 1:
        return [(chart, whole or fitted_font(chart, font, area, writer))]
    per_page = len(chart.themes) - 1
    while per_page > 1 and _fitting_font(_part(chart, 0, per_page), font, area, writer) is None:
        per_page -= 1
    parts = []
    for start in range(0, len(chart.themes), per_page):
        part = _part(chart, start, per_page)
        fitting = _fitting_font(part, font, area, writer)
        parts.append((part, fitting or fitted_font(part, font, area, writer)))
    return parts


def _part(chart: BalanceChart, start: int, count: int) -> BalanceChart:
    return BalanceChart(chart.themes[start : start + count], chart.threshold)


def _fitting_font(
    chart: BalanceChart, font: QFont, area: QRectF, writer: QPaintDevice
) -> QFont | None:
    """``font`` made small enough for ``chart`` to fit ``area``, never below the smallest
    readable size; None when even that is too tall. ``fitted_font`` steps down by tenths and
    stops above the smallest size, so the smallest size itself is tried last."""
    smallest = QFont(font)
    smallest.setPointSizeF(SMALLEST_PRINT_POINTS)
    for candidate in (fitted_font(chart, font, area, writer), smallest):
        if lay_out(chart, candidate, area.width(), writer).height <= area.height():
            return candidate
    return None


def _text(value: str) -> str:
    return html.escape(printable(value))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    # The first column holds the names: the widest, so a name keeps to a line or two.
    widths = ["30%"] + [""] * (len(header) - 1)
    head = "".join(
        f"<th align='left' width='{width}'>{_text(cell)}</th>"
        if width
        else f"<th align='left'>{_text(cell)}</th>"
        for width, cell in zip(widths, header, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        "<table border='1' cellspacing='0' cellpadding='6' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _about_html(content: ReportContent) -> str:
    parts = [f"<h1>{words.ABOUT_HEADING}</h1>"]
    parts += [f"<p>{_text(line)}</p>" for line in words.about_lines(content)]
    if content.about.how_told:
        parts.append(f"<h2>{words.HOW_TOLD_HEADING}</h2>")
        parts.append(
            _table(words.HOW_TOLD_HEADER, words.tally_rows(content, content.about.how_told))
        )
    parts.append(f"<h2>{words.LEFT_OUT_HEADING}</h2>")
    if content.about.left_out:
        parts.append(
            _table(words.LEFT_OUT_HEADER, words.tally_rows(content, content.about.left_out))
        )
    else:
        parts.append(f"<p>{words.NOTHING_LEFT_OUT}</p>")
    return "".join(parts)


def _rest_html(content: ReportContent) -> str:
    parts = [f"<h2>{words.TABLE_HEADING}</h2>"]
    parts.append(
        _table(
            words.THEME_TABLE_HEADER, [words.theme_row(content, theme) for theme in content.themes]
        )
    )
    if content.sections:
        parts.append(f"<h1>{words.SECTIONS_HEADING}</h1>")
    for section in content.sections:
        parts.append(f"<h2>{_text(section.counts.name)}</h2>")
        parts.append(f"<p>{_text(words.theme_summary(content, section.counts))}</p>")
        parts.append(f"<h3>{words.TREND_HEADING}</h3>")
        if section.trend:
            parts.append(_table(words.TREND_HEADER, words.trend_rows(content, section.trend)))
        else:
            parts.append(f"<p>{words.NO_TREND}</p>")
        parts.append(f"<h3>{words.VOICES_HEADING}</h3>")
        if not section.voices:
            parts.append(f"<p>{words.NO_VOICES}</p>")
        for voice in section.voices:
            parts.append(f"<blockquote><i>{_text(voice.excerpt)}</i></blockquote>")
            parts.append(f"<p>{_text(words.voice_caption(voice))}</p>")
    if content.definitions:
        parts.append(f"<h1>{words.DEFINITIONS_HEADING}</h1>")
        rows = [(theme.name, theme.definition) for theme in content.definitions]
        parts.append(_table(words.DEFINITIONS_HEADER, rows))
    return "".join(parts)
