"""This computer's keys: a minisign signing key for the bundles it sends, an age identity for the
bundles it receives.

Both are made on first use and kept in ``<data folder>/keys`` with owner-only permissions, in the
stock tools' own file formats, so a coordinator's ``minisign -V`` and ``age -d`` read them and keys
made by ``minisign -G`` and ``age-keygen`` can be brought in. The cryptography is theirs
(py-minisign over pyca/cryptography for Ed25519, pyrage for age); this module only keeps the files.

Importing a key never destroys the one it replaces: the old file is kept beside it with the time
it was replaced, because a coordinator may still trust it.

In an encrypted store the two secret files are sealed with a key of the store's own
(``sealed_files``, purpose "keys"): whoever copies the data folder can neither sign bundles as
this computer nor open the bundles sent to it. Inside the seal each is still the stock tool's
format; the public key stays plain (it is meant to be shared). A secret file found plain in an
encrypted store (one made, or converted, before the keys were sealed) is sealed the first time
it is read.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import minisign
from pyrage import x25519

from storykeeper.core import clock, sealed_files
from storykeeper.core.errors import StorykeeperError

FOLDER = "keys"
SIGNING_SECRET = "signing.key"  # noqa: S105 - a file name, not a secret
SIGNING_PUBLIC = "signing.pub"
AGE_IDENTITY = "age-identity.txt"
AGE_SECRET_PREFIX = "AGE-SECRET-KEY-1"  # noqa: S105 - the format's marker
#: Key files are small; anything larger is not a key file.
MAX_KEY_FILE = 64 * 1024


class KeyFileError(StorykeeperError):
    """A key file that cannot be used, with what to do about it."""


class PasswordNeeded(KeyFileError):
    """The minisign secret key is protected by a password and none (or a wrong one) was given."""


@dataclass(frozen=True)
class SigningKey:
    #: minisign's key id as ``minisign`` prints it (up to 16 hex digits).
    key_id: str
    #: The public key's one line, as in a minisign ``.pub`` file.
    public_key: str
    #: Digits to read aloud and compare over the phone.
    fingerprint: str


@dataclass(frozen=True)
class DeviceKeys:
    signing: SigningKey
    #: This computer's age recipient (``age1…``): whoever sends bundles here encrypts to it.
    age_recipient: str
    folder: Path


def key_id_text(raw: bytes) -> str:
    """The 8-byte key id as minisign prints it: a little-endian number in hex, unpadded
    (``%PRIX64``), so it reads the same as minisign's own output, leading zeros and all."""
    return format(int.from_bytes(raw, "little"), "X")


def fingerprint(public_key: bytes) -> str:
    """Twenty digits in four groups, from SHA-256 of the public key: easy to read to someone.

    Like Signal's safety numbers, each group is five bytes of the hash taken modulo 100,000.
    The rule, for any key (the signing key's 32 Ed25519 bytes, the receiving key's 32 X25519
    bytes): SHA-256 of ``storykeeper fingerprint v1`` and a zero byte, then the key's bytes; the
    first 20 bytes of that, in four runs of five, each read as a big-endian number, modulo
    100,000, written as five digits. It is frozen: changing it would make every fingerprint
    people have written down or compared disagree.
    """
    digest = hashlib.sha256(b"storykeeper fingerprint v1\0" + public_key).digest()
    groups = [int.from_bytes(digest[i : i + 5], "big") % 100_000 for i in range(0, 20, 5)]
    return " ".join(f"{g:05d}" for g in groups)


#: bech32's alphabet: the 32 characters an age key is written in, each five bits.
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CHECKSUM = 6


