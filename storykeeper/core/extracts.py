"""Anonymised extracts for other tools: CSV, XLSX and REFI-QDA (issue 18, §4).

One row per story that consent lets be counted (``insight_policy.insight_use``, the one rule):
an id for the storyteller and one for the story made for extracts alone, the pseudonym, the
month told, setting, how told, language, sender, one column per theme holding its polarity, and
the person's own words only where consent allows a quote (``insight_policy.quote_of``: redacted
exactly as an export redacts them, named only with named publication).

The ids are HMAC-SHA256 of this store's secret (``pseudonyms.storyteller_keys``) with the purpose
"extract": stable from one extract to the next, so a researcher can compare two, but they cannot
be joined to the storyteller's real id, to the id a bundle carries, or to the story's own id
without the secret, which never leaves the store. No title goes out: an advocate's title can
hold a name the redaction would not know of.

Streamed: the matching stories are read a batch at a time (their words only then), the CSV row
by row, the XLSX through openpyxl's write-only workbook, the project through ``refi_qda``; each
file is written to a temporary file beside the target, synced and renamed (both files of a CSV
and its README). Nothing decides what may be counted here but the policy's functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import refi_qda
from storykeeper.core.atomic_files import FileWriteError, atomic_files, plain_write_error
from storykeeper.core.consent import consent_histories
from storykeeper.core.insight_policy import (
    DEFAULT_THRESHOLD,
    LeftOut,
    insight_use,
    quote_of,
    shown_count,
)
from storykeeper.core.mentioned import mentioned_by_story
from storykeeper.core.models import StoryOriginRow, StoryRow, ThemeRow, TrustedSignerRow
from storykeeper.core.pseudonyms import pseudonymous_id, storyteller_keys
from storykeeper.core.search import StoryFilter, story_ids_matching
from storykeeper.core.stories import get_stories
from storykeeper.core.vocabulary import HowTold, Polarity, Setting

#: Stories read from the store at a time: their words are in memory only while written.
BATCH = 500
#: Progress is reported after every this many stories.
PROGRESS_EVERY = 1000
#: Where a story was written on this computer rather than imported.
THIS_COMPUTER = "this computer"
#: What the HMAC of the store's secret is asked for: an id for extracts, no other.
PURPOSE = "extract"

#: The fixed columns, in order; one column per theme follows, then the words.
FIXED_COLUMNS = (
    "story_id",
    "storyteller_id",
    "pseudonym",
    "month_told",
    "setting",
    "how_told",
    "language",
    "sender",
)
WORDS_COLUMN = "own_words"
#: A spreadsheet reads a cell starting with one of these as a formula, which could run.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: The extract could not be written where asked (one plain sentence).
ExtractWriteError = FileWriteError


@dataclass(frozen=True, slots=True)
class ExtractTheme:
    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class ExtractRow:
    """One counted story as it may leave the program."""

    story_id: str
    storyteller_id: str
    pseudonym: str
    month_told: str
    setting: str
    how_told: str
    language: str
    sender: str
    #: Theme name → polarity value, for the themes the story is marked with.
    themes: dict[str, str]
    #: The own words as a quote may show them; empty where consent allows no quote.
    words: str
    #: Whether the words carry the storyteller's name (named publication).
    named: bool = False

    def cells(self, themes: Sequence[ExtractTheme]) -> list[str]:
        return [
            self.story_id,
            self.storyteller_id,
            self.pseudonym,
            self.month_told,
            self.setting,
            self.how_told,
            self.language,
            self.sender,
            *(self.themes.get(theme.name, "") for theme in themes),
            self.words,
        ]


@dataclass
class ExtractTally:
    """What an extract holds and what consent left out, filled in as the rows are read."""

    stories: int = 0
    quoted: int = 0
    storytellers: set[str] = field(default_factory=set)
    left_out: Counter[LeftOut] = field(default_factory=Counter)

    @property
    def people(self) -> int:
        return len(self.storytellers)

    def left_out_sentence(self, threshold: int = DEFAULT_THRESHOLD) -> str:
        total = sum(self.left_out.values())
        if not total:
            return "No story was left out."
        reasons = "; ".join(
            f"{_number(shown_count(self.left_out[reason], threshold))} because {reason.label}"
            for reason in LeftOut
            if self.left_out[reason]
        )
        return f"Left out: {_number(shown_count(total, threshold))} ({reasons})."


def _number(count: int | str) -> str:
    return f"{count:,}" if isinstance(count, int) else count


@dataclass
class Extract:
    """The themes (the columns) and the rows, read lazily once; ``tally`` is complete once
    ``rows`` has been read to the end."""

    themes: tuple[ExtractTheme, ...]
    rows: Iterator[ExtractRow]
    tally: ExtractTally


def extract_themes(session: Session) -> tuple[ExtractTheme, ...]:
    return tuple(
        ExtractTheme(name, description or "")
        for name, description in session.execute(
            select(ThemeRow.name, ThemeRow.description).order_by(ThemeRow.name)
        )
    )


def read_extract(session: Session, wanted: StoryFilter) -> Extract:
    """The stories ``wanted`` finds, as an extract may hold them; the session must stay open
    while the rows are read."""
    tally = ExtractTally()
    return Extract(extract_themes(session), _rows(session, wanted, tally), tally)


def _story_uuids(session: Session, wanted: StoryFilter) -> list[str]:
    # Oldest told first, undated last, then as recorded: the same filter, the same order.
    return list(
        session.scalars(
            select(StoryRow.uuid)
            .where(StoryRow.id.in_(story_ids_matching(session, wanted)))
            .order_by(StoryRow.told_on.is_(None), StoryRow.told_on, StoryRow.id)
        )
    )


def _senders(session: Session, story_uuids: Sequence[str]) -> dict[str, str]:
    """The trusted signer's label of each imported story among these, by story id."""
    return dict(
        session.execute(
            select(StoryRow.uuid, TrustedSignerRow.label)
            .join(StoryOriginRow, StoryOriginRow.story_id == StoryRow.id)
            .join(TrustedSignerRow, TrustedSignerRow.key_id == StoryOriginRow.signer_key_id)
            .where(StoryRow.uuid.in_(story_uuids))
        ).all()
    )


