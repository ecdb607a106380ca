"""How the command line opens an encrypted store, and ``storykeeper secure …``.

The terminal's ``Asker``: the passphrase is asked with ``getpass`` only when standard input is a
terminal; a script names it in STORYKEEPER_PASSPHRASE_FILE or STORYKEEPER_PASSPHRASE instead,
and without either is told so in one line. ``secure`` says how the stories are protected and
changes it (passphrase, keyring, recovery key, encrypting a plain store).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
import time
from contextlib import AbstractContextManager
from typing import TextIO

from storykeeper.cli.output import dumps, print_fields
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.store_keys import KEYS_FILE, StoreKeyError, StoreKeys
from storykeeper.core.unlock import (
    PASSPHRASE_ENV,
    PASSPHRASE_FILE_ENV,
    Secret,
    SecretRequest,
    StoreState,
    convert_plain_store,
    keys_missing_message,
    looks_like_recovery_key,
    store_state,
    unlock_store_key,
)
from storykeeper.paths import DataPaths

#: Wrong answers on the terminal before the command gives up (the store's own wait grows too).
TRIES_ON_A_TERMINAL = 3

NO_TERMINAL = (
    "These stories are locked with a passphrase and the keyring has no key for them: give the "
    f"passphrase in {PASSPHRASE_FILE_ENV} (a file's path) or {PASSPHRASE_ENV}, or run the "
    "command in a terminal."
)


NO_KEYRING_NO_TERMINAL = (
    "This computer has no keyring Storykeeper can use to keep the key to your stories: give a "
    f"passphrase in {PASSPHRASE_FILE_ENV} (a file's path) or {PASSPHRASE_ENV}, or run the "
    "command in a terminal to choose one (or use --plain-store for stories not encrypted)."
)


class TerminalAsker:
    """Asks on the terminal (stderr for what it says, so stdout stays the command's output)."""

    def __init__(self, err: TextIO | None = None) -> None:
        self._err = err if err is not None else sys.stderr
        self._tries = 0

    def on_a_terminal(self) -> bool:
        return sys.stdin is not None and sys.stdin.isatty()

    def ask_secret(self, request: SecretRequest) -> Secret | None:
        if not self.on_a_terminal():
            raise StoreKeyError(NO_TERMINAL)
        if self._tries >= TRIES_ON_A_TERMINAL:
            return None
        self._tries += 1
        print(request.reason, file=self._err)
        if request.wait_seconds > 0:
            print(
                f"Waiting {int(request.wait_seconds) + 1} seconds after the wrong tries…",
                file=self._err,
                flush=True,
            )
            time.sleep(request.wait_seconds)
        prompt = "Passphrase (or recovery key): " if request.has_passphrase else "Recovery key: "
        text = getpass.getpass(prompt)
        if not text:
            return None
        return Secret(
            text, is_recovery_key=not request.has_passphrase or looks_like_recovery_key(text)
        )

    def ask_new_passphrase(self, reason: str) -> str | None:
        if not self.on_a_terminal():
            raise StoreKeyError(NO_KEYRING_NO_TERMINAL)
        print(reason, file=self._err)
        first = getpass.getpass("New passphrase: ")
        if not first:
            return None
        if getpass.getpass("The same again: ") != first:
            print("The two did not match; no passphrase was set.", file=self._err)
            return None
        return first

    def show_recovery_key(self, recovery_key: str) -> None:
        if not (self.on_a_terminal() and self._err.isatty()):
            # A script's output ends up in logs, and a secret is never written there; nor is a
            # line added to every script's errors. "storykeeper secure" makes one to keep.
            return
        print(
            "Your stories are encrypted. This is your RECOVERY KEY: write it down or print it "
            "and keep it somewhere safe, away from this computer. It opens your stories if "
            "the keyring is lost or the passphrase forgotten. It is shown only this once.\n\n"
            f"    {recovery_key}\n",
            file=self._err,
            flush=True,
        )

    def offer_conversion(self) -> bool:
        return False  # the command line converts only when asked: storykeeper secure --convert

    def working(self, what: str) -> AbstractContextManager[None]:
        if self._err.isatty():
            print(what, file=self._err, flush=True)
        return contextlib.nullcontext()


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    secure = commands.add_parser(
        "secure",
        parents=[common, as_json],
        help="how your stories are protected: encryption, passphrase, keyring, recovery key",
        description="With no option, says whether the stories are encrypted and how they are "
        "unlocked. One option at a time changes it.",
    )
    change = secure.add_mutually_exclusive_group()
    for flag, explanation in (
        ("--set-passphrase", "set or change the passphrase (nothing else is re-encrypted)"),
        ("--remove-passphrase", "remove the passphrase (the keyring or recovery key remain)"),
        ("--new-recovery-key", "make a new recovery key; the old one stops working"),
        ("--convert", "encrypt a store made before encryption (backup first, then check)"),
        ("--forget-keyring", "take the key out of this computer's keyring"),
        ("--use-keyring", "keep the key in this computer's keyring"),
    ):
        change.add_argument(flag, action="store_true", help=explanation)
    # Opens the store itself (converting needs it closed; the rest needs only the keys file).
    secure.set_defaults(handler=cmd_secure, opens_store=False)


def cmd_secure(paths: DataPaths, args: argparse.Namespace, out: TextIO) -> int:
    """Say how the stories are protected, or change one thing about it."""
    ask = TerminalAsker()
    state = store_state(paths)
    if state is StoreState.KEYS_MISSING and any(_changes(args)):
        raise StoreKeyError(keys_missing_message(paths))
    if state is StoreState.NEW and any(_changes(args)):
        raise StorykeeperError(
            "There are no stories here yet: they are encrypted from the first start, with the "
            "key in this computer's keyring. Run any command (or open the window) to begin."
        )
    if args.convert:
        if state is not StoreState.PLAIN:
            print("These stories are already encrypted; nothing to do.", file=out)
            return 0
        print(convert_plain_store(paths, ask).describe(), file=out)
        return 0
    if state is not StoreState.ENCRYPTED:
        if any(_changes(args)):
            raise StorykeeperError(
                "These stories are not encrypted yet: encrypt them first with "
                '"storykeeper secure --convert".'
            )
        return _status(paths, out, args.json)
    keys = StoreKeys(paths.data_dir)
    if args.set_passphrase or args.remove_passphrase or args.new_recovery_key:
        store_key = unlock_store_key(paths, ask)
        if args.set_passphrase:
            if not ask.on_a_terminal():
                raise StorykeeperError(
                    "A passphrase is chosen by typing it twice: run this in a terminal."
                )
            chosen = ask.ask_new_passphrase("Choose the new passphrase.")
            if not chosen:
                raise StorykeeperError(
                    "No passphrase was set: run this in a terminal and type it twice."
                )
            keys.set_passphrase(store_key, chosen)
            print("The passphrase is set.", file=out)
        elif args.remove_passphrase:
            if keys.from_keyring() is None:
                raise StorykeeperError(
                    "The key is not in this computer's keyring, so without the passphrase only "
                    'the recovery key would open the stories: run "storykeeper secure '
                    '--use-keyring" first.'
                )
            keys.set_passphrase(store_key, None)
            print("The passphrase is removed; the keyring unlocks the stories.", file=out)
        else:
            _show_new_recovery_key(keys.new_recovery_key(store_key), out)
        return 0
    if args.use_keyring:
        keys.remember_in_keyring(unlock_store_key(paths, ask))
        print("The key is kept in this computer's keyring.", file=out)
        return 0
    if args.forget_keyring:
        if not keys.has_passphrase:
            raise StorykeeperError(
                "Without the keyring only the recovery key would open these stories: set a "
                'passphrase first ("storykeeper secure --set-passphrase").'
            )
        keys.forget_in_keyring()
        print("The key is no longer in the keyring; the passphrase is asked each time.", file=out)
        return 0
    return _status(paths, out, args.json)


def _local_day(made: float | None) -> str:
    if made is None:
        return "when the stories were encrypted"
    return "on " + dt.datetime.fromtimestamp(made).strftime("%-d %B %Y at %H:%M")


def _changes(args: argparse.Namespace) -> tuple[bool, ...]:
    """Which of the options that change something were given (at most one: argparse)."""
    return (
        args.set_passphrase,
        args.remove_passphrase,
        args.new_recovery_key,
        args.forget_keyring,
        args.use_keyring,
        args.convert,
    )


def _show_new_recovery_key(recovery_key: str, out: TextIO) -> None:
    print(
        "Your new RECOVERY KEY (the old one no longer works). Write it down or print it and "
        "keep it somewhere safe, away from this computer; it is shown only this once:\n\n"
        f"    {recovery_key}",
        file=out,
    )


def _status(paths: DataPaths, out: TextIO, as_json: bool) -> int:
    state = store_state(paths)
    facts: dict[str, object] = {"encrypted": state is StoreState.ENCRYPTED}
    made: float | None = None
    if state is StoreState.ENCRYPTED:
        keys = StoreKeys(paths.data_dir)
        facts["in_keyring"] = keys.from_keyring() is not None
        facts["passphrase"] = keys.has_passphrase
        made = keys.recovery_key_made
        facts["recovery_key_made"] = (
            dt.datetime.fromtimestamp(made, dt.UTC).isoformat(timespec="seconds") if made else None
        )
    if as_json:
        print(dumps(facts), file=out)
        return 0
    if state is StoreState.PLAIN:
        fields = [
            ("Encrypted", "no: anyone who copies the data folder can read the stories"),
            ("To encrypt", "storykeeper secure --convert"),
        ]
    elif state is StoreState.ENCRYPTED:
        fields = [
            ("Encrypted", "yes: the database, attached files and recordings"),
            (
                "Keyring",
                "holds the key (no question at start)"
                if facts["in_keyring"]
                else "does not hold the key",
            ),
            ("Passphrase", "set" if facts["passphrase"] else "none"),
            (
                "Recovery key",
                f"made {_local_day(made)}; a new one: storykeeper secure --new-recovery-key",
            ),
        ]
    elif state is StoreState.KEYS_MISSING:
        fields = [("Encrypted", f"yes, but the keys file {KEYS_FILE} is missing")]
    else:
        fields = [("Encrypted", "nothing stored yet: encrypted from the first start")]
    print_fields(out, fields)
    return 0
