"""The window wears the icon the packages install, found by its id in the icon theme."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import storykeeper
from storykeeper.gui.run import make_application

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import render_icons  # noqa: E402


def test_the_window_icon_is_the_installed_one(qtbot: QtBot, tmp_path: Path) -> None:
    render_icons.write_all(tmp_path / "icons")  # laid out as /usr/share/icons/hicolor
    # The theme's index, as the hicolor-icon-theme package installs it (the sizes used here).
    folders = [f"{size}x{size}/apps" for size in render_icons.SIZES]
    index = ["[Icon Theme]", "Name=Hicolor", f"Directories={','.join(folders)}", ""]
    for size, folder in zip(render_icons.SIZES, folders, strict=True):
        index += [f"[{folder}]", f"Size={size}", "Type=Fixed", ""]
    (tmp_path / "icons" / "hicolor" / "index.theme").write_text("\n".join(index))
    search_paths, theme = QIcon.themeSearchPaths(), QIcon.themeName()
    QIcon.setThemeSearchPaths([str(tmp_path / "icons")])
    QIcon.setThemeName("hicolor")
    try:
        app = make_application()
        assert isinstance(app, QApplication)
        assert app.windowIcon().name() == storykeeper.APP_ID
        assert not app.windowIcon().pixmap(48, 48).isNull()
    finally:
        QIcon.setThemeSearchPaths(search_paths)
        QIcon.setThemeName(theme)
