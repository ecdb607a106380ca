"""The command line's one printer: headings, widths fitted to the terminal, cutting, JSON."""

from __future__ import annotations

import io
import json
import unicodedata
from dataclasses import dataclass

import pytest

from storykeeper.cli.output import (
    Column,
    Table,
    cut,
    print_fields,
    print_records,
    table_lines,
    text_width,
)


@dataclass(frozen=True)
class Teller:
    key: str
    name: str
    stories: int


TELLERS = Table(
    columns=(
        Column("KEY", lambda t: t.key, cut=False),
        Column("NAME", lambda t: t.name),
        Column("STORIES", lambda t: str(t.stories), numeric=True),
    )
)

ROWS = [Teller("a1b2", "Margaret Evans", 12), Teller("c3d4", "Li", 3)]


class Terminal(io.StringIO):
    """Standard output as it is when a person is at a terminal (its width comes from COLUMNS)."""

    def isatty(self) -> bool:
        return True


def test_columns_are_as_wide_as_their_longest_text_and_counts_line_up_on_the_right() -> None:
    assert table_lines(TELLERS, ROWS, width=None) == [
        "KEY   NAME            STORIES",
        "a1b2  Margaret Evans       12",
        "c3d4  Li                    3",
    ]


def test_the_last_column_has_no_trailing_spaces() -> None:
    table = Table(columns=(Column("KEY", lambda t: t.key), Column("NAME", lambda t: t.name)))
    assert table_lines(table, ROWS, width=None) == [
        "KEY   NAME",
        "a1b2  Margaret Evans",
        "c3d4  Li",
    ]


def test_into_a_narrow_terminal_the_widest_text_is_cut_and_keys_never() -> None:
    table = Table(
        columns=(
            Column("KEY", lambda t: t.key, cut=False),
            Column("NAME", lambda t: t.name),
            Column("TITLE", lambda t: "The walk to the old mill by the river"),
        )
    )
    lines = table_lines(table, ROWS, width=40)
    assert lines == [
        "KEY   NAME            TITLE",
        "a1b2  Margaret Evans  The walk to the o…",
        "c3d4  Li              The walk to the o…",
    ]
    assert max(map(len, lines)) == 40
    # Then the two cuttable columns give up places in turn, from the later one.
    assert table_lines(table, ROWS, width=30) == [
        "KEY   NAME         TITLE",
        "a1b2  Margaret E…  The walk t…",
        "c3d4  Li           The walk t…",
    ]
    assert table_lines(table, ROWS, width=29)[1] == "a1b2  Margaret E…  The walk…"


def test_a_column_never_shrinks_below_ten_places_or_its_heading() -> None:
    table = Table(
        columns=(
            Column("KEY", lambda t: "0123456789abcdef", cut=False),
            Column("STORYTELLER", lambda t: t.name),
        )
    )
    assert table_lines(table, ROWS[:1], width=20) == [
        "KEY               STORYTELLER",
        "0123456789abcdef  Margaret E…",
    ]


def test_cut_keeps_what_fits_and_says_it_cut() -> None:
    assert cut("Margaret Evans", 14) == "Margaret Evans"
    assert cut("Margaret Evans", 9) == "Margaret…"
    assert cut("Margaret Evans", 6) == "Marga…"
    assert cut("Margaret Evans", 1) == "…"
    assert cut("Margaret Evans", 0) == ""


def test_wide_characters_take_two_places_and_are_never_cut_in_half() -> None:
    assert text_width("王秀英") == 6
    assert cut("王秀英的故事", 6) == "王秀…"
    assert cut("王秀英的故事", 7) == "王秀英…"
    assert text_width(cut("王秀英的故事", 6)) == 5  # the third character would not fit whole
    table = Table(columns=(Column("NAME", lambda t: t.name), Column("N", lambda t: str(t.stories))))
    rows = [Teller("x", "王秀英", 4), Teller("y", "Ann", 5)]
    assert table_lines(table, rows, width=None) == [
        "NAME    N",
        "王秀英  4",
        "Ann     5",
    ]


def test_accents_stay_with_their_letter_when_text_is_cut() -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Brontë-Jones")
    assert text_width(decomposed) == 16
    shortened = cut(decomposed, 4)
    assert shortened == unicodedata.normalize("NFD", "Zoë…")
    assert cut(decomposed, 16) == decomposed
    assert cut("Siân Llŷr", 5) == "Siân…"


