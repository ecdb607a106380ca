"""Backups that can be restored (issue 19, part 4): a round trip, incremental media, damaged
backups refused with nothing changed, the current store kept aside, an older backup migrated,
and the reminder's clock."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storykeeper.core import audit, backups, check, clock, restore
from storykeeper.core.backups import BackupDamagedError, BackupError, Manifest
from storykeeper.core.db import Store, head_revision
from storykeeper.core.errors import DiskFullError, StoreError
from storykeeper.core.store_keys import StoreKeys
from storykeeper.paths import DATABASE_NAME, DataPaths
from tests.backup_stores import attach, fill, holdings
from tests.factories import make_story
from tests.full_disk import small_disk

FIXTURES = Path(__file__).parent.parent / "migrations" / "fixtures"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and the SHA-256 of its bytes: to show nothing changed."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted store", "plain store"])
def test_backup_and_restore_round_trip(
    request: pytest.FixtureRequest, paths: DataPaths, tmp_path: Path, encrypted: bool
) -> None:
    store: Store = request.getfixturevalue("store" if encrypted else "plain_store")
    key = request.getfixturevalue("store_key") if encrypted else None
    fill(store, tmp_path / "files")
    before = holdings(store)
    usb = tmp_path / "usb"
    usb.mkdir()

    made = backups.make_backup(store, usb)

    assert made.folder.parent == usb and made.folder.name.startswith("Storykeeper backup ")
    assert made.manifest.stories == 2 and len(made.manifest.media) == 2
    assert made.manifest.schema_revision == head_revision()
    assert made.manifest.encrypted is encrypted
    assert not list(usb.glob(".*")), "nothing half-named is left"
    words = [b"Tomatoes every August", b"Arthur Penhaligon", b"the bus recording"]
    found = [w for w in words for f in usb.rglob("*") if f.is_file() and w in f.read_bytes()]
    assert found == ([] if encrypted else found), "an encrypted store's backup shows no words"
    # Changed after the backup: a new story.
    make_story(store, title="Written after the backup", teller="Edna Morris")
    store.close()
    unsaved = paths.data_dir / "drafts" / "unsaved words of the store here.json"
    unsaved.parent.mkdir(exist_ok=True)
    unsaved.write_bytes(b"sealed with this store's key")

    restored = restore.restore_backup(paths, usb, known_key=key)

    assert (restored.stories, restored.people) == (2, 4)
    assert restored.migrated_from is None
    assert restored.encrypted is encrypted
    with Store.open(paths, key) as reopened:
        assert holdings(reopened) == before
        report = check.check_store(reopened)
        assert report.ok, report.problems
    # The store that was here is kept aside, whole: three stories.
    assert restored.kept_aside is not None
    assert not unsaved.exists(), "the drafts of the store here go aside with it"
    assert (restored.kept_aside / "drafts" / unsaved.name).is_file()
    with Store.open(DataPaths(restored.kept_aside, tmp_path / "logs"), key) as aside:
        assert len(holdings(aside).stories) == 3


def test_a_second_backup_copies_no_media_again(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    first = backups.make_backup(store, usb)
    media_files = {p: p.stat().st_mtime_ns for p in (usb / "media").rglob("*") if p.is_file()}
    assert first.media_copied == 2 and len(media_files) == 2

    # Count every file the second backup writes in the shared media folder.
    written: list[Path] = []
    real_open = Path.open

    def counting_open(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and (usb / "media") in self.parents:
            written.append(self)
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", counting_open)
    second = backups.make_backup(store, usb)

    assert (second.media_copied, second.media_kept) == (0, 2)
    assert written == []
    assert {p: p.stat().st_mtime_ns for p in media_files} == media_files
    assert second.manifest.media == first.manifest.media

    attach(store, ids[0], tmp_path / "files", "letter.pdf", b"%PDF a new letter")
    third = backups.make_backup(store, usb)
    assert (third.media_copied, third.media_kept) == (1, 2)
    assert len(written) == 1
    # Every backup is whole on its own: each restores (the newest is found by name).
    assert backups.find_backup(usb) == third.folder
    for folder in (first.folder, second.folder, third.folder):
        backups.check_backup(folder)


def test_a_copy_damaged_on_the_stick_is_copied_again(store: Store, tmp_path: Path) -> None:
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)
    victim = next(p for p in (usb / "media").rglob("*") if p.is_file())
    damaged = bytearray(victim.read_bytes())
    damaged[10] ^= 0x01
    victim.write_bytes(bytes(damaged))

    again = backups.make_backup(store, usb)

    assert (again.media_copied, again.media_kept) == (1, 1)
    backups.check_backup(again.folder)


def _flip_a_byte_in_the_database(backup: Path) -> None:
    database = backup / DATABASE_NAME
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0x40
    database.write_bytes(bytes(data))


def _remove_a_media_file(backup: Path) -> None:
    next(p for p in (backup.parent / "media").rglob("*") if p.is_file()).unlink()


def _truncate_the_manifest(backup: Path) -> None:
    manifest = backup / backups.MANIFEST_NAME
    manifest.write_bytes(manifest.read_bytes()[:-40])


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (_flip_a_byte_in_the_database, "its database has changed since the backup was made"),
        (_remove_a_media_file, "an attached file is missing"),
        (_truncate_the_manifest, "its list of contents is damaged or incomplete"),
    ],
    ids=["flipped byte in the database", "missing media file", "truncated manifest"],
)
def test_a_damaged_backup_is_refused_with_nothing_changed(
    store: Store, store_key: bytes, paths: DataPaths, tmp_path: Path, damage: object, said: str
) -> None:
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backups.make_backup(store, usb)
    make_story(store, title="Only here, not in the backup", teller="Edna Morris")
    store.close()
    damage(made.folder)  # type: ignore[operator]
    before = tree(paths.data_dir)
    backup_before = tree(usb)

    with pytest.raises(BackupDamagedError) as refused:
        restore.restore_backup(paths, usb, known_key=store_key)

    assert said in refused.value.message
    assert "Nothing was changed" in refused.value.message
    assert tree(paths.data_dir) == before
    assert tree(usb) == backup_before
    with Store.open(paths, store_key) as reopened:
        assert len(holdings(reopened).stories) == 3


def test_a_database_damaged_in_a_way_its_hash_cannot_see_is_refused(
    store: Store, store_key: bytes, paths: DataPaths, tmp_path: Path
) -> None:
    """A backup whose manifest was rewritten to match a damaged database (hashes alone would
    pass it): SQLite's own check on the staged copy refuses it."""
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backups.make_backup(store, usb)
    store.close()
    database = made.folder / DATABASE_NAME
    data = bytearray(database.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 200] = b"\xa5" * 200  # a b-tree page overwritten
    database.write_bytes(bytes(data))
    manifest = json.loads((made.folder / backups.MANIFEST_NAME).read_text())
    manifest["files"][DATABASE_NAME]["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    (made.folder / backups.MANIFEST_NAME).write_text(json.dumps(manifest))
    before = tree(paths.data_dir)

    with pytest.raises(BackupDamagedError, match="Nothing was changed"):
        restore.restore_backup(paths, usb, known_key=store_key)

    assert tree(paths.data_dir) == before
    assert not (paths.data_dir / backups.STAGED_NAME).exists()


def test_a_backup_from_an_older_version_is_migrated(paths: DataPaths, tmp_path: Path) -> None:
    """A backup folder holding a database of schema 0012 (a released fixture)."""
    older = FIXTURES / "schema-0012.sqlite3"
    usb = tmp_path / "usb"
    backup = usb / "Storykeeper backup 2025-03-01 0930"
    backup.mkdir(parents=True)
    shutil.copyfile(older, backup / DATABASE_NAME)
    with sqlite3.connect(older) as fixture:
        stories = fixture.execute("SELECT count(*) FROM stories").fetchone()[0]
        people = sum(
            fixture.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("storytellers", "supporters")
        )
        attachments = fixture.execute("SELECT count(*) FROM attachments").fetchone()[0]
    assert attachments == 0, "this fixture's backup would need its media files too"
    data = (backup / DATABASE_NAME).read_bytes()
    manifest = Manifest(
        created=dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC),
        program_version="0.0.9",
        schema_revision="0012",
        encrypted=False,
        stories=stories,
        people=people,
        files={DATABASE_NAME: backups.FileRecord(hashlib.sha256(data).hexdigest(), len(data))},
        media={},
    )
    (backup / backups.MANIFEST_NAME).write_text(json.dumps(manifest.as_json()))

    restored = restore.restore_backup(paths, usb)

    assert restored.migrated_from == "0012"
    assert (restored.stories, restored.people) == (stories, people)
    assert restored.kept_aside is None, "there was no store here before"
    with Store.open(paths) as reopened, reopened.engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        assert version.scalar_one() == head_revision()


