"""Opening a data folder for the window and the command line: which key, from where, and when
to ask a person for it.

A new folder becomes an encrypted store with its key in the keyring and no question asked (the
recovery key is shown once); a plain store only when asked for (``plain=True``, the command
line's ``--plain-store``) at first start. An encrypted store unlocks from the keyring, else from
a passphrase a script names (``STORYKEEPER_PASSPHRASE_FILE``, ``STORYKEEPER_PASSPHRASE``), else
by asking through an ``Asker``: the window and the command line each supply one. A store that
cannot be unlocked is said in one line and never touched.

No Qt here: the window's asker lives in ``gui/dialogs/unlock.py``, the terminal's in
``cli/security.py``.
"""

from __future__ import annotations

import enum
import logging
import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from storykeeper.core.atomic_files import atomic_file
from storykeeper.core.db import Store
from storykeeper.core.errors import StoreError, StorykeeperError
from storykeeper.core.store_keys import (
    KEYS_FILE,
    KeyringUnavailableError,
    KeysAlreadyMadeError,
    StoreKeyError,
    StoreKeys,
    TooManyTriesError,
    WrongSecretError,
)
from storykeeper.paths import DATABASE_NAME, DataPaths

log = logging.getLogger(__name__)

PASSPHRASE_ENV = "STORYKEEPER_PASSPHRASE"  # noqa: S105 (a variable's name)
PASSPHRASE_FILE_ENV = "STORYKEEPER_PASSPHRASE_FILE"  # noqa: S105 (a variable's name)
#: The first bytes of every plain SQLite database; an SQLCipher database looks random.
SQLITE_HEADER = b"SQLite format 3\x00"
ENCRYPTING = (
    "Encrypting your stories: this can take a few minutes for many stories and recordings. "
    "Please wait, and keep the computer on."
)
#: Beside the database while a plain store is being encrypted: the next start finishes the work.
CONVERTING_NOTE = "encrypting-in-progress"
#: A recovery key once dashes, spaces and case are set aside: 8 groups of 5 Crockford base32.
_RECOVERY_SHAPE = re.compile(r"[0-9A-Z]{40}")


class UnlockCancelled(StorykeeperError):
    """The person chose not to give the passphrase or recovery key: nothing was opened."""


class StoreState(enum.Enum):
    NEW = "new"  # nothing stored yet: the first start
    PLAIN = "plain"  # a database in the clear (made before encryption, or --plain-store)
    ENCRYPTED = "encrypted"  # the keys file is there
    KEYS_MISSING = "keys missing"  # an encrypted database whose keys file is gone


@dataclass(frozen=True)
class SecretRequest:
    """What the asker is told when it must ask for the passphrase or the recovery key."""

    reason: str  # one line: why the question (no key in the keyring, the last try was wrong…)
    wait_seconds: float  # wrong tries before: no answer is tried until this has passed
    has_passphrase: bool  # False: only the recovery key can open the store


@dataclass(frozen=True)
class Secret:
    text: str
    is_recovery_key: bool


class Asker(Protocol):
    """How a person is asked, by the window (dialogs) or the command line (the terminal)."""

    def ask_secret(self, request: SecretRequest) -> Secret | None:
        """The passphrase or the recovery key; None if the person gives up."""

    def ask_new_passphrase(self, reason: str) -> str | None:
        """A new passphrase, chosen (and confirmed) by the person; None for none."""

    def show_recovery_key(self, recovery_key: str) -> None:
        """Shown once, to print or write down and keep."""

    def offer_conversion(self) -> bool:
        """Whether to encrypt this plain store now (the asker remembers a "not now")."""

    def working(self, what: str) -> AbstractContextManager[None]:
        """Shown while a long step runs (encrypting a plain store), so nobody takes the
        pause for a program that stopped."""


def looks_like_recovery_key(text: str) -> bool:
    """Whether ``text`` has the recovery key's shape (dashes, spaces and case aside)."""
    return bool(_RECOVERY_SHAPE.fullmatch(re.sub(r"[\s\-]", "", text).upper()))


