"""Keys against the stock tools a coordinator has: ``minisign`` and ``age`` (Debian packages).

Signatures this program makes verify with ``minisign -V``; keys ``minisign -G`` and
``age-keygen`` make are used by this program; ``age`` and pyrage decrypt each other's files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyrage
import pytest

from storykeeper.core.keys import AGE_IDENTITY, SIGNING_PUBLIC, KeyStore
from tests.stock_tools import require


@pytest.fixture(autouse=True)
def stock_tools() -> None:
    """Fail, not skip, without the tools: an interop test that never runs proves nothing."""
    require("minisign", "age", "age-keygen")


def run(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(a) for a in args], input=stdin, capture_output=True, check=True, timeout=60
    )


def test_minisign_verifies_what_this_program_signs(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "data")
    store.ensure()
    message = tmp_path / "tagmanifest-sha512.txt"
    message.write_bytes(b"0123  data/story.json\n")
    signature = store.secret_key().sign(message.read_bytes(), trusted_comment="bundle 1")
    Path(f"{message}.minisig").write_bytes(bytes(signature) + b"\n")
    exported = store.export_public(tmp_path / "advocate.pub")
    done = run("minisign", "-V", "-p", exported, "-m", message)
    assert b"Signature and comment signature verified" in done.stderr + done.stdout
    assert b"Trusted comment: bundle 1" in done.stderr + done.stdout
    message.write_bytes(b"0124  data/story.json\n")
    with pytest.raises(subprocess.CalledProcessError):
        run("minisign", "-V", "-p", exported, "-m", message)


@pytest.mark.parametrize("password", [None, "a long pass phrase"])
def test_a_key_pair_made_by_minisign_signs_for_this_program(
    tmp_path: Path, password: str | None
) -> None:
    secret, public = tmp_path / "org.key", tmp_path / "org.pub"
    if password is None:
        run("minisign", "-G", "-W", "-p", public, "-s", secret)
    else:
        run(
            "minisign", "-G", "-p", public, "-s", secret, stdin=f"{password}\n{password}\n".encode()
        )
    store = KeyStore(tmp_path / "data")
    key = store.import_minisign(secret, public, password)
    assert key.public_key in public.read_text()  # the same key, as minisign prints it
    assert key.key_id in public.read_text()
    message = tmp_path / "m.txt"
    message.write_bytes(b"signed by an imported key")
    Path(f"{message}.minisig").write_bytes(bytes(store.secret_key().sign(message.read_bytes())))
    run("minisign", "-V", "-p", public, "-m", message)  # the coordinator's own copy of the key
    assert (store.folder / SIGNING_PUBLIC).read_text().splitlines()[1] == (
        public.read_text().splitlines()[1]
    )


def test_an_age_keygen_identity_receives_for_this_program(tmp_path: Path) -> None:
    identity_file = tmp_path / "org-key.txt"
    run("age-keygen", "-o", identity_file)
    listed = next(
        line.split(": ", 1)[1]
        for line in identity_file.read_text().splitlines()
        if line.startswith("# public key: ")
    )
    store = KeyStore(tmp_path / "data")
    assert store.import_age_identity(identity_file) == listed
    sealed = tmp_path / "b.zip.age"
    run("age", "-r", listed, "-o", sealed, stdin=b"a bundle")
    assert pyrage.decrypt(sealed.read_bytes(), store.age_identities()) == b"a bundle"


def test_age_decrypts_with_this_programs_identity_file(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "data")
    keys = store.ensure()
    sealed = tmp_path / "b.zip.age"
    sealed.write_bytes(
        pyrage.encrypt(b"for this computer", [pyrage.x25519.Recipient.from_str(keys.age_recipient)])
    )
    done = run("age", "--decrypt", "-i", store.folder / AGE_IDENTITY, sealed)
    assert done.stdout == b"for this computer"