def test_a_backup_from_a_newer_version_is_refused(
    store: Store, paths: DataPaths, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backups.make_backup(store, usb)
    store.close()
    manifest = json.loads((made.folder / backups.MANIFEST_NAME).read_text())
    manifest["schema_revision"] = "9999"
    manifest["program_version"] = "9.0"
    (made.folder / backups.MANIFEST_NAME).write_text(json.dumps(manifest))
    before = tree(paths.data_dir)

    with pytest.raises(BackupError, match="made by a newer Storykeeper"):
        restore.restore_backup(paths, made.folder)

    assert tree(paths.data_dir) == before


def test_no_backup_there_is_one_plain_line(paths: DataPaths, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="There is no Storykeeper backup in"):
        restore.restore_backup(paths, tmp_path)
    with pytest.raises(BackupError, match="plug in the USB stick"):
        restore.restore_backup(paths, tmp_path / "unplugged")


def test_backing_up_to_a_folder_that_is_not_there(store: Store, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="is not there: plug in the USB stick"):
        backups.make_backup(store, tmp_path / "unplugged")


def test_the_reminder_is_due_when_the_newest_backup_is_old(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.read() as session:
        assert backups.last_backup_at(session) is None
    assert backups.backup_is_due(None, days=7)
    made_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: made_at)
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)
    with store.read() as session:
        last = backups.last_backup_at(session)
        (event,) = audit.recent_events(session, limit=1)
    assert last == made_at
    # Who made a backup, and how much it held; never where (a folder's name is the person's).
    assert (event.action, event.actor) == ("store.backed_up", "backup")
    assert str(usb) not in repr(event) and "usb" not in repr(event.details)

    monkeypatch.setattr(clock, "now", lambda: made_at + dt.timedelta(days=6, hours=23))
    assert not backups.backup_is_due(last, days=7)
    monkeypatch.setattr(clock, "now", lambda: made_at + dt.timedelta(days=7, hours=1))
    assert backups.backup_is_due(last, days=7)
    assert not backups.backup_is_due(last, days=14)


