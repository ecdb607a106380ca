"""What the command line prints: the core's records as tables for people, or as JSON.

Every command that prints rows goes through ``print_records`` (or ``print_table`` when its JSON
is a different document), and labelled values through ``print_fields``, so headings, widths,
cutting and empty lists look the same everywhere and are decided in one place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import re
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Generic, TextIO, TypeVar

import wcwidth

from storykeeper.core.display import neutralised

Row = TypeVar("Row")

GAP = "  "
ELLIPSIS = "…"
#: A column cut to fit the terminal keeps at least this many places (or its heading's).
NARROWEST = 10
#: Runs of whitespace other than plain spaces (line breaks, tabs), which one line cannot hold.
_LINE_BREAKS = re.compile(r"[^\S ]+")


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class Column(Generic[Row]):
    heading: str
    cell: Callable[[Row], str]
    #: Whether a terminal too narrow may cut it: not ids, keys, fingerprints or consent
    #: states, which cut short are useless or misleading.
    cut: bool = True
    #: Counts line up on the right.
    numeric: bool = False


@dataclass(frozen=True)
class Table(Generic[Row]):
    columns: Sequence[Column[Row]]
    #: A line under a row (a search's excerpt), starting under the second column.
    note: Callable[[Row], str] | None = None
    #: Places before every line, for a table inside a report.
    indent: int = 0


def text_width(text: str) -> int:
    """Places the text takes in a terminal: wide characters two, accents and joiners none, an
    emoji sequence as one picture (wcwidth knows Unicode's tables; hand-made rules did not)."""
    return wcwidth.width(text)


def cut(text: str, width: int) -> str:
    """The text in at most ``width`` places, ending in an ellipsis if any was cut.

    Cuts between graphemes (what a reader sees as one character), so never a wide character
    in half, a letter from its accents, or an emoji sequence apart.
    """
    if text_width(text) <= width:
        return text
    if width < 1:
        return ""
    room = width - text_width(ELLIPSIS)
    kept: list[str] = []
    for grapheme in wcwidth.iter_graphemes(text):
        taken = text_width(grapheme)
        if taken > room:
            break
        kept.append(grapheme)
        room -= taken
    return "".join(kept).rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    """Text fit for one line: line breaks and tabs become spaces, other control characters,
    direction overrides and invisible characters � (``core.display``).

    A terminal obeys control characters, and an imported bundle's titles and names are
    whatever its sender wrote: never let them move the cursor, clear the screen, or turn the
    columns after them around (an override runs on to the end of the line; right-to-left
    names show rightly without one).
    """
    flat = _LINE_BREAKS.sub(" ", text).strip()
    return "".join(
        "\ufffd" if unicodedata.category(char) == "Cc" else char for char in neutralised(flat)
    )


def terminal_width(out: TextIO) -> int | None:
    """A terminal's width; None into a file or a pipe, where lines are whole, never cut."""
    return shutil.get_terminal_size((100, 24)).columns if out.isatty() else None


def table_lines(table: Table[Row], rows: Sequence[Row], width: int | None) -> list[str]:
    """The heading line and a line per row (and its note), fitted to ``width`` places."""
    cells = [[one_line(column.cell(row)) for column in table.columns] for row in rows]
    widths = _column_widths(table, cells, width)
    lines = [_line(table, [column.heading for column in table.columns], widths)]
    for row, texts in zip(rows, cells, strict=True):
        lines.append(_line(table, texts, widths))
        note = one_line(table.note(row)) if table.note else ""
        if note:
            lead = table.indent + widths[0] + len(GAP)
            shown = note if width is None else cut(note, max(NARROWEST, width - lead))
            lines.append(" " * lead + shown)
    return lines


def _column_widths(table: Table[Row], cells: list[list[str]], width: int | None) -> list[int]:
    widths = []
    for index, column in enumerate(table.columns):
        longest = max((text_width(texts[index]) for texts in cells), default=0)
        widths.append(max(text_width(column.heading), longest))
    if width is None:
        return widths
    narrowest = [
        max(text_width(column.heading), min(wide, NARROWEST)) if column.cut else wide
        for column, wide in zip(table.columns, widths, strict=True)
    ]
    excess = table.indent + sum(widths) + len(GAP) * (len(widths) - 1) - width
    # The widest column that may be cut gives up a place at a time, so no one column is
    # squeezed to nothing while another keeps room to spare; on a tie, the later one gives.
    while excess > 0:
        shrinkable = [i for i, wide in enumerate(widths) if wide > narrowest[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
        excess -= 1
    return widths


def _line(table: Table[Row], texts: Sequence[str], widths: Sequence[int]) -> str:
    parts = []
    for column, text, width in zip(table.columns, texts, widths, strict=True):
        shown = cut(text, width)
        padding = " " * (width - text_width(shown))
        parts.append(padding + shown if column.numeric else shown + padding)
    return (" " * table.indent + GAP.join(parts)).rstrip()


def print_table(out: TextIO, table: Table[Row], rows: Sequence[Row], *, empty: str) -> None:
    """The rows as a table fitted to the terminal, or ``empty`` (if any) when there are none."""
    if not rows:
        if empty:
            print(empty, file=out)
        return
    for line in table_lines(table, rows, terminal_width(out)):
        print(line, file=out)


def print_records(
    out: TextIO,
    table: Table[Row],
    rows: Sequence[Row],
    *,
    as_json: bool,
    empty: str,
    document: Any = None,
) -> None:
    """The rows as a table, or with ``--json`` the same records (or the ``document`` they
    came in, such as a page with its total) as JSON."""
    if as_json:
        print(dumps(rows if document is None else document), file=out)
    else:
        print_table(out, table, rows, empty=empty)


def print_fields(out: TextIO, fields: Sequence[tuple[str, str]], *, indent: int = 0) -> None:
    """Labelled values a line each, the values lined up: ``Label:  value``. Never cut."""
    room = max((text_width(label) for label, _ in fields), default=0) + len(":" + GAP)
    for label, value in fields:
        head = label + ":"
        print(f"{' ' * indent}{head}{' ' * (room - text_width(head))}{one_line(value)}", file=out)
