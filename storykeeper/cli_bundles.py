"""The command line's bundle commands: ``storykeeper export``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from storykeeper.cli_keys import command_line_actor
from storykeeper.core import recipients as recipients_module
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bundle.writer import (
    ExportError,
    Selection,
    plan_export,
    record_export,
    write_bundle,
)
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.jsonout import dumps


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    export = commands.add_parser(
        "export",
        parents=[common, as_json],
        help="write a signed, encrypted bundle of the stories consent lets leave",
        description="Only what each story's consent allows leaves: no story without "
        "“share with the coordinator”, the pseudonym instead of the name without "
        "“publish with the name”, no audio or photos without “share media”. Withdrawals "
        "waiting to be sent always go. What was left out is listed, with why.",
    )
    export.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="a folder, or the file to write"
    )
    export.add_argument(
        "--to",
        action="append",
        metavar="AGE_RECIPIENT",
        help="encrypt to this key (repeat for several); default: every configured recipient",
    )
    export.add_argument(
        "--plain",
        action="store_true",
        help="write an unencrypted bundle (only when you mean to: anyone can read it)",
    )
    export.add_argument(
        "--organisation", default="Storykeeper", metavar="NAME", help="for the bag's records"
    )
    which = export.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every story (the default)")
    which.add_argument(
        "--since-last", action="store_true", help="stories new or changed since the last export"
    )
    which.add_argument("--story", action="append", metavar="ID", help="this story (repeat)")
    export.set_defaults(handler=cmd_export)


def cmd_export(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    if args.plain and args.to:
        raise ExportError("Choose --plain or --to, not both: a plain bundle is not encrypted.")
    if args.story:
        selection = Selection.CHOSEN
    elif args.since_last:
        selection = Selection.SINCE_LAST
    else:
        selection = Selection.ALL
    with store.read() as session:
        plan = plan_export(session, selection, args.story or ())
        to = args.to or [r.age_recipient for r in recipients_module.list_recipients(session)]
    result = write_bundle(
        plan,
        keys=KeyStore(store.paths.data_dir),
        media=MediaStore(store.paths.media_dir),
        out=args.out,
        recipients=[] if args.plain else to,
        plain=args.plain,
        organisation=args.organisation,
    )
    with store.write(actor=command_line_actor()) as session:
        record_export(session, result)
    if args.json:
        print(dumps(result), file=out)
        return 0
    out.write(
        f"Wrote {result.path} ({result.size:,} bytes): {len(result.stories)} stories, "
        f"{result.media_files} media files, {len(result.withdrawals)} withdrawals.\n"
    )
    out.write(
        "Not encrypted: anyone with the file can read it.\n"
        if result.plain
        else "Encrypted to: " + ", ".join(result.recipients) + "\n"
    )
    if plan.media_left_out:
        out.write(f"Left out {plan.media_left_out} media files: consent does not share them.\n")
    if result.left_out:
        out.write(f"Left out {len(result.left_out)} stories:\n")
        for withheld in result.left_out:
            out.write(f"  {withheld.story_id[:8]}  {withheld.reason}\n")
    return 0
