"""The printable report as a Word document, read back with python-docx: its headings, tables,
the chart's alternative text and SVG, that it holds nothing but what it was given, and that it
is written whole or not at all."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from PySide6.QtWidgets import QApplication

from storykeeper.core import clock
from storykeeper.core import report_content as words
from storykeeper.core.errors import DiskFullError
from storykeeper.core.report_content import ReportContent, ReportWriteError, Voice
from storykeeper.core.report_docx import (
    SVG_EXTENSION_URI,
    SVG_NAMESPACE,
    ChartPictures,
    write_report_docx,
)
from storykeeper.gui.report_pdf import chart_pictures
from tests.full_disk import fill, small_disk
from tests.report_samples import large_report, sample_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def pictures(qapp: QApplication) -> ChartPictures:
    return chart_pictures(sample_report())


def _written(tmp_path: Path, content: ReportContent, chart: ChartPictures | None) -> Document:
    target = tmp_path / "report.docx"
    write_report_docx(content, target, chart)
    return docx.Document(str(target))


def _headings(document: Document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def _table_texts(document: Document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_the_structure_is_real_headings(tmp_path: Path, pictures: ChartPictures) -> None:
    document = _written(tmp_path, sample_report(), pictures)

    assert _headings(document, 1) == [
        words.ABOUT_HEADING,
        words.CHART_HEADING,
        words.SECTIONS_HEADING,
        words.DEFINITIONS_HEADING,
    ]
    assert _headings(document, 2) == [
        words.HOW_TOLD_HEADING,
        words.LEFT_OUT_HEADING,
        words.TABLE_HEADING,
        "Transport",
        "Friends and family",
        "Money",
    ]
    title = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert title == ["What people told us"]


def test_tables_hold_the_numbers_with_held_back_counts_in_words(
    tmp_path: Path, pictures: ChartPictures
) -> None:
    document = _written(tmp_path, sample_report(), pictures)
    tables = _table_texts(document)

    theme_table = next(t for t in tables if t[0] == list(words.THEME_TABLE_HEADER))
    assert theme_table[1:] == [
        ["Transport", "12", "30", "fewer than 5", "45", "40", "11%"],
        ["Friends and family", "27", "6", "8", "41", "39", "10%"],
        [
            "Money",
            "fewer than 5",
            "9",
            "fewer than 5",
            "11",
            "11",
            "not shown (fewer than 5 stories)",
        ],
    ]
    left_out = next(t for t in tables if t[0] == list(words.LEFT_OUT_HEADER))
    assert left_out[1:] == [["Consent declined", "14"], ["Consent withdrawn", "fewer than 5"]]
    transport_trend = next(t for t in tables if t[0] == list(words.TREND_HEADER))
    assert transport_trend[1:] == [["2025 Q1", "3", "7"], ["2025 Q2", "fewer than 5", "11"]]


def test_every_table_marks_its_first_row_as_the_header(
    tmp_path: Path, pictures: ChartPictures
) -> None:
    document = _written(tmp_path, sample_report(), pictures)

    assert len(document.tables) == 6  # how told, left out, themes, two trends, definitions
    for table in document.tables:
        first, *others = table.rows
        assert first._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert all(row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for row in others)


def test_the_chart_has_alternative_text_with_every_number(
    tmp_path: Path, pictures: ChartPictures
) -> None:
    document = _written(tmp_path, sample_report(), pictures)

    (shape,) = document.inline_shapes
    described = shape._inline.docPr.get("descr")
    assert described == sample_report().chart_description()
    assert "Transport: 12 enablers, 30 barriers, fewer than 5 mixed" in described
    assert "Money: fewer than 5 enablers, 9 barriers, fewer than 5 mixed" in described
    assert shape._inline.docPr.get("title") == words.CHART_HEADING


def test_the_chart_is_a_png_with_the_svg_beside_it(tmp_path: Path, pictures: ChartPictures) -> None:
    target = tmp_path / "report.docx"
    write_report_docx(sample_report(), target, pictures)
    document = docx.Document(str(target))

    blip = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip
    png_part = document.part.related_parts[blip.embed]
    assert png_part.blob.startswith(PNG_SIGNATURE)
    (svg_blip,) = blip.iter(f"{{{SVG_NAMESPACE}}}svgBlip")
    assert svg_blip.getparent().get("uri") == SVG_EXTENSION_URI
    svg_part = document.part.related_parts[svg_blip.get(qn("r:embed"))]
    assert svg_part.content_type == "image/svg+xml"
    assert svg_part.blob == pictures.svg
    with zipfile.ZipFile(target) as archive:
        types = archive.read("[Content_Types].xml").decode()
    assert "image/svg+xml" in types


def _expected_texts(content: ReportContent) -> set[str]:
    """Every paragraph and cell the report may hold: the content, in the shared wording."""
    texts = {content.cover.title, content.cover.organisation, content.cover.period, ""}
    texts |= set(words.about_lines(content))
    texts |= {
        words.ABOUT_HEADING,
        words.HOW_TOLD_HEADING,
        words.LEFT_OUT_HEADING,
        words.CHART_HEADING,
        words.TABLE_HEADING,
        words.SECTIONS_HEADING,
        words.TREND_HEADING,
        words.VOICES_HEADING,
        words.DEFINITIONS_HEADING,
        words.NO_VOICES,
        words.NO_TREND,
        words.NOTHING_LEFT_OUT,
    }
    for header in (
        words.THEME_TABLE_HEADER,
        words.HOW_TOLD_HEADER,
        words.LEFT_OUT_HEADER,
        words.TREND_HEADER,
        words.DEFINITIONS_HEADER,
    ):
        texts |= set(header)
    for tallies in (content.about.how_told, content.about.left_out):
        for row in words.tally_rows(content, tallies):
            texts |= set(row)
    for theme in content.themes:
        texts |= set(words.theme_row(content, theme))
    for section in content.sections:
        texts.add(section.counts.name)
        texts.add(words.theme_summary(content, section.counts))
        for point in words.trend_rows(content, section.trend):
            texts |= set(point)
        for voice in section.voices:
            texts |= {voice.excerpt, words.voice_caption(voice)}
    for definition in content.definitions:
        texts |= {definition.name, definition.definition}
    return texts


def test_nothing_but_the_given_content_appears(tmp_path: Path, pictures: ChartPictures) -> None:
    content = sample_report()
    document = _written(tmp_path, content, pictures)

    found = {p.text for p in document.paragraphs}
    found |= {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert found <= _expected_texts(content)
    assert "The bus stopped coming past the end of our road." in found
    (footer,) = document.sections[0].footer.paragraphs
    assert footer.text == "Page  of "  # and Word's fields for the numbers between:
    fields = footer._p.findall(qn("w:fldSimple"))
    assert [field.get(qn("w:instr")) for field in fields] == ["PAGE", "NUMPAGES"]
    properties = document.core_properties
    assert (properties.title, properties.author, properties.subject) == (
        "What people told us",
        "Riverside Voices",
        "January 2025 to March 2026",
    )
    # python-docx's template signs its documents; a report carries only its own words.
    assert (properties.comments, properties.last_modified_by, properties.keywords) == ("", "", "")


def test_control_characters_in_a_voice_never_stop_the_report(tmp_path: Path) -> None:
    content = sample_report()
    awkward = Voice("It helped\x00 a lot\x0b\x1b.\u200b", "May 2025", "Home")
    first = content.sections[0]
    content = ReportContent(
        content.cover,
        content.about,
        content.themes,
        (type(first)(first.counts, first.trend, (awkward,)), *content.sections[1:]),
        content.definitions,
    )

    document = _written(tmp_path, content, None)

    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes == ["It helped a lot.\u200b"]
    assert not document.inline_shapes  # no chart given, no picture: the table still carries it


def test_a_missing_folder_is_one_sentence_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "not made" / "report.docx"

    with pytest.raises(ReportWriteError) as raised:
        write_report_docx(sample_report(), target)

    assert str(raised.value) == (
        f"Could not write report.docx in {target.parent}: No such file or directory."
    )
    assert not target.parent.exists()


def test_a_full_disk_keeps_the_old_report_and_leaves_no_part(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        target = disk / "report.docx"
        target.write_bytes(b"the report printed last month")
        fill(disk)

        with pytest.raises(DiskFullError):
            write_report_docx(sample_report(), target)

        assert target.read_bytes() == b"the report printed last month"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "report.docx"]


def test_held_back_counts_say_the_threshold_they_were_held_below(tmp_path: Path) -> None:
    content = replace(sample_report(), threshold=10)

    document = _written(tmp_path, content, None)

    theme_table = next(t for t in _table_texts(document) if t[0] == list(words.THEME_TABLE_HEADER))
    assert theme_table[3][:4] == ["Money", "fewer than 10", "9", "fewer than 10"]
    assert "fewer than 5" not in " ".join(p.text for p in document.paragraphs)


def test_the_template_leaves_no_picture_or_date_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written_at = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: written_at)
    target = tmp_path / "report.docx"

    write_report_docx(sample_report(), target)

    with zipfile.ZipFile(target) as archive:
        # python-docx's template carries a preview of some other page: a file browser showed it
        assert not [name for name in archive.namelist() if "thumbnail" in name]
        assert "thumbnail" not in archive.read("_rels/.rels").decode()
    properties = docx.Document(str(target)).core_properties
    assert properties.created == properties.modified == written_at


def test_a4_and_a_chart_of_thirty_themes_fits_the_page(qapp: QApplication, tmp_path: Path) -> None:
    content = large_report(theme_count=30)

    document = _written(tmp_path, content, chart_pictures(content))

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    (shape,) = document.inline_shapes
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    assert shape.width <= text_width
    # below the heading on a page of its own: at most nine tenths of the page's text height
    assert shape.height <= text_height * 0.9
    # and not shrunk to a postage stamp: the text in it stays readable
    assert shape.height >= text_height * 0.6
    (heading,) = [p for p in document.paragraphs if p.text == words.CHART_HEADING]
    assert heading.paragraph_format.page_break_before
