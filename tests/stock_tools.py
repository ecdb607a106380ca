"""The stock tools some tests run (age, age-keygen, minisign): missing, they fail the test with
what to install, never skip it — a test of interplay with a tool that never runs proves nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storykeeper.core.db import Store

INSTALL = "run packaging/linux/install-system-deps --test"


def require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: {INSTALL}")


def identity_file_for_age(store: Store) -> Path:
    """The store's receiving key in a file ``age -i`` reads, beside its data folder. The data
    folder's own copy is sealed in an encrypted store (core/keys.py), so the stock tool cannot
    read it; this writes the key as age-keygen would, for the test's own use."""
    path = store.paths.data_dir.with_name(f"{store.paths.data_dir.name}-age-identity.txt")
    path.write_text("".join(f"{identity}\n" for identity in store.keys.age_identities()))
    path.chmod(0o600)
    return path