def store_state(paths: DataPaths) -> StoreState:
    """What the data folder holds, read without changing anything in it."""
    if (paths.data_dir / KEYS_FILE).exists():
        return StoreState.ENCRYPTED
    head = _first_bytes(paths.database, len(SQLITE_HEADER))
    if not head:
        wal = paths.data_dir / f"{DATABASE_NAME}-wal"
        # An empty database (a first start killed before anything was written) is still new.
        return StoreState.NEW if not _first_bytes(wal, 1) else StoreState.PLAIN
    return StoreState.PLAIN if head == SQLITE_HEADER else StoreState.KEYS_MISSING


def _first_bytes(path: Path, count: int) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(count)
    except FileNotFoundError:
        return b""


def keys_missing_message(paths: DataPaths) -> str:
    return (
        f"The stories in {paths.data_dir} are encrypted, but its keys file {KEYS_FILE} is "
        "missing, so they cannot be opened. Put that file back from a copy of the data folder "
        "(the recovery key needs it too); nothing was changed."
    )


def scripted_passphrase() -> str | None:
    """The passphrase a script gives: the file named in STORYKEEPER_PASSPHRASE_FILE (its first
    line), else STORYKEEPER_PASSPHRASE. None if neither is set."""
    file_name = os.environ.get(PASSPHRASE_FILE_ENV)
    if file_name:
        try:
            text = Path(file_name).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise StoreKeyError(
                f"Cannot read the passphrase file named in {PASSPHRASE_FILE_ENV}: check the "
                "path and that you may read it."
            ) from None
        passphrase = text.splitlines()[0] if text.splitlines() else ""
        if not passphrase:
            raise StoreKeyError(f"The passphrase file named in {PASSPHRASE_FILE_ENV} is empty.")
        return passphrase
    return os.environ.get(PASSPHRASE_ENV) or None


def open_store(paths: DataPaths, ask: Asker, *, plain: bool = False) -> Store:
    """Open the data folder's store, creating it (encrypted, unless ``plain``) if it is new.

    Raises ``StorykeeperError`` with one line to show when it cannot: a wrong passphrase from a
    script, a missing keys file, a person who gave up. Nothing in the folder is changed then.
    """
    state = store_state(paths)
    if state is StoreState.KEYS_MISSING:
        raise StoreKeyError(keys_missing_message(paths))
    if state is StoreState.NEW:
        if plain:
            log.info("a new plain store, as asked")
            return Store.open(paths)
        try:
            return Store.open(paths, store_key=create_store_key(paths, ask))
        except KeysAlreadyMadeError:
            # Another Storykeeper starting on this new folder at the same moment made its key
            # first: this one opens the store with that key, as any later start would.
            log.info("the new store's key was made by another program at the same moment")
            state = store_state(paths)
    if plain and state is StoreState.ENCRYPTED:
        raise StoreError(
            "--plain-store is only for a new data folder: this one is already encrypted."
        )
    if state is StoreState.PLAIN:
        if not ask.offer_conversion():
            return Store.open(paths)
        try:
            return Store.open(paths, store_key=convert_plain_store(paths, ask).store_key)
        except StorykeeperError as stopped:
            # Not now after all (no passphrase chosen, another Storykeeper has the store open):
            # the stories open as they are, and a conversion begun is finished next time.
            log.warning("the store was not encrypted at start: %s", type(stopped).__name__)
            if store_state(paths) is StoreState.PLAIN:
                return Store.open(paths)
    store_key = unlock_store_key(paths, ask)
    if conversion_unfinished(paths):
        log.info("finishing the encryption a kill interrupted")
        try:
            with ask.working(ENCRYPTING):
                finish_conversion(paths, store_key)
        except StorykeeperError as unfinished:
            # The store opens all the same (plain or encrypted, nothing lost): the next start
            # tries again. The kind only: the message names the folder.
            log.warning("could not finish the encryption yet: %s", type(unfinished).__name__)
    return Store.open(paths, store_key=store_key)


