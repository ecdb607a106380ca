"""Double-clicking a bundle: the desktop runs the entry's Exec line with the file, and the
window opens its import with that file on the list (nothing is imported until Import)."""

from __future__ import annotations

import shlex
from configparser import ConfigParser
from pathlib import Path

import pyrage
import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import storykeeper
from storykeeper.__main__ import main
from storykeeper.cli import build_parser
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.run import open_bundles_when_shown
from storykeeper.paths import DataPaths

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "linux" / f"{storykeeper.APP_ID}.desktop"


def exec_line(files: list[Path]) -> list[str]:
    """The command a desktop runs for the entry, its field codes expanded as the Desktop Entry
    Specification says: %f one file, %F all of them, none when started from the menu."""
    entry = ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    command: list[str] = []
    for word in shlex.split(entry["Desktop Entry"]["Exec"]):
        if word == "%F":
            command += [str(file) for file in files]
        elif word == "%f":
            command += [str(file) for file in files[:1]]
        else:
            command.append(word)
    return command


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A real bundle, exported by another computer's Storykeeper."""
    advocate = ["--data-dir", str(tmp_path / "advocate"), "--plain-store"]
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    assert main([*advocate, "demo-data", "--stories", "5", "--seed", "20"]) == 0
    assert main([*advocate, "recipients", "add", recipient, "--label", "Coordinator"]) == 0
    out = tmp_path / "e-mail attachments"
    out.mkdir()
    assert main([*advocate, "export", "--out", str(out)]) == 0
    (written,) = out.iterdir()
    return written


def test_the_entry_offers_to_open_bundles() -> None:
    entry = ConfigParser(interpolation=None)
    entry.read(DESKTOP, encoding="utf-8")
    assert "application/x-storykeeper-bundle" in entry["Desktop Entry"]["MimeType"].split(";")


def test_the_desktop_hands_the_file_to_the_window(bundle: Path) -> None:
    program, *arguments = exec_line([bundle])
    assert program == "storykeeper"  # the launcher the packages put on the PATH
    args = build_parser().parse_args(arguments)
    assert args.command is None  # the window, not a command
    assert args.open_bundle == [bundle]


def test_started_from_the_menu_it_opens_no_import() -> None:
    _program, *arguments = exec_line([])
    args = build_parser().parse_args(arguments)
    assert args.command is None
    assert not args.open_bundle


def test_the_window_opens_the_import_with_the_bundle(
    qtbot: QtBot, qapp: QApplication, store: Store, paths: DataPaths, bundle: Path
) -> None:
    context = AppContext(store, paths)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    seen: list[Path] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ImportDialog) and dialog.isVisible():
            seen.extend(file.path for file in dialog.files)
            dialog.reject()  # as a person would with Esc: nothing imported
            return
        QTimer.singleShot(20, answer)

    try:
        QTimer.singleShot(0, answer)
        open_bundles_when_shown(window, [bundle])
        qtbot.waitUntil(lambda: seen != [], timeout=30_000)
        assert seen == [bundle]
    finally:
        if shiboken6.isValid(window):
            window.close()
        context.tasks.wait_for_idle()
        context.shutdown()