def test_an_emoji_sequence_is_one_picture_and_is_never_cut_apart() -> None:
    family = "\U0001f469\u200d\U0001f467 story"  # woman, joiner, girl: shown as one picture
    assert text_width(family) == 8
    assert cut(family, 4) == "\U0001f469\u200d\U0001f467…"
    assert cut(family, 2) == "…"


def test_line_breaks_and_control_characters_in_text_never_reach_the_terminal() -> None:
    table = Table(columns=(Column("TITLE", lambda t: t.name), Column("N", lambda t: "1")))
    rows = [Teller("x", "First line\nsecond\tline \x1b[2J", 1)]
    assert table_lines(table, rows, width=None) == [
        "TITLE                        N",
        "First line second line \ufffd[2J  1",
    ]


def test_a_direction_override_cannot_turn_the_following_columns_around() -> None:
    table = Table(columns=(Column("NAME", lambda t: t.name), Column("KEY", lambda t: t.key)))
    rows = [Teller("a1b2", "Ahmed \u202eevil", 1), Teller("c3d4", "سارة", 2)]
    assert table_lines(table, rows, width=None) == [
        "NAME         KEY",
        "Ahmed \ufffdevil  a1b2",
        "سارة         c3d4",
    ]


def test_spaces_inside_a_value_are_kept() -> None:
    out = io.StringIO()
    print_fields(out, [("Fingerprint", "12345 67890   (read these digits)")])
    assert out.getvalue() == "Fingerprint:  12345 67890   (read these digits)\n"


def test_a_note_goes_under_its_row_from_the_second_column() -> None:
    table = Table(
        columns=(Column("KEY", lambda t: t.key, cut=False), Column("NAME", lambda t: t.name)),
        note=lambda t: f"…told {t.stories} stories about the mill and the river…",
    )
    assert table_lines(table, ROWS[:1], width=30) == [
        "KEY   NAME",
        "a1b2  Margaret Evans",
        "      …told 12 stories about…",  # the space before the cut is dropped
    ]


def test_an_indented_table_fits_the_terminal_with_its_indent() -> None:
    table = Table(columns=TELLERS.columns, indent=2)
    assert table_lines(table, ROWS, width=26) == [
        "  KEY   NAME        STORIES",
        "  a1b2  Margaret…        12",
        "  c3d4  Li                3",
    ]


def test_an_empty_list_prints_its_message_and_no_headings() -> None:
    out = io.StringIO()
    print_records(out, TELLERS, [], as_json=False, empty="No storytellers yet.")
    assert out.getvalue() == "No storytellers yet.\n"
    out = io.StringIO()
    print_records(out, TELLERS, [], as_json=False, empty="")
    assert out.getvalue() == ""


def test_json_prints_the_same_records() -> None:
    out = io.StringIO()
    print_records(out, TELLERS, ROWS, as_json=True, empty="No storytellers yet.")
    assert json.loads(out.getvalue()) == [
        {"key": "a1b2", "name": "Margaret Evans", "stories": 12},
        {"key": "c3d4", "name": "Li", "stories": 3},
    ]
    out = io.StringIO()
    print_records(out, TELLERS, [], as_json=True, empty="No storytellers yet.")
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    print_records(out, TELLERS, ROWS, as_json=True, empty="", document={"total": 2, "items": ROWS})
    assert json.loads(out.getvalue())["items"][1] == {"key": "c3d4", "name": "Li", "stories": 3}


def test_at_a_terminal_lines_fit_its_width_and_into_a_file_they_are_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "25")
    rows = [Teller("a1b2", "Margaret Evans-Whitfield", 12)]
    at_terminal = Terminal()
    print_records(at_terminal, TELLERS, rows, as_json=False, empty="")
    assert at_terminal.getvalue() == "KEY   NAME        STORIES\na1b2  Margaret…        12\n"
    into_file = io.StringIO()
    print_records(into_file, TELLERS, rows, as_json=False, empty="")
    assert into_file.getvalue() == (
        "KEY   NAME                      STORIES\na1b2  Margaret Evans-Whitfield       12\n"
    )


def test_fields_line_up_their_values_after_the_longest_label() -> None:
    out = io.StringIO()
    print_fields(out, [("Bundle id", "b-1"), ("Encrypted to", "age1xyz")], indent=2)
    assert out.getvalue() == "  Bundle id:     b-1\n  Encrypted to:  age1xyz\n"