def create_store_key(paths: DataPaths, ask: Asker) -> bytes:
    """A new store key: in the keyring if one works, else behind a passphrase the person
    chooses. The recovery key is shown once either way."""
    keys = StoreKeys(paths.data_dir)
    given = scripted_passphrase()
    try:
        made = keys.create(passphrase=given, use_keyring=True)
    except KeyringUnavailableError:
        chosen = ask.ask_new_passphrase(
            "This computer has no keyring Storykeeper can use to keep the key to your stories, "
            "so they are protected by a passphrase instead: choose one you will remember. "
            "You will be asked for it each time Storykeeper starts."
        )
        if not chosen:
            raise UnlockCancelled(
                "No passphrase was chosen, so no store was made. Start again and choose one "
                "(or use --plain-store for a store that is not encrypted)."
            ) from None
        made = keys.create(passphrase=chosen, use_keyring=False)
    log.info("made a new encrypted store (key in the keyring: %s)", made.in_keyring)
    ask.show_recovery_key(made.recovery_key)
    return made.store_key


def unlock_store_key(paths: DataPaths, ask: Asker) -> bytes:
    """The store key of an encrypted store: from the keyring, a script's passphrase, or the
    person (passphrase or recovery key, with the growing wait after wrong tries)."""
    keys = StoreKeys(paths.data_dir)
    from_keyring = keys.from_keyring()
    if from_keyring is not None:
        return from_keyring
    given = scripted_passphrase()
    if given is not None:
        return _with_scripted_passphrase(keys, given)
    reason = (
        "Enter your passphrase to open your stories."
        if keys.has_passphrase
        else "The keyring on this computer has no key for these stories (perhaps a new "
        "computer or a new login): enter your recovery key to open them."
    )
    while True:
        wait = keys.seconds_before_next_try()
        answer = ask.ask_secret(
            SecretRequest(reason=reason, wait_seconds=wait, has_passphrase=keys.has_passphrase)
        )
        if answer is None:
            raise UnlockCancelled(
                "The stories were not opened: they need the passphrase or the recovery key. "
                "If both are lost, nobody can open them; nothing was changed."
            )
        if keys.seconds_before_next_try() > 0:
            reason = "Please wait before trying again: there were several wrong tries."
            continue
        try:
            if answer.is_recovery_key or not keys.has_passphrase:
                store_key = keys.with_recovery_key(answer.text)
                _after_recovery(keys, store_key, ask)
                return store_key
            return keys.with_passphrase(answer.text)
        except (WrongSecretError, TooManyTriesError) as wrong:
            reason = wrong.message


def _with_scripted_passphrase(keys: StoreKeys, passphrase: str) -> bytes:
    wait = keys.seconds_before_next_try()
    if wait > 0:
        raise StoreKeyError(
            f"There were several wrong passphrases: try again in {int(wait) + 1} seconds."
        )
    try:
        return keys.with_passphrase(passphrase)
    except WrongSecretError:
        raise WrongSecretError(
            f"The passphrase given in {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV} does not open "
            "these stories; nothing was changed."
        ) from None


def _after_recovery(keys: StoreKeys, store_key: bytes, ask: Asker) -> None:
    """Opened with the recovery key: put the key back where it is found next time (the keyring
    of a store that used it), and offer a new passphrase."""
    if keys.kept_in_keyring or not keys.has_passphrase:
        try:
            keys.remember_in_keyring(store_key)
            if not keys.has_passphrase:
                return
        except KeyringUnavailableError:
            log.info("no keyring after recovery; offering a passphrase")
    chosen = ask.ask_new_passphrase(
        "You opened your stories with the recovery key. Choose a new passphrase for next time "
        "(the recovery key keeps working)."
    )
    if chosen:
        keys.set_passphrase(store_key, chosen)


