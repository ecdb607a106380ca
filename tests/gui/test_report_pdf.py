"""The printable report as an A4 PDF, read back with pypdf: a cover, the sections as real text,
the chart as vectors on a page of its own (never over the page number), page numbers, and a
file written whole or not at all."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from PySide6.QtWidgets import QApplication

from storykeeper.core import report_content as words
from storykeeper.core.errors import DiskFullError
from storykeeper.core.report_content import AboutStories, ReportContent, ReportWriteError, Voice
from storykeeper.gui.report_pdf import write_report_pdf
from tests.full_disk import fill, small_disk
from tests.report_samples import large_report, sample_report

A4_POINTS = (595, 842)


def _written(tmp_path: Path, content: ReportContent) -> pypdf.PdfReader:
    target = tmp_path / "report.pdf"
    write_report_pdf(content, target)
    return pypdf.PdfReader(target)


def _text(page: pypdf.PageObject) -> str:
    # NFKC: the PDF's font draws "fi" as one ligature, which pypdf gives back as "\ufb01".
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page.extract_text()))


def _lines_with_height(page: pypdf.PageObject) -> list[tuple[str, float]]:
    """Each piece of text on ``page`` with how high up the page it sits (points from the foot)."""
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append((re.sub(r"\s+", " ", text.strip()), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def _chart_pages(reader: pypdf.PdfReader) -> list[int]:
    return [
        index
        for index, page in enumerate(reader.pages)
        if _text(page).startswith(words.CHART_HEADING)
    ]


def test_a4_with_a_cover_then_numbered_pages(qapp: QApplication, tmp_path: Path) -> None:
    reader = _written(tmp_path, sample_report())

    for page in reader.pages:
        assert (round(page.mediabox.width), round(page.mediabox.height)) == A4_POINTS
    total = len(reader.pages)
    assert _text(reader.pages[0]).strip() == (
        "What people told us Riverside Voices January 2025 to March 2026"
    )
    for number, page in enumerate(reader.pages[1:], start=2):
        assert _text(page).rstrip().endswith(f"Page {number} of {total}")
    assert reader.metadata is not None and reader.metadata.title == "What people told us"


def test_headings_numbers_and_voices_are_real_text(qapp: QApplication, tmp_path: Path) -> None:
    reader = _written(tmp_path, sample_report())
    text = " ".join(_text(page) for page in reader.pages)

    for heading in (
        words.ABOUT_HEADING,
        words.LEFT_OUT_HEADING,
        words.CHART_HEADING,
        words.TABLE_HEADING,
        words.SECTIONS_HEADING,
        words.VOICES_HEADING,
        words.DEFINITIONS_HEADING,
    ):
        assert heading in text
    assert "Stories counted: 412" in text
    assert "Consent withdrawn fewer than 5" in text
    assert "Transport 12 30 fewer than 5 45 40 11%" in text
    assert "The bus stopped coming past the end of our road." in text
    assert "Told May 2025 — Home" in text
    assert "Getting about: buses, lifts, taxis, walking." in text


def test_the_chart_is_vectors_and_words_on_its_own_page(qapp: QApplication, tmp_path: Path) -> None:
    reader = _written(tmp_path, sample_report())

    (chart_page,) = _chart_pages(reader)
    chart_text = _text(reader.pages[chart_page])
    for drawn in ("Transport", "Friends and family", "Money", "30", "fewer than 5 mixed"):
        assert drawn in chart_text
    for page in reader.pages:
        objects = page["/Resources"].get_object().get("/XObject", {})
        images = [o for o in objects.values() if o.get_object().get("/Subtype") == "/Image"]
        assert images == []


def test_thirty_themes_fit_one_chart_page_above_its_number(
    qapp: QApplication, tmp_path: Path
) -> None:
    reader = _written(tmp_path, large_report(theme_count=30))

    (chart_page,) = _chart_pages(reader)
    page = reader.pages[chart_page]
    assert all(f"Theme number {n} " in _text(page) for n in range(30))
    placed = _lines_with_height(page)
    number_height = next(height for text, height in placed if text.startswith("Page "))
    lowest_of_chart = min(height for text, height in placed if not text.startswith("Page "))
    assert lowest_of_chart > number_height


def test_more_themes_than_a_page_holds_continue_on_the_next(
    qapp: QApplication, tmp_path: Path
) -> None:
    reader = _written(tmp_path, large_report(theme_count=60, voices_per_theme=0))

    pages = _chart_pages(reader)
    assert len(pages) == 2 and pages[1] == pages[0] + 1
    assert _text(reader.pages[pages[1]]).startswith(f"{words.CHART_HEADING} (continued)")
    drawn = " ".join(_text(reader.pages[index]) for index in pages)
    assert all(f"Theme number {n} " in drawn for n in range(60))
    for index in pages:
        placed = _lines_with_height(reader.pages[index])
        number_height = next(height for text, height in placed if text.startswith("Page "))
        assert min(height for text, height in placed if not text.startswith("Page ")) > (
            number_height
        )


def test_a_missing_folder_is_one_sentence_and_leaves_nothing(
    qapp: QApplication, tmp_path: Path
) -> None:
    target = tmp_path / "not made" / "report.pdf"

    with pytest.raises(ReportWriteError) as raised:
        write_report_pdf(sample_report(), target)

    assert str(raised.value) == (
        f"Could not write report.pdf in {target.parent}: No such file or directory."
    )
    assert not target.parent.exists()


def test_a_full_disk_keeps_the_old_report_and_leaves_no_part(
    qapp: QApplication, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        target = disk / "report.pdf"
        target.write_bytes(b"the report printed last month")
        fill(disk)

        with pytest.raises(DiskFullError):
            write_report_pdf(sample_report(), target)

        assert target.read_bytes() == b"the report printed last month"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "report.pdf"]


def test_markup_in_the_words_prints_as_written(qapp: QApplication, tmp_path: Path) -> None:
    content = sample_report()
    first = content.sections[0]
    said = Voice("I said <b>no</b> & <img src='file:///etc/hosts'> meant it", "May 2025", "Home")
    content = replace(content, sections=(replace(first, voices=(said,)), *content.sections[1:]))

    reader = _written(tmp_path, content)

    text = " ".join(_text(page) for page in reader.pages)
    assert "I said <b>no</b> & <img src='file:///etc/hosts'> meant it" in text


def test_with_no_stories_to_count_the_report_says_so(qapp: QApplication, tmp_path: Path) -> None:
    content = replace(
        sample_report(),
        about=AboutStories(0, 0, 0, "", ""),
        themes=(),
        sections=(),
        definitions=(),
    )

    reader = _written(tmp_path, content)

    (chart_page,) = _chart_pages(reader)
    assert "No stories to count." in _text(reader.pages[chart_page])
    text = " ".join(_text(page) for page in reader.pages)
    assert "Stories counted: 0" in text
    assert "Told between" not in text
