"""Encrypting a plain store's database: a real child process killed after each step, and the
store opens afterwards, plain or encrypted, with every story, and the conversion finishes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from sqlalchemy import func, select

from storykeeper.core import db
from storykeeper.core.check import check_store
from storykeeper.core.convert_store import (
    STEPS,
    STOP_AFTER_ENV,
    convert_to_encrypted,
    encrypting_file,
)
from storykeeper.core.db import Store
from storykeeper.core.errors import StoreError
from storykeeper.core.models import StoryRow
from storykeeper.core.store_keys import StoreKeys
from storykeeper.paths import DataPaths
from tests.factories import make_story

STORIES = 12
#: Made-up words that must not be in the database's files once it is encrypted.
WORD = b"marrowglen"
PASSPHRASE = "tea at the mill"  # noqa: S105 - the tests' own

_CONVERT_IN_A_CHILD = """
import sys
from pathlib import Path
from storykeeper.core.convert_store import convert_to_encrypted
from storykeeper.paths import resolve_paths
convert_to_encrypted(resolve_paths(Path(sys.argv[1])), bytes.fromhex(sys.argv[2]))
"""


@pytest.fixture
def plain_with_keys(paths: DataPaths) -> bytes:
    """A plain store with stories, and its keys file written (as ``unlock`` does before it
    converts); the store key."""
    with Store.open(paths) as plain:
        for n in range(STORIES):
            make_story(plain, title=f"Marrowglen {n}", own_words="At the Marrowglen mill.")
    return StoreKeys(paths.data_dir).create(passphrase=PASSPHRASE, use_keyring=False).store_key


def _stories(paths: DataPaths, store_key: bytes | None) -> tuple[bool, int]:
    with Store.open(paths, store_key) as store, store.read() as session:
        assert check_store(store).ok
        return store.encrypted, session.scalar(select(func.count(StoryRow.id))) or 0


def _database_files(paths: DataPaths) -> bytes:
    return b"".join(p.read_bytes() for p in paths.data_dir.glob(paths.database.name + "*"))


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_after_any_step_loses_nothing_and_the_conversion_finishes(
    paths: DataPaths, plain_with_keys: bytes, step: str
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _CONVERT_IN_A_CHILD, str(paths.data_dir), plain_with_keys.hex()],
        env={**os.environ, STOP_AFTER_ENV: step},
        capture_output=True,
        check=False,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]

    swapped = step == "swapped"
    assert _stories(paths, plain_with_keys) == (swapped, STORIES)
    if not swapped:
        # Still plain, so it opens as it always did, without the key too.
        assert _stories(paths, None) == (False, STORIES)

    assert convert_to_encrypted(paths, plain_with_keys) is not swapped
    assert _stories(paths, plain_with_keys) == (True, STORIES)
    assert not list(paths.data_dir.glob(encrypting_file(paths).name + "*"))
    assert WORD not in _database_files(paths).lower()


def test_the_conversion_backs_up_the_plain_database_first(
    paths: DataPaths, plain_with_keys: bytes
) -> None:
    assert convert_to_encrypted(paths, plain_with_keys)
    (backup,) = paths.backups_dir.glob("*-before-encryption.sqlite3")
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("SELECT count(*) FROM stories").fetchone() == (STORIES,)
    assert not db.is_plain_database(paths.database)


def test_without_the_keys_file_nothing_is_converted(paths: DataPaths) -> None:
    with Store.open(paths) as plain:
        make_story(plain)
    before = paths.database.read_bytes()
    with pytest.raises(StoreError) as refused:
        convert_to_encrypted(paths, os.urandom(32))
    assert str(refused.value) == (
        f"The store's keys file store-keys.json is not in {paths.data_dir}, so the database "
        "was not encrypted: it would not open afterwards. Nothing was changed."
    )
    assert paths.database.read_bytes() == before
    assert not paths.backups_dir.exists() or not list(paths.backups_dir.iterdir())


def test_a_store_open_elsewhere_is_not_converted(paths: DataPaths, plain_with_keys: bytes) -> None:
    """Another program has the store open (here a second real process's connection): the copy
    could miss what it writes next, so nothing is done."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            "c.execute('SELECT count(*) FROM stories').fetchone();"
            "print('open', flush=True); sys.stdin.read()",
            str(paths.database),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(StoreError) as refused:
            convert_to_encrypted(paths, plain_with_keys, backup=False)
    finally:
        holder.communicate("")
    assert "is in use by another program" in str(refused.value)
    assert db.is_plain_database(paths.database)
    assert _stories(paths, plain_with_keys) == (False, STORIES)


def test_an_encrypted_store_is_left_as_it_is(store: Store, store_key: bytes) -> None:
    make_story(store)
    store.close()
    before = store.paths.database.read_bytes()
    assert convert_to_encrypted(store.paths, store_key) is False
    assert store.paths.database.read_bytes() == before
