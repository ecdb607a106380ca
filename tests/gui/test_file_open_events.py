"""Files the desktop hands over as events (macOS's Finder): kept until the window is there,
and those that come together handed over as one list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.file_open import FilesFromTheDesktop
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens


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


def test_the_program_opens_the_import_with_a_file_the_finder_hands_over(
    qtbot: QtBot, qapp: QApplication, store: Store, paths: DataPaths, tmp_path: Path
) -> None:
    """Through ``run_gui``, as the Finder starts it: the file arrives as an event, not on the
    command line, and the window opens its import with it (nothing imported until Import)."""
    from storykeeper.gui.run import run_gui

    make_story(store)  # a folder in use (no first-day question), its key in the keyring
    bundle = tmp_path / "Storykeeper stories from ANN-LAPTOP 2026-12-07.zip.age"
    bundle.write_bytes(b"age-encryption.org/v1\n")
    seen: list[Path] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportDialog)
        seen.extend(file.path for file in dialog.files)
        dialog.reject()  # Esc: nothing imported
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                QTimer.singleShot(0, widget.close)

    def never_opened() -> None:
        # Not a measure of speed: without it a window that never opens the import waits forever.
        if not seen:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, MainWindow):
                    widget.close()

    when_dialog_opens(look, ImportDialog)
    QTimer.singleShot(0, lambda: finder_opens(qapp, bundle))
    QTimer.singleShot(60_000, never_opened)
    assert run_gui(paths) == 0
    assert seen == [bundle]
