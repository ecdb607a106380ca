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


def resign(path: Path, keys: KeyStore, change: Callable[[Payload], None]) -> Path:
    """Apply ``change`` to the plain bundle's payload (paths like ``data/bundle.json``), then
    rebuild both manifests and sign again with ``keys``; the bundle gets a new id."""
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
    manifest = "".join(
        f"{hashlib.sha512(data).hexdigest()}  {name}\n" for name, data in sorted(payload.items())
    ).encode()
    tags["manifest-sha512.txt"] = manifest
    tag_manifest = "".join(
        f"{hashlib.sha512(tags[name]).hexdigest()}  {name}\n"
        for name in ("bag-info.txt", "bagit.txt", "manifest-sha512.txt")
    ).encode()
    signature = keys.secret_key().sign(
        tag_manifest, trusted_comment=f"storykeeper bundle {summary['bundle_id']} forged"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as new:
        for name, data in sorted({**tags, **payload}.items()):
            new.writestr(f"{top}/{name}", data)
        new.writestr(f"{top}/tagmanifest-sha512.txt", tag_manifest)
        new.writestr(f"{top}/tagmanifest-sha512.txt.minisig", bytes(signature) + b"\n")
    forged = path.with_name(f"forged-{summary['bundle_id']}.zip")
    forged.write_bytes(buffer.getvalue())
    return forged


def story_paths(payload: Payload) -> list[str]:
    return sorted(p for p in payload if p.startswith("data/stories/"))


def edit_story(payload: Payload, edit: Callable[[dict[str, Any]], None], index: int = 0) -> str:
    """Change one story document in place; its path."""
    path = story_paths(payload)[index]
    document = json.loads(payload[path])
    edit(document)
    payload[path] = json.dumps(document).encode()
    return path
