"""`storykeeper report --format csv|xlsx|qdpx|qdc`: the files exist and hold what the insight
counts, the story list's filters, progress on standard error, and one-line errors for a
missing folder and a real full disk (issue 18, §4 and §5)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader

from storykeeper.__main__ import main
from storykeeper.core.db import Store
from storykeeper.core.extracts import FIXED_COLUMNS, WORDS_COLUMN
from tests.consent_situations import HIDDEN, TITLE_WORD, tell_every_situation
from tests.full_disk import fill, small_disk

FIXTURES = Path(__file__).parent.parent / "fixtures" / "refi_qda"
PROJECT = "{urn:QDA-XML:project:1.0}"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def counted(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """300 demo stories; what `insight --json` counts of them, exactly."""
    code, _, _ = run(capsys, "demo-data", "--stories", "300", "--seed", "4")
    assert code == 0
    code, out, _ = run(capsys, "insight", "--json", "--threshold", "1")
    assert code == 0
    return json.loads(out)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_and_its_readme_hold_the_stories_insight_counts(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    target = tmp_path / "stories.csv"
    code, out, err = run(capsys, "report", "--format", "csv", "--out", str(target))
    assert (code, err) == (0, "")
    rows = csv_rows(target)
    figures = counted["counted"]
    assert isinstance(figures, dict)
    assert len(rows) == figures["stories"]
    assert len({row["storyteller_id"] for row in rows}) == figures["people"]
    assert sum(1 for row in rows if row[WORDS_COLUMN]) > 0
    assert out.startswith(f"Wrote {target} and {tmp_path / 'stories.README.txt'}: ")
    assert f"{figures['stories']} stories from {figures['people']} people." in out
    assert "Left out: " in out
    readme = (tmp_path / "stories.README.txt").read_text("utf-8")
    assert all(f"\n{column}\n" in readme for column in rows[0])


def test_xlsx_reads_back_with_the_same_rows(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    code, _, _ = run(capsys, "report", "--format", "csv", "--out", str(tmp_path / "s.csv"))
    assert code == 0
    code, out, _ = run(
        capsys, "report", "--format", "xlsx", "--out", str(tmp_path / "s.xlsx"), "--json"
    )
    assert code == 0
    assert json.loads(out)["paths"] == [str(tmp_path / "s.xlsx")]
    workbook = openpyxl.load_workbook(tmp_path / "s.xlsx", read_only=True)
    header, *rows = list(workbook["Stories"].values)
    assert header[: len(FIXED_COLUMNS)] == FIXED_COLUMNS
    expected = [list(row.values()) for row in csv_rows(tmp_path / "s.csv")]
    assert [[cell or "" for cell in row] for row in rows] == expected
    assert workbook.sheetnames == ["Stories", "Data dictionary"]


def test_the_qdpx_is_valid_against_the_published_schema_and_whole(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    target = tmp_path / "stories.qdpx"
    code, _, _ = run(capsys, "report", "--format", "qdpx", "--out", str(target))
    assert code == 0
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "Project-mrt2019.xsd")))
    with zipfile.ZipFile(target) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        schema.assertValid(root)
        names = set(archive.namelist())
        sources = root.findall(f".//{PROJECT}TextSource")
        figures = counted["counted"]
        assert isinstance(figures, dict)
        assert len(sources) == figures["stories"]
        assert len(root.findall(f".//{PROJECT}Case")) == figures["people"]
        for source in sources:
            path = source.get("plainTextPath")
            assert path is not None and path.startswith("internal://")
            assert f"sources/{path.removeprefix('internal://')}" in names
    guids = [element.get("guid") for element in root.iter() if element.get("guid")]
    assert len(guids) == len(set(guids))
    referenced = {ref.get("targetGUID") for ref in root.iter() if ref.get("targetGUID")}
    assert referenced <= set(guids)


def test_the_codebook_alone(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    target = tmp_path / "themes.qdc"
    code, out, _ = run(capsys, "report", "--format", "qdc", "--out", str(target))
    assert code == 0 and out == f"Wrote {target}: the codebook of 15 themes.\n"
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "Codebook.xsd")))
    schema.assertValid(etree.parse(str(target)))


def test_the_story_lists_filters_choose_the_stories(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "insight", "--json", "--threshold", "1", "--theme", "advocacy")
    advocacy = json.loads(out)["counted"]["stories"]
    target = tmp_path / "advocacy.csv"
    code, _, _ = run(
        capsys, "report", "--format", "csv", "--out", str(target), "--theme", "advocacy"
    )
    assert code == 0
    rows = csv_rows(target)
    assert len(rows) == advocacy > 0
    assert all(row["Advocacy"] in {"enabler", "barrier", "mixed"} for row in rows)


def test_progress_is_told_on_standard_error_every_thousand_stories(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, _ = run(capsys, "demo-data", "--stories", "1600", "--seed", "4")
    assert code == 0
    code, _, err = run(
        capsys, "report", "--format", "csv", "--out", str(tmp_path / "s.csv"), "--threshold", "1"
    )
    assert code == 0
    assert len(csv_rows(tmp_path / "s.csv")) >= 1000
    assert err == "1,000 stories written…\n"


def test_small_counts_leave_as_fewer_than_the_threshold(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    target = tmp_path / "few.csv"
    code, out, _ = run(
        capsys,
        "report",
        "--format",
        "csv",
        "--out",
        str(target),
        "--threshold",
        "1000",
    )
    assert code == 0
    assert "fewer than 1000 stories from fewer than 1000 people." in out
    readme = (tmp_path / "few.README.txt").read_text("utf-8")
    assert "fewer than 1000 stories from fewer than 1000 people" in readme


def test_a_missing_folder_is_one_line_and_exit_one(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    for chosen in ("csv", "xlsx", "qdpx", "qdc"):
        target = tmp_path / "missing" / f"stories.{chosen}"
        code, out, err = run(capsys, "report", "--format", chosen, "--out", str(target))
        assert (code, out) == (1, "")
        assert err == (
            f"storykeeper: error: Could not write stories.{chosen} in {target.parent}: "
            "No such file or directory.\n"
        )
    assert not (tmp_path / "missing").exists()


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    with small_disk(tmp_path / "small", "256k") as folder:
        fill(folder)
        for chosen in ("csv", "xlsx", "qdpx"):
            target = folder / f"stories.{chosen}"
            code, out, err = run(capsys, "report", "--format", chosen, "--out", str(target))
            assert (code, out) == (1, "")
            assert err == (
                f"storykeeper: error: The disk holding {folder} is full: free some space on it "
                f"and try again. stories.{chosen} was not written.\n"
            )
            assert sorted(path.name for path in folder.iterdir()) == ["filler"]


def test_the_pdf_report_holds_the_insights_numbers_as_text(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    target = tmp_path / "report.pdf"
    code, out, err = run(
        capsys, "report", "--format", "pdf", "--out", str(target), "--organisation", "Riverside"
    )
    assert (code, err) == (0, "")
    figures = counted["counted"]
    assert isinstance(figures, dict)
    stories, people = figures["stories"], figures["people"]
    assert out == f"Wrote {target}: {stories} stories from {people} people, 15 themes.\n"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(target).pages)
    assert f"Stories counted: {figures['stories']}" in text
    assert "Riverside" in text and "What people are telling us" in text


def test_the_word_report_names_no_one_who_may_not_be_named(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    tell_every_situation(store)
    target = tmp_path / "report.docx"
    code, _, err = run(
        capsys, "report", "--format", "docx", "--out", str(target), "--threshold", "1"
    )
    assert (code, err) == (0, "")
    document = Document(str(target))
    texts = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    everything = "\n".join(texts)
    assert "Stories counted: 3" in everything
    assert "I am Cecily Named and proud of it." in everything
    assert "[her daughter] drives me to the shops." in everything
    for hidden in (*HIDDEN, TITLE_WORD, "never gets out"):
        assert hidden not in everything, hidden


def test_a_report_to_a_missing_folder_is_one_line(
    capsys: pytest.CaptureFixture[str], counted: dict[str, object], tmp_path: Path
) -> None:
    for chosen in ("pdf", "docx"):
        target = tmp_path / "missing" / f"report.{chosen}"
        code, out, err = run(capsys, "report", "--format", chosen, "--out", str(target))
        assert (code, out) == (1, "")
        assert err.startswith("storykeeper: error: Could not write ") and err.count("\n") == 1


def test_without_out_the_file_is_named_for_today_in_the_current_folder(
    capsys: pytest.CaptureFixture[str],
    counted: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "report", "--format", "xlsx")
    assert code == 0
    code, _, _ = run(capsys, "report", "--format", "qdc")
    assert code == 0
    today = dt.date.today().isoformat()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        f"stories-{today}.xlsx",
        f"themes-{today}.qdc",
    ]
