"""A killed export leaves nothing readable outside the data folder, and the next start tidies.

Each export runs in a real child process that is SIGKILLed at a fixed point of its work: after
some stories are in the zip, or once the encrypted copy is written but not yet renamed. The
kill point is a wrapper around the writer's own step (no timing, no race), and the kill is the
operating system's, so nothing of the program gets to tidy up. Then every file outside the data
folder is read as a zip reader would (each entry inflated, even of a zip cut short) and must
hold no story's title or words.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from pyrage import x25519
from sqlalchemy import select

from storykeeper.__main__ import main
from storykeeper.core.db import Store
from storykeeper.core.models import StoryRow
from storykeeper.core.store_keys import StoreKeys
from storykeeper.paths import resolve_paths

STORIES = 300
#: Bag entries written before the kill in the zip step: enough stories to fill a few buffers.
KILL_AFTER_ENTRIES = 120

#: Runs the real command line in a child, killing itself (SIGKILL) at the step named in argv[1].
CHILD = """
import os, signal, sys
import pyrage
from storykeeper.core.bundle import writer

step, count = sys.argv[1], 0
if step == "zip":
    real_add = writer._Bag.add
    def add(self, path, data):
        global count
        digest = real_add(self, path, data)
        count += 1
        if count == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return digest
    writer._Bag.add = add
elif step == "encrypt":
    real_encrypt = pyrage.encrypt_io
    def encrypt_io(source, sealed, recipients):
        real_encrypt(source, sealed, recipients)
        sealed.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # written, not yet renamed into place
    pyrage.encrypt_io = encrypt_io
from storykeeper.__main__ import main
sys.exit(main(sys.argv[3:]))
"""


def zip_text(data: bytes) -> bytes:
    """``data`` as it is, then whatever a zip reader could inflate from each local entry (a zip
    cut short has no directory at its end, but its entries are still there to read)."""
    pieces = [data]
    start = data.find(b"PK\x03\x04")
    while start != -1 and start + 30 <= len(data):
        name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
        body = start + 30 + name_length + extra_length
        with contextlib.suppress(zlib.error):  # a stored entry: its bytes are in ``data``
            pieces.append(zlib.decompressobj(-15).decompress(data[body:]))
        start = data.find(b"PK\x03\x04", start + 4)
    return b"\n".join(pieces)


def story_words(data_dir: Path) -> list[bytes]:
    """Every story's title and the start of its own words, as they would appear in JSON."""
    # The command line made the store encrypted, its key in the (test's private) keyring.
    key = StoreKeys(data_dir).from_keyring()
    with Store.open(resolve_paths(data_dir), key) as store, store.read() as session:
        rows = session.execute(select(StoryRow.title, StoryRow.own_words)).all()
    words = []
    for title, own_words in rows:
        words.append(title.encode())
        words.append(own_words[:40].encode())
    return words


def readable_outside(root: Path, data_dir: Path, words: list[bytes]) -> list[str]:
    """Files under ``root`` but outside ``data_dir`` that hold any of ``words``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and data_dir not in path.parents:
            text = zip_text(path.read_bytes())
            if any(word in text for word in words):
                found.append(path.name)
    return found


def killed_export(data_dir: Path, step: str, *arguments: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, step, str(KILL_AFTER_ENTRIES), "export", *arguments],
        env={**os.environ, "STORYKEEPER_DATA_DIR": str(data_dir)},
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]


@pytest.fixture
def demo(data_dir: Path) -> list[bytes]:
    assert main(["demo-data", "--stories", str(STORIES), "--seed", "5"]) == 0
    return story_words(data_dir)


@pytest.fixture
def recipient(data_dir: Path) -> str:
    coordinator = str(x25519.Identity.generate().to_public())
    assert main(["recipients", "add", coordinator, "--label", "Coordinator"]) == 0
    return coordinator


def leftovers(data_dir: Path, out: Path) -> list[str]:
    staged = data_dir / "tmp"
    inside = [p.name for p in staged.iterdir()] if staged.is_dir() else []
    return sorted(inside + [p.name for p in out.iterdir()])


@pytest.mark.parametrize("plain", [False, True], ids=["encrypted", "plain"])
def test_an_export_killed_while_zipping_leaves_nothing_readable(
    tmp_path: Path, data_dir: Path, demo: list[bytes], recipient: str, plain: bool
) -> None:
    out = tmp_path / "usb-stick"
    out.mkdir()
    killed_export(data_dir, "zip", "--out", str(out), *(["--plain"] if plain else []))
    assert readable_outside(tmp_path, data_dir, demo) == []
    assert list(out.iterdir()) == []  # nothing at all in the target while zipping
    # What the kill left in the data folder's tmp/ is sealed with a key that died with it.
    (staged,) = (data_dir / "tmp").glob("*.zip")
    assert not any(word in zip_text(staged.read_bytes()) for word in demo)

    assert main(["list", "--limit", "1"]) == 0  # the next start, whatever the command
    assert leftovers(data_dir, out) == []


def test_an_export_killed_while_encrypting_leaves_only_ciphertext_and_the_next_start_removes_it(
    tmp_path: Path, data_dir: Path, demo: list[bytes], recipient: str
) -> None:
    out = tmp_path / "usb-stick"
    out.mkdir()
    killed_export(data_dir, "encrypt", "--out", str(out))
    assert readable_outside(tmp_path, data_dir, demo) == []
    assert [p.name.startswith(".storykeeper-partial-") for p in out.iterdir()] == [True]

    assert main(["list", "--limit", "1"]) == 0
    assert leftovers(data_dir, out) == []


def test_the_staging_folder_is_private(data_dir: Path, tmp_path: Path, demo: list[bytes]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--out", str(out), "--plain"]) == 0
    assert (data_dir / "tmp").stat().st_mode & 0o777 == 0o700
    assert leftovers(data_dir, out) == [next(out.iterdir()).name]