def _rows(session: Session, wanted: StoryFilter, tally: ExtractTally) -> Iterator[ExtractRow]:
    key_of = storyteller_keys(session)

    def extract_id(storyteller_id: str, *also: str) -> str:
        return pseudonymous_id(key_of(storyteller_id), (":".join((PURPOSE, *also)),))

    uuids = _story_uuids(session, wanted)
    for start in range(0, len(uuids), BATCH):
        batch = uuids[start : start + BATCH]
        histories = consent_histories(session, batch)
        found = get_stories(session, batch)
        mentioned = mentioned_by_story(session, batch)
        senders = _senders(session, batch)
        for story_uuid in batch:
            story = found[story_uuid]
            history = histories.get(story_uuid, [])
            use = insight_use(history)
            if use.left_out is not None:
                tally.left_out[use.left_out] += 1
                continue
            quote = quote_of(story, history, mentioned.get(story_uuid, ()))
            teller = story.storyteller.id
            tally.stories += 1
            tally.quoted += quote is not None
            tally.storytellers.add(teller)
            yield ExtractRow(
                story_id=extract_id(teller, "story", story.id),
                storyteller_id=extract_id(teller),
                pseudonym=story.storyteller_pseudonym,
                month_told=f"{story.told_on:%Y-%m}" if story.told_on else "",
                setting=story.setting.value if story.setting else "",
                how_told=story.how_told.value if story.how_told else "",
                language=story.language,
                sender=senders.get(story_uuid, THIS_COMPUTER),
                themes={link.theme: link.polarity.value for link in story.themes},
                words=quote.words if quote else "",
                named=bool(quote and quote.named),
            )


# --- the data dictionary ---


def _vocabulary(kind: type[Setting] | type[HowTold]) -> str:
    return "; ".join(f"{member.value} = {member.label}" for member in kind)


