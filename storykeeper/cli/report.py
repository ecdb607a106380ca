"""`storykeeper report`: a report to print or edit, or the stories as an anonymised extract
for other tools (issue 18).

A PDF or Word report (cover, about these stories, the enablers-and-barriers chart and table, a
section per theme with its trend and voices, the theme definitions: ``core.report_build``);
CSV (with its data dictionary as a README beside it), XLSX (the dictionary on a second sheet),
a REFI-QDA project (``.qdpx``) or the theme list alone as its codebook (``.qdc``), over the
stories the story list's filters find. What may be counted and quoted is ``core.extracts``'s
business (through ``insight_policy``); this module reads the options, reports progress on
standard error and says what it wrote. Files are written atomically: a failure leaves nothing
half-written where the file was going.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from storykeeper import __version__
from storykeeper.cli.output import dumps
from storykeeper.cli.stories import add_story_filters, story_filter
from storykeeper.core import extracts, insight, report_build
from storykeeper.core.db import Store
from storykeeper.core.insight_policy import DEFAULT_THRESHOLD, shown_count

DEFAULT_TITLE = "What people are telling us"


class Format(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    CSV = "csv"
    XLSX = "xlsx"
    QDPX = "qdpx"
    QDC = "qdc"


#: The Qt application a PDF or Word report is drawn with, once made (see _printed).
_application: object | None = None


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    parser = commands.add_parser(
        "report",
        parents=[common, as_json],
        help="a report (PDF, Word) or an anonymised extract (CSV, XLSX, REFI-QDA)",
        description="pdf and docx write a report to print or edit: what people are telling us, "
        "theme by theme, with the chart, the trend and a few voices, counting only stories whose "
        "consent allows use in reports and quoting only where it allows a quote. The others "
        "write the stories the filters find as an anonymised extract: one row per "
        "story whose consent allows use in reports, with a pseudonymous id and pseudonym, the "
        "month told, setting, how told, language, sender, each theme's enabler/barrier/mixed, "
        "and the person's own words only where consent allows a quote (names replaced as an "
        "export replaces them). csv writes a README.txt beside the file with what each column "
        "holds; xlsx puts it on a second sheet; qdpx is a REFI-QDA project for NVivo, ATLAS.ti, "
        "MAXQDA or QualCoder; qdc is the theme list alone, as a codebook.",
    )
    add_story_filters(parser)
    options = parser.add_argument_group("report")
    options.add_argument(
        "--format",
        required=True,
        choices=[f.value for f in Format],
        help="what to write",
    )
    options.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write it (default: stories-DATE.FORMAT in the current folder)",
    )
    options.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        metavar="N",
        help=f"show counts below N as “fewer than N” (default {DEFAULT_THRESHOLD})",
    )
    options.add_argument(
        "--title",
        default=DEFAULT_TITLE,
        help=f"the report's title, or the project's name in a qdpx (default “{DEFAULT_TITLE}”)",
    )
    options.add_argument(
        "--organisation",
        default="",
        help="the organisation named on a report's cover",
    )
    options.add_argument(
        "--period",
        choices=[p.value for p in insight.Period],
        default=insight.Period.QUARTER.value,
        help="how a report groups the trend over time (default: quarter)",
    )
    parser.set_defaults(handler=cmd_report, text="")


def _threshold(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _progress(done: int) -> None:
    print(f"{done:,} stories written…", file=sys.stderr, flush=True)


def _default_target(chosen: Format, today: dt.date) -> Path:
    return Path(f"{'themes' if chosen is Format.QDC else 'stories'}-{today}.{chosen.value}")


def cmd_report(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    chosen = Format(args.format)
    target: Path = args.out or _default_target(chosen, dt.date.today())
    if chosen in (Format.PDF, Format.DOCX):
        return _printed(store, args, out, chosen, target)
    with store.read() as session:
        if chosen is Format.QDC:
            themes = extracts.extract_themes(session)
            extracts.write_qdc(target, themes)
            if args.json:
                print(dumps({"path": str(target), "themes": len(themes)}), file=out)
            else:
                print(f"Wrote {target}: the codebook of {len(themes):,} themes.", file=out)
            return 0
        extract = extracts.read_extract(session, story_filter(args))
        if chosen is Format.CSV:
            tally = extracts.write_csv(target, extract, args.threshold, _progress)
        elif chosen is Format.XLSX:
            tally = extracts.write_xlsx(target, extract, args.threshold, _progress)
        else:
            tally = extracts.write_qdpx(
                target,
                extract,
                name=args.title,
                user_name=f"Storykeeper {__version__}",
                created=dt.datetime.now(dt.UTC).replace(microsecond=0),
                progress=_progress,
            )
    stories = shown_count(tally.stories, args.threshold)
    people = shown_count(tally.people, args.threshold)
    left_out = tally.left_out_sentence(args.threshold)
    written = [target, *([extracts.readme_path(target)] if chosen is Format.CSV else [])]
    if args.json:
        print(
            dumps(
                {
                    "paths": [str(path) for path in written],
                    "stories": stories,
                    "people": people,
                    "with_words": shown_count(tally.quoted, args.threshold),
                    "left_out": {
                        reason.value: shown_count(count, args.threshold)
                        for reason, count in tally.left_out.items()
                    },
                    "threshold": args.threshold,
                }
            ),
            file=out,
        )
        return 0
    print(
        f"Wrote {' and '.join(map(str, written))}: {_number(stories)} stories from "
        f"{_number(people)} people. {left_out}",
        file=out,
    )
    return 0


def _printed(
    store: Store, args: argparse.Namespace, out: TextIO, chosen: Format, target: Path
) -> int:
    """A report to print or edit: the numbers and voices from the store, laid out by the
    Word or PDF writer. Both draw the chart with Qt, loaded only now (the rest of the command
    line never needs it) and without a screen."""
    with store.read() as session:
        content = report_build.report_content(
            session,
            story_filter(args),
            title=args.title,
            organisation=args.organisation,
            period=insight.Period(args.period),
            threshold=args.threshold,
        )
    from PySide6.QtWidgets import QApplication

    from storykeeper.core.report_docx import write_report_docx
    from storykeeper.gui.report_pdf import chart_pictures, write_report_pdf

    # Qt draws text only with an application; a command needs no screen for it. A widgets
    # application, not a bare GUI one: in a process that later opens a window (the tests run
    # both in one), the first application made is the only one there can be.
    global _application
    if QApplication.instance() is None:
        # Kept for the life of the process: dropped, the application would be destroyed while
        # Qt objects made with it live on, and a second one made later (a window, or the next
        # test in the same process) crashes when those are collected.
        _application = QApplication(["storykeeper", "-platform", "offscreen"])
    if chosen is Format.PDF:
        write_report_pdf(content, target)
    else:
        write_report_docx(content, target, chart_pictures(content))
    about = content.about
    if args.json:
        print(
            dumps(
                {
                    "paths": [str(target)],
                    "stories": _held(about.stories, args.threshold),
                    "people": _held(about.people, args.threshold),
                    "themes": len(content.themes),
                    "threshold": args.threshold,
                }
            ),
            file=out,
        )
        return 0
    print(
        f"Wrote {target}: {content.count_words(about.stories)} stories from "
        f"{content.count_words(about.people)} people, {len(content.themes):,} themes.",
        file=out,
    )
    return 0


def _held(count: int | None, threshold: int) -> int | str:
    return f"fewer than {threshold}" if count is None else count


def _number(count: int | str) -> str:
    return f"{count:,}" if isinstance(count, int) else count