def test_a_backup_opens_on_a_new_laptop_with_the_passphrase_or_recovery_key(
    paths: DataPaths, tmp_path: Path
) -> None:
    """The laptop, and the keyring on it, are lost: the backup's own keys file and the
    passphrase or the recovery key open it; a wrong one is refused with nothing made."""
    phrase = "a long walk by the canal"
    made_key = StoreKeys(paths.data_dir).create(passphrase=phrase)
    with Store.open(paths, made_key.store_key) as store:
        fill(store, tmp_path / "files")
        before = holdings(store)
        usb = tmp_path / "usb"
        usb.mkdir()
        made = backups.make_backup(store, usb)
    assert made.manifest.encrypted and backups.KEYS_NAME in made.manifest.files
    StoreKeys(paths.data_dir).forget_in_keyring()
    new_laptop = DataPaths(tmp_path / "new laptop", tmp_path / "new logs")

    asked: list[str] = []

    def wrong(prompt: str) -> str:
        asked.append(prompt)
        return "not the passphrase"

    with pytest.raises(BackupError, match="Neither passphrase nor recovery key opened"):
        restore.restore_backup(new_laptop, usb, ask_secret=wrong)
    assert len(asked) == 3 and "did not open" in asked[1]
    assert sorted(p.name for p in new_laptop.data_dir.iterdir()) == []
    with pytest.raises(backups.BackupKeyNeededError, match="give its passphrase or recovery"):
        restore.restore_backup(new_laptop, usb)

    restored = restore.restore_backup(
        new_laptop, usb, ask_secret=lambda _prompt: made_key.recovery_key.lower()
    )

    assert restored.encrypted and restored.stories == 2
    # Kept in the keyring before, so in this computer's keyring now: no question at each start.
    assert StoreKeys(new_laptop.data_dir).from_keyring() == made_key.store_key
    with Store.open(new_laptop, made_key.store_key) as reopened:
        assert holdings(reopened) == before
    # And on another: the passphrase.
    other = DataPaths(tmp_path / "another laptop", tmp_path / "other logs")
    restore.restore_backup(other, usb, ask_secret=lambda _prompt: phrase)
    assert StoreKeys(other.data_dir).with_passphrase(phrase) == made_key.store_key


def test_a_stick_pulled_out_half_way_is_one_line_and_no_backup(
    store: Store, tmp_path: Path
) -> None:
    """A real tmpfs as the stick, unmounted while the media files are being copied: the
    folder the backup was writing into is gone, as when a stick is pulled out."""
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    pulled: list[str] = []

    def pull_out_the_stick(what: str, _done: int, _total: int) -> None:
        if what.startswith("Copying the media") and not pulled:
            pulled.append(what)
            subprocess.run(["umount", "-l", str(usb)], check=True, capture_output=True)

    with small_disk(usb, "8m"), pytest.raises(BackupError) as refused:
        backups.make_backup(store, usb, pull_out_the_stick)

    assert pulled
    assert refused.value.message == (
        f"The backup could not be written to {usb}: the folder could not be reached (was the "
        "USB stick removed?). Plug it in and try again. No backup was made."
    )
    assert [p.name for p in usb.iterdir() if "Storykeeper backup" in p.name] == []
    with store.read() as session:
        assert backups.last_backup_at(session) is None


