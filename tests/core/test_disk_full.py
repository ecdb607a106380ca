"""The core on a real full disk (a small tmpfs, tests/full_disk.py), and the store's other
faults told apart from damage: each says what it is, names the folder, and changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from storykeeper.core import attachments, db, demo
from storykeeper.core.attachments import MediaStore
from storykeeper.core.db import Store
from storykeeper.core.errors import DiskFullError, StoreError
from storykeeper.core.models import StoryRow
from storykeeper.paths import DataPaths, resolve_paths
from tests.factories import make_story
from tests.full_disk import fill, free, small_disk


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "2m") as mounted:
        yield mounted


@pytest.fixture
def small_paths(disk: Path) -> DataPaths:
    return resolve_paths(disk / "data")


def test_demo_data_on_a_full_disk_changes_nothing(small_paths: DataPaths) -> None:
    with Store.open(small_paths) as store:
        with pytest.raises(DiskFullError) as caught:
            demo.generate(store, stories=3000, seed=2)
        assert caught.value.message == (
            f"The disk holding {small_paths.data_dir} is full: free some space on it and try "
            "again. Nothing was changed."
        )
        with store.read() as session:
            assert session.scalar(select(func.count()).select_from(StoryRow)) == 0


def test_adding_an_attachment_on_a_full_disk(
    small_paths: DataPaths, disk: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8" + bytes(3_000_000))  # larger than the whole disk
    with Store.open(small_paths) as store:
        story = make_story(store)
        media = MediaStore(small_paths.media_dir)
        with pytest.raises(DiskFullError) as caught, store.write(actor="test") as session:
            attachments.add_attachment(session, media, story.id, photo)
        assert caught.value.message == (
            f"The disk holding {small_paths.media_dir} is full: free some space on it and try "
            "again. Nothing was changed."
        )
        assert [p.name for p in small_paths.media_dir.rglob("*")] == []  # no half a copy
        with store.read() as session:
            assert attachments.list_attachments(session, story.id) == []


def test_opening_a_store_on_a_full_disk_is_not_damage(small_paths: DataPaths, disk: Path) -> None:
    with Store.open(small_paths) as store:
        make_story(store)
    fill(disk)
    with pytest.raises(DiskFullError) as caught:
        Store.open(small_paths)
    assert caught.value.message == (
        f"The disk holding {small_paths.data_dir} is full: free some space on it and try again. "
        "Nothing was changed."
    )
    free(disk)
    with Store.open(small_paths) as store, store.read() as session:
        assert session.scalar(select(func.count()).select_from(StoryRow)) == 1


def test_a_database_locked_elsewhere_is_busy_not_damaged(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection holds the write lock while a new store would be created: wait the
    busy timeout (shortened here), then say so."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    paths.ensure()
    holder = sqlite3.connect(paths.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as caught:
            Store.open(paths)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert caught.value.message.startswith(f"The database {paths.database} is busy: ")
    assert "damaged" not in caught.value.message
    Store.open(paths).close()  # once let go, it opens


def test_a_failed_statement_never_quotes_its_values(store: Store) -> None:
    story = make_story(store, title="Private title", own_words="Words only the person said")
    with pytest.raises(IntegrityError) as caught, store.write(actor="test") as session:
        row = session.execute(select(StoryRow).where(StoryRow.uuid == story.id)).scalar_one()
        values = {c.key: getattr(row, c.key) for c in StoryRow.__table__.columns if c.key != "id"}
        session.execute(insert(StoryRow), [values])  # the same uuid again
    assert "Words only the person said" not in str(caught.value)
    assert "Private title" not in str(caught.value)
