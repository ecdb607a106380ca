"""The command line's bundle commands: ``export``, ``verify``, ``import`` and ``imports``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import minisign

from storykeeper.cli.arguments import count_argument
from storykeeper.cli.keys import command_line_actor
from storykeeper.cli.output import Column, Table, dumps, print_fields, print_records, print_table
from storykeeper.core import trust
from storykeeper.core.bundle import report as report_module
from storykeeper.core.bundle.export import Selection, export_bundle
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.reader import check_story, open_bundle
from storykeeper.core.bundle.report import Action, ImportReport, LedgerEntry, Outcome, StoryLine
from storykeeper.core.bundle.writer import ExportError
from storykeeper.core.db import Store
from storykeeper.core.display import counted
from storykeeper.core.export_policy import Withheld
from storykeeper.core.ids import short_id


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

    verify = commands.add_parser(
        "verify",
        parents=[common, as_json],
        help="check a bundle: decrypt, zip, signature, every hash, the JSON; changes nothing",
        description="Checks the bundle as an import would, without importing it: decrypts it "
        "with this computer's age identity, checks the zip, the signature (against the trusted "
        "signers, this computer's own key and any --signer), every file's hash and the JSON. "
        "Exits with "
        "status 1 and the reason when any check fails.",
    )
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument(
        "--signer",
        action="append",
        type=Path,
        metavar="PUBFILE",
        help="also accept signatures by this minisign public key (repeat for several)",
    )
    verify.set_defaults(handler=cmd_verify)

    importing = commands.add_parser(
        "import",
        parents=[common, as_json],
        help="bring bundles in: checked, then applied all or nothing, each once",
        description="Each file is checked as “verify” does (decrypted with this computer's age "
        "identity, signature by a trusted sender), then applied in one transaction: new stories "
        "come in, newer revisions update, older ones are skipped, withdrawals purge. A bundle "
        "imported before changes nothing. Exit status: 0 when every file was imported or had "
        "been already, 1 when any was refused (the report says why), 2 on a usage error.",
    )
    importing.add_argument("files", type=Path, nargs="+", metavar="FILE")
    importing.add_argument(
        "--dry-run", action="store_true", help="check and report what would change; keep nothing"
    )
    importing.add_argument(
        "--accept-plain",
        action="store_true",
        help="also take plain (unencrypted) bundles, for your own tests; a bundle made for "
        "someone else is refused even so",
    )
    importing.set_defaults(handler=cmd_import)

    imports = commands.add_parser(
        "imports",
        parents=[common, as_json],
        help="the import ledger: every bundle offered here, newest first, with its report",
    )
    imports.add_argument(
        "--limit", type=count_argument, default=20, metavar="N", help="how many (20)"
    )
    imports.set_defaults(handler=cmd_imports)


def cmd_export(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    if args.plain and args.to:
        raise ExportError("Choose --plain or --to, not both: a plain bundle is not encrypted.")
    if args.story:
        selection = Selection.CHOSEN
    elif args.since_last:
        selection = Selection.SINCE_LAST
    else:
        selection = Selection.ALL
    result = export_bundle(
        store,
        actor=command_line_actor(),
        out=args.out,
        selection=selection,
        story_ids=args.story or (),
        recipients=args.to,  # None: every recipient configured here
        plain=args.plain,
        organisation=args.organisation,
    )
    if args.json:
        print(dumps(result), file=out)
        return 0
    out.write(
        f"Wrote {result.path} ({result.size:,} bytes): {counted(len(result.stories), 'story')}, "
        f"{counted(result.media_files, 'media file')}, "
        f"{counted(len(result.withdrawals), 'withdrawal')}.\n"
    )
    out.write(
        "Not encrypted: anyone with the file can read it.\n"
        if result.plain
        else "Encrypted to: " + ", ".join(result.recipients) + "\n"
    )
    if result.withdrawals_waiting:
        out.write(
            f"Not sent yet: {counted(result.withdrawals_waiting, 'withdrawal')}, for the next "
            f"export (one bundle carries at most {len(result.withdrawals):,}).\n"
        )
    if result.withdrawals_held_back:
        out.write(
            f"Not sent yet: {counted(result.withdrawals_held_back, 'withdrawal')} of stories "
            "a recipient of this bundle never had; export to the others alone to send them.\n"
        )
    if result.withdrawals_for_others:
        out.write(
            "Waiting for other coordinators: "
            f"{counted(result.withdrawals_for_others, 'withdrawal')} of stories sent to "
            "coordinators this bundle is not for; export to them to send them.\n"
        )
    if result.media_left_out:
        out.write(f"Left out {result.media_left_out} media files: consent does not share them.\n")
    if result.left_out:
        out.write(f"Left out {counted(len(result.left_out), 'story')}:\n")
        print_table(out, LEFT_OUT, result.left_out, empty="")
    return 0


#: The stories an export left out: titles are the advocate's own and may be cut to fit.
LEFT_OUT: Table[Withheld] = Table(
    columns=(
        Column("STORY", lambda w: short_id(w.story_id), cut=False),
        Column("TITLE", lambda w: w.title or "(untitled)"),
        Column("WHY", lambda w: w.reason),
    ),
    indent=2,
)


@dataclass(frozen=True)
class VerifyReport:
    file: str
    bundle_id: str
    format: int
    encrypted: bool
    signer_key_id: str
    signer_fingerprint: str
    recipients: list[str]
    #: Whether the sender addressed it to one of this computer's keys (import refuses it if not).
    for_this_computer: bool
    stories: int
    withdrawals: int
    files_checked: int


#: Per-story lines printed for one bundle before the rest are only counted.
SHOWN_LINES = 40

STORY_LINES = Table[StoryLine](
    columns=(
        Column("ACTION", lambda line: line.action.value, cut=False),
        Column("ID", lambda line: short_id(line.story_id), cut=False),
        Column("TITLE", lambda line: line.title or "(not held here)"),
        Column("DETAIL", lambda line: line.detail),
    ),
    indent=2,
)


def cmd_import(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    actor = command_line_actor()
    reports = []
    for path in args.files:

        def checking(done: int, total: int, name: str = path.name) -> None:
            if not args.json and total >= 1000 and done % 1000 == 0:
                print(
                    f"  {name}: checked {done:,} of {total:,} files…", file=sys.stderr, flush=True
                )

        def progress(done: int, total: int, name: str = path.name) -> None:
            if not args.json and total >= 1000 and done % 500 == 0:
                print(f"  {name}: {done:,} of {total:,} stories…", file=sys.stderr, flush=True)

        report = import_bundle(
            store,
            path,
            actor=actor,
            dry_run=args.dry_run,
            progress=progress,
            checking=checking,
            accept_plain=args.accept_plain,
        )
        reports.append(report)
        if not args.json:
            _print_report(report, out)
    if args.json:
        print(dumps(reports), file=out)
    return 0 if all(r.ok for r in reports) else 1


def _print_report(report: ImportReport, out: TextIO) -> None:
    out.write(f"{report.file}: {report.summary()}\n")
    if report.signer_key_id and report.outcome is not Outcome.REFUSED:
        out.write(
            f"  from {report.signer_label} (key {report.signer_key_id}), "
            f"bundle {report.bundle_id}\n"
        )
    if report.untrusted_public_key:
        out.write(
            "  If the sender reads you the same fingerprint, trust them and import again:\n"
            f'    storykeeper trust add {report.untrusted_public_key} --label "THEIR NAME"\n'
        )
    # New stories are many and unremarkable; what was skipped or withdrawn, and why, is shown
    # first, so it is never lost below a long list.
    order = {Action.WITHDRAWN: 0, Action.SKIPPED: 1, Action.UPDATED: 2, Action.NEW: 3}
    shown = sorted(report.stories, key=lambda line: order[line.action])
    print_table(out, STORY_LINES, shown[:SHOWN_LINES], empty="")
    if len(shown) > SHOWN_LINES:
        out.write(
            f"  … and {len(shown) - SHOWN_LINES:,} more (all are in “storykeeper import --json” "
            "and the ledger).\n"
        )


def _ledger_outcome(entry: LedgerEntry) -> str:
    report = entry.report
    if report.outcome is Outcome.REFUSED:
        return f"refused: {report.reason}"
    if report.outcome is Outcome.ALREADY_IMPORTED:
        return "already imported: nothing changed"
    return ", ".join(f"{n} {action.value}" for action, n in entry.counts.items())


LEDGER = Table[LedgerEntry](
    columns=(
        Column(
            "WHEN",
            lambda entry: entry.report.checked_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            cut=False,
        ),
        Column("FILE", lambda entry: Path(entry.report.file).name),
        Column("FROM", lambda entry: entry.report.signer_label or "—"),
        Column("OUTCOME", _ledger_outcome),
    )
)


def cmd_imports(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.read() as session:
        entries = report_module.history(session, limit=max(1, args.limit))
    print_records(
        out,
        LEDGER,
        entries,
        as_json=args.json,
        empty="No bundles imported yet: “storykeeper import FILE” brings one in.",
    )
    return 0


def _made_for(report: VerifyReport) -> str:
    """Whom the sender meant the bundle for, and so whether import would take it here."""
    if report.for_this_computer:
        return "this computer"
    if not report.recipients:
        return "nobody in particular: “storykeeper import” takes it only with --accept-plain"
    return "someone else: “storykeeper import” here would refuse it"


def cmd_verify(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    keys = store.keys
    keys.ensure()
    with store.read() as session:
        trusted = [keys.public_key(), *trust.active_keys(session)]
    for signer in args.signer or ():
        try:
            trusted.append(minisign.PublicKey.from_file(signer))
        except (OSError, minisign.Error) as exc:
            raise ExportError(f"{signer} is not a minisign public key file.") from exc
    identities = keys.age_identities()
    own = {str(identity.to_public()) for identity in identities}
    # verify says whom a bundle is for; only import refuses one made for someone else.
    with open_bundle(
        args.file, identities, trusted, data_dir=store.paths.data_dir, any_recipient=True
    ) as bundle:
        for path in bundle.payload:
            if path.startswith("data/stories/"):
                check_story(bundle, path)
        report = VerifyReport(
            file=str(args.file),
            bundle_id=bundle.bundle_id,
            format=bundle.format,
            encrypted=bundle.encrypted,
            signer_key_id=bundle.signer_key_id,
            signer_fingerprint=bundle.signer_fingerprint,
            recipients=list(bundle.summary["recipients"]),
            for_this_computer=bool(own & set(bundle.summary["recipients"])),
            stories=len(bundle.summary["stories"]),
            withdrawals=len(bundle.summary["withdrawals"]),
            files_checked=len(bundle.payload),
        )
    if args.json:
        print(dumps(report), file=out)
        return 0
    out.write(f"{report.file} is a valid Storykeeper bundle (format {report.format}).\n")
    print_fields(
        out,
        [
            ("Bundle id", report.bundle_id),
            (
                "Signed by",
                f"key {report.signer_key_id}, fingerprint {report.signer_fingerprint}",
            ),
            ("Encrypted to", ", ".join(report.recipients) or "nobody: it is a plain bundle"),
            ("Made for", _made_for(report)),
            (
                "Carries",
                f"{report.stories} stories, {report.withdrawals} withdrawals; "
                f"{report.files_checked} files, every hash checked",
            ),
        ],
        indent=2,
    )
    return 0
