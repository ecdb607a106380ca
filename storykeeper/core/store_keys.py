"""The store key of an encrypted store: made once, kept wrapped, unlocked three ways.

One random 256-bit store key encrypts everything in the data folder (``key_derivation`` gives
each use its own key from it). It is never written down in the clear. ``store-keys.json`` holds
it *wrapped* (AES-256-GCM) under each way in, its "slots":

- the operating system's **keyring** (Secret Service, Credential Locker, Keychain) holds the key
  itself, so an advocate is not asked for anything at start; the file only notes that it did;
- a **passphrase**: Argon2id (its parameters in the slot, so they can grow later) turns it into
  the key that wraps the store key; changing the passphrase re-wraps the store key and nothing
  else, so the database and media are not re-encrypted;
- a **recovery key**, always: 160 random bits with a 40-bit check, shown once as 8 groups of 5
  Crockford base32 characters to print and keep; HKDF of its bits wraps the store key.

The file is not secret (wrapped keys, salts, parameters, the store's id, the count of wrong
tries); its existence is what makes a data folder an encrypted store. It is replaced atomically
(temp, fsync, rename), and a damaged one is refused in one line and never overwritten. After
``FREE_TRIES`` wrong passphrases or recovery keys a growing wait (kept in the file, so it holds
across restarts) slows down guessing at an unattended laptop. No secret is ever logged or put in
an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storykeeper.core.atomic_files import atomic_file, fsync_folder, plain_write_error
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.key_derivation import STORE_KEY_BYTES

log = logging.getLogger(__name__)

KEYS_FILE = "store-keys.json"
FORMAT = 1
KEYRING_SERVICE = "Storykeeper"

#: Argon2id for a new passphrase: about 0.3 s and 64 MiB here (a 2-core CI machine), slow
#: enough to make guessing costly, quick enough at every start. Kept in each slot, so a later
#: version can raise them for new passphrases and still open old ones.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4
#: What a keys file may ask of Argon2id: beyond this it is damaged (or made to stall the program).
_ARGON2_BOUNDS = {"time_cost": 64, "memory_kib": 4 * 1024 * 1024, "parallelism": 64}

#: Wrong passphrases or recovery keys allowed before any wait; then 5 s, doubling, to 5 minutes.
FREE_TRIES = 3
FIRST_WAIT_SECONDS = 5.0
LONGEST_WAIT_SECONDS = 300.0

RECOVERY_BITS = 160
_RECOVERY_CHECK_BYTES = 5
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: What a person may type for a character of a recovery key: Crockford's own forgiveness.
_CROCKFORD_LOOSE = {"O": "0", "I": "1", "L": "1"}
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LENGTH = 5

_SALT_BYTES = 16
_NONCE_BYTES = 12


class StoreKeyError(StorykeeperError):
    """The store's key cannot be made, unlocked or kept: one line a person can act on."""


class WrongSecretError(StoreKeyError):
    """A wrong passphrase or recovery key: nothing was changed."""


class KeyringUnavailableError(StoreKeyError):
    """The system's keyring cannot be reached (none installed, locked, or refused)."""


class KeysAlreadyMadeError(StoreKeyError):
    """The folder has a keys file already (perhaps made a moment ago by another Storykeeper
    starting on the same new folder): unlock with it instead of making another."""


ALREADY_MADE = (
    f"This data folder already has a keys file ({KEYS_FILE}): it is an encrypted store "
    "already, and its key was kept. Nothing was changed."
)


class TooManyTriesError(StoreKeyError):
    """Asked again before the wait after several wrong tries was over; nothing was tried."""


@dataclass(frozen=True)
class NewStoreKey:
    """A store key just made, and its recovery key to show once. Neither is in the repr, so the
    object can be logged or shown in a traceback without giving the key away."""

    store_key: bytes = field(repr=False)
    recovery_key: str = field(repr=False)
    in_keyring: bool


