"""The program's icon: one SVG drawn for this project, rendered to every size desktops ask for."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

import storykeeper

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import render_icons  # noqa: E402

SVG = ROOT / "resources" / "icons" / f"{storykeeper.APP_ID}.svg"


def test_the_svg_is_self_contained() -> None:
    """No linked image or font: the icon draws the same with nothing else installed."""
    text = SVG.read_text(encoding="utf-8")
    ET.fromstring(text)  # noqa: S314 - this project's own file
    for linked in ("href", "<image", "@import", "font-family", "<text"):
        assert linked not in text


def test_every_size_is_rendered_whole(qtbot: QtBot, tmp_path: Path) -> None:
    written = render_icons.write_all(tmp_path)
    for size in render_icons.SIZES:
        png = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / f"{storykeeper.APP_ID}.png"
        assert png in written
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size)
        # The tile is drawn (opaque in the middle) with rounded corners (clear at the corner).
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
        assert image.pixelColor(0, 0).alpha() == 0
    assert (tmp_path / "hicolor" / "scalable" / "apps" / SVG.name).read_bytes() == SVG.read_bytes()


def test_the_heart_and_the_bubble_stay_apart_at_the_smallest_size(qtbot: QtBot) -> None:
    """At 16 px a person still sees a light bubble on the dark tile, with a warm heart in it:
    the three inks differ enough in lightness to be told apart without colour."""
    image = render_icons.render(16)
    tile = QColor(image.pixelColor(2, 13)).lightnessF()
    bubble = QColor(image.pixelColor(5, 5)).lightnessF()
    heart = QColor(image.pixelColor(8, 8)).lightnessF()
    assert bubble - tile > 0.5
    assert bubble - heart > 0.2
