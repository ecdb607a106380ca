"""Reading a bundle someone hands you, trusting nothing in it (BUNDLE.md, "Import rules").

In order, each step only once the one before has passed:

1. **decrypt** with this computer's age identities, once the age header is read and found small
   (at most 100 recipient stanzas in 64 KiB: age's time grows with the square of their number),
   into the data folder's own ``tmp/`` under a lock (``staging.ImportStaging``), sealed as it is
   written with a random key held only in memory (``staging.staging_key``), so the zip is never
   on the disk in the clear and what a killed import leaves there is unreadable (the next start
   removes it); the zip is read through ``SealedReader``, seekable as the zip module needs;
2. **the zip wall**: the end of central directory record (and zip64's) is read first, and a
   declared entry count or central directory size over the caps is refused, as is a central
   directory holding more entries than that, before the zip module builds an object per entry;
   then, before anything is read, every entry's name, kind, method and declared size
   is checked — one top-level folder, safe names, no duplicates (not even by case), regular files,
   stored or deflate, sizes and compression ratio capped — and sizes are enforced again while
   streaming, so a lying header gains nothing. Nothing is ever extracted to disk;
3. **the signature** over ``tagmanifest-sha512.txt``, against the keys the caller trusts;
4. **the manifests**: every file listed and matching its SHA-512, no file unlisted;
5. **the JSON** of ``data/bundle.json`` against the schema of its format version.

The first failure ends the reading with one reason in plain words (``BundleRefused``).
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import minisign
import pyrage
from pyrage import x25519

from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.envelope import MAX_ENTRIES, check_age_header, check_central_directory
from storykeeper.core.bundle.layout import (
    ASK_AGAIN,
    addressed_here,
    declarations_agree,
    declared_recipients,
    only_format_files,
)
from storykeeper.core.bundle.refused import BundleRefused, name_shown
from storykeeper.core.bundle.schema import NumberRefused, parse_json, schema_problem
from storykeeper.core.bundle.staging import (
    ImportStaging,
    staging_folder,
    staging_key,
    sweep_import_leftovers,
)
from storykeeper.core.keys import fingerprint, key_id_text
from storykeeper.core.sealed_files import SealingWriter, open_sealed

AGE_MAGIC = b"age-encryption.org/v1"
MAX_FILE = 2 << 30  # 2 GiB: a long recording at most
MAX_TOTAL = 16 << 30
MAX_RATIO = 200  # deflate rarely beats 10:1 on text; 200:1 is a bomb
MAX_TAG_FILE = 1 << 20
#: The payload manifest has a line (about 180 bytes) per file: room for 300,000 files.
MAX_MANIFEST = 64 << 20
MAX_JSON = 64 << 20
CHUNK = 1 << 20
#: Zip's own encryption (bit 0), patched data (bit 5) and strong encryption (bit 6).
_UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]{128})[ \t]+(\S.*)")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")


#: What Python's zip module raises on a damaged archive, besides BadZipFile: found by fuzzing
#: (tests/core/test_bundle_fuzz.py), each from a header or a stream that lies.
_ZIP_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    IndexError,
    OverflowError,
    struct.error,
)


@contextmanager
def zip_damage_refused(what: str = "") -> Iterator[None]:
    """Turn the zip module's many ways of failing on a damaged file into one refusal."""
    try:
        yield
    except BundleRefused:
        raise
    except _ZIP_DAMAGE as exc:
        where = f" ('{what}')" if what else ""
        raise BundleRefused(f"The bundle is damaged: its zip cannot be read{where}.") from exc
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # an offset in a header pointing nowhere
            raise
        raise BundleRefused("The bundle is damaged: its zip cannot be read.") from exc