DAMAGED = (
    f"The store's keys file ({KEYS_FILE}) is damaged, so the stories cannot be unlocked: "
    "restore the data folder from a backup. Nothing was changed."
)
NEWER = (
    f"The store's keys file ({KEYS_FILE}) was written by a newer Storykeeper: "
    "install the newer version to open these stories. Nothing was changed."
)
NOT_ENCRYPTED = "This data folder is not an encrypted store (it has no keys file)."
WRONG_PHRASE_MESSAGE = (
    "That passphrase is not right; nothing was changed. Try again, or use the recovery key."
)
WRONG_RECOVERY_KEY = (
    "That recovery key does not open these stories; nothing was changed. "
    "Check it against the printed one."
)
MISTYPED_RECOVERY_KEY = (
    "That is not a whole recovery key: it is 8 groups of 5 letters and digits. "
    "Check each group against the printed one."
)
NO_PHRASE_MESSAGE = "These stories have no passphrase: open them with the recovery key."
NOT_THIS_STORE = "That key is not this store's key; nothing was changed."
NO_KEYRING = (
    "This computer's keyring cannot be reached, so the key cannot be kept there: "
    "use a passphrase instead."
)
EMPTY_PHRASE_MESSAGE = "A passphrase cannot be empty: choose one you will remember."


