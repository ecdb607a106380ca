"""In an encrypted store the secret key files are sealed: a copy of the data folder can neither
sign as this computer nor open the bundles sent to it. Inside the seal, the stock formats."""

from __future__ import annotations

import os
from pathlib import Path

import minisign
import pytest
from pyrage import x25519

from storykeeper.core.key_derivation import derive
from storykeeper.core.keys import AGE_IDENTITY, SIGNING_SECRET, KeyFileError, KeyStore

STORE_KEY = bytes(range(32))
KEY = derive(STORE_KEY, "keys")


def secrets(folder: Path) -> list[Path]:
    return [folder / SIGNING_SECRET, folder / AGE_IDENTITY]


def test_new_keys_are_sealed_and_read_back(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path, KEY)
    made = keys.ensure()
    for path in secrets(keys.folder):
        raw = path.read_bytes()
        assert b"AGE-SECRET-KEY" not in raw
        assert b"untrusted comment" not in raw
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    # A signature made with the sealed key verifies with the public key, which stays plain.
    signature = keys.secret_key().sign(b"a bundle's manifest")
    keys.public_key().verify(b"a bundle's manifest", signature)
    assert (keys.folder / "signing.pub").read_text().startswith("untrusted comment: minisign")
    assert KeyStore(tmp_path, KEY).show() == made


def test_without_the_stories_key_the_sealed_keys_are_refused_plainly(tmp_path: Path) -> None:
    KeyStore(tmp_path, KEY).ensure()
    with pytest.raises(KeyFileError, match="locked with the stories' key"):
        KeyStore(tmp_path).secret_key()
    with pytest.raises(KeyFileError, match="locked with the stories' key"):
        KeyStore(tmp_path).age_identities()
    other = derive(os.urandom(32), "keys")
    with pytest.raises(KeyFileError, match="damaged or belongs to other stories"):
        KeyStore(tmp_path, other).age_identities()


def test_plain_keys_left_by_an_older_version_are_sealed_when_first_read(tmp_path: Path) -> None:
    plain = KeyStore(tmp_path)
    made = plain.ensure()
    recipient = made.age_recipient
    assert b"AGE-SECRET-KEY" in (plain.folder / AGE_IDENTITY).read_bytes()
    sealed = KeyStore(tmp_path, KEY)
    assert str(sealed.age_identities()[0].to_public()) == recipient
    sealed.secret_key()
    for path in secrets(sealed.folder):
        assert b"AGE-SECRET-KEY" not in path.read_bytes()
        assert b"minisign" not in path.read_bytes()
    assert sealed.show() == made


def test_an_imported_identity_is_sealed_and_the_replaced_one_too(tmp_path: Path) -> None:
    KeyStore(tmp_path).ensure()  # plain, as an older version left it
    organisation = x25519.Identity.generate()
    given = tmp_path / "organisation.txt"
    given.write_text(f"# the organisation's key\n{organisation}\n")
    keys = KeyStore(tmp_path, KEY)
    assert keys.import_age_identity(given) == str(organisation.to_public())
    assert str(keys.age_identities()[0]) == str(organisation)
    kept = [p for p in keys.folder.iterdir() if p.name.startswith(f"{AGE_IDENTITY}.replaced-")]
    assert len(kept) == 1
    for path in [keys.folder / AGE_IDENTITY, *kept]:
        assert b"AGE-SECRET-KEY" not in path.read_bytes()


def test_an_imported_signing_pair_is_sealed(tmp_path: Path) -> None:
    pair = minisign.KeyPair.generate()
    secret_file, public_file = tmp_path / "org.key", tmp_path / "org.pub"
    secret_file.write_bytes(bytes(pair.secret_key))
    public_file.write_bytes(bytes(pair.public_key))
    keys = KeyStore(tmp_path / "data", KEY)
    keys.import_minisign(secret_file, public_file)
    assert b"minisign" not in (keys.folder / SIGNING_SECRET).read_bytes()
    assert minisign.PublicKey.from_secret_key(keys.secret_key()) == pair.public_key
