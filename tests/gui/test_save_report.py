"""Save report… on the insight page: a report or an extract, written by the same code as
`storykeeper report`, with the page's filters; driven by keys and read back with each format's
own library (issue 18 §3 from the window)."""

from __future__ import annotations

import csv
import subprocess
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
import shiboken6
from docx import Document
from lxml import etree
from pypdf import PdfReader
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.gui.dialogs import save_report
from storykeeper.gui.dialogs.save_report import SaveReportDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.ops import reports as report_ops
from storykeeper.gui.ops.reports import ReportFormat
from storykeeper.gui.pages.insight_page import InsightPage
from tests.full_disk import fill, small_disk
from tests.gui.insight_stories import TRANSPORT, every_situation
from tests.gui.inspecting import unnamed_controls

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
#: A 1366×768 laptop, less the window manager's frame and panel.
ROOM = QSize(1326, 708)
#: Four stories count in every_situation: below the default threshold of 5.
COUNTED = 4


@pytest.fixture(autouse=True)
def close_dialogs() -> Iterator[None]:
    """A dialog left open would take the next test's keys."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SaveReportDialog) and widget.isVisible():
            widget.close()


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def open_dialog(qtbot: QtBot, window: MainWindow) -> tuple[InsightPage, SaveReportDialog]:
    """The page by Ctrl+Shift+I, its dialog by Ctrl+Shift+S."""
    page = window.insight_page
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(page.counted, timeout=10_000):
        key(qtbot, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(page.chart.canvas.hasFocus)
    key(qtbot, Qt.Key.Key_S, CTRL_SHIFT)
    qtbot.waitUntil(lambda: page.findChild(SaveReportDialog) is not None)
    dialog = page.findChild(SaveReportDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.format_choice.hasFocus)
    return page, dialog


def choose(qtbot: QtBot, dialog: SaveReportDialog, wanted: ReportFormat) -> None:
    """The format by keys: Home, then Down until it is the one wanted."""
    dialog.format_choice.setFocus()
    key(qtbot, Qt.Key.Key_Home)
    while dialog.chosen_format() is not wanted:
        key(qtbot, Qt.Key.Key_Down)


def type_into(qtbot: QtBot, field: object, text: str) -> None:
    field.setFocus()  # type: ignore[attr-defined]
    qtbot.waitUntil(field.hasFocus)  # type: ignore[attr-defined]
    key(qtbot, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(field, text)


def save(qtbot: QtBot, dialog: SaveReportDialog, target: Path) -> None:
    type_into(qtbot, dialog.path, str(target))
    with qtbot.waitSignal(dialog.finished_writing, timeout=60_000):
        key(qtbot, Qt.Key.Key_Return)


def saved(qtbot: QtBot, dialog: SaveReportDialog, target: Path) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=60_000):
        save(qtbot, dialog, target)
    assert dialog.message.text().startswith("Saved "), dialog.message.text()
    assert str(target) in dialog.message.text()


def pdf_words(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_a_pdf_report_with_the_cover_typed_in_counts_only_what_consent_allows(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.PDF)
    type_into(qtbot, dialog.title, "Voices of Ashford")
    type_into(qtbot, dialog.organisation, "Ashford Advocacy")
    type_into(qtbot, dialog.cover_period, "Winter 2025 to 2026")
    target = tmp_path / "board.pdf"
    saved(qtbot, dialog, target)
    words = pdf_words(target)
    for expected in ("Voices of Ashford", "Ashford Advocacy", "Winter 2025 to 2026", TRANSPORT):
        assert expected in words, expected
    # Four stories count: fewer than the threshold, so the report never says how many.
    assert "fewer than 5" in words
    assert f"{COUNTED} stories" not in words
    assert not list(tmp_path.glob(".*.part"))


def test_a_word_report_remembers_its_cover_and_threshold_for_next_time(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.DOCX)
    type_into(qtbot, dialog.title, "What we heard")
    type_into(qtbot, dialog.organisation, "Kent Voices")
    type_into(qtbot, dialog.threshold, "2")
    target = tmp_path / "board.docx"
    saved(qtbot, dialog, target)
    text = "\n".join(paragraph.text for paragraph in Document(str(target)).paragraphs)
    assert "What we heard" in text and "Kent Voices" in text
    assert "fewer than 5" not in text  # the threshold chosen was 2: 4 stories are shown
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.insight_page.findChild(SaveReportDialog) is None)
    window.activateWindow()
    qtbot.waitActive(window)
    window.insight_page.save_button.setFocus()
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.insight_page.findChild(SaveReportDialog) is not None)
    again = window.insight_page.findChild(SaveReportDialog)
    assert again.chosen_format() is ReportFormat.DOCX
    assert (again.title.text(), again.organisation.text()) == ("What we heard", "Kent Voices")
    assert again.threshold.value() == 2
    assert Path(again.path.text()).parent == tmp_path


def test_csv_and_excel_extracts_hold_one_row_per_counted_story(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.CSV)
    saved(qtbot, dialog, tmp_path / "stories.csv")
    with (tmp_path / "stories.csv").open(encoding="utf-8-sig", newline="") as table:
        rows = list(csv.reader(table))
    assert len(rows) == 1 + COUNTED
    assert (tmp_path / "stories.README.txt").exists()
    assert "fewer than 5 stories from fewer than 5 people" in dialog.message.text()
    choose(qtbot, dialog, ReportFormat.XLSX)
    saved(qtbot, dialog, tmp_path / "stories.xlsx")
    book = openpyxl.load_workbook(tmp_path / "stories.xlsx", read_only=True)
    assert len(list(book.worksheets[0].iter_rows())) == 1 + COUNTED
    assert len(book.worksheets) == 2  # the data dictionary


def test_a_refi_qda_project_and_codebook(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.QDPX)
    saved(qtbot, dialog, tmp_path / "project.qdpx")
    with zipfile.ZipFile(tmp_path / "project.qdpx") as archive:
        project = etree.fromstring(archive.read("project.qde"))
    qda = "{urn:QDA-XML:project:1.0}"
    assert len(project.findall(f".//{qda}TextSource")) == COUNTED
    choose(qtbot, dialog, ReportFormat.QDC)
    assert dialog.path.text().endswith(".qdc")
    saved(qtbot, dialog, tmp_path / "themes.qdc")
    codebook = etree.parse(str(tmp_path / "themes.qdc")).getroot()
    names = {code.get("name") for code in codebook.iter("{urn:QDA-XML:codebook:1.0}Code")}
    assert TRANSPORT in names


def test_a_file_already_there_is_replaced_only_when_save_is_pressed_again(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.CSV)
    target = tmp_path / "kept.csv"
    target.write_text("someone's own spreadsheet")
    type_into(qtbot, dialog.path, str(target))
    key(qtbot, Qt.Key.Key_Return)
    assert dialog.message.text() == "kept.csv is already there: press Save again to replace it."
    assert target.read_text() == "someone's own spreadsheet"
    with qtbot.waitSignal(dialog.saved, timeout=60_000):
        key(qtbot, Qt.Key.Key_Return)
    assert target.read_text(encoding="utf-8-sig").startswith("story_id,")


def test_a_missing_folder_is_one_plain_line_and_nothing_is_written(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.XLSX)
    save(qtbot, dialog, tmp_path / "gone" / "stories.xlsx")
    assert dialog.message.text() == (
        f"Could not write stories.xlsx in {tmp_path / 'gone'}: No such file or directory."
    )
    assert dialog.save_button.isEnabled()


def test_a_full_disk_is_one_plain_line_and_leaves_no_partial_file(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.PDF)
    with small_disk(tmp_path / "usb", "256k") as usb:
        fill(usb)
        save(qtbot, dialog, usb / "report.pdf")
        message = dialog.message.text()
        assert message.startswith(f"The disk holding {usb} is full"), message
        assert message.endswith("report.pdf was not written."), message
        assert sorted(path.name for path in usb.iterdir()) == ["filler"]


def test_cancel_stops_an_extract_and_leaves_nothing_behind(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker is held at its first progress step until Cancel is pressed, so Cancel lands
    while the file is half-written, as it would in a long extract."""
    window = make_window()
    every_situation(window.context.store)
    monkeypatch.setattr("storykeeper.core.extracts.PROGRESS_EVERY", 1)
    writing, cancel_pressed = threading.Event(), threading.Event()
    real = report_ops.write_extract

    def held(
        session: Session,
        request: report_ops.ReportRequest,
        progress: Callable[[int], None],
        cancelled: Callable[[], bool],
    ) -> report_ops.Written:
        def step(done: int) -> None:
            progress(done)
            writing.set()
            assert cancel_pressed.wait(30)

        return real(session, request, step, cancelled)

    monkeypatch.setattr(save_report, "write_extract", held)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.CSV)
    out = tmp_path / "out"
    out.mkdir()
    type_into(qtbot, dialog.path, str(out / "stories.csv"))
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(writing.is_set)
    assert dialog.progress.isVisible()
    with qtbot.waitSignal(dialog.finished_writing, timeout=60_000):
        key(qtbot, Qt.Key.Key_Escape)
        cancel_pressed.set()
    assert dialog.message.text() == "Cancelled: nothing was saved."
    assert dialog.isVisible()
    assert sorted(out.iterdir()) == []  # neither the file nor its partial one