def data_dictionary(
    themes: Sequence[ExtractTheme], tally: ExtractTally, threshold: int = DEFAULT_THRESHOLD
) -> list[tuple[str, str]]:
    """Each column with what it holds, then what the extract counts and leaves out."""
    columns = [
        ("story_id", "An id for the story made for extracts: the same in every extract from "
         "this computer, but it cannot be traced back to the story without its data."),
        ("storyteller_id", "An id for the person who told the story, made the same way: one "
         "person's stories share it, so people can be counted, but it is not their real id."),
        ("pseudonym", "What the person is called wherever their name may not go."),
        ("month_told", "The month the story was told, as YYYY-MM (empty if not known)."),
        ("setting", f"Where the person lives or was supported: {_vocabulary(Setting)}."),
        ("how_told", f"How the story was told: {_vocabulary(HowTold)}."),
        ("language", "The language of the story, as a language tag (en, cy, pl …)."),
        ("sender", "Who sent the story, for imported stories (the name the sender's key was "
         f"trusted under); “{THIS_COMPUTER}” for stories written here."),
    ]  # fmt: skip
    columns += [
        (
            theme.name,
            "Theme"
            + (f" ({theme.definition.strip()})" if theme.definition.strip() else "")
            + ": enabler, barrier or mixed where the story marks it; empty where it does not.",
        )
        for theme in themes
    ]
    columns.append(
        (
            WORDS_COLUMN,
            "The person’s own words, only where their consent allows a quote; the names of the "
            "person and of the people they mention are replaced by the pseudonym and a role, "
            "unless they agreed to be named. Empty where no quote is allowed. A cell that "
            "starts with = + - or @ has a ' put before it in the CSV so that a spreadsheet "
            "never runs it as a formula.",
        )
    )
    about = [
        (
            "about these stories",
            f"One row per story whose consent allows use in anonymised reports: "
            f"{_number(shown_count(tally.stories, threshold))} stories from "
            f"{_number(shown_count(tally.people, threshold))} people. Declined, withdrawn and "
            "unconsented stories are never included. " + tally.left_out_sentence(threshold),
        ),
        (
            "small counts",
            f"Counts below {threshold} are shown as “fewer than {threshold}”.",
        ),
    ]
    return columns + about


# --- writing, atomically ---


@contextmanager
def _plainly(target: Path) -> Iterator[None]:
    """A failed write anywhere in the block is one plain sentence, as ``atomic_files`` says it."""
    try:
        yield
    except BaseException as exc:
        plain = plain_write_error(exc, target)
        if plain is not None:
            raise plain from exc
        raise


def _counting(
    rows: Iterable[ExtractRow], progress: Callable[[int], None] | None
) -> Iterator[ExtractRow]:
    for done, row in enumerate(rows, start=1):
        yield row
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)


def readme_path(target: Path) -> Path:
    """The data dictionary beside a CSV: ``stories.csv`` → ``stories.README.txt``."""
    return target.with_name(f"{target.stem}.README.txt")


def _spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(
    target: Path,
    extract: Extract,
    threshold: int = DEFAULT_THRESHOLD,
    progress: Callable[[int], None] | None = None,
) -> ExtractTally:
    """The extract as UTF-8 CSV (with a byte order mark, so a spreadsheet reads it as UTF-8)
    and its data dictionary as ``<name>.README.txt`` beside it."""
    header = [*FIXED_COLUMNS, *(theme.name for theme in extract.themes), WORDS_COLUMN]
    with atomic_files([target, readme_path(target)]) as (table_file, readme_file):
        text = io.TextIOWrapper(table_file, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([_spreadsheet_safe(name) for name in header])
        for row in _counting(extract.rows, progress):
            writer.writerow([_spreadsheet_safe(cell) for cell in row.cells(extract.themes)])
        text.flush()
        text.detach()
        readme = io.TextIOWrapper(readme_file, encoding="utf-8", newline="\n")
        readme.write(_readme_text(target.name, extract, threshold))
        readme.flush()
        readme.detach()
    return extract.tally


def _readme_text(name: str, extract: Extract, threshold: int) -> str:
    lines = [f"{name}: stories from Storykeeper, anonymised", "", "Columns:", ""]
    for column, meaning in data_dictionary(extract.themes, extract.tally, threshold):
        lines += [f"{column}", f"    {meaning}", ""]
    return "\n".join(lines)


def _xlsx_text(text: str) -> str:
    # A control character is not allowed in a workbook's XML: openpyxl would refuse the cell.
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _spool_beside(sheet: WriteOnlyWorksheet, target: Path) -> Path:
    """Give a write-only sheet a spool file beside ``target``.

    openpyxl spools each sheet's rows to a file in the system's temporary folder, which a killed
    program leaves there, on another disk, with the person's words in it. Beside the target it
    is on the disk the person chose, beside the workbook's own temporary file. openpyxl knows no
    option for it: its writer is made here as its own ``_get_writer`` makes it (3.1's API)."""
    descriptor, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".rows"
    )
    os.close(descriptor)
    # openpyxl removes it from this list once written (and removes what is left at exit).
    ALL_TEMP_FILES.append(name)
    sheet._writer = WorksheetWriter(sheet, out=name)
    sheet._writer.write_top()
    return Path(name)


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Stop a sheet that will not be saved, quietly: its generators, closed by the garbage
    collector instead, would print lxml's complaints to standard error."""
    for generator in (sheet._rows, getattr(sheet._writer, "xf", None)):
        if generator is not None:
            with suppress(Exception):
                generator.close()
    sheet._rows = None


