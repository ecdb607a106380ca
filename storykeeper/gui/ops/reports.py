"""The insight page's reads for its voices and its "Save report…" (issue 18).

The same core code as ``storykeeper report``: ``report_build`` for the printable report's
content and the voices, ``extracts`` for CSV, XLSX and the REFI-QDA files. Consent decides what
is counted and quoted there (``insight_policy``), never here. The extracts are written while the
stories are read, so they run here on the reader pool; the PDF and Word files are laid out by
the dialog from the content read here (they need Qt, which this package never imports).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from storykeeper import __version__
from storykeeper.core import extracts, report_build
from storykeeper.core.insight import EVERY_STORY, Period
from storykeeper.core.insight_policy import DEFAULT_THRESHOLD
from storykeeper.core.report_content import ReportContent, Voice
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import Polarity

#: Voices shown for the highlighted cell: enough to hear more than one person, few enough to read.
VOICES_SHOWN = 4


class ReportFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    CSV = "csv"
    XLSX = "xlsx"
    QDPX = "qdpx"
    QDC = "qdc"

    @property
    def label(self) -> str:
        return _FORMAT_LABELS[self]

    @property
    def printed(self) -> bool:
        """A report to print or edit (laid out from ``ReportContent``), not an extract."""
        return self in (ReportFormat.PDF, ReportFormat.DOCX)


_FORMAT_LABELS = {
    ReportFormat.PDF: "Report to print (PDF)",
    ReportFormat.DOCX: "Report to edit (Word)",
    ReportFormat.CSV: "Anonymised spreadsheet (CSV)",
    ReportFormat.XLSX: "Anonymised spreadsheet (Excel)",
    ReportFormat.QDPX: "Project for NVivo, ATLAS.ti, MAXQDA or QualCoder (REFI-QDA)",
    ReportFormat.QDC: "The theme list as a codebook (REFI-QDA)",
}


class Cancelled(Exception):
    """The person pressed Cancel: the file being written is dropped, nothing is left behind."""


@dataclass(frozen=True, slots=True)
class VoicesQuery:
    """The highlighted cell: its theme and polarity, under the page's filters."""

    wanted: StoryFilter
    theme: str
    polarity: Polarity | None


def load_voices(session: Session, query: VoicesQuery) -> tuple[Voice, ...]:
    return report_build.voices(
        session,
        query.wanted,
        query.theme,
        query.polarity,
        how_many=VOICES_SHOWN,
        around_theme=True,
    )


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What the person asked for in the dialog, with the page's filters."""

    format: ReportFormat
    target: Path
    wanted: StoryFilter = EVERY_STORY
    title: str = ""
    organisation: str = ""
    period: Period = Period.QUARTER
    threshold: int = DEFAULT_THRESHOLD
    #: The cover's period as the person wrote it ("2025–26"); empty: the months told.
    cover_period: str = ""


@dataclass(frozen=True, slots=True)
class Written:
    """What was saved, for the line that says so."""

    paths: tuple[Path, ...]
    #: What it holds, in words with small counts held back ("12 stories from 9 people").
    summary: str


def read_report_content(session: Session, request: ReportRequest) -> ReportContent:
    content = report_build.report_content(
        session,
        request.wanted,
        title=request.title,
        organisation=request.organisation,
        period=request.period,
        threshold=request.threshold,
    )
    if not request.cover_period:
        return content
    return dataclasses.replace(
        content, cover=dataclasses.replace(content.cover, period=request.cover_period)
    )


def write_extract(
    session: Session,
    request: ReportRequest,
    progress: Callable[[int], None],
    cancelled: Callable[[], bool],
) -> Written:
    """Write a CSV, XLSX, REFI-QDA project or codebook as ``storykeeper report`` does.
    ``progress`` hears how many stories are written (every thousand); when ``cancelled()``
    turns true the file is dropped (the atomic writer removes its partial file) and
    ``Cancelled`` is raised."""

    def step(done: int) -> None:
        if cancelled():
            raise Cancelled
        progress(done)

    target = request.target
    if request.format is ReportFormat.QDC:
        themes = extracts.extract_themes(session)
        extracts.write_qdc(target, themes)
        return Written((target,), f"the codebook of {len(themes):,} themes")
    extract = extracts.read_extract(session, request.wanted)
    if request.format is ReportFormat.CSV:
        tally = extracts.write_csv(target, extract, request.threshold, step)
        paths: tuple[Path, ...] = (target, extracts.readme_path(target))
    elif request.format is ReportFormat.XLSX:
        tally = extracts.write_xlsx(target, extract, request.threshold, step)
        paths = (target,)
    elif request.format is ReportFormat.QDPX:
        tally = extracts.write_qdpx(
            target,
            extract,
            name=request.title,
            user_name=f"Storykeeper {__version__}",
            created=dt.datetime.now(dt.UTC).replace(microsecond=0),
            progress=step,
        )
        paths = (target,)
    else:
        raise ValueError(f"{request.format} is a printed report, not an extract")
    stories = _number(tally.stories, request.threshold)
    people = _number(tally.people, request.threshold)
    return Written(paths, f"{stories} stories from {people} people")


def _number(count: int, threshold: int) -> str:
    return f"fewer than {threshold}" if 0 < count < threshold else f"{count:,}"
