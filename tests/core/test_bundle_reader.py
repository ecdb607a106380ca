"""Reading bundles trusts nothing: each broken or hostile bundle is refused with its reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import minisign
import pyrage
import pytest
from pyrage import x25519

from storykeeper.core import consent
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.reader import (
    BundleRefused,
    UntrustedSigner,
    check_story,
    open_bundle,
)
from storykeeper.core.bundle.writer import Selection, plan_export
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from tests.core.plain_bundles import rewrite, write_plain
from tests.factories import given, make_story


@pytest.fixture
def written(store: Store, tmp_path: Path) -> tuple[Path, KeyStore]:
    """A plain bundle of two stories, and the keys that signed it."""
    for title in ("One", "Two"):
        story = make_story(store, title=title)
        with store.write(actor="test") as session:
            consent.record_consent(session, story.id, given())
    return write_plain(store, tmp_path)


def top_of(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()[0].split("/")[0]


def test_a_good_bundle_opens_and_every_story_checks(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    with open_bundle(path, keys.age_identities(), [keys.public_key()], accept_plain=True) as bundle:
        assert not bundle.encrypted
        assert bundle.signer_key_id == keys.show().signing.key_id
        stories = [p for p in bundle.payload if p.startswith("data/stories/")]
        assert len(stories) == 2
        titles = {check_story(bundle, p)["title"] for p in stories}
    assert titles == {"One", "Two"}


def refused(path: Path, keys: KeyStore, trusted: list[minisign.PublicKey] | None = None) -> str:
    with (
        pytest.raises(BundleRefused) as caught,
        open_bundle(
            path,
            keys.age_identities(),
            [keys.public_key()] if trusted is None else trusted,
            accept_plain=True,
        ),
    ):
        pass
    return caught.value.message


def test_a_changed_byte_in_a_story_is_named(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    story = {}

    def flip(name: str, data: bytes) -> tuple[str, bytes]:
        if "/data/stories/" in name and not story:
            story["name"] = name.split("/", 1)[1]
            return name, data.replace(b'"title"', b'"titlE"')
        return name, data

    rewrite(path, flip)
    assert refused(path, keys) == f"File '{story['name']}' was changed after signing."


def test_a_changed_manifest_breaks_the_signature(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    rewrite(
        path,
        lambda n, d: (
            (n, d.replace(b"bagit.txt", b"bagit.txT"))
            if n.endswith("/tagmanifest-sha512.txt")
            else (n, d)
        ),
    )
    assert "signature does not match" in refused(path, keys)


def test_an_unknown_signer_is_refused_with_its_fingerprint(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    stranger = minisign.KeyPair.generate().public_key
    with (
        pytest.raises(UntrustedSigner) as caught,
        open_bundle(path, keys.age_identities(), [stranger], accept_plain=True),
    ):
        pass
    mine = keys.show().signing
    assert caught.value.message == (
        f"The bundle is signed by an unknown key with fingerprint {mine.fingerprint} "
        f"(key id {mine.key_id}). Check the fingerprint with the sender, by phone or in "
        "person, before trusting it."
    )
    # What the person may then choose to trust is exactly the key that signed.
    assert caught.value.public_key == mine.public_key


def test_a_carried_key_that_did_not_sign_gives_no_fingerprint(
    written: tuple[Path, KeyStore],
) -> None:
    """A signer's key in bag-info is only believed when the signature verifies with it."""
    path, keys = written
    mine = keys.show().signing
    other = minisign.KeyPair.generate().public_key.to_base64().decode()
    # Re-sign nothing: swap the carried key in bag-info for another key.
    rewrite(
        path,
        lambda n, d: (
            (n, d.replace(mine.public_key.encode(), other.encode()))
            if n.endswith("/bag-info.txt")
            else (n, d)
        ),
    )
    message = refused(path, keys, trusted=[minisign.KeyPair.generate().public_key])
    assert message.startswith(
        f"The bundle is signed by an unknown key (key id {mine.key_id}), and does not carry it."
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("TOP/data/extra.txt", "File 'data/extra.txt' is in the bundle but not in its manifest."),
        ("TOP/../evil.txt", "unsafe file name"),
        ("/etc/passwd", "unsafe file name"),
        ("TOP\\data\\x.txt", "unsafe file name"),
        ("other/file.txt", "exactly one top-level folder"),
        ("TOP/DATA/BUNDLE.JSON", "twice"),
    ],
)
def test_hostile_entries_are_refused(
    written: tuple[Path, KeyStore], name: str, reason: str
) -> None:
    path, keys = written
    rewrite(path, lambda n, d: (n, d), extra={name.replace("TOP", top_of(path)): b"x"})
    assert reason in refused(path, keys)


