"""Anonymised extracts (CSV, XLSX, REFI-QDA) over a real store with stories in every consent
situation: nothing counted that may not be, no words where no quote is allowed, no name in any
cell, the data dictionary, and the files read back with their own libraries (issue 18, §4)."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import people
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.extracts import (
    FIXED_COLUMNS,
    THIS_COMPUTER,
    WORDS_COLUMN,
    ExtractWriteError,
    extract_themes,
    read_extract,
    readme_path,
    write_csv,
    write_qdc,
    write_qdpx,
    write_xlsx,
)
from storykeeper.core.insight_policy import LeftOut
from storykeeper.core.models import StoryRow
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import (
    ConsentScope,
)
from tests.consent_situations import (
    EVERYTHING,
    HIDDEN,
    MONEY,
    QUOTES,
    TITLE_WORD,
    TRANSPORT,
    E,
    tell,
    tell_every_situation,
)
from tests.exchange import export, trust_advocate


@pytest.fixture
def every_situation(store: Store) -> Store:
    return tell_every_situation(store)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def written_csv(store: Store, tmp_path: Path, wanted: StoryFilter = EVERYTHING) -> Path:
    target = tmp_path / "stories.csv"
    with store.read() as session:
        write_csv(target, read_extract(session, wanted))
    return target


def by_pseudonym(rows: list[dict[str, str]], store: Store) -> dict[str, dict[str, str]]:
    with store.read() as session:
        names = {p.pseudonym: p.display_name for p in people.list_storytellers(session)}
    return {names[row["pseudonym"]]: row for row in rows}


def test_only_stories_consent_lets_count_are_rows_with_words_only_where_quoted(
    every_situation: Store, tmp_path: Path
) -> None:
    rows = by_pseudonym(csv_rows(written_csv(every_situation, tmp_path)), every_situation)
    assert set(rows) == {"Winifred Oakes", "Bartholomew Quince", "Cecily Named"}
    winifred, bartholomew, cecily = (
        rows["Winifred Oakes"],
        rows["Bartholomew Quince"],
        rows["Cecily Named"],
    )
    # Redacted exactly as an export: the pseudonym for the storyteller, the role for the daughter.
    assert winifred[WORDS_COLUMN] == (
        f"{winifred['pseudonym']} here. My daughter [her daughter] drives me to the shops."
    )
    assert bartholomew[WORDS_COLUMN] == ""
    assert cecily[WORDS_COLUMN] == "I am Cecily Named and proud of it."
    assert winifred[TRANSPORT] == "enabler" and winifred[MONEY] == "barrier"
    assert bartholomew[TRANSPORT] == "barrier" and bartholomew[MONEY] == ""
    assert cecily[MONEY] == "mixed"
    for row in rows.values():
        assert row["month_told"] == "2026-03"
        assert row["setting"] == "care_home" and row["how_told"] == "spoken_written_down"
        assert row["language"] == "en" and row["sender"] == THIS_COMPUTER


def test_no_name_and_no_title_in_any_cell_of_any_file(
    every_situation: Store, tmp_path: Path
) -> None:
    csv_path = written_csv(every_situation, tmp_path)
    with every_situation.read() as session:
        write_xlsx(tmp_path / "stories.xlsx", read_extract(session, EVERYTHING))
        write_qdpx(
            tmp_path / "stories.qdpx",
            read_extract(session, EVERYTHING),
            "Project",
            "Tester",
            dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
        )
    texts = [csv_path.read_text("utf-8-sig"), readme_path(csv_path).read_text("utf-8")]
    workbook = openpyxl.load_workbook(tmp_path / "stories.xlsx")
    texts += [str(cell) for sheet in workbook for row in sheet.values for cell in row]
    with zipfile.ZipFile(tmp_path / "stories.qdpx") as archive:
        texts += [archive.read(name).decode("utf-8") for name in archive.namelist()]
    everything = "\n".join(texts)
    for hidden in (*HIDDEN, TITLE_WORD):
        assert hidden not in everything, hidden
    # The one person who agreed to be named is, in their own words only.
    assert "Cecily Named and proud" in everything


def test_the_ids_are_stable_and_not_the_stores_own(every_situation: Store, tmp_path: Path) -> None:
    first = csv_rows(written_csv(every_situation, tmp_path))
    again = tmp_path / "again"
    again.mkdir()
    second = csv_rows(written_csv(every_situation, again))
    assert [r["story_id"] for r in first] == [r["story_id"] for r in second]
    with every_situation.read() as session:
        real = {p.id for p in people.list_storytellers(session)}
        story_ids = set(stories_ids(session))
    assert not {r["storyteller_id"] for r in first} & real
    assert not {r["story_id"] for r in first} & story_ids
    assert len({r["story_id"] for r in first}) == len(first)


def stories_ids(session: Session) -> list[str]:
    return list(session.scalars(select(StoryRow.uuid)))


def test_the_readme_says_what_each_column_holds_and_what_was_left_out(
    every_situation: Store, tmp_path: Path
) -> None:
    target = tmp_path / "stories.csv"
    with every_situation.read() as session:
        extract = read_extract(session, EVERYTHING)
        tally = write_csv(target, extract, threshold=1)
    assert tally.stories == 3 and tally.people == 3 and tally.quoted == 2
    assert tally.left_out == {
        LeftOut.NO_CONSENT: 1,
        LeftOut.DECLINED: 1,
        LeftOut.WITHDRAWN: 1,
        LeftOut.NOT_FOR_REPORTS: 1,
    }
    readme = readme_path(target).read_text("utf-8")
    header = next(csv.reader(target.open(encoding="utf-8-sig")))
    for column in header:
        assert f"\n{column}\n    " in readme, column
    assert "Left out: 4 (1 because no consent recorded yet; 1 because the person declined" in readme


def test_small_counts_in_the_dictionary_are_fewer_than_the_threshold(
    every_situation: Store, tmp_path: Path
) -> None:
    target = tmp_path / "stories.csv"
    with every_situation.read() as session:
        write_csv(target, read_extract(session, EVERYTHING))
    readme = readme_path(target).read_text("utf-8")
    assert "fewer than 5 stories from fewer than 5 people" in readme
    assert "Left out: fewer than 5 (fewer than 5 because" in readme


def test_xlsx_holds_the_same_rows_as_text_and_the_dictionary_on_a_second_sheet(
    every_situation: Store, tmp_path: Path
) -> None:
    csv_path = written_csv(every_situation, tmp_path)
    target = tmp_path / "stories.xlsx"
    with every_situation.read() as session:
        write_xlsx(target, read_extract(session, EVERYTHING))
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Stories", "Data dictionary"]
    values = [list(row) for row in workbook["Stories"].values]
    header, *rows = values
    assert tuple(header[: len(FIXED_COLUMNS)]) == FIXED_COLUMNS and header[-1] == WORDS_COLUMN
    expected = [list(row.values()) for row in csv_rows(csv_path)]
    assert [[cell or "" for cell in row] for row in rows] == expected
    assert all(
        cell.data_type == "s"
        for row in workbook["Stories"].iter_rows()
        for cell in row
        if cell.value is not None
    )
    dictionary = {row[0]: row[1] for row in workbook["Data dictionary"].iter_rows(values_only=True)}
    assert set(header) <= set(dictionary)


def test_words_that_look_like_formulas_stay_text(store: Store, tmp_path: Path) -> None:
    tell(store, "Ada Lovelace", "=1+1 and -2 @here", {TRANSPORT: E}, QUOTES)
    csv_path = written_csv(store, tmp_path)
    words = sorted(row[WORDS_COLUMN] for row in csv_rows(csv_path))
    assert words == ["'=1+1 and -2 @here"]
    target = tmp_path / "stories.xlsx"
    with store.read() as session:
        write_xlsx(target, read_extract(session, EVERYTHING))
    sheet = openpyxl.load_workbook(target)["Stories"]
    cells = sorted(str(row[-1].value) for row in sheet.iter_rows(min_row=2))
    assert cells == ["=1+1 and -2 @here"]
    assert all(row[-1].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_the_story_lists_filters_choose_the_stories(every_situation: Store, tmp_path: Path) -> None:
    wanted = StoryFilter(theme=MONEY)
    rows = by_pseudonym(csv_rows(written_csv(every_situation, tmp_path, wanted)), every_situation)
    assert set(rows) == {"Winifred Oakes", "Cecily Named"}


def test_an_imported_story_names_its_sender(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    tell(
        store,
        "Winifred Oakes",
        "Winifred goes out.",
        {TRANSPORT: E},
        QUOTES | {ConsentScope.SHARE_WITH_COORDINATOR},
    )
    trust_advocate(store, coordinator, "Priya (advocate)")
    import_bundle(coordinator, export(store, coordinator, tmp_path / "out"), actor="c")
    (row,) = csv_rows(written_csv(coordinator, tmp_path))
    assert row["sender"] == "Priya (advocate)"
    assert "Winifred" not in row[WORDS_COLUMN] and row[WORDS_COLUMN].endswith("goes out.")


def test_a_missing_folder_is_one_sentence_and_leaves_nothing(
    every_situation: Store, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "missing" / "stories.csv"
    with every_situation.read() as session, pytest.raises(ExtractWriteError) as raised:
        write_csv(target, read_extract(session, EVERYTHING))
    assert raised.value.message == (
        f"Could not write stories.csv in {target.parent}: No such file or directory."
    )
    assert list(out.iterdir()) == []


def test_a_failure_midway_leaves_neither_file_nor_its_readme(
    every_situation: Store, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "stories.csv"

    def fail(done: int) -> None:
        raise KeyboardInterrupt

    with every_situation.read() as session:
        extract = read_extract(session, EVERYTHING)
        extract.rows = iter([*extract.rows] * 400)  # 1,200 rows: progress is told at 1,000
        with pytest.raises(KeyboardInterrupt):
            write_csv(target, extract, progress=fail)
    assert list(out.iterdir()) == []


def test_the_codebook_alone_has_every_theme(every_situation: Store, tmp_path: Path) -> None:
    target = tmp_path / "themes.qdc"
    with every_situation.read() as session:
        write_qdc(target, extract_themes(session))
    root = ET.parse(target).getroot()  # noqa: S314 (the file this test wrote)
    names = {code.get("name") for code in root.iter("{urn:QDA-XML:codebook:1.0}Code")}
    assert {TRANSPORT, MONEY, "Enabler", "Barrier", "Mixed"} <= names


def test_xlsx_never_puts_a_persons_words_in_the_systems_temporary_folder(
    every_situation: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # openpyxl's write-only sheets spool their rows to a file in the system's temporary
    # folder, left there if the program is killed: the words must stay beside the target.
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    out = tmp_path / "out"
    out.mkdir()
    spooled: list[list[str]] = []

    def look(done: int) -> None:
        spooled.append(sorted(p.name for p in system_temp.iterdir()))

    with every_situation.read() as session:
        extract = read_extract(session, EVERYTHING)
        extract.rows = iter([*extract.rows] * 400)  # progress is told at 1,000
        write_xlsx(out / "stories.xlsx", extract, progress=look)
    assert spooled == [[]]
    assert [p.name for p in out.iterdir()] == ["stories.xlsx"]
