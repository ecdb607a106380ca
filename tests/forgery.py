"""Bundles changed and then signed again with the sender's real key: what a trusted but careless
(or compromised) sender could hand a coordinator. The signature, manifests and zip are all valid,
so only the import's own checks stand between such a bundle and the store."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storykeeper.core.keys import KeyStore

Payload = dict[str, bytes]


def resign(
    path: Path,
    keys: KeyStore,
    change: Callable[[Payload], None],
    *,
    change_tags: Callable[[Payload], None] | None = None,
    trusted_comment: str | None = None,
) -> Path:
    """Apply ``change`` to the plain bundle's payload (paths like ``data/bundle.json``), then
    rebuild both manifests and sign again with ``keys``; the bundle gets a new id. The bundle's
    other declarations (``bag-info.txt``, the trusted comment) follow what ``bundle.json`` says
    after ``change``, as the writer's would, unless ``change_tags`` changes the tag files (all
    but the tag manifest and signature, which are rebuilt) or ``trusted_comment`` is given."""
    with zipfile.ZipFile(path) as old:
        entries = {i.filename: old.read(i) for i in old.infolist() if not i.is_dir()}
    top = next(iter(entries)).split("/")[0]
    tags = {
        n[len(top) + 1 :]: d
        for n, d in entries.items()
        if not n.startswith(f"{top}/data/") and "/tagmanifest-sha512.txt" not in n
    }
    payload = {n[len(top) + 1 :]: d for n, d in entries.items() if n.startswith(f"{top}/data/")}
    summary = json.loads(payload["data/bundle.json"])
    summary["bundle_id"] = str(uuid.uuid4())
    payload["data/bundle.json"] = json.dumps(summary).encode()
    change(payload)
    declared = _declared(payload)
    if declared is not None and not all(_plain(value) for value in declared):
        declared = None  # a fuzzed value no tag line or comment can carry: left as it was
    if declared is not None:
        info = tags["bag-info.txt"].decode().splitlines()
        fields = {
            "External-Identifier": declared[0],
            "Storykeeper-Bundle-Format": declared[1],
            "Storykeeper-Signer-Key-Id": declared[2],
            "Storykeeper-Signer-Public-Key": keys.ensure().signing.public_key,
        }
        tags["bag-info.txt"] = "".join(
            f"{name}: {fields[name]}\n" if name in fields else f"{line}\n"
            for line, (name, _, _) in ((line, line.partition(": ")) for line in info)
        ).encode()
    if change_tags is not None:
        change_tags(tags)
    if trusted_comment is None:
        bundle_id, version, _ = declared or (summary["bundle_id"], "1", "")
        trusted_comment = f"storykeeper bundle {bundle_id} format {version} to nobody (plain)"
    manifest = "".join(
        f"{hashlib.sha512(data).hexdigest()}  {name}\n" for name, data in sorted(payload.items())
    ).encode()
    tags["manifest-sha512.txt"] = manifest
    tag_manifest = "".join(
        f"{hashlib.sha512(tags[name]).hexdigest()}  {name}\n" for name in sorted(tags)
    ).encode()
    signature = keys.secret_key().sign(tag_manifest, trusted_comment=trusted_comment)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as new:
        for name, data in sorted({**tags, **payload}.items()):
            new.writestr(f"{top}/{name}", data)
        new.writestr(f"{top}/tagmanifest-sha512.txt", tag_manifest)
        new.writestr(f"{top}/tagmanifest-sha512.txt.minisig", bytes(signature) + b"\n")
    forged = path.with_name(f"forged-{summary['bundle_id']}.zip")
    forged.write_bytes(buffer.getvalue())
    return forged


def _plain(value: str) -> bool:
    """Whether a tag line and minisign's trusted comment (printable ASCII) can carry it."""
    return value.isascii() and value.isprintable() and not any(c.isspace() for c in value)


def _declared(payload: Payload) -> tuple[str, str, str] | None:
    """The bundle id, format and signer key id ``bundle.json`` declares, when it can be read."""
    try:
        summary = json.loads(payload["data/bundle.json"])
        return str(summary["bundle_id"]), str(summary["format"]), str(summary["signer_key_id"])
    except (KeyError, TypeError, ValueError):
        return None


def story_paths(payload: Payload) -> list[str]:
    return sorted(p for p in payload if p.startswith("data/stories/"))


def edit_story(payload: Payload, edit: Callable[[dict[str, Any]], None], index: int = 0) -> str:
    """Change one story document in place; its path."""
    path = story_paths(payload)[index]
    document = json.loads(payload[path])
    edit(document)
    payload[path] = json.dumps(document).encode()
    return path