def test_a_symlink_entry_is_refused(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    link = zipfile.ZipInfo(f"{top_of(path)}/data/link")
    link.external_attr = 0o120777 << 16
    link.create_system = 3
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    assert "is not a regular file" in refused(path, keys)


def test_a_missing_file_and_a_truncated_bundle_are_refused(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    data = path.read_bytes()
    rewrite(path, lambda n, d: None if "/data/stories/" in n else (n, d))
    assert "is listed but missing" in refused(path, keys)
    path.write_bytes(data[: len(data) // 2])
    assert refused(path, keys) == "The bundle is damaged: it is not a whole zip file."


def test_a_bundle_for_someone_else_says_so(written: tuple[Path, KeyStore], tmp_path: Path) -> None:
    path, keys = written
    sealed = tmp_path / "other.zip.age"
    other = x25519.Identity.generate()
    sealed.write_bytes(pyrage.encrypt(path.read_bytes(), [other.to_public()]))
    assert refused(sealed, keys).startswith("This bundle is not for this computer")
    with open_bundle(sealed, [other], [keys.public_key()], accept_plain=True) as bundle:
        assert bundle.encrypted


@pytest.mark.parametrize("damage", ["truncated", "flipped byte"])
def test_a_damaged_age_file_is_refused(
    written: tuple[Path, KeyStore], tmp_path: Path, damage: str
) -> None:
    path, keys = written
    sealed = tmp_path / "damaged.zip.age"
    data = bytearray(pyrage.encrypt(path.read_bytes(), [keys.age_identities()[0].to_public()]))
    if damage == "truncated":
        del data[-100:]
    else:
        data[len(data) // 2] ^= 0x01
    sealed.write_bytes(bytes(data))
    assert refused(sealed, keys) == (
        "The bundle is damaged: its encrypted content is cut short or was changed (age could "
        "not authenticate it). Ask the sender for a fresh copy."
    )


def test_a_zip_bomb_is_refused_before_it_is_read(written: tuple[Path, KeyStore]) -> None:
    path, keys = written
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{top_of(path)}/data/bomb.txt", b"\0" * (50 << 20))
    assert "expands too much" in refused(path, keys)


def test_a_bundle_of_thousands_of_stories_opens(store: Store, tmp_path: Path) -> None:
    """Its manifest is well over a megabyte: the small tag files' cap must not apply to it."""
    from storykeeper.core import demo

    demo.generate(store, stories=8000, seed=8)
    with store.read() as session:
        shared = len(plan_export(session, Selection.ALL).stories)
    path, keys = write_plain(store, tmp_path)
    with zipfile.ZipFile(path) as archive:
        manifest = next(
            i for i in archive.infolist() if i.filename.endswith("/manifest-sha512.txt")
        )
    assert manifest.file_size > 1 << 20
    with open_bundle(path, keys.age_identities(), [keys.public_key()], accept_plain=True) as bundle:
        assert len(bundle.summary["stories"]) == shared > 5000


def test_a_bundle_from_a_newer_storykeeper_names_the_version_it_needs(
    written: tuple[Path, KeyStore],
) -> None:
    """Signed properly by a trusted key, but of the format after this program's: refused,
    saying which formats are read."""
    import hashlib

    path, keys = written
    with zipfile.ZipFile(path) as old:
        files = {i.filename: old.read(i) for i in old.infolist()}
    top = top_of(path)
    summary = f"{top}/data/bundle.json"
    newer = FORMAT + 1
    files[summary] = files[summary].replace(
        f'"format": {FORMAT}'.encode(), f'"format": {newer}'.encode(), 1
    )

    def manifest(names: list[str]) -> bytes:
        return "".join(
            f"{hashlib.sha512(files[f'{top}/{n}']).hexdigest()}  {n}\n" for n in sorted(names)
        ).encode()

    payload = [n.split("/", 1)[1] for n in files if "/data/" in n]
    files[f"{top}/manifest-sha512.txt"] = manifest(payload)
    tag_manifest = manifest(["bagit.txt", "bag-info.txt", "manifest-sha512.txt"])
    files[f"{top}/tagmanifest-sha512.txt"] = tag_manifest
    files[f"{top}/tagmanifest-sha512.txt.minisig"] = bytes(keys.secret_key().sign(tag_manifest))
    with zipfile.ZipFile(path, "w") as new:
        for name, data in files.items():
            new.writestr(name, data)
    assert refused(path, keys) == (
        f"The bundle was made by a newer Storykeeper (format {newer}); this program reads "
        f"formats 1–{FORMAT}. Update Storykeeper to read it."
    )


def test_a_bundle_signed_again_by_another_trusted_key_is_refused(
    written: tuple[Path, KeyStore], tmp_path: Path
) -> None:
    """The summary names its signer; a bundle re-signed by someone else no longer matches."""
    from storykeeper.core.keys import KeyStore as Keys
    from tests.forgery import resign

    path, keys = written
    other = Keys(tmp_path / "other")
    other.ensure()
    forged = resign(path, other, lambda payload: None)
    with (
        pytest.raises(BundleRefused) as caught,
        open_bundle(
            forged,
            keys.age_identities(),
            [keys.public_key(), other.public_key()],
            accept_plain=True,
        ),
    ):
        pass
    assert caught.value.message == (
        f"The bundle's summary says key {keys.show().signing.key_id} signed it, but key "
        f"{other.show().signing.key_id} did: it was signed again by someone else."
    )