def _receiving_key_raw(age_recipient: str) -> bytes:
    """The 32 bytes of an X25519 receiving key (``age1…``): bech32's five-bit groups, after the
    last ``1`` and before the six checksum characters, read back into bytes."""
    data = age_recipient.strip().lower().rpartition("1")[2][:-_BECH32_CHECKSUM]
    bits = "".join(format(_BECH32.index(char), "05b") for char in data)
    return int(bits[: len(bits) - len(bits) % 8], 2).to_bytes(len(bits) // 8, "big")


def receiving_key_fingerprint(age_recipient: str) -> str:
    """The receiving key's fingerprint, by the same rule as a signing key's (``fingerprint``)
    over the key's own 32 bytes, so both sides of a phone call see the same twenty digits.

    Raises ``KeyFileError`` for text that is not a receiving key (checked by pyrage first)."""
    try:
        canonical = str(x25519.Recipient.from_str(age_recipient.strip()))
    except Exception as exc:  # pyrage's RecipientError, not a subclass we know
        raise KeyFileError("That is not a receiving key.") from exc
    return fingerprint(_receiving_key_raw(canonical))


def _public_key_raw(public_line: str) -> tuple[bytes, bytes]:
    """(key id, Ed25519 key) from the base64 line of a minisign public key."""
    data = base64.b64decode(public_line)
    return data[2:10], data[10:]


def signing_key_of(public: minisign.PublicKey) -> SigningKey:
    line = public.to_base64().decode("ascii")
    key_id, raw = _public_key_raw(line)
    return SigningKey(key_id=key_id_text(key_id), public_key=line, fingerprint=fingerprint(raw))


def public_key_file_text(public: minisign.PublicKey) -> str:
    """The ``.pub`` file, byte for byte as ``minisign -G`` writes it."""
    key = signing_key_of(public)
    return f"untrusted comment: minisign public key {key.key_id}\n{key.public_key}\n"


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only, whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if os.name != "posix":  # a folder cannot be opened for syncing on Windows
        return
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _read_small(path: Path, what: str) -> bytes:
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise KeyFileError(f"{path} is too large to be {what}.")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(f"There is no file {path}.") from exc
    except IsADirectoryError as exc:
        raise KeyFileError(f"{path} is a folder, not {what}.") from exc
    except PermissionError as exc:
        raise KeyFileError(f"Storykeeper may not read {path}: check its permissions.") from exc


def _age_identities(text: str, source: Path) -> list[x25519.Identity]:
    """Every X25519 identity in an age identity file (``age-keygen`` output), comments skipped."""
    identities = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(AGE_SECRET_PREFIX):
            raise KeyFileError(
                f"Line {number} of {source} is not an age secret key (they start with "
                f"“{AGE_SECRET_PREFIX}”). Storykeeper reads identity files made by age-keygen; "
                "plugin and SSH identities are not supported."
            )
        try:
            identities.append(x25519.Identity.from_str(line))
        except Exception as exc:  # pyrage raises its own IdentityError, not a subclass we know
            raise KeyFileError(f"Line {number} of {source} is a damaged age secret key.") from exc
    if not identities:
        raise KeyFileError(f"{source} holds no age secret key.")
    return identities


def _identity_file(identities: list[x25519.Identity]) -> bytes:
    """The identity file as age-keygen writes it: when, the public key, then the secret."""
    created = clock.now().astimezone(dt.UTC).replace(microsecond=0).isoformat()
    lines = []
    for identity in identities:
        lines += [
            f"# created: {created}",
            f"# public key: {identity.to_public()}",
            str(identity),
        ]
    return ("\n".join(lines) + "\n").encode("ascii")


class KeyStore:
    """The key files in one data folder; the secret ones sealed with ``sealing_key`` (the
    store's key for "keys") where one is given, as every encrypted store gives one."""

    def __init__(self, data_dir: Path, sealing_key: bytes | None = None) -> None:
        self.folder = data_dir / FOLDER
        self._sealing_key = sealing_key

    def _write_secret(self, name: str, data: bytes) -> None:
        if self._sealing_key is not None:
            data = sealed_files.seal_bytes(self._sealing_key, data)
        _write_private(self._path(name), data)

    def _read_secret(self, name: str, what: str) -> bytes:
        path = self._path(name)
        data = _read_small(path, what)
        if sealed_files.is_sealed(data[: len(sealed_files.MAGIC)]):
            if self._sealing_key is None:
                raise KeyFileError(
                    f"{path} is locked with the stories' key: open the stories first (the "
                    "window, or any command that opens them)."
                )
            try:
                return sealed_files.unseal_bytes(self._sealing_key, data)
            except sealed_files.SealedFileError as exc:
                raise KeyFileError(
                    f"{path} is damaged or belongs to other stories: restore the data folder's "
                    "keys folder from a copy, or import the key again."
                ) from exc
        if self._sealing_key is not None:
            self._write_secret(name, data)  # left plain by an older version: sealed now
        return data

    def _path(self, name: str) -> Path:
        return self.folder / name

    def _ensure_folder(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.chmod(0o700)

    def _keep_old(self, name: str) -> None:
        path = self._path(name)
        if name in (SIGNING_SECRET, AGE_IDENTITY) and path.exists():
            with contextlib.suppress(KeyFileError):  # a damaged old key is kept as it is
                self._read_secret(name, "a secret key")  # a plain one is sealed before it is kept
        if path.exists():
            stamp = clock.now().strftime("%Y%m%dT%H%M%S")
            path.replace(path.with_name(f"{name}.replaced-{stamp}"))

    # --- making and reading ---

    def ensure(self) -> DeviceKeys:
        """The keys, made now if this is the first time they are needed."""
        self._ensure_folder()
        if not self._path(SIGNING_SECRET).exists():
            pair = minisign.KeyPair.generate()
            self._write_secret(SIGNING_SECRET, bytes(pair.secret_key) + b"\n")
            self._path(SIGNING_PUBLIC).write_text(public_key_file_text(pair.public_key), "ascii")
        if not self._path(AGE_IDENTITY).exists():
            self._write_secret(AGE_IDENTITY, _identity_file([x25519.Identity.generate()]))
        return self.show()

    def show(self) -> DeviceKeys:
        return DeviceKeys(
            signing=signing_key_of(self.public_key()),
            age_recipient=str(self.age_identities()[0].to_public()),
            folder=self.folder,
        )

    def public_key(self) -> minisign.PublicKey:
        path = self._path(SIGNING_PUBLIC)
        try:
            return minisign.PublicKey.from_bytes(_read_small(path, "a minisign public key"))
        except minisign.Error as exc:
            raise KeyFileError(f"{path} is not a minisign public key ({exc}).") from exc

    def secret_key(self) -> minisign.SecretKey:
        """The signing key, ready to sign (it is stored without a password)."""
        path = self._path(SIGNING_SECRET)
        try:
            key = minisign.SecretKey.from_bytes(
                self._read_secret(SIGNING_SECRET, "a minisign secret key")
            )
        except minisign.Error as exc:
            raise KeyFileError(f"{path} is not a minisign secret key ({exc}).") from exc
        return key

    def age_identities(self) -> list[x25519.Identity]:
        path = self._path(AGE_IDENTITY)
        return _age_identities(
            self._read_secret(AGE_IDENTITY, "an age identity").decode("ascii", "replace"), path
        )

    # --- bringing keys in and out ---

    def export_public(self, destination: Path) -> Path:
        """Write this computer's minisign ``.pub`` file for a coordinator to trust."""
        self.ensure()
        destination.write_text(public_key_file_text(self.public_key()), "ascii")
        return destination

    def import_age_identity(self, source: Path) -> str:
        """Receive bundles with an existing identity (say an organisation's, from age-keygen)."""
        text = _read_small(source, "an age identity file")
        try:
            decoded = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise KeyFileError(f"{source} is not an age identity file (it is not text).") from exc
        identities = _age_identities(decoded, source)
        self.ensure()  # the signing key too, so the keys are always a whole set
        self._keep_old(AGE_IDENTITY)
        self._write_secret(AGE_IDENTITY, _identity_file(identities))
        return str(identities[0].to_public())

    def import_minisign(
        self, secret_file: Path, public_file: Path, password: str | None = None
    ) -> SigningKey:
        """Sign with an existing minisign key pair (``minisign -G``, with or without ``-W``).

        A password-protected key is decrypted with ``password`` and stored without one, like
        this computer's own key; without the right password, ``PasswordNeeded`` says so.
        """
        try:
            secret = minisign.SecretKey.from_bytes(
                _read_small(secret_file, "a minisign secret key")
            )
        except minisign.Error as exc:
            raise KeyFileError(f"{secret_file} is not a minisign secret key ({exc}).") from exc
        try:
            public = minisign.PublicKey.from_bytes(
                _read_small(public_file, "a minisign public key")
            )
        except minisign.Error as exc:
            raise KeyFileError(f"{public_file} is not a minisign public key ({exc}).") from exc
        if secret.is_encrypted():
            if not password:
                raise PasswordNeeded(f"{secret_file} is protected by a password: give it.")
            try:
                secret.remove_password(password)
            except minisign.Error as exc:
                raise PasswordNeeded(f"That is not the password of {secret_file}.") from exc
        if minisign.PublicKey.from_secret_key(secret) != public:
            raise KeyFileError(
                f"{public_file} is not the public half of {secret_file}: choose the pair made "
                "together."
            )
        secret.untrusted_comment = "minisign secret key"
        self.ensure()  # the age identity too, so the keys are always a whole set
        self._keep_old(SIGNING_SECRET)
        self._keep_old(SIGNING_PUBLIC)
        self._write_secret(SIGNING_SECRET, bytes(secret) + b"\n")
        self._path(SIGNING_PUBLIC).write_text(public_key_file_text(public), "ascii")
        return signing_key_of(public)
