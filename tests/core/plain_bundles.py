"""Plain (unencrypted) bundles for the reader's tests: written from a store, rewritten by hand."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from storykeeper.core.bundle.writer import Selection, plan_export, write_bundle
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore


def write_plain(store: Store, out: Path) -> tuple[Path, KeyStore]:
    """Everything in ``store`` that may leave, as a plain bundle in ``out``."""
    with store.read() as session:
        plan = plan_export(session, Selection.ALL)
    keys = store.keys
    result = write_bundle(
        plan,
        keys=keys,
        media=store.media,
        out=out,
        recipients=[],
        plain=True,
    )
    return result.path, keys


def rewrite(
    path: Path,
    change: Callable[[str, bytes], tuple[str, bytes] | None],
    extra: dict[str, bytes] | None = None,
) -> None:
    """Rebuild the zip with ``change`` applied to each entry (None drops it), plus ``extra``."""
    with zipfile.ZipFile(path) as old:
        entries = [(i.filename, old.read(i)) for i in old.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as new:
        for name, data in entries:
            changed = change(name, data)
            if changed is not None:
                new.writestr(changed[0], changed[1])
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    path.write_bytes(buffer.getvalue())