@pytest.mark.parametrize("contrast", [False, True])
def test_at_twice_the_text_size_the_dialog_fits_a_1366_by_768_screen(
    qtbot: QtBot, make_window: Callable[[], MainWindow], contrast: bool
) -> None:
    window = make_window()
    window.context.set_text_scale(200)
    window.context.set_high_contrast(contrast)
    _page, dialog = open_dialog(qtbot, window)
    qtbot.waitUntil(dialog.isVisible)
    hint = dialog.sizeHint()
    assert hint.width() <= ROOM.width() and hint.height() <= ROOM.height(), hint
    # Shown whole: no field squeezed below its height (Qt's own sizing stops at two thirds of
    # the screen), so every line of text reads in full.
    assert dialog.width() <= ROOM.width() and dialog.height() <= ROOM.height(), dialog.size()
    for field in (dialog.format_choice, dialog.title, dialog.path, dialog.threshold):
        assert field.height() >= field.sizeHint().height(), field.accessibleName()
    assert unnamed_controls(dialog) == []


def test_a_read_only_folder_is_one_plain_line(
    qtbot: QtBot, make_window: Callable[[], MainWindow], tmp_path: Path
) -> None:
    """A real read-only folder: a tmpfs mounted read-only (permissions alone do not stop root,
    who runs CI)."""
    window = make_window()
    every_situation(window.context.store)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.DOCX)
    locked = tmp_path / "locked"
    locked.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(locked)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"Cannot mount a read-only tmpfs ({mounted.stderr.strip()}): run the tests as root, "
            "as CI does, or inside `unshare --user --map-root-user --mount`."
        )
    try:
        save(qtbot, dialog, locked / "report.docx")
        assert dialog.message.text() == (
            f"Could not write report.docx in {locked}: Read-only file system."
        )
    finally:
        subprocess.run(["umount", "-l", str(locked)], check=False, capture_output=True)


def test_the_dialog_gone_while_a_report_is_read_writes_nothing_and_raises_nothing(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stories are still being read when the window (and the dialog with it) is gone: the
    answer arrives for a dialog that no longer exists, and is let go."""
    window = make_window()
    every_situation(window.context.store)
    reading, window_gone = threading.Event(), threading.Event()
    real = report_ops.read_report_content

    def held(session: Session, request: report_ops.ReportRequest) -> object:
        reading.set()
        assert window_gone.wait(30)
        return real(session, request)

    monkeypatch.setattr(save_report, "read_report_content", held)
    _page, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, ReportFormat.PDF)
    type_into(qtbot, dialog.path, str(tmp_path / "report.pdf"))
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(reading.is_set)
    # As the window's closing destroys it (its C++ object goes; Python's name stays).
    shiboken6.delete(dialog)
    window_gone.set()
    window.context.tasks.wait_for_idle()
    QApplication.processEvents()
    assert not (tmp_path / "report.pdf").exists()
