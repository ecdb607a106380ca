"""This computer's keys: made once, kept private, imported without losing the old ones."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import minisign
import pytest
from pyrage import x25519

from storykeeper.core.keys import (
    AGE_IDENTITY,
    SIGNING_PUBLIC,
    SIGNING_SECRET,
    KeyFileError,
    KeyStore,
    PasswordNeeded,
    fingerprint,
    public_key_file_text,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_are_made_once_and_kept_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    first = store.ensure()
    again = KeyStore(tmp_path).ensure()
    assert first == again  # the same keys, not new ones
    assert mode(store.folder) == 0o700
    assert mode(store.folder / SIGNING_SECRET) == 0o600
    assert mode(store.folder / AGE_IDENTITY) == 0o600
    assert re.fullmatch(r"[0-9A-F]{1,16}", first.signing.key_id)
    assert re.fullmatch(r"\d{5} \d{5} \d{5} \d{5}", first.signing.fingerprint)
    assert first.age_recipient.startswith("age1")
    pub = (store.folder / SIGNING_PUBLIC).read_text()
    assert pub == (
        f"untrusted comment: minisign public key {first.signing.key_id}\n"
        f"{first.signing.public_key}\n"
    )
    assert not list(store.folder.glob(".*partial"))


def test_a_signature_made_with_the_key_verifies_with_its_public_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    store.ensure()
    signature = store.secret_key().sign(b"tagmanifest", trusted_comment="bundle x")
    store.public_key().verify(b"tagmanifest", signature)
    with pytest.raises(minisign.VerifyError):
        store.public_key().verify(b"tagmanifesT", signature)


def test_fingerprints_differ_between_keys_and_are_stable() -> None:
    a, b = bytes(32), bytes([1]) + bytes(31)
    assert fingerprint(a) == fingerprint(a)
    assert fingerprint(a) != fingerprint(b)


def test_importing_a_minisign_pair_keeps_the_old_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    old = store.ensure()
    pair = minisign.KeyPair.generate()
    (tmp_path / "new.key").write_bytes(bytes(pair.secret_key))
    (tmp_path / "new.pub").write_text(public_key_file_text(pair.public_key))
    imported = store.import_minisign(tmp_path / "new.key", tmp_path / "new.pub")
    assert imported != old.signing
    assert store.show().signing == imported
    kept = list(store.folder.glob(f"{SIGNING_SECRET}.replaced-*"))
    assert len(kept) == 1
    assert mode(store.folder / SIGNING_SECRET) == 0o600


def test_a_password_protected_key_needs_its_password(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    before = store.ensure()
    pair = minisign.KeyPair.generate()
    pair.secret_key.encrypt("correct horse", opslimit=1 << 15, memlimit=1 << 20)
    (tmp_path / "k.key").write_bytes(bytes(pair.secret_key))
    (tmp_path / "k.pub").write_text(public_key_file_text(pair.public_key))
    with pytest.raises(PasswordNeeded, match="protected by a password"):
        store.import_minisign(tmp_path / "k.key", tmp_path / "k.pub")
    with pytest.raises(PasswordNeeded, match="not the password"):
        store.import_minisign(tmp_path / "k.key", tmp_path / "k.pub", "wrong")
    assert store.show() == before  # nothing changed
    key = store.import_minisign(tmp_path / "k.key", tmp_path / "k.pub", "correct horse")
    assert not store.secret_key().is_encrypted()
    store.public_key().verify(b"x", store.secret_key().sign(b"x"))
    assert key == store.show().signing


def test_a_public_key_from_another_pair_is_refused(tmp_path: Path) -> None:
    one, two = minisign.KeyPair.generate(), minisign.KeyPair.generate()
    (tmp_path / "one.key").write_bytes(bytes(one.secret_key))
    (tmp_path / "two.pub").write_text(public_key_file_text(two.public_key))
    with pytest.raises(KeyFileError, match="is not the public half"):
        KeyStore(tmp_path).import_minisign(tmp_path / "one.key", tmp_path / "two.pub")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\n", "Line 1 of .* is not an age secret key"),
        (b"# only a comment\n", "holds no age secret key"),
        (b"AGE-SECRET-KEY-1QQQQ\n", "Line 1 of .* is a damaged age secret key"),
        (b"\xff\xfe", "not an age identity file"),
        (b"A" * 70_000, "too large"),
    ],
)
def test_a_bad_age_identity_file_is_refused_and_changes_nothing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    store = KeyStore(tmp_path)
    before = store.ensure()
    (tmp_path / "bad.txt").write_bytes(content)
    with pytest.raises(KeyFileError, match=message):
        store.import_age_identity(tmp_path / "bad.txt")
    assert store.show() == before


def test_an_age_identity_is_imported_with_its_recipient(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    (tmp_path / "org.txt").write_text(f"# organisation key\n{identity}\n")
    store = KeyStore(tmp_path)
    recipient = store.import_age_identity(tmp_path / "org.txt")
    assert recipient == str(identity.to_public())
    assert store.show().age_recipient == recipient
    assert mode(store.folder / AGE_IDENTITY) == 0o600


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.key", None, "There is no file"),
        ("junk.key", b"not a key", "is not a minisign secret key"),
    ],
)
def test_bad_minisign_files_are_refused(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    pair = minisign.KeyPair.generate()
    (tmp_path / "ok.pub").write_text(public_key_file_text(pair.public_key))
    with pytest.raises(KeyFileError, match=message):
        KeyStore(tmp_path).import_minisign(tmp_path / name, tmp_path / "ok.pub")


def test_key_ids_read_as_minisign_prints_them() -> None:
    from storykeeper.core.keys import key_id_text

    # minisign prints the little-endian number with %PRIX64: no leading zeros.
    assert key_id_text(bytes.fromhex("3e6c3cfcdefcfe03")) == "3FEFCDEFC3C6C3E"
    assert key_id_text(bytes.fromhex("0123456789abcdef")) == "EFCDAB8967452301"