class UntrustedSigner(BundleRefused):
    """Signed by a key not trusted here. When the bundle carries the signer's public key (and
    the signature verifies with it), ``public_key`` and ``fingerprint`` let the person compare
    it with the sender by phone and choose to trust it."""

    def __init__(self, key_id: str, public_key: str | None, fingerprint: str | None) -> None:
        self.key_id = key_id
        self.public_key = public_key
        self.fingerprint = fingerprint
        if fingerprint:
            message = (
                f"The bundle is signed by an unknown key with fingerprint {fingerprint} (key id "
                f"{key_id}). Check the fingerprint with the sender, by phone or in person, "
                "before trusting it."
            )
        else:
            message = (
                f"The bundle is signed by an unknown key (key id {key_id}), and does not carry "
                "it. Ask the sender for their public key (“storykeeper keys export-public”) and "
                "compare its fingerprint with them before trusting it."
            )
        super().__init__(message)


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle that passed every check; its payload is read from ``archive`` by path."""

    bundle_id: str
    format: int
    encrypted: bool
    signer_key_id: str
    signer_fingerprint: str
    trusted_comment: str
    #: SHA-256 of ``tagmanifest-sha512.txt``, which the signature covers and which covers every
    #: other file: the bundle's contents, whatever zip or encryption carries them.
    content_digest: str
    summary: dict[str, Any]
    payload: dict[str, str] = field(repr=False)  # bag path → sha512
    archive: zipfile.ZipFile = field(repr=False)
    top: str = ""

    def read(self, path: str, limit: int = MAX_JSON) -> bytes:
        """A payload file's bytes, checked against the signed manifest as they are read."""
        if path not in self.payload:
            raise BundleRefused(f"The bundle has no file '{path}'.")
        data = _read_capped(self.archive, f"{self.top}/{path}", limit)
        if hashlib.sha512(data).hexdigest() != self.payload[path]:
            raise BundleRefused(f"File '{path}' was changed after signing.")
        return data


def encrypted_file_digest(path: Path) -> str | None:
    """SHA-256 over an age file's header, its payload nonce and its size: one encryption of one
    bundle (each encryption draws a fresh file key and nonce), found without decrypting it.
    None for a plain bundle or a file whose header cannot be found."""
    try:
        with path.open("rb") as stream:
            head = stream.read(64 << 10)
            size = os.fstat(stream.fileno()).st_size
    except OSError:
        return None
    if not head.startswith(AGE_MAGIC):
        return None
    mac = head.find(b"\n--- ")
    end = head.find(b"\n", mac + 1) if mac >= 0 else -1
    if end < 0 or len(head) < end + 1 + 16:
        return None
    digest = hashlib.sha256(head[: end + 1 + 16])
    digest.update(str(size).encode())
    return digest.hexdigest()


def authenticates(path: Path, identities: Iterable[x25519.Identity]) -> bool | None:
    """Whether every byte of the age file at ``path`` authenticates (age checks each 64 KiB
    chunk), decrypting into nothing: the header alone names the encryption, not the bytes after
    it, so a damaged copy of a bundle imported before has the same header as the intact one.
    None when no identity here opens the header (the key that did was taken away): nothing can
    be said. Errors of the machine itself (a full disk, a file gone) are raised."""
    try:
        pyrage.decrypt_file(str(path), os.devnull, list(identities))
    except pyrage.DecryptError:
        return None
    except OSError as exc:
        if exc.errno is not None:
            raise
        return False
    return True


def _check_name(name: str) -> list[str]:
    if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise BundleRefused(f"The bundle holds an unsafe file name ('{name[:80]}').")
    parts = name.split("/")
    if any(p in ("", ".", "..") or not _SAFE_SEGMENT.match(p) for p in parts):
        raise BundleRefused(f"The bundle holds an unsafe file name ('{name[:80]}').")
    return parts


