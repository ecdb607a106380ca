"""What the window says when a background write fails and nobody asked to hear of it: a full
disk (a real one, a small tmpfs holding the data folder) as a full disk, naming the folder; an
unexpected error as one plain sentence. Neither the message nor the log ever holds SQL, its
values or a story's words."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storykeeper.core.models import SettingRow, StoryRow
from storykeeper.gui.dialogs.unexpected_error import UnexpectedErrorDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DATA_DIR_ENV
from tests.factories import make_story
from tests.full_disk import fill, small_disk
from tests.gui.answering import read_message, when_dialog_opens

NEVER_SHOWN = ("INSERT", "SELECT", "[SQL:", "parameters", "sqlalche.me")


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "4m") as mounted:
        yield mounted


@pytest.fixture
def data_dir(disk: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data folder on the small disk (this module's own, in place of the usual one)."""
    folder = disk / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


def test_a_write_on_a_full_disk_says_the_disk_is_full(
    window: MainWindow, qtbot: QtBot, disk: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fill(disk)
    seen: list[str] = []
    read_message(qtbot, seen)

    def keep_a_large_setting(session: Session) -> None:
        session.add(SettingRow(key="large", value="x" * 1_000_000))

    window.context.tasks.write(keep_a_large_setting)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [
        f"The disk holding {data_dir} is full: free some space on it and try again. Nothing "
        "was changed."
    ]
    assert [w for w in NEVER_SHOWN if w in caplog.text] == []


def test_an_unexpected_error_is_one_plain_sentence_without_the_story(
    window: MainWindow, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    story = make_story(window.context.store, title="Private title", own_words="Her own words")
    seen: list[str] = []

    def read_and_close(dialog: QWidget) -> None:
        seen.append("\n\n".join(label.text() for label in dialog.findChildren(QLabel)))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Close

    when_dialog_opens(read_and_close, UnexpectedErrorDialog)

    def insert_the_story_again(session: Session) -> None:  # a bug: the same uuid twice
        row = session.execute(select(StoryRow).where(StoryRow.uuid == story.id)).scalar_one()
        columns = [c.key for c in StoryRow.__table__.columns if c.key != "id"]
        session.execute(insert(StoryRow), [{c: getattr(row, c) for c in columns}])

    with caplog.at_level(logging.INFO):
        window.context.tasks.write(insert_the_story_again)
        qtbot.waitUntil(lambda: bool(seen))
    log_file = window.context.paths.log_file
    (said,) = seen
    assert "Something unexpected went wrong (IntegrityError)." in said
    assert "Nothing you typed has been lost." in said
    assert str(log_file) in said
    said = seen[0] + caplog.text
    assert [w for w in (*NEVER_SHOWN, "Private title", "Her own words") if w in said] == []
    # The kind is logged, as SQLite names it. SQLCipher's driver (the window's store is encrypted)
    # reports the primary code, SQLITE_CONSTRAINT; Python's sqlite3 the extended one (…_UNIQUE).
    assert "IntegrityError [SQLITE_CONSTRAINT" in caplog.text
