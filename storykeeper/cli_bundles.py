"""The command line's bundle commands: ``storykeeper export``."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import minisign

from storykeeper.cli_keys import command_line_actor
from storykeeper.core import recipients as recipients_module
from storykeeper.core import trust
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bundle.reader import check_story, open_bundle
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
            title = withheld.title or "(untitled)"
            out.write(f"  {withheld.story_id[:8]}  {title}: {withheld.reason}\n")
    return 0


@dataclass(frozen=True)
class VerifyReport:
    file: str
    bundle_id: str
    format: int
    encrypted: bool
    signer_key_id: str
    signer_fingerprint: str
    recipients: list[str]
    stories: int
    withdrawals: int
    files_checked: int


def cmd_verify(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    keys = KeyStore(store.paths.data_dir)
    keys.ensure()
    with store.read() as session:
        trusted = [keys.public_key(), *trust.active_keys(session)]
    for signer in args.signer or ():
        try:
            trusted.append(minisign.PublicKey.from_file(signer))
        except (OSError, minisign.Error) as exc:
            raise ExportError(f"{signer} is not a minisign public key file.") from exc
    with open_bundle(args.file, keys.age_identities(), trusted) as bundle:
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
            stories=len(bundle.summary["stories"]),
            withdrawals=len(bundle.summary["withdrawals"]),
            files_checked=len(bundle.payload),
        )
    if args.json:
        print(dumps(report), file=out)
        return 0
    out.write(
        f"{report.file} is a valid Storykeeper bundle (format {report.format}).\n"
        f"  Bundle id:    {report.bundle_id}\n"
        f"  Signed by:    key {report.signer_key_id}, fingerprint {report.signer_fingerprint}\n"
        f"  Encrypted to: {', '.join(report.recipients) or 'nobody: it is a plain bundle'}\n"
        f"  Carries:      {report.stories} stories, {report.withdrawals} withdrawals; "
        f"{report.files_checked} files, every hash checked\n"
    )
    return 0
