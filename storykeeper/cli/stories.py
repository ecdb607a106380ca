"""The story commands: list, search, show, stats, check and demo-data.

Each command prints plain text by default and JSON with ``--json``. Errors are one line on
stderr and a non-zero exit status, never a traceback (``__main__`` sees to that).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

from storykeeper.cli.arguments import count_argument, date_argument, vocabulary_argument
from storykeeper.cli.keys import command_line_actor
from storykeeper.cli.output import (
    Column,
    Table,
    dumps,
    print_fields,
    print_records,
    print_table,
)
from storykeeper.core import check as check_module
from storykeeper.core import consent, consent_text, demo, provenance, search, stats, stories
from storykeeper.core.db import Store
from storykeeper.core.ids import short_id
from storykeeper.core.vocabulary import (
    ConsentState,
    HowTold,
    Polarity,
    Setting,
    StoryStatus,
    Vocabulary,
)


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    demo_parser = commands.add_parser(
        "demo-data",
        parents=[common, as_json],
        help="fill the store with realistic synthetic stories (for trying things out)",
        description="Add synthetic storytellers, supporters and stories in every consent "
        "situation. The same seed always makes the same data. Never use this on a store "
        "that holds real stories you intend to export.",
    )
    demo_parser.add_argument("--stories", type=count_argument, required=True, metavar="N")
    demo_parser.add_argument("--seed", type=int, default=1, metavar="S", help="default: 1")
    demo_parser.set_defaults(handler=cmd_demo_data)

    list_parser = commands.add_parser(
        "list", parents=[common, as_json], help="list stories, newest change first"
    )
    _add_filters(list_parser)
    list_parser.set_defaults(handler=cmd_list, text="")

    search_parser = commands.add_parser(
        "search",
        parents=[common, as_json],
        help="find stories by words in the title, own words, notes or storyteller",
        description="Every word must appear; the last word also matches longer words it "
        "starts (“walk” finds “walking”). The filters narrow the results further.",
    )
    search_parser.add_argument("text", metavar="TEXT", help="the words to look for")
    _add_filters(search_parser)
    search_parser.set_defaults(handler=cmd_list)

    show_parser = commands.add_parser(
        "show", parents=[common, as_json], help="show one story in full, with its consent"
    )
    show_parser.add_argument("id", metavar="ID", help="the story’s id (the first 8 characters do)")
    show_parser.set_defaults(handler=cmd_show)

    stats_parser = commands.add_parser(
        "stats",
        parents=[common, as_json],
        help="counts by status, consent state, theme and polarity",
    )
    stats_parser.set_defaults(handler=cmd_stats)

    check_parser = commands.add_parser(
        "check",
        parents=[common, as_json],
        help="check the database, the audit log and every attachment",
        description="Exits with status 1 and says what is wrong when anything is. Nothing is "
        "changed unless --repair is given.",
    )
    check_parser.add_argument(
        "--repair",
        action="store_true",
        help="then remove media files no story refers to any more, and unfinished copies an "
        "interrupted import left (never a file a story uses), and say what was removed",
    )
    check_parser.set_defaults(handler=cmd_check)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    add_story_filters(parser)
    _add_paging(parser)


def add_story_filters(parser: argparse.ArgumentParser) -> None:
    """The story list's filters (``story_filter`` reads them): also ``insight``'s."""
    group = parser.add_argument_group("filters")
    group.add_argument("--theme", metavar="NAME", help="stories linked to this theme")
    group.add_argument(
        "--polarity",
        type=vocabulary_argument(Polarity),
        help="enabler, barrier or mixed (with --theme: for that theme)",
    )
    group.add_argument(
        "--consent",
        type=vocabulary_argument(ConsentState),
        action="append",
        metavar="STATE",
        help="none, given, given_with_conditions, declined or withdrawn (repeat for several)",
    )
    group.add_argument("--review-due", action="store_true", help="consent review is due")
    group.add_argument("--status", type=vocabulary_argument(StoryStatus), help="draft or final")
    group.add_argument("--supporter", metavar="ID", help="recorded by this supporter")
    group.add_argument("--storyteller", metavar="ID", help="told by this storyteller")
    group.add_argument(
        "--sender",
        metavar="LABEL_OR_KEY_ID",
        help="imported stories whose bundle this trusted sender signed (its label or key id)",
    )
    source = group.add_mutually_exclusive_group()
    source.add_argument(
        "--own",
        dest="source",
        action="store_const",
        const=search.StorySource.OWN,
        help="only stories written on this computer",
    )
    source.add_argument(
        "--imported",
        dest="source",
        action="store_const",
        const=search.StorySource.IMPORTED,
        help="only stories imported from bundles",
    )
    group.add_argument(
        "--setting",
        type=vocabulary_argument(Setting),
        help=f"where the story was told: {_choices(Setting)}",
    )
    group.add_argument(
        "--how-told",
        type=vocabulary_argument(HowTold),
        metavar="HOW",
        help=f"how the story was told: {_choices(HowTold)}",
    )
    group.add_argument(
        "--from", dest="told_from", type=date_argument, metavar="DATE", help="told on or after"
    )
    group.add_argument(
        "--to", dest="told_to", type=date_argument, metavar="DATE", help="told on or before"
    )


def _choices(kind: type[Vocabulary]) -> str:
    return ", ".join(kind.values())


def _add_paging(parser: argparse.ArgumentParser) -> None:
    paging = parser.add_argument_group("order and paging")
    paging.add_argument(
        "--sort",
        choices=[s.value for s in search.SortBy],
        default=None,
        help="default: relevance when searching, else updated",
    )
    paging.add_argument("--ascending", action="store_true", help="oldest or A–Z first")
    paging.add_argument(
        "--limit", type=count_argument, default=50, help="how many (default 50, most 1000)"
    )
    paging.add_argument("--offset", type=count_argument, default=0, help="skip this many first")


def story_filter(args: argparse.Namespace) -> search.StoryFilter:
    return search.StoryFilter(
        text=args.text,
        theme=args.theme,
        polarity=args.polarity,
        consent_states=frozenset(args.consent or ()),
        review_due=args.review_due,
        status=args.status,
        supporter_id=args.supporter,
        storyteller_id=args.storyteller,
        told_from=args.told_from,
        told_to=args.told_to,
        sender=args.sender,
        source=args.source,
        setting=args.setting,
        how_told=args.how_told,
    )


def _story_table(origins: bool) -> Table[search.StorySummary]:
    columns: list[Column[search.StorySummary]] = [
        Column("ID", lambda item: short_id(item.id), cut=False),
        Column("TOLD", lambda item: item.told_on.isoformat() if item.told_on else "—", cut=False),
        Column("STATUS", lambda item: item.status.value, cut=False),
        # "Given with conditions" cut short could read as plain "Given…".
        Column("CONSENT", lambda item: item.consent_state.label, cut=False),
        Column("STORYTELLER", lambda item: item.storyteller_name),
    ]
    # Only a coordinator's list, with imported stories on the page, needs to say where from.
    if origins:
        columns.append(Column("FROM", lambda item: item.origin or "here"))
    columns.append(Column("TITLE", lambda item: item.title or "(untitled)"))
    return Table(columns=columns, note=lambda item: item.snippet or "")


def _nothing_listed(page: search.SearchPage, wanted: search.StoryFilter) -> str:
    if page.total:
        return f"No stories on this page: {page.total} match; lower --offset."
    if wanted == search.StoryFilter(text=wanted.text) and not wanted.text.strip():
        return (
            "There are no stories yet. Try “storykeeper demo-data --stories 100” to see how "
            "it looks."
        )
    return "No stories match."


def cmd_list(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    wanted = story_filter(args)
    if args.sort:
        sort = search.SortBy(args.sort)
    else:
        sort = search.SortBy.RELEVANCE if wanted.text.strip() else search.SortBy.UPDATED
    with store.read() as session:
        page = search.search_stories(
            session,
            wanted,
            sort=sort,
            descending=not args.ascending,
            offset=args.offset,
            limit=args.limit,
        )
    print_records(
        out,
        _story_table(origins=any(item.origin for item in page.items)),
        page.items,
        as_json=args.json,
        empty=_nothing_listed(page, wanted),
        document=page,
    )
    if args.json or not page.items:
        return 0
    shown_to = page.offset + len(page.items)
    if page.total > len(page.items):
        print(
            f"\n{page.offset + 1}–{shown_to} of {page.total} stories"
            + (f"; see more with --offset {shown_to}" if shown_to < page.total else ""),
            file=out,
        )
    else:
        print(f"\n{page.total} {'story' if page.total == 1 else 'stories'}", file=out)
    return 0


def cmd_show(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.read() as session:
        story = stories.shown_here(session, args.id)
        history = consent.consent_history(session, story.id)
        origin = provenance.origin_of(session, story.id)
    if args.json:
        print(dumps({"story": story, "consent_history": history, "origin": origin}), file=out)
        return 0
    w = out.write
    w(f"{story.title or '(untitled)'}\n{'=' * min(len(story.title or '(untitled)'), 80)}\n")
    rows = [
        ("Id", story.id),
        ("Storyteller", f"{story.storyteller.name} (pseudonym {story.storyteller_pseudonym})"),
        ("Recorded by", story.supporter.name if story.supporter else "—"),
        ("Told on", story.told_on.isoformat() if story.told_on else "—"),
        ("Setting", story.setting.label if story.setting else "—"),
        ("How told", story.how_told.label if story.how_told else "—"),
        ("Language", story.language),
        ("Status", f"{story.status.label}, revision {story.revision}"),
        (
            "Themes",
            "; ".join(f"{t.theme} ({t.polarity.label.lower()})" for t in story.themes) or "—",
        ),
        (
            "Attachments",
            ", ".join(f"{a.original_name} ({a.kind.label.lower()})" for a in story.attachments)
            or "—",
        ),
        (
            "Came from",
            "written on this computer"
            if origin is None
            else f"{origin.described}, in bundle {origin.bundle_id}, imported "
            f"{origin.imported_at.astimezone():%d %b %Y %H:%M}",
        ),
    ]
    print_fields(out, rows)
    w("\nConsent\n-------\n")
    w(consent_text.summary(history) + "\n")
    if stories.content_hidden(story):
        w(
            "\nConsent was withdrawn: the story's content is hidden and waits to be removed "
            "from this computer (open it in the window to remove it).\n"
        )
        return 0
    w("\nIn their own words\n------------------\n")
    w(_wrap(story.own_words) or "(nothing written yet)\n")
    w("\nRecorder’s notes\n----------------\n")
    w(_wrap(story.recorder_notes) or "(none)\n")
    return 0


def _wrap(text: str) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return "".join(textwrap.fill(p, 80) + "\n\n" for p in paragraphs).rstrip("\n") + (
        "\n" if paragraphs else ""
    )


Count = tuple[str, int]
ThemeCounts = tuple[str, dict[str, int | str]]


def _polarity_count(polarity: Polarity) -> Callable[[ThemeCounts], str]:
    return lambda theme: str(theme[1][polarity.value])


def _counts(heading: str) -> Table[Count]:
    return Table(
        columns=(
            Column(heading, lambda count: count[0]),
            Column("STORIES", lambda count: str(count[1]), cut=False, numeric=True),
        )
    )


THEME_COUNTS = Table[ThemeCounts](
    columns=(
        Column("THEME", lambda theme: theme[0]),
        *(
            Column(polarity.value.upper(), _polarity_count(polarity), cut=False, numeric=True)
            for polarity in Polarity
        ),
    )
)


def cmd_stats(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.read() as session:
        figures = stats.store_stats(session)
    # What leaves: the theme counts with small ones as "fewer than 5" (issue 18).
    leaving = stats.as_it_leaves(figures)
    if args.json:
        print(dumps(leaving), file=out)
        return 0
    print(
        f"Stories: {figures.stories}   Storytellers: {figures.storytellers}   "
        f"Supporters: {figures.supporters}   Attachments: {figures.attachments}   "
        f"Deleted or withdrawn: {figures.tombstones}\n",
        file=out,
    )
    by_status = [(status.label, figures.by_status.get(status.value, 0)) for status in StoryStatus]
    print_table(out, _counts("STATUS"), by_status, empty="")
    by_consent = [
        *((state.label, figures.by_consent_state.get(state.value, 0)) for state in ConsentState),
        ("Review due", figures.consent_review_due),
    ]
    print(file=out)
    print_table(out, _counts("CONSENT"), by_consent, empty="")
    print(file=out)
    print_table(out, THEME_COUNTS, list(leaving["by_theme"].items()), empty="No themes yet.")
    print(f"\n{stats.what_themes_count(figures)}", file=out)
    return 0


def cmd_check(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    progress = None if args.json else (lambda step: print(f"checking {step}…", file=sys.stderr))
    report = check_module.check_store(store, progress)
    repaired: check_module.RepairReport | None = None
    refused = report.repair_refused if args.repair else None
    if args.repair and refused is None:
        if progress:
            progress("for unused files to remove")
        repaired = check_module.repair_store(store, actor=command_line_actor())
    if args.json:
        shown: dict[str, object] = {
            "ok": report.ok,
            "problems": report.problems,
            "checked": report.checked,
            "removable_files": report.removable_files,
            "removable_bytes": report.removable_bytes,
        }
        if args.repair:
            shown["repair"] = (
                {
                    "removed_files": repaired.files,
                    "removed_bytes": repaired.bytes,
                    "unused_files": repaired.unused_files,
                    "unfinished_copies": repaired.partial_copies,
                }
                if repaired is not None
                else {"refused": refused}
            )
        print(dumps(shown), file=out)
    else:
        for problem in report.problems:
            print(f"{problem.severity.value.upper()}: {problem.area}: {problem.message}", file=out)
        counts = ", ".join(f"{n} {what}" for what, n in report.checked.items())
        if report.ok:
            print(f"All is well ({counts}).", file=out)
        else:
            errors = sum(p.severity is check_module.Severity.ERROR for p in report.problems)
            print(
                # A damaged file stops the check before anything is counted.
                f"Found {errors} problem{'s' if errors != 1 else ''}"
                f"{f' ({counts})' if counts else ''}. Backups of the "
                f"database are in {store.paths.backups_dir}.",
                file=out,
            )
        if refused is not None:
            print(refused, file=out)
        elif repaired is not None:
            print(repaired.summary(), file=out)
        elif report.removable_files:
            print("Run “storykeeper check --repair” to remove the unused files.", file=out)
    # The repair removes only what the check warned about: the check's verdict stands.
    return 0 if report.ok else 1


def cmd_demo_data(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not args.json and total >= 5000:
            print(f"  {done:,} of {total:,} stories…", file=sys.stderr)

    summary = demo.generate(store, stories=args.stories, seed=args.seed, progress=progress)
    elapsed = time.perf_counter() - started
    if args.json:
        print(dumps({"summary": summary, "seconds": round(elapsed, 2)}), file=out)
    else:
        print(
            f"Added {summary.stories:,} stories by {summary.storytellers:,} storytellers, "
            f"recorded by {summary.supporters:,} supporters, with {summary.consent_records:,} "
            f"consent records, in {elapsed:.1f} s.",
            file=out,
        )
    return 0
