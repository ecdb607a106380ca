"""In an encrypted store every media file is sealed at rest, still named by the SHA-256 of its
plaintext; whoever needs the bytes reads them through ``MediaStore.open``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storykeeper.core.attachments import MediaStore, add_attachment, seal_plain_files
from storykeeper.core.check import Severity, check_store
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.sealed_files import MAGIC
from tests.factories import make_story

KEY = bytes(range(32))
OTHER_KEY = bytes(reversed(range(32)))
#: Bytes no sealed file would hold by chance: a person's words inside a "photo".
SECRET = b"Winifred Ashdown remembers the hop fields at Paddock Wood. " * 3000


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media", key=KEY)


def test_a_file_is_sealed_at_rest_under_the_hash_of_its_plaintext(media: MediaStore) -> None:
    import hashlib

    stored = media.put_stream(io.BytesIO(SECRET))
    assert stored.sha256 == hashlib.sha256(SECRET).hexdigest()
    assert stored.size == len(SECRET)
    on_disk = media.path_for(stored.sha256).read_bytes()
    assert on_disk.startswith(MAGIC)
    assert b"Winifred" not in on_disk and b"Paddock" not in on_disk
    assert media.verify(stored.sha256) is None
    assert media.size_of(stored.sha256) == len(SECRET)
    with media.open(stored.sha256) as stream:
        assert stream.read() == SECRET


def test_the_reader_seeks_anywhere(media: MediaStore) -> None:
    stored = media.put_stream(io.BytesIO(SECRET))
    with media.open(stored.sha256) as stream:
        stream.seek(100_000)
        assert stream.read(50) == SECRET[100_000:100_050]
        stream.seek(-10, os.SEEK_END)
        assert stream.read() == SECRET[-10:]
        stream.seek(7)
        assert stream.read(3) == SECRET[7:10]


def test_the_same_bytes_are_stored_once_though_each_sealing_differs(media: MediaStore) -> None:
    first = media.put_stream(io.BytesIO(SECRET))
    second = media.put_stream(io.BytesIO(SECRET))
    assert first == second
    assert list(media.stored_hashes()) == [first.sha256]


def test_a_save_copy_is_the_plaintext(media: MediaStore, tmp_path: Path) -> None:
    stored = media.put_stream(io.BytesIO(SECRET))
    target = tmp_path / "chosen" / "photo.jpg"
    assert media.save_copy(stored.sha256, target) == len(SECRET)
    assert target.read_bytes() == SECRET


def test_a_damaged_sealed_file_is_reported_and_never_copied(
    media: MediaStore, tmp_path: Path
) -> None:
    stored = media.put_stream(io.BytesIO(SECRET))
    path = media.path_for(stored.sha256)
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    path.write_bytes(bytes(damaged))
    assert media.verify(stored.sha256) == "damaged (it can no longer be decrypted)"
    with pytest.raises(ValidationError, match="damaged"):
        media.save_copy(stored.sha256, tmp_path / "copy.jpg")
    assert not (tmp_path / "copy.jpg").exists()
    assert not list(tmp_path.glob(".copy.jpg.*"))


def test_another_key_cannot_read_the_files(media: MediaStore) -> None:
    stored = media.put_stream(io.BytesIO(SECRET))
    stranger = MediaStore(media.root, key=OTHER_KEY)
    assert stranger.verify(stored.sha256) == "damaged (it can no longer be decrypted)"


def test_a_plain_file_in_an_encrypted_store_is_read_and_reported(media: MediaStore) -> None:
    plain = MediaStore(media.root).put_stream(io.BytesIO(SECRET))
    assert media.is_plain(plain.sha256)
    assert media.plain_hashes() == [plain.sha256]
    assert media.verify(plain.sha256) is None
    with media.open(plain.sha256) as stream:
        assert stream.read() == SECRET


def test_storing_a_file_already_held_plain_seals_it(media: MediaStore) -> None:
    plain = MediaStore(media.root).put_stream(io.BytesIO(SECRET))
    media.put_stream(io.BytesIO(SECRET))
    assert not media.is_plain(plain.sha256)
    assert media.path_for(plain.sha256).read_bytes().startswith(MAGIC)


def test_seal_plain_files_seals_each_in_place(media: MediaStore) -> None:
    plain_store = MediaStore(media.root)
    files = [plain_store.put_stream(io.BytesIO(SECRET + bytes([n]))) for n in range(3)]
    sealed_before = media.put_stream(io.BytesIO(b"already sealed"))
    assert seal_plain_files(media) == 3
    assert media.plain_hashes() == []
    for stored in [*files, sealed_before]:
        assert media.verify(stored.sha256) is None
        assert b"Winifred" not in media.path_for(stored.sha256).read_bytes()
    assert not list(media.root.glob(".incoming-*"))
    assert seal_plain_files(media) == 0


def test_seal_plain_files_leaves_a_damaged_plain_file_for_check(media: MediaStore) -> None:
    stored = MediaStore(media.root).put_stream(io.BytesIO(SECRET))
    media.path_for(stored.sha256).write_bytes(b"not what it was")
    assert seal_plain_files(media) == 0
    assert media.path_for(stored.sha256).read_bytes() == b"not what it was"
    assert media.verify(stored.sha256) is not None
    assert not list(media.root.glob(".incoming-*"))


def test_seal_plain_files_killed_mid_way_leaves_every_file_readable(
    media: MediaStore, tmp_path: Path
) -> None:
    """A real second process sealing a store's files is killed (SIGKILL) while it writes the
    third file's sealed copy; every file is then whole, plain or sealed, and a second run
    seals the rest."""
    plain_store = MediaStore(media.root)
    big = SECRET * 20  # about 3.5 MB each: the kill lands inside a copy
    files = [plain_store.put_stream(io.BytesIO(big + bytes([n]))) for n in range(5)]
    ready = tmp_path / "third-started"
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from storykeeper.core import attachments
        from storykeeper.core.attachments import MediaStore, seal_plain_files

        copies = 0
        real_stage = MediaStore.stage

        def stage(self, stream):
            global copies
            copies += 1
            if copies == 3:
                class Killing:
                    def __init__(self, inner):
                        self.inner, self.reads = inner, 0
                    def read(self, size=-1):
                        self.reads += 1
                        if self.reads == 2:  # part of the third sealed copy is on disk
                            Path({str(ready)!r}).touch()
                            os.kill(os.getpid(), signal.SIGKILL)
                        return self.inner.read(size)
                stream = Killing(stream)
            return real_stage(self, stream)

        MediaStore.stage = stage
        seal_plain_files(MediaStore(Path({str(media.root)!r}), key={KEY!r}))
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    assert killed.returncode == -9
    assert ready.exists()
    assert len(media.plain_hashes()) == 3  # two sealed before the kill
    assert len(list(media.root.glob(".incoming-*"))) == 1  # the unfinished copy
    for stored in files:
        assert media.verify(stored.sha256) is None
    assert seal_plain_files(media) == 3
    for stored in files:
        assert media.verify(stored.sha256) is None
        assert not media.is_plain(stored.sha256)


def test_a_plain_store_writes_plain_files(tmp_path: Path) -> None:
    plain = MediaStore(tmp_path / "media")
    stored = plain.put_stream(io.BytesIO(SECRET))
    assert plain.path_for(stored.sha256).read_bytes() == SECRET
    assert not plain.is_plain(stored.sha256)
    assert plain.plain_hashes() == []
    with pytest.raises(ValueError):
        seal_plain_files(plain)


def test_check_decrypts_to_verify_and_reports_plain_files_in_an_encrypted_store(
    store: Store, tmp_path: Path
) -> None:
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(SECRET)
    story = make_story(store)
    with store.write(actor="test") as session:
        added = add_attachment(session, store.media, story.id, photo)
    assert store.media.sealed
    assert check_store(store).problems == ()
    assert check_store(store, hash_files=False).problems == ()

    # A file a conversion has not reached yet: read as it is, and said.
    path = store.media.path_for(added.sha256)
    path.write_bytes(SECRET)
    (warning,) = check_store(store).problems
    assert warning.severity is Severity.WARNING
    assert warning.message == (
        "1 media file is not yet encrypted: converting the store again encrypts them"
    )
    assert seal_plain_files(store.media) == 1
    assert check_store(store).problems == ()

    # Cut short: the quiet check (no hashing) reads the last chunk, and finds it gone.
    sealed = path.read_bytes()
    path.write_bytes(sealed[:100])
    (problem,) = check_store(store, hash_files=False).problems
    assert problem.message == (
        f"attachment file {added.sha256[:12]}… (garden.jpg) is damaged (it can no longer be "
        "decrypted)"
    )