class StoreKeys:
    """The keys file of the data folder ``data_dir``; read afresh on every call, so two programs
    on one store (the window and the command line) see each other's changes."""

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self._data_dir = data_dir
        self._path = data_dir / KEYS_FILE
        # Wall-clock seconds: the wait after wrong tries must hold across restarts.
        self._clock = clock

    @property
    def path(self) -> Path:
        return self._path

    @property
    def encrypted(self) -> bool:
        """Whether the data folder is an encrypted store (its keys file exists)."""
        return self._path.exists()

    @property
    def store_id(self) -> str:
        return str(self._load()["store_id"])

    @property
    def has_passphrase(self) -> bool:
        return "passphrase" in self._load()["slots"]

    @property
    def recovery_key_made(self) -> float | None:
        """When the recovery key was made (seconds since 1970); None for an older keys file."""
        made = self._load()["slots"]["recovery"].get("made")
        return float(made) if isinstance(made, int | float) else None

    @property
    def kept_in_keyring(self) -> bool:
        """Whether the key was put in this computer's keyring (it may have gone since)."""
        return bool(self._load()["slots"].get("keyring", False))

    # --- making ----------------------------------------------------------------------------

    def create(self, *, passphrase: str | None = None, use_keyring: bool = True) -> NewStoreKey:
        """A new random store key with its slots: the keyring (if asked and one works), the
        passphrase (if given), the recovery key (always). Never replaces an existing keys file."""
        if self._path.exists():
            raise KeysAlreadyMadeError(ALREADY_MADE)
        if passphrase is not None:
            _check_new_passphrase(passphrase)
        store_key = secrets.token_bytes(STORE_KEY_BYTES)
        store_id = uuid.uuid4().hex
        document: dict[str, Any] = {
            "format": FORMAT,
            "store_id": store_id,
            "key_check": _b64(_key_check(store_key, store_id)),
            "slots": {},
            "wrong_tries": {"count": 0, "last": 0.0},
        }
        in_keyring = False
        if use_keyring:
            try:
                _keyring_set(store_id, store_key)
                in_keyring = True
                document["slots"]["keyring"] = True
            except KeyringUnavailableError:
                if passphrase is None:
                    raise
                log.info("no keyring for the new store key; it is kept under the passphrase")
        if passphrase is not None:
            document["slots"]["passphrase"] = _passphrase_slot(store_key, store_id, passphrase)
        recovery_key, recovery_slot = _recovery_slot(store_key, store_id)
        document["slots"]["recovery"] = recovery_slot
        # Private, as DataPaths.ensure makes it: the keys file may be the folder's first file.
        self._data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._write_new(document)
        except BaseException:
            if in_keyring:
                _keyring_delete(store_id)
            raise
        log.info(
            "made the store key of store %s (keyring: %s, passphrase: %s)",
            store_id,
            in_keyring,
            passphrase is not None,
        )
        return NewStoreKey(store_key=store_key, recovery_key=recovery_key, in_keyring=in_keyring)

    # --- unlocking -------------------------------------------------------------------------

    def from_keyring(self) -> bytes | None:
        """The store key from the keyring; None if it has none for this store or there is no
        keyring (logged, without any secret)."""
        document = self._load()
        store_id = str(document["store_id"])
        try:
            value = keyring.get_password(KEYRING_SERVICE, _keyring_username(store_id))
        except Exception as exc:  # every keyring backend fails its own way
            log.warning("the keyring could not be read (%s)", type(exc).__name__)
            return None
        if value is None:
            return None
        try:
            store_key = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            store_key = b""
        if not _key_matches(document, store_key):
            log.warning("the keyring's entry for store %s is not its key; ignored", store_id)
            return None
        return store_key

    def with_passphrase(self, passphrase: str) -> bytes:
        """The store key, unwrapped with the passphrase (``WrongSecretError`` if wrong)."""
        document = self._load()
        slot = document["slots"].get("passphrase")
        if slot is None:
            raise StoreKeyError(NO_PHRASE_MESSAGE)
        self._refuse_while_waiting(document)
        kek = _argon2(passphrase, slot)
        return self._unwrap_or_count(document, "passphrase", kek, WRONG_PHRASE_MESSAGE)

    def with_recovery_key(self, text: str) -> bytes:
        """The store key, unwrapped with the recovery key as typed: case, spaces, dashes and
        O/0, I/L/1 confusions are forgiven; a mistyped one is told apart from a wrong one."""
        document = self._load()
        self._refuse_while_waiting(document)
        bits = parse_recovery_key(text)
        if bits is None:
            raise WrongSecretError(MISTYPED_RECOVERY_KEY)
        slot = document["slots"]["recovery"]
        kek = _recovery_kek(bits, _unb64(slot["salt"]))
        return self._unwrap_or_count(document, "recovery", kek, WRONG_RECOVERY_KEY)

    def seconds_before_next_try(self) -> float:
        """How long to wait before the next passphrase or recovery key will be tried: 0 until
        ``FREE_TRIES`` wrong ones, then growing; kept in the keys file across restarts."""
        return self._wait_left(self._load())

    # --- changing --------------------------------------------------------------------------

    def set_passphrase(self, store_key: bytes, passphrase: str | None) -> None:
        """Set, change or (with None) remove the passphrase. Only the store key is re-wrapped:
        the database and media stay as they are."""
        store_id = str(self._load_for(store_key)["store_id"])
        slot = None
        if passphrase is not None:
            _check_new_passphrase(passphrase)
            slot = _passphrase_slot(store_key, store_id, passphrase)

        def change(document: dict[str, Any]) -> None:
            if slot is None:
                document["slots"].pop("passphrase", None)
            else:
                document["slots"]["passphrase"] = slot

        self._update(change, store_key)
        log.info("the passphrase of store %s was %s", store_id, _changed(passphrase))

    def remember_in_keyring(self, store_key: bytes) -> None:
        """Keep the store key in this computer's keyring (``KeyringUnavailableError``)."""
        document = self._load_for(store_key)
        _keyring_set(str(document["store_id"]), store_key)
        if not document["slots"].get("keyring"):
            self._update(lambda fresh: fresh["slots"].update(keyring=True), store_key)

    def forget_in_keyring(self) -> None:
        """Take the store key out of the keyring (a passphrase or the recovery key then opens
        the store); quietly done if the keyring has none or cannot be reached."""
        document = self._load()
        _keyring_delete(str(document["store_id"]))
        if "keyring" in document["slots"]:
            self._update(lambda fresh: fresh["slots"].pop("keyring", None))

    def new_recovery_key(self, store_key: bytes) -> str:
        """A new recovery key, replacing the old one (which stops working)."""
        store_id = str(self._load_for(store_key)["store_id"])
        recovery_key, slot = _recovery_slot(store_key, store_id)
        self._update(lambda fresh: fresh["slots"].update(recovery=slot), store_key)
        log.info("store %s has a new recovery key", store_id)
        return recovery_key

    # --- the file --------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            raise StoreKeyError(NOT_ENCRYPTED) from None
        except OSError as exc:
            raise StoreKeyError(
                f"The store's keys file ({KEYS_FILE}) cannot be read "
                f"({exc.strerror or type(exc).__name__}): check the data folder's permissions."
            ) from None
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise StoreKeyError(DAMAGED) from None
        newer = isinstance(document, dict) and isinstance(document.get("format"), int)
        if newer and document["format"] > FORMAT:
            raise StoreKeyError(NEWER)
        if not _well_formed(document):
            raise StoreKeyError(DAMAGED)
        return document

    def _load_for(self, store_key: bytes) -> dict[str, Any]:
        document = self._load()
        if not _key_matches(document, store_key):
            raise StoreKeyError(NOT_THIS_STORE)
        return document

    def _update(
        self, change: Callable[[dict[str, Any]], None], store_key: bytes | None = None
    ) -> None:
        """Apply ``change`` to the file as it is now, not as it was read before slow work (an
        Argon2id of a third of a second): another program on the same store (the window and
        the command line) may have changed it meanwhile, and its change must not be undone."""
        document = self._load() if store_key is None else self._load_for(store_key)
        change(document)
        self._write(document)

    def _write(self, document: dict[str, Any]) -> None:
        data = json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"
        with atomic_file(self._path) as handle:
            handle.write(data)

    def _write_new(self, document: dict[str, Any]) -> None:
        """Write the first keys file, whole, only if there is none: two programs starting on a
        new folder at once would otherwise each make a key, and the second file would replace
        the first while a database keyed with the first may already exist. A hard link fails
        when the name is taken, atomically, where a rename would replace it."""
        data = json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"
        staged = self._path.with_name(f".{KEYS_FILE}.new-{uuid.uuid4().hex}")
        try:
            with atomic_file(staged) as handle:
                handle.write(data)
            try:
                os.link(staged, self._path)
            except FileExistsError:
                raise KeysAlreadyMadeError(ALREADY_MADE) from None
            except OSError as exc:
                plain = plain_write_error(exc, self._path)
                if plain is not None:
                    raise plain from exc
                raise
            fsync_folder(self._path.parent)
        finally:
            staged.unlink(missing_ok=True)

    def _unwrap_or_count(
        self, document: dict[str, Any], slot_name: str, kek: bytes, wrong: str
    ) -> bytes:
        store_id = str(document["store_id"])
        try:
            store_key = _unwrap(kek, document["slots"][slot_name], store_id, slot_name)
        except InvalidTag:
            store_key = None
        if store_key is None or not _key_matches(document, store_key):
            now = self._clock()

            def count_it(fresh: dict[str, Any]) -> None:
                fresh["wrong_tries"] = {
                    "count": int(fresh["wrong_tries"]["count"]) + 1,
                    "last": now,
                }

            self._update_quietly(count_it)
            log.info("a wrong %s for store %s", _slot_words(slot_name), store_id)
            raise WrongSecretError(wrong)
        if document["wrong_tries"]["count"]:
            self._update_quietly(lambda fresh: fresh.update(wrong_tries={"count": 0, "last": 0.0}))
        return store_key

    def _update_quietly(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Keep the count of wrong tries if the disk allows; its failure never hides the
        answer to the person's try."""
        try:
            self._update(change)
        except StorykeeperError as exc:
            log.warning("the count of wrong tries was not saved (%s)", type(exc).__name__)

    def _wait_left(self, document: dict[str, Any]) -> float:
        tries = document["wrong_tries"]
        count = int(tries["count"])
        if count < FREE_TRIES + 1:
            return 0.0
        wait = min(LONGEST_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (count - FREE_TRIES - 1))
        # A clock set back must not make the wait endless, nor forward skip it more than it is.
        elapsed = max(0.0, self._clock() - float(tries["last"]))
        return max(0.0, wait - elapsed)

    def _refuse_while_waiting(self, document: dict[str, Any]) -> None:
        wait = self._wait_left(document)
        if wait > 0:
            raise TooManyTriesError(
                f"There were several wrong tries: wait {int(wait) + 1} seconds, then try again."
            )


# --- the slots ---------------------------------------------------------------------------------


def _check_new_passphrase(passphrase: str) -> None:
    if not passphrase.strip():
        raise StoreKeyError(EMPTY_PHRASE_MESSAGE)


def _passphrase_bytes(passphrase: str) -> bytes:
    # One passphrase, one key, however the keyboard composed its accented letters.
    return unicodedata.normalize("NFC", passphrase).encode()


def _argon2(passphrase: str, slot: dict[str, Any]) -> bytes:
    return hash_secret_raw(
        secret=_passphrase_bytes(passphrase),
        salt=_unb64(slot["salt"]),
        time_cost=int(slot["time_cost"]),
        memory_cost=int(slot["memory_kib"]),
        parallelism=int(slot["parallelism"]),
        hash_len=32,
        type=Type.ID,
    )


def _passphrase_slot(store_key: bytes, store_id: str, passphrase: str) -> dict[str, Any]:
    slot: dict[str, Any] = {
        "kdf": "argon2id",
        "time_cost": ARGON2_TIME_COST,
        "memory_kib": ARGON2_MEMORY_KIB,
        "parallelism": ARGON2_PARALLELISM,
        "salt": _b64(secrets.token_bytes(_SALT_BYTES)),
    }
    slot.update(_wrap(_argon2(passphrase, slot), store_key, store_id, "passphrase"))
    return slot


def _recovery_slot(store_key: bytes, store_id: str) -> tuple[str, dict[str, Any]]:
    bits = secrets.token_bytes(RECOVERY_BITS // 8)
    salt = secrets.token_bytes(_SALT_BYTES)
    # When it was made (seconds since 1970), for "storykeeper secure" to say: not secret.
    slot: dict[str, Any] = {"kdf": "hkdf-sha256", "salt": _b64(salt), "made": int(time.time())}
    slot.update(_wrap(_recovery_kek(bits, salt), store_key, store_id, "recovery"))
    return format_recovery_key(bits), slot


def _recovery_kek(bits: bytes, salt: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"storykeeper recovery key"
    ).derive(bits)


def _aad(store_id: str, slot_name: str) -> bytes:
    # A wrapped key opens only in its own slot of its own store: slots cannot be swapped.
    return f"storykeeper store key {store_id} {slot_name}".encode()


def _wrap(kek: bytes, store_key: bytes, store_id: str, slot_name: str) -> dict[str, str]:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    wrapped = AESGCM(kek).encrypt(nonce, store_key, _aad(store_id, slot_name))
    return {"nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def _unwrap(kek: bytes, slot: dict[str, Any], store_id: str, slot_name: str) -> bytes:
    return AESGCM(kek).decrypt(
        _unb64(slot["nonce"]), _unb64(slot["wrapped"]), _aad(store_id, slot_name)
    )


def _key_check(store_key: bytes, store_id: str) -> bytes:
    """A value that tells the right store key from any other (a keyring entry left by another
    store, say) without revealing anything of it."""
    return hmac.new(store_key, f"storykeeper key check {store_id}".encode(), "sha256").digest()


def _key_matches(document: dict[str, Any], store_key: bytes) -> bool:
    if len(store_key) != STORE_KEY_BYTES:
        return False
    expected = _unb64(document["key_check"])
    return hmac.compare_digest(expected, _key_check(store_key, str(document["store_id"])))


def _slot_words(slot_name: str) -> str:
    return "recovery key" if slot_name == "recovery" else slot_name


def _changed(passphrase: str | None) -> str:
    return "removed" if passphrase is None else "set"


# --- the recovery key's text ------------------------------------------------------------------


def _recovery_check(bits: bytes) -> bytes:
    return hashlib.sha256(b"storykeeper recovery key check" + bits).digest()[:_RECOVERY_CHECK_BYTES]


def format_recovery_key(bits: bytes) -> str:
    """``bits`` and their check as 8 dash-separated groups of 5 Crockford base32 characters."""
    whole = bits + _recovery_check(bits)
    number = int.from_bytes(whole, "big")
    length = RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH
    characters = "".join(
        _CROCKFORD[(number >> (5 * (length - 1 - index))) & 31] for index in range(length)
    )
    return "-".join(
        characters[start : start + RECOVERY_GROUP_LENGTH]
        for start in range(0, length, RECOVERY_GROUP_LENGTH)
    )


def parse_recovery_key(text: str) -> bytes | None:
    """The recovery key's 160 bits from what a person typed, or None if it is not one (wrong
    length, a character no recovery key has, or a failed check: a typo, not a wrong key)."""
    characters = [
        _CROCKFORD_LOOSE.get(character, character)
        for character in text.upper()
        if character.isalnum()
    ]
    if len(characters) != RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH:
        return None
    number = 0
    for character in characters:
        value = _CROCKFORD.find(character)
        if value < 0:
            return None
        number = (number << 5) | value
    whole = number.to_bytes((RECOVERY_BITS // 8) + _RECOVERY_CHECK_BYTES, "big")
    bits, check = whole[: RECOVERY_BITS // 8], whole[RECOVERY_BITS // 8 :]
    if not hmac.compare_digest(check, _recovery_check(bits)):
        return None
    return bits


# --- the keyring ------------------------------------------------------------------------------


def _keyring_username(store_id: str) -> str:
    return f"store {store_id}"


def _keyring_set(store_id: str, store_key: bytes) -> None:
    try:
        keyring.set_password(
            KEYRING_SERVICE, _keyring_username(store_id), base64.b64encode(store_key).decode()
        )
    except Exception as exc:  # every keyring backend fails its own way
        log.warning("the keyring could not keep the store key (%s)", type(exc).__name__)
        raise KeyringUnavailableError(NO_KEYRING) from None


def _keyring_delete(store_id: str) -> None:
    try:
        keyring.delete_password(KEYRING_SERVICE, _keyring_username(store_id))
    except Exception as exc:  # none there, or no keyring: nothing to forget
        log.info("nothing taken from the keyring (%s)", type(exc).__name__)


# --- the file's shape -------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


class _Malformed(ValueError):
    """A keys file field missing, of the wrong type or out of bounds."""


def _require(condition: bool) -> None:
    # Not ``assert``: the checks must hold under ``python -O`` too.
    if not condition:
        raise _Malformed


def _well_formed(document: object) -> bool:
    """Whether a parsed keys file has every field of the right type and size (so later code
    cannot trip on it); anything else is damage."""
    try:
        _require(isinstance(document, dict) and document["format"] == FORMAT)
        assert isinstance(document, dict)  # for the type checker; checked just above
        store_id = document["store_id"]
        _require(isinstance(store_id, str) and len(store_id) == 32)
        int(store_id, 16)
        _require(len(_unb64(document["key_check"])) == 32)
        tries = document["wrong_tries"]
        _require(isinstance(tries["count"], int) and tries["count"] >= 0)
        _require(isinstance(tries["last"], int | float))
        slots = document["slots"]
        _require(isinstance(slots, dict) and set(slots) <= {"keyring", "passphrase", "recovery"})
        _require(isinstance(slots.get("keyring", False), bool))
        recovery = slots["recovery"]
        _slot_well_formed(recovery)
        _require(recovery["kdf"] == "hkdf-sha256")
        if "passphrase" in slots:
            slot = slots["passphrase"]
            _slot_well_formed(slot)
            _require(slot["kdf"] == "argon2id")
            for name, bound in _ARGON2_BOUNDS.items():
                _require(isinstance(slot[name], int) and 1 <= slot[name] <= bound)
            _require(slot["memory_kib"] >= 8 * slot["parallelism"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        return False
    return True


def _slot_well_formed(slot: object) -> None:
    _require(isinstance(slot, dict))
    assert isinstance(slot, dict)  # for the type checker; checked just above
    _require(len(_unb64(slot["salt"])) == _SALT_BYTES)
    _require(len(_unb64(slot["nonce"])) == _NONCE_BYTES)
    _require(len(_unb64(slot["wrapped"])) == STORE_KEY_BYTES + 16)
