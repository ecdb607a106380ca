"""`storykeeper insight`: what people are telling us, theme by theme (issue 18).

The theme × enabler/barrier table over the stories the story list's filters find, counting only
those whose consent allows use in reports, with the people behind each count and what was left
out and why. What it prints leaves the program, so small counts are "fewer than 5"
(``insight.disclosed``); ``--json`` holds the same numbers and the trend over time.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

from storykeeper.cli.output import Column, Table, dumps, print_table
from storykeeper.cli.stories import add_story_filters, story_filter
from storykeeper.core import insight
from storykeeper.core.db import Store
from storykeeper.core.insight_policy import DEFAULT_THRESHOLD
from storykeeper.core.vocabulary import Polarity

#: The sentences are wrapped as `show` wraps a story's words.
WIDTH = 80
#: Stands in a share that would give a hidden count back.
NOT_SHOWN = "–"


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    parser = commands.add_parser(
        "insight",
        parents=[common, as_json],
        help="enablers and barriers by theme, with the people behind them",
        description="For each theme: how many stories mark it an enabler, a barrier or mixed, "
        "how many people told them, and what share of the stories mention it; the most "
        "mentioned first. Only stories whose consent allows use in reports are counted; it "
        "says how many were left out and why. Counts below the threshold are shown as "
        "“fewer than 5”. The filters are the story list’s.",
    )
    add_story_filters(parser)
    options = parser.add_argument_group("insight")
    options.add_argument(
        "--period",
        choices=[p.value for p in insight.Period],
        default=insight.Period.QUARTER.value,
        help="how --json groups the trend over time (default: quarter)",
    )
    options.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        metavar="N",
        help=f"show counts below N as “fewer than N” (default {DEFAULT_THRESHOLD}; 1 shows all)",
    )
    parser.set_defaults(handler=cmd_insight, text="")


def _threshold(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


Shown = dict[str, Any]


def _number(value: int | str) -> str:
    return f"{value:,}" if isinstance(value, int) else value


def _share(value: float | str | None) -> str:
    return f"{value:.1f}%" if isinstance(value, float) else NOT_SHOWN


def _cell(polarity: Polarity, what: str) -> Callable[[Shown], str]:
    return lambda theme: _number(theme[polarity.value][what])


def _table(what: str, heading: str, share: bool) -> Table[Shown]:
    return Table(
        columns=(
            Column("THEME", lambda theme: theme["theme"]),
            Column(heading, lambda theme: _number(theme["mentioned"][what]), numeric=True),
            *(
                [Column("SHARE", lambda theme: _share(theme["share_percent"]), numeric=True)]
                if share
                else []
            ),
            *(Column(p.value.upper(), _cell(p, what), cut=False, numeric=True) for p in Polarity),
        )
    )


STORIES = _table("stories", "STORIES", share=True)
PEOPLE = _table("people", "PEOPLE", share=False)


def cmd_insight(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.read() as session:
        figures = insight.insight(session, story_filter(args), insight.Period(args.period))
    shown = insight.disclosed(figures, args.threshold)
    counts = insight.what_it_counts(figures, args.threshold)
    left_out = insight.what_was_left_out(figures, args.threshold)
    if args.json:
        print(dumps({"what_it_counts": counts, "what_was_left_out": left_out, **shown}), file=out)
        return 0
    print(textwrap.fill(f"{counts}.", WIDTH), file=out)
    print(textwrap.fill(left_out, WIDTH), file=out)
    if not figures.stories:
        return 0
    print("\nStories marking each theme, the most mentioned first:\n", file=out)
    print_table(out, STORIES, shown["themes"], empty="No themes yet.")
    print(
        "\nThe people who told them (someone who told several is counted once a line):\n", file=out
    )
    print_table(out, PEOPLE, shown["themes"], empty="No themes yet.")
    return 0