@dataclass(frozen=True)
class Conversion:
    """What encrypting a plain store did, for the person to read."""

    sealed_files: int
    removed_copies: tuple[Path, ...]
    store_key: bytes = field(repr=False, default=b"")  # to open the store without asking again

    def describe(self) -> str:
        removed = len(self.removed_copies)
        return (
            f"Your stories are encrypted now: the database and {self.sealed_files} attached "
            "files. The check found nothing wrong. "
            + (
                f"{removed} unencrypted {'copy' if removed == 1 else 'copies'} of the database "
                "in the backups folder (the one made before encrypting, and any made before "
                "earlier upgrades) were removed, since they held the stories in the clear."
                if removed
                else "No unencrypted copies were left to remove."
            )
        )


def convert_plain_store(paths: DataPaths, ask: Asker) -> Conversion:
    """Encrypt a plain store: a new store key (keyring or passphrase, and the recovery key
    shown), a plain backup, the database, the media and drafts, a check, then the plain copies
    removed.

    Each step is safe to stop by a kill: from the keys file on, ``open_store`` finishes the work
    at the next start (the keys are there by then, so nothing is asked again), led by the note
    ``CONVERTING_NOTE`` or a database still plain; until the database's own swap the store
    opens plain, after it encrypted, and nothing is removed before the check has passed.
    """
    if store_state(paths) is not StoreState.PLAIN:
        raise StoreError("These stories are already encrypted; nothing was changed.")
    store_key = create_store_key(paths, ask)
    with atomic_file(paths.data_dir / CONVERTING_NOTE) as note:
        note.write(b"encrypting this store\n")
    with ask.working(ENCRYPTING):
        return finish_conversion(paths, store_key)


def conversion_unfinished(paths: DataPaths) -> bool:
    """Whether an encrypted store's conversion was stopped before its end (by a kill)."""
    return (paths.data_dir / CONVERTING_NOTE).exists() or (
        _first_bytes(paths.database, len(SQLITE_HEADER)) == SQLITE_HEADER
    )


def finish_conversion(paths: DataPaths, store_key: bytes) -> Conversion:
    """The conversion's steps after the keys, each doing nothing if already done: the database
    (backed up first, plain, in the backups folder), the media and drafts sealed, the check,
    then the plain copies removed."""
    from storykeeper.core.attachments import seal_plain_files
    from storykeeper.core.check import check_store
    from storykeeper.core.convert_store import convert_to_encrypted
    from storykeeper.core.drafts import DraftStore

    convert_to_encrypted(paths, store_key)
    with Store.open(paths, store_key=store_key) as store:
        if not store.encrypted:
            raise StoreError(
                "The database could not be encrypted; it is kept as it was and opens as "
                "before. Try again, or ask for help with the log file."
            )
        sealed = seal_plain_files(store.media)
        drafts = DraftStore.of_store(store)
        for draft in drafts.all():  # an older draft is read plain and kept again, sealed
            drafts.keep(draft.story_id, draft.base_revision, draft.fields)
        report = check_store(store)
    if not report.ok:
        raise StoreError(
            "Your stories are encrypted, but the check found problems, so the unencrypted "
            f'copies in {paths.backups_dir} were kept: run "storykeeper check" to see them.'
        )
    removed = tuple(_remove_plain_copies(paths))
    (paths.data_dir / CONVERTING_NOTE).unlink(missing_ok=True)
    log.info(
        "encrypted a plain store: %d files sealed, %d plain copies removed", sealed, len(removed)
    )
    return Conversion(sealed_files=sealed, removed_copies=removed, store_key=store_key)


def _remove_plain_copies(paths: DataPaths) -> list[Path]:
    """The database copies in the backups folder still in the clear: the one made before
    encrypting and those made before earlier upgrades."""
    removed = []
    for copy in sorted(paths.backups_dir.glob("storykeeper-*")):
        if copy.is_file() and _first_bytes(copy, len(SQLITE_HEADER)) == SQLITE_HEADER:
            copy.unlink()
            removed.append(copy)
    return removed