def write_xlsx(
    target: Path,
    extract: Extract,
    threshold: int = DEFAULT_THRESHOLD,
    progress: Callable[[int], None] | None = None,
) -> ExtractTally:
    """The extract as a workbook: the stories on the first sheet, the data dictionary on the
    second. Every cell is text, never a formula, whatever a person's words start with."""
    workbook = Workbook(write_only=True)
    sheets: list[WriteOnlyWorksheet] = []
    spools: list[Path] = []

    def text_cells(sheet: WriteOnlyWorksheet, values: Iterable[str]) -> list[Cell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
            # Text, always: openpyxl would take a person's "=…" for a formula and write it so.
            cell.data_type = "s"
            cells.append(cell)
        return cells

    def new_sheet(title: str) -> WriteOnlyWorksheet:
        sheet = workbook.create_sheet(title)
        sheets.append(sheet)
        spools.append(_spool_beside(sheet, target))
        return sheet

    with _plainly(target):
        try:
            stories = new_sheet("Stories")
            header = [*FIXED_COLUMNS, *(theme.name for theme in extract.themes), WORDS_COLUMN]
            stories.append(text_cells(stories, header))
            for row in _counting(extract.rows, progress):
                stories.append(text_cells(stories, row.cells(extract.themes)))
            dictionary = new_sheet("Data dictionary")
            dictionary.append(text_cells(dictionary, ["column", "what it holds"]))
            for column, meaning in data_dictionary(extract.themes, extract.tally, threshold):
                dictionary.append(text_cells(dictionary, [column, meaning]))
            with (
                atomic_files([target]) as (out,),
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
            ):
                # What openpyxl's save does, with the archive closed by ``with`` on a failure too.
                ExcelWriter(workbook, archive).write_data()
        except BaseException:
            for sheet in sheets:
                _discard(sheet)
            raise
        finally:
            for spool in spools:
                spool.unlink(missing_ok=True)
                with suppress(ValueError):
                    ALL_TEMP_FILES.remove(str(spool))
    return extract.tally


# --- REFI-QDA ---


def qda_themes(themes: Sequence[ExtractTheme]) -> list[refi_qda.QdaTheme]:
    return [refi_qda.QdaTheme(theme.name, theme.definition) for theme in themes]


def qda_stories(rows: Iterable[ExtractRow]) -> Iterator[refi_qda.QdaStory]:
    """Each row as a project's source: its words where a quote is allowed, else none (the
    module codes the source as a whole); titled by pseudonym and month, never the story's own
    title."""
    for row in rows:
        yield refi_qda.QdaStory(
            story_key=row.story_id,
            title=", ".join(part for part in (row.pseudonym, row.month_told) if part),
            words=row.words,
            case_key=row.storyteller_id,
            case_label=row.pseudonym,
            month_told=row.month_told,
            setting=row.setting,
            how_told=row.how_told,
            language=row.language,
            sender=row.sender,
            themes=tuple(
                refi_qda.QdaThemeMark(name, Polarity(polarity))
                for name, polarity in sorted(row.themes.items())
            ),
        )


def write_qdpx(
    target: Path,
    extract: Extract,
    name: str,
    user_name: str,
    created: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> ExtractTally:
    try:
        refi_qda.write_project(
            target,
            refi_qda.QdaProject(
                name=name,
                user_name=user_name,
                created=created,
                description="Stories whose consent allows use in anonymised reports; words "
                "only where a quote is allowed.",
            ),
            qda_themes(extract.themes),
            qda_stories(extract.rows),
            progress=_every_thousand(progress),
        )
    except refi_qda.QdaWriteError as exc:
        raise ExtractWriteError(exc.message) from exc
    return extract.tally


def _every_thousand(progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """``refi_qda`` reports after every story; a person needs a line every thousand."""
    if progress is None:
        return None
    report = progress

    def every(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            report(done)

    return every


def write_qdc(target: Path, themes: Sequence[ExtractTheme]) -> None:
    if not themes:
        raise ExtractWriteError("There are no themes to write: add themes first.")
    try:
        refi_qda.write_codebook(target, qda_themes(themes))
    except refi_qda.QdaWriteError as exc:
        raise ExtractWriteError(exc.message) from exc
