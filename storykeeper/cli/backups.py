"""The backup commands: ``backup --to FOLDER`` and ``restore FOLDER_OR_BACKUP [--yes]``.

Progress goes to standard error, so standard output holds only the result. ``restore`` runs
without the store open (``opens_store=False``): it must work when the current database is
damaged, which is when a person most needs it, and it swaps the store's files.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TextIO

from storykeeper.cli.keys import command_line_actor
from storykeeper.cli.output import dumps, print_fields
from storykeeper.core import backups, restore
from storykeeper.core.backups import BackupError, Manifest
from storykeeper.core.db import Store
from storykeeper.core.unlock import PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, scripted_passphrase
from storykeeper.paths import DataPaths

PLAIN_STORE_WARNING = (
    "This store is not encrypted, so neither is the backup: anyone with the folder or the USB "
    "stick can read the stories. “storykeeper secure --convert” encrypts the store, and the "
    "backups made after it."
)


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    backup_parser = commands.add_parser(
        "backup",
        parents=[common, as_json],
        help="back up the stories, consent and media to a folder or USB stick",
        description="Makes a dated folder “Storykeeper backup YYYY-MM-DD HHMM” in FOLDER, "
        "checked after writing. Media files already in an earlier backup in the same FOLDER "
        "are not copied again. An encrypted store's backup stays encrypted: its passphrase or "
        "recovery key opens it on another computer.",
    )
    backup_parser.add_argument(
        "--to", required=True, metavar="FOLDER", type=Path, help="where to put the backup"
    )
    backup_parser.set_defaults(handler=cmd_backup)

    restore_parser = commands.add_parser(
        "restore",
        parents=[common, as_json],
        help="put a backup in place of this computer's stories (the current ones are kept)",
        description="Checks the backup first and refuses a damaged one with nothing changed. "
        "The stories here now are moved into a folder “before restore …” in the data folder, "
        "never deleted. A backup from an older Storykeeper is brought up to date. An encrypted "
        "backup from another computer asks for its passphrase or recovery key (or reads it "
        f"from {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV}).",
    )
    restore_parser.add_argument(
        "backup",
        metavar="FOLDER_OR_BACKUP",
        type=Path,
        help="a “Storykeeper backup …” folder, or the folder holding them (the newest is used)",
    )
    restore_parser.add_argument(
        "--yes", action="store_true", help="restore without asking first (for scripts)"
    )
    restore_parser.set_defaults(handler=cmd_restore, opens_store=False)


class StderrProgress:
    """Progress on standard error: one line per step, and the share done as it grows (a
    terminal sees it rewritten in place)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._what = ""
        self._percent = -1

    def __call__(self, what: str, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        same_step = what == self._what
        if same_step and (percent == self._percent or (percent < self._percent + 10 != 100)):
            return  # a line every tenth is enough to show it moving
        if not self.stream.isatty():
            self.stream.write(f"{what} {percent}%\n")
        else:
            if not same_step and self._what:
                self.stream.write("\n")
            self.stream.write(f"\r{what} {percent}%")
        self._what, self._percent = what, percent
        self.stream.flush()

    def end(self) -> None:
        if self._what and self.stream.isatty():
            self.stream.write("\n")
            self.stream.flush()
        self._what = ""


def cmd_backup(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    progress = StderrProgress()
    try:
        made = backups.make_backup(store, args.to, progress, actor=command_line_actor())
    finally:
        progress.end()
    manifest = made.manifest
    if args.json:
        out.write(
            dumps(
                {
                    "folder": str(made.folder),
                    "encrypted": manifest.encrypted,
                    "stories": manifest.stories,
                    "people": manifest.people,
                    "media_files": len(manifest.media),
                    "media_copied": made.media_copied,
                    "media_already_there": made.media_kept,
                    "bytes_written": made.bytes_written,
                }
            )
            + "\n"
        )
    else:
        print_fields(
            out,
            [
                ("Backed up to", str(made.folder)),
                ("Stories", str(manifest.stories)),
                ("People", str(manifest.people)),
                (
                    "Media files",
                    f"{len(manifest.media)} ({made.media_copied} copied, "
                    f"{made.media_kept} already in an earlier backup)",
                ),
                ("Encrypted", "yes" if manifest.encrypted else "no"),
            ],
        )
        out.write("Checked after writing: every file reads back as written.\n")
    if not manifest.encrypted:
        print(f"storykeeper: {PLAIN_STORE_WARNING}", file=sys.stderr)
    return 0


def cmd_restore(paths: DataPaths, args: argparse.Namespace, out: TextIO) -> int:
    progress = StderrProgress()

    def confirm(backup: Path, manifest: Manifest) -> bool:
        progress.end()
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise BackupError(
                f"The backup {backup.name} is whole and can be restored: add --yes to restore "
                "it. Nothing was changed."
            )
        print(
            f"{backup.name}: {_holds(manifest)}. The stories here now are kept in the data "
            "folder, in a folder “before restore …”.",
            file=sys.stderr,
        )
        answer = input("Restore this backup? [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    try:
        restored = restore.restore_backup(
            paths,
            args.backup,
            ask_secret=_ask_secret,
            progress=progress,
            confirm=confirm,
        )
    finally:
        progress.end()
    last = (
        restored.last_change.astimezone().strftime("%Y-%m-%d %H:%M")
        if restored.last_change
        else "none"
    )
    if args.json:
        out.write(
            dumps(
                {
                    "backup": str(restored.backup),
                    "kept_aside": str(restored.kept_aside) if restored.kept_aside else None,
                    "stories": restored.stories,
                    "people": restored.people,
                    "last_change": restored.last_change.isoformat()
                    if restored.last_change
                    else None,
                    "encrypted": restored.encrypted,
                    "migrated_from": restored.migrated_from,
                }
            )
            + "\n"
        )
        return 0
    fields = [
        ("Restored from", str(restored.backup)),
        ("Stories", str(restored.stories)),
        ("People", str(restored.people)),
        ("Last change", last),
    ]
    if restored.kept_aside is not None:
        fields.append(("Earlier stories kept in", str(restored.kept_aside)))
    if restored.migrated_from is not None:
        fields.append(("Brought up to date from", f"schema {restored.migrated_from}"))
    print_fields(out, fields)
    return 0


def _holds(manifest: Manifest) -> str:
    made = manifest.created.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"made {made}, {manifest.stories} stories, {manifest.people} people, "
        f"{len(manifest.media)} media files"
    )


def _ask_secret(prompt: str) -> str | None:
    """The backup's passphrase or recovery key: a script's (as for opening a store), else asked
    on the terminal (never echoed)."""
    scripted = scripted_passphrase()
    if scripted is not None:
        return scripted
    if not sys.stdin.isatty():
        raise BackupError(
            "This backup is encrypted with another key: run restore in a terminal to type its "
            f"passphrase or recovery key, or give it in {PASSPHRASE_FILE_ENV}. Nothing was "
            "changed."
        )
    return getpass.getpass(f"{prompt}: ", stream=sys.stderr) or None
