"""The command line's parser: the options every command takes, and each group's commands.

A group (``stories``, ``keys``, ``bundles``) registers its own subcommands with
``add_commands(commands, common, as_json)``; this module only decides the order they are listed in.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from storykeeper import __version__
from storykeeper.cli import backups, bundles, insight, keys, report, security, stories

EPILOG = """\
Your stories are kept in a local database in the data folder. Choose another folder with
--data-dir DIR or the STORYKEEPER_DATA_DIR environment variable. The stories are encrypted;
the key is kept in this computer's keyring, or behind a passphrase a script can give in
STORYKEEPER_PASSPHRASE_FILE or STORYKEEPER_PASSPHRASE ("storykeeper secure" says more).
Run "storykeeper COMMAND --help" for the options of each command."""


def build_parser() -> argparse.ArgumentParser:
    # --data-dir and --json are accepted before or after the command name; SUPPRESS keeps a
    # subcommand's default from overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the data folder to use instead of the usual one",
    )
    common.add_argument(
        "--plain-store",
        action="store_true",
        default=argparse.SUPPRESS,
        help="on first start only: keep the stories unencrypted (not recommended)",
    )
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON instead of text")

    parser = argparse.ArgumentParser(
        prog="storykeeper",
        description="Record people’s stories with consent, offline. "
        "With no command, opens the Storykeeper window.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"Storykeeper {__version__}")
    # How the desktop opens a bundle someone double-clicked (the desktop entry's Exec line,
    # which gives no file at all when started from the menu).
    parser.add_argument(
        "--open-bundle",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="open the window's import with these bundles (nothing is imported until Import)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in (stories, insight, report, keys, bundles, backups, security):
        group.add_commands(commands, common, as_json)
    return parser