def test_a_restore_that_cannot_be_finished_is_one_line_and_deletes_nothing(
    store: Store, store_key: bytes, paths: DataPaths, tmp_path: Path
) -> None:
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)
    make_story(store, title="Written after the backup", teller="Edna Morris")
    store.close()
    prepared = restore.prepare_restore(paths, usb, known_key=store_key)
    # A file is in the way where the current store is to be kept aside (root may write
    # anywhere, so a read-only folder would not stop the test's own process).
    prepared.aside.write_bytes(b"in the way")
    with pytest.raises(StoreError) as refused:
        restore.finish_interrupted_restore(paths)
    assert refused.value.message.startswith(
        f"A restore begun earlier in {paths.data_dir} could not be finished (File exists)."
    )
    with Store.open(paths, store_key) as current:
        assert len(holdings(current).stories) == 3, "the current store still opens, whole"
    prepared.aside.unlink()
    assert "Nothing was deleted" in refused.value.message
    # Out of the way: the next start finishes it.
    assert restore.finish_interrupted_restore(paths)
    with Store.open(paths, store_key) as reopened:
        assert len(holdings(reopened).stories) == 2


def test_restoring_onto_a_full_disk_changes_nothing(tmp_path: Path) -> None:
    """The data folder on a real small disk that fills up while the backup is copied in."""
    with small_disk(tmp_path / "disk", "3m") as disk:
        paths = DataPaths(disk / "data", tmp_path / "logs")
        with Store.open(paths) as store:
            make_story(store, title="Here before the restore")
            usb = tmp_path / "usb"
            usb.mkdir()
            made = backups.make_backup(store, usb)
        # A backup holding more than the disk has room for: a large recording.
        recording = os.urandom(3_500_000)
        sha = hashlib.sha256(recording).hexdigest()
        (usb / "media" / sha[:2]).mkdir(parents=True)
        (usb / "media" / sha[:2] / sha).write_bytes(recording)
        manifest = json.loads((made.folder / backups.MANIFEST_NAME).read_text())
        manifest["media"][sha] = {"sha256": sha, "size": len(recording)}
        (made.folder / backups.MANIFEST_NAME).write_text(json.dumps(manifest))
        before = tree(paths.data_dir)

        with pytest.raises(DiskFullError) as refused:
            restore.restore_backup(paths, usb)

        assert refused.value.message == (
            f"The disk holding {paths.data_dir} is full: free some space on it and try again. "
            "Nothing was changed."
        )
        assert tree(paths.data_dir) == before
        with Store.open(paths) as store:
            (title_and_words,) = holdings(store).stories.values()
            assert title_and_words[0] == "Here before the restore"


HOLD_THE_STORE_OPEN = """
import sys
from pathlib import Path
from storykeeper.core.db import Store
from storykeeper.paths import DataPaths

data_dir = Path(sys.argv[1])
with Store.open(DataPaths(data_dir, data_dir / "logs"), bytes.fromhex(sys.argv[2])) as store:
    print("open", flush=True)
    sys.stdin.readline()
"""


def test_a_prepared_restore_waits_for_the_window_to_close(
    store: Store,
    store_key: bytes,
    paths: DataPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window prepares with its store open; a start while it is still open (a command
    in a terminal) leaves the files where they are and says why; once closed, it is done."""
    fill(store, tmp_path / "files")
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.make_backup(store, usb)
    make_story(store, title="Written after the backup", teller="Edna Morris")
    restore.prepare_restore(paths, usb, known_key=store_key, window_open=True)
    store.close()
    # The window, still closing: another process with the store open.
    window = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_STORE_OPEN, str(paths.data_dir), store_key.hex()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert window.stdout is not None and window.stdout.readline() == "open\n"
        monkeypatch.setattr(restore, "IN_USE_WAIT_SECONDS", 0.5)

        with pytest.raises(BackupError, match="The restore is finished at the next start after"):
            restore.finish_interrupted_restore(paths)

        assert restore.restore_pending(paths)
    finally:
        window.communicate("\n", timeout=120)
    with Store.open(paths, store_key) as current:
        assert len(holdings(current).stories) == 3
    assert restore.finish_interrupted_restore(paths)
    with Store.open(paths, store_key) as reopened:
        assert len(holdings(reopened).stories) == 2
