"""The printable report as a Word document (python-docx), from ``report_content``.

Built for the people who read it with a screen reader as much as for the board that prints it:
the structure is real headings (Heading 1 and 2, so the navigation pane and a screen reader see
it), every table's first row is marked as its header row (read out with each cell, repeated on
each page), and the chart carries alternative text with every number in it.

The chart is drawn by the window's chart code (``gui/charts``), which the core cannot import, so
the caller hands it in as pictures: a PNG always, and an SVG beside it when given. python-docx
1.2 takes only raster pictures, so the SVG is added the way Word 2016 and later store one
(an ``asvg:svgBlip`` extension on the picture, pointing at its own part); Word shows the SVG,
and LibreOffice and older Word the PNG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.oxml.text.paragraph import CT_P
from docx.shared import Mm
from docx.table import Table

from storykeeper.core import clock
from storykeeper.core import report_content as words
from storykeeper.core.report_content import ReportContent, printable

#: Word's extension for an SVG beside a picture's PNG (Office 2016's published schema).
SVG_EXTENSION_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NAMESPACE = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0  # A4, as the PDF and the organisations' printers
MARGIN_MM = 20.0
#: The chart as wide as the text, and at most this tall: below its heading on a page of its own.
CHART_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM
CHART_HEIGHT_MM = (PAGE_HEIGHT_MM - 2 * MARGIN_MM) * 0.85


@dataclass(frozen=True)
class ChartPictures:
    """The chart as drawn by ``gui.charts.chart_png`` (and ``chart_svg``)."""

    png: bytes
    svg: bytes | None = None


def write_report_docx(
    content: ReportContent, target: Path, chart: ChartPictures | None = None
) -> None:
    """Write ``content`` as a Word document at ``target``, replacing it only once whole.

    Raises ``ReportWriteError`` (or ``DiskFullError``) with one sentence a person can act on.
    """
    # Made whole in memory first (a report is a few hundred kilobytes whatever the number of
    # stories): a full disk then fails one plain write, not python-docx's zip half-way through.
    made = io.BytesIO()
    build_document(content, chart).save(made)
    with words.atomic_target(target) as handle:
        handle.write(made.getbuffer())


def build_document(content: ReportContent, chart: ChartPictures | None = None) -> Document:
    document = docx.Document()
    _set_properties(document, content)
    _set_page(document)
    _add_page_numbers(document)
    _write_cover(document, content)
    _write_about(document, content)
    _write_chart(document, content, chart)
    _write_sections(document, content)
    _write_definitions(document, content)
    return document


def _set_properties(document: Document, content: ReportContent) -> None:
    """Only the report's own title, organisation and period: python-docx's template would
    otherwise sign it "python-docx", and nothing about this computer or its user belongs in it.
    (docProps/app.xml keeps the template's generic application name and counts.)"""
    properties = document.core_properties
    properties.title = printable(content.cover.title)
    properties.author = printable(content.cover.organisation)
    properties.last_modified_by = ""
    properties.comments = ""
    properties.subject = printable(content.cover.period)
    properties.keywords = ""
    properties.category = ""
    # The template's own dates are of 2013; the report's are when it was written.
    written = clock.now().replace(tzinfo=None)  # python-docx writes a naive time as UTC
    properties.created = written
    properties.modified = written
    # The template's preview picture shows some other page in a file browser, not this report.
    package_relationships = document.part.package.rels
    for key, relationship in list(package_relationships.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del package_relationships[key]


def _set_page(document: Document) -> None:
    """A4 with even margins: python-docx's template is US Letter."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))


def _add_page_numbers(document: Document) -> None:
    """ "Page N of M" in the footer, as Word's own fields, so they stay right after any edit."""
    footer = document.sections[0].footer.paragraphs[0]
    footer.add_run("Page ")
    _add_field(footer._p, "PAGE")
    footer.add_run(" of ")
    _add_field(footer._p, "NUMPAGES")


def _add_field(paragraph: CT_P, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"  # shown until Word works the number out
    run.append(text)
    field.append(run)
    paragraph.append(field)


def _write_cover(document: Document, content: ReportContent) -> None:
    cover = content.cover
    document.add_paragraph(printable(cover.title), style="Title")
    document.add_paragraph(printable(cover.organisation), style="Subtitle")
    document.add_paragraph(printable(cover.period), style="Subtitle")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _write_about(document: Document, content: ReportContent) -> None:
    document.add_heading(words.ABOUT_HEADING, level=1)
    for line in words.about_lines(content):
        document.add_paragraph(printable(line))
    if content.about.how_told:
        document.add_heading(words.HOW_TOLD_HEADING, level=2)
        rows = words.tally_rows(content, content.about.how_told)
        _add_table(document, words.HOW_TOLD_HEADER, rows)
    document.add_heading(words.LEFT_OUT_HEADING, level=2)
    if content.about.left_out:
        rows = words.tally_rows(content, content.about.left_out)
        _add_table(document, words.LEFT_OUT_HEADER, rows)
    else:
        document.add_paragraph(words.NOTHING_LEFT_OUT)


def _write_chart(document: Document, content: ReportContent, chart: ChartPictures | None) -> None:
    # A page of its own: a tall chart would otherwise leave its heading alone at a page's foot.
    document.add_heading(words.CHART_HEADING, level=1).paragraph_format.page_break_before = True
    if chart is not None:
        width, height = _picture_size(chart.png)
        document.add_picture(io.BytesIO(chart.png), width=width, height=height)
        inline = document.inline_shapes[-1]._inline
        properties = inline.docPr
        properties.set("descr", printable(content.chart_description()))
        properties.set("title", words.CHART_HEADING)
        if chart.svg is not None:
            _add_svg(document, inline, chart.svg)
    document.add_heading(words.TABLE_HEADING, level=2)
    rows = [words.theme_row(content, theme) for theme in content.themes]
    _add_table(document, words.THEME_TABLE_HEADER, rows)


def _picture_size(png: bytes) -> tuple[Mm, Mm]:
    """As wide as the text unless that makes it taller than the page allows; then as tall as
    allowed, its width in proportion."""
    pixels_wide = int.from_bytes(png[16:20], "big")  # the PNG's IHDR: width, then height
    pixels_high = int.from_bytes(png[20:24], "big")
    aspect = pixels_high / max(1, pixels_wide)
    width = CHART_WIDTH_MM
    if width * aspect > CHART_HEIGHT_MM:
        width = CHART_HEIGHT_MM / aspect
    return Mm(width), Mm(width * aspect)


def _add_svg(document: Document, inline: CT_Inline, svg: bytes) -> None:
    """The SVG as Word 2016 keeps it: its own part, named from the picture's ``a:blip``."""
    part = document.part
    name = part.package.next_partname("/word/media/image%d.svg")
    svg_part = Part(name, "image/svg+xml", svg, part.package)
    relationship = part.relate_to(svg_part, RELATIONSHIP_TYPE.IMAGE)
    blip = inline.graphic.graphicData.pic.blipFill.blip
    extensions = OxmlElement("a:extLst")
    extension = OxmlElement("a:ext")
    extension.set("uri", SVG_EXTENSION_URI)
    svg_blip = extension.makeelement(f"{{{SVG_NAMESPACE}}}svgBlip", nsmap={"asvg": SVG_NAMESPACE})
    svg_blip.set(qn("r:embed"), relationship)
    extension.append(svg_blip)
    extensions.append(extension)
    blip.append(extensions)


def _write_sections(document: Document, content: ReportContent) -> None:
    if not content.sections:
        return
    document.add_heading(words.SECTIONS_HEADING, level=1)
    for section in content.sections:
        document.add_heading(printable(section.counts.name), level=2)
        document.add_paragraph(printable(words.theme_summary(content, section.counts)))
        document.add_heading(words.TREND_HEADING, level=3)
        if section.trend:
            _add_table(document, words.TREND_HEADER, words.trend_rows(content, section.trend))
        else:
            document.add_paragraph(words.NO_TREND)
        document.add_heading(words.VOICES_HEADING, level=3)
        if not section.voices:
            document.add_paragraph(words.NO_VOICES)
        for voice in section.voices:
            document.add_paragraph(printable(voice.excerpt), style="Quote")
            document.add_paragraph(printable(words.voice_caption(voice)))


def _write_definitions(document: Document, content: ReportContent) -> None:
    if not content.definitions:
        return
    document.add_heading(words.DEFINITIONS_HEADING, level=1)
    rows = [(theme.name, theme.definition) for theme in content.definitions]
    _add_table(document, words.DEFINITIONS_HEADER, rows)


def _add_table(document: Document, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    heading_row = table.rows[0]
    # Marked as the header row: a screen reader names each cell by it, and Word repeats it on
    # every page the table runs onto.
    heading_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(heading_row.cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.paragraphs[0].add_run(printable(text))
    return table
