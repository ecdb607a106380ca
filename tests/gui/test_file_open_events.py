"""Files the desktop hands over as events (macOS's Finder): kept until the window is there,
and those that come together handed over as one list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.gui.file_open import FilesFromTheDesktop


@pytest.fixture
def listening(qapp: QApplication) -> Iterator[FilesFromTheDesktop]:
    files = FilesFromTheDesktop()
    qapp.installEventFilter(files)
    yield files
    qapp.removeEventFilter(files)
    files.deleteLater()


def finder_opens(qapp: QApplication, *paths: Path) -> None:
    """What the Finder does for each file a person double-clicks or drops on the Dock icon."""
    for path in paths:
        QApplication.sendEvent(qapp, QFileOpenEvent(str(path)))


def test_files_that_come_before_the_window_wait_for_it(
    qtbot: QtBot, qapp: QApplication, listening: FilesFromTheDesktop, tmp_path: Path
) -> None:
    first, second = tmp_path / "from Ann.zip.age", tmp_path / "from Bob.zip.age"
    finder_opens(qapp, first)  # at launch, while the store is still being unlocked
    qapp.processEvents()
    handed: list[list[Path]] = []
    finder_opens(qapp, second, first)  # the same file twice is listed once
    listening.deliver_to(handed.append)
    qtbot.waitUntil(lambda: handed != [])
    assert handed == [[first, second]]


def test_files_opened_together_become_one_import(
    qtbot: QtBot, qapp: QApplication, listening: FilesFromTheDesktop, tmp_path: Path
) -> None:
    handed: list[list[Path]] = []
    listening.deliver_to(handed.append)
    chosen = [tmp_path / f"bundle {n}.zip.age" for n in range(3)]
    finder_opens(qapp, *chosen)
    qtbot.waitUntil(lambda: handed != [])
    assert handed == [chosen]
    later = tmp_path / "a day later.zip.age"
    finder_opens(qapp, later)
    qtbot.waitUntil(lambda: len(handed) == 2)
    assert handed[1] == [later]


def test_a_link_that_is_not_a_file_is_ignored(
    qtbot: QtBot, qapp: QApplication, listening: FilesFromTheDesktop, tmp_path: Path
) -> None:
    handed: list[list[Path]] = []
    listening.deliver_to(handed.append)
    QApplication.sendEvent(qapp, QFileOpenEvent(QUrl("https://example.org/bundle.zip.age")))
    bundle = tmp_path / "real.zip.age"
    finder_opens(qapp, bundle)
    qtbot.waitUntil(lambda: handed != [])
    assert handed == [[bundle]]