def _wall(archive: zipfile.ZipFile) -> str:
    """Check every entry before reading any; the bag's top-level folder name."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused(f"The bundle holds too many files ({len(entries):,}).")
    tops: set[str] = set()
    seen: set[str] = set()
    total = 0
    for info in entries:
        if not info.filename:
            raise BundleRefused("The bundle holds a file with no name.")
        if info.is_dir():
            # A folder entry is no file: no manifest lists it, so no signature covers bytes
            # it carries (deflate's empty stream is 2 bytes: python -m zipfile stores none).
            if info.file_size or info.compress_size > 2:
                raise BundleRefused(
                    f"The bundle's folder entry '{name_shown(info.filename)}' carries "
                    f"{max(info.file_size, info.compress_size):,} bytes, which no manifest "
                    "lists and no signature covers."
                )
            parts = _check_name(info.filename.rstrip("/"))
            tops.add(parts[0])
            continue
        parts = _check_name(info.filename)
        if len(parts) < 2:
            raise BundleRefused("The bundle's files must all be inside one folder.")
        tops.add(parts[0])
        folded = info.filename.casefold()
        if folded in seen:
            raise BundleRefused(f"The bundle holds '{info.filename}' twice.")
        seen.add(folded)
        kind = (info.external_attr >> 16) & 0o170000
        if kind not in (0, 0o100000):
            raise BundleRefused(f"'{info.filename}' is not a regular file (a link or device).")
        if info.flag_bits & _UNSUPPORTED_FLAGS:
            raise BundleRefused(f"'{info.filename}' is encrypted or patched inside the zip.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleRefused(f"'{info.filename}' uses a compression method not allowed.")
        if info.file_size > MAX_FILE:
            raise BundleRefused(f"'{info.filename}' is too large ({info.file_size:,} bytes).")
        if info.file_size > CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BundleRefused(f"'{info.filename}' expands too much: a zip bomb?")
        total += info.file_size
    if total > MAX_TOTAL:
        raise BundleRefused("The bundle's files are too large in total.")
    if len(tops) != 1:
        raise BundleRefused("The bundle must hold exactly one top-level folder.")
    return tops.pop()


def _read_capped(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    chunks, size = [], 0
    with zip_damage_refused(name), archive.open(name) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise BundleRefused(f"'{name}' is larger than it may be.")
            chunks.append(chunk)
    return b"".join(chunks)


def _hash_member(archive: zipfile.ZipFile, name: str, declared: int) -> str:
    digest, size = hashlib.sha512(), 0
    with zip_damage_refused(name), archive.open(name) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            if size > declared or size > MAX_FILE:
                raise BundleRefused(f"'{name}' holds more than its header says.")
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(text: bytes, name: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    try:
        lines = text.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise BundleRefused(f"'{name}' is not UTF-8 text.") from exc
    for line in lines:
        # RFC 8493 §2.1.3: the checksum, one or more spaces or tabs, the path (bagit.py writes
        # one space, this program two).
        found = _MANIFEST_LINE.fullmatch(line)
        if found is None or found[2] in entries:
            raise BundleRefused(f"'{name}' is damaged.")
        entries[found[2]] = found[1].lower()
    return entries


@contextmanager
def _decrypted_place(data_dir: Path | None) -> Iterator[Path]:
    """Where the decrypted zip is written, removed on every way out: the data folder's own
    ``tmp/`` under this import's lock, where the start-up sweep finds what a killed import
    left; without a data folder (a tool or a test), a private temporary folder."""
    if data_dir is None:
        with tempfile.TemporaryDirectory(prefix="storykeeper-bundle-") as private:
            yield Path(private) / "bundle.zip"
        return
    folder = staging_folder(data_dir)
    # A window open for days never starts again: another process's killed import goes now.
    sweep_import_leftovers(folder)
    with ImportStaging(folder) as staging:
        yield staging.plaintext


@contextmanager
def open_bundle(
    path: Path,
    identities: Iterable[x25519.Identity],
    trusted: Iterable[minisign.PublicKey],
    hashed: Callable[[int, int], None] | None = None,
    signed: Callable[[str, str, str], None] | None = None,
    hash_later: Callable[[str], bool] | None = None,
    *,
    data_dir: Path | None = None,
    accept_plain: bool = False,
    any_recipient: bool = False,
) -> Iterator[OpenedBundle]:
    """Open, decrypt and check the bundle at ``path``; the temporary files go when done.

    ``hashed(done, total)`` is called as the payload files are hash-checked (the long part of
    opening a bundle with media); it may raise to stop. ``signed(bundle_id, signer_key_id,
    content_digest)`` is
    called as soon as the signature and the summary's hash hold, before that long part: an
    importer that already has the bundle raises there and skips the rest. Payload files for
    which ``hash_later(path)`` is true are not hashed here: the caller promises to check each as
    it reads it (the importer does so for media while copying them, saving a pass over them).
    ``data_dir``, when given, is the data folder whose ``tmp/`` holds the decrypted zip.

    The bundle must be addressed to one of ``identities`` (its signed declarations name the
    recipients its sender meant) and encrypted, unless ``accept_plain``; ``any_recipient``
    drops both rules, for ``verify``, which reports whom a bundle is for without importing it.
    """
    identities = list(identities)
    own = {str(identity.to_public()) for identity in identities}
    try:
        with path.open("rb") as head:
            encrypted = head.read(len(AGE_MAGIC)) == AGE_MAGIC
    except OSError as exc:
        raise BundleRefused(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    with ExitStack() as cleanup:
        plain: Path | BinaryIO = path
        if encrypted:
            check_age_header(path)
            staged = cleanup.enter_context(_decrypted_place(data_dir))
            key = staging_key()
            try:
                with (
                    path.open("rb") as encrypted_bundle,
                    staged.open("wb") as target,
                    SealingWriter(key, target) as sealing,
                ):
                    pyrage.decrypt_io(encrypted_bundle, sealing, identities)
            except pyrage.DecryptError as exc:
                raise BundleRefused(
                    "This bundle is not for this computer: it is encrypted to other keys (or "
                    f"it is damaged). {ASK_AGAIN}"
                ) from exc
            except OSError as exc:
                if exc.errno is not None:  # the machine's own trouble (a full disk): not the file's
                    raise
                # age authenticates every 64 KiB chunk: a cut or changed byte fails here.
                raise BundleRefused(
                    "The bundle is damaged: its encrypted content is cut short or was changed "
                    "(age could not authenticate it). Ask the sender for a fresh copy."
                ) from exc
            plain = cleanup.enter_context(open_sealed(key, staged))
        check_central_directory(plain)
        try:
            archive = zipfile.ZipFile(plain)
        except (*_ZIP_DAMAGE, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno not in (None, errno.EINVAL):
                raise
            raise BundleRefused("The bundle is damaged: it is not a whole zip file.") from exc
        with archive:
            with zip_damage_refused():
                top = _wall(archive)
                addressed = None if any_recipient else _Addressed(own, encrypted, accept_plain)
                checked = _check(
                    archive, top, encrypted, list(trusted), hashed, signed, hash_later, addressed
                )
            yield checked


@dataclass(frozen=True)
class _Addressed:
    """Whom a bundle must be for: one of ``own`` recipients, encrypted unless ``accept_plain``."""

    own: set[str]
    encrypted: bool
    accept_plain: bool

    def check(self, summary: dict[str, Any]) -> None:
        recipients = declared_recipients(summary)
        if recipients is not None:
            addressed_here(
                recipients, self.own, encrypted=self.encrypted, accept_plain=self.accept_plain
            )


def _check(
    archive: zipfile.ZipFile,
    top: str,
    encrypted: bool,
    trusted: list[minisign.PublicKey],
    hashed: Callable[[int, int], None] | None,
    signed: Callable[[str, str, str], None] | None = None,
    hash_later: Callable[[str], bool] | None = None,
    addressed: _Addressed | None = None,
) -> OpenedBundle:
    names = {info.filename: info for info in archive.infolist() if not info.is_dir()}

    def tag(name: str) -> bytes:
        if f"{top}/{name}" not in names:
            raise BundleRefused(f"The bundle has no '{name}': it is not a Storykeeper bundle.")
        limit = MAX_MANIFEST if name == "manifest-sha512.txt" else MAX_TAG_FILE
        return _read_capped(archive, f"{top}/{name}", limit)

    tag_manifest = tag("tagmanifest-sha512.txt")
    signature_file = tag("tagmanifest-sha512.txt.minisig")
    try:
        signature = minisign.Signature.from_bytes(signature_file)
        # The key id is bytes 2–10 of the signature line (minisign's file format).
        signer_id = base64.b64decode(signature_file.splitlines()[1], validate=True)[2:10]
    except (minisign.Error, IndexError, binascii.Error) as exc:
        raise BundleRefused("The bundle's signature is damaged.") from exc
    key = next((k for k in trusted if _key_id(k) == signer_id), None)
    if key is None:
        raise _untrusted(tag("bag-info.txt"), signer_id, tag_manifest, signature)
    _verify(key, tag_manifest, signature)
    tags = _manifest(tag_manifest, "tagmanifest-sha512.txt")
    for name, digest in tags.items():
        if hashlib.sha512(tag(name)).hexdigest() != digest:
            raise BundleRefused(f"File '{name}' was changed after signing.")
    only_format_files(tags)
    if "manifest-sha512.txt" not in tags:
        raise BundleRefused("The bundle's signed manifest does not cover its payload.")
    payload = _manifest(tag("manifest-sha512.txt"), "manifest-sha512.txt")
    only_format_files(payload)
    listed_tags = {*tags, "tagmanifest-sha512.txt", "tagmanifest-sha512.txt.minisig"}
    if signed is not None:
        early = _json(archive, top, payload, "data/bundle.json")
        if isinstance(early, dict) and isinstance(early.get("bundle_id"), str):
            # Before the ledger is asked: a bundle contradicting itself is refused, never
            # taken for one imported before by the id one of its places claims.
            declared = {k: early[k] for k in ("bundle_id", "recipients") if k in early}
            declarations_agree(declared, tag("bag-info.txt"), signature.trusted_comment)
            if addressed is not None:
                addressed.check(declared)
            signed(early["bundle_id"], key_id_text(signer_id), _content_digest(tag_manifest))
        del early  # a summary can be tens of megabytes parsed: not held twice (issue 16)
    for done, (name, info) in enumerate(names.items()):
        inside = name[len(top) + 1 :]
        if inside.startswith("data/"):
            if inside not in payload:
                raise BundleRefused(f"File '{inside}' is in the bundle but not in its manifest.")
            later = hash_later is not None and hash_later(inside)
            if not later and _hash_member(archive, name, info.file_size) != payload[inside]:
                raise BundleRefused(f"File '{inside}' was changed after signing.")
        elif inside not in listed_tags:
            only_format_files([inside])
            raise BundleRefused(f"File '{inside}' is in the bundle but not in its manifest.")
        if hashed is not None and (done % 100 == 0 or info.file_size > CHUNK):
            hashed(done, len(names))
    missing = [p for p in payload if f"{top}/{p}" not in names]
    if missing:
        raise BundleRefused(f"File '{missing[0]}' is listed but missing from the bundle.")
    summary = _json(archive, top, payload, "data/bundle.json")
    version = summary.get("format") if isinstance(summary, dict) else None
    # (bool is an int in Python: "format": false must not pass for format 0; found by fuzzing.)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleRefused("The bundle's summary (data/bundle.json) has no format version.")
    if version > FORMAT:
        readable = f"format {FORMAT}" if FORMAT == 1 else f"formats 1–{FORMAT}"
        raise BundleRefused(
            f"The bundle was made by a newer Storykeeper (format {version}); this program "
            f"reads {readable}. Update Storykeeper to read it."
        )
    _validate(summary, "bundle", version)
    if summary["signer_key_id"].upper() != key_id_text(signer_id):
        raise BundleRefused(
            f"The bundle's summary says key {summary['signer_key_id']} signed it, but key "
            f"{key_id_text(signer_id)} did: it was signed again by someone else."
        )
    declarations_agree(summary, tag("bag-info.txt"), signature.trusted_comment)
    if addressed is not None:
        addressed.check(summary)
    public = key.to_base64()
    return OpenedBundle(
        bundle_id=summary["bundle_id"],
        format=version,
        encrypted=encrypted,
        signer_key_id=key_id_text(signer_id),
        signer_fingerprint=fingerprint(base64.b64decode(public)[10:]),
        trusted_comment=signature.trusted_comment,
        content_digest=_content_digest(tag_manifest),
        summary=summary,
        payload=payload,
        archive=archive,
        top=top,
    )


def _content_digest(tag_manifest: bytes) -> str:
    return hashlib.sha256(tag_manifest).hexdigest()


def _verify(key: minisign.PublicKey, message: bytes, signature: minisign.Signature) -> None:
    try:
        key.verify(message, signature)
    except minisign.VerifyError as exc:
        raise BundleRefused(
            "The bundle's signature does not match: it was changed after signing."
        ) from exc


def _untrusted(
    bag_info: bytes, signer_id: bytes, tag_manifest: bytes, signature: minisign.Signature
) -> UntrustedSigner:
    """The refusal for a signer not trusted here, with its fingerprint when the bundle carries
    its public key and the signature verifies with it (proof the holder of that key signed)."""
    line = next(
        (
            value.strip()
            for name, _, value in (
                raw.partition(":") for raw in bag_info.decode("utf-8", "replace").splitlines()
            )
            if name == "Storykeeper-Signer-Public-Key"
        ),
        None,
    )
    key_id = key_id_text(signer_id)
    try:
        carried = minisign.PublicKey.from_base64(line) if line else None
    except (minisign.Error, ValueError):
        carried = None
    if carried is None or _key_id(carried) != signer_id:
        return UntrustedSigner(key_id, None, None)
    _verify(carried, tag_manifest, signature)
    public = carried.to_base64().decode("ascii")
    return UntrustedSigner(key_id, public, fingerprint(base64.b64decode(public)[10:]))


def _key_id(key: minisign.PublicKey) -> bytes:
    return base64.b64decode(key.to_base64())[2:10]


def _json(archive: zipfile.ZipFile, top: str, payload: dict[str, str], path: str) -> Any:
    if path not in payload:
        raise BundleRefused(f"The bundle has no '{path}'.")
    data = _read_capped(archive, f"{top}/{path}", MAX_JSON)
    if hashlib.sha512(data).hexdigest() != payload[path]:
        raise BundleRefused(f"File '{path}' was changed after signing.")
    try:
        return parse_json(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BundleRefused(f"'{path}' is not UTF-8 text.") from exc
    except NumberRefused as exc:
        raise BundleRefused(f"'{path}' {exc}.") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BundleRefused(f"'{path}' is not valid JSON.") from exc


def _validate(document: Any, kind: str, version: int) -> None:
    problem = schema_problem(document, kind, version)
    if problem is not None:
        raise BundleRefused(f"The bundle's {kind} file breaks its format at {problem}")


def check_story(bundle: OpenedBundle, path: str) -> dict[str, Any]:
    """A story file read, hash-checked and validated against its format's schema."""
    data = bundle.read(path)
    try:
        document = parse_json(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BundleRefused(f"'{path}' is not UTF-8 text.") from exc
    except NumberRefused as exc:
        raise BundleRefused(f"'{path}' {exc}.") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BundleRefused(f"'{path}' is not valid JSON.") from exc
    _validate(document, "story", bundle.format)
    return document  # type: ignore[no-any-return]
