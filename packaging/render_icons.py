"""Render the program's icon (resources/icons/org.storykeeper.Storykeeper.svg) as the PNG sizes
desktops ask for, and as Windows' .ico and macOS' .icns where this Qt can write them.

    python packaging/render_icons.py OUT_FOLDER

Writes OUT_FOLDER/hicolor/<n>x<n>/apps/<id>.png for each size, OUT_FOLDER/storykeeper.ico and
OUT_FOLDER/storykeeper.icns. Uses Qt's own SVG renderer (PySide6, already a dependency), so the
build needs nothing more; runs without a screen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "org.storykeeper.Storykeeper"
SVG = ROOT / "resources" / "icons" / f"{APP_ID}.svg"
#: The hicolor theme's sizes that desktops (GNOME, KDE, XFCE) and menus look for.
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(size: int, svg: Path = SVG) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def write_all(out: Path) -> list[Path]:
    written: list[Path] = []
    for size in SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(target), "PNG"):
            raise OSError(f"could not write {target}")
        written.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(SVG.read_bytes())
    written.append(scalable)
    # Windows and macOS icons hold one size each here (Qt's writers take one image); the
    # largest each format allows, which both systems scale down well.
    formats = {bytes(name).decode() for name in QImageWriter.supportedImageFormats()}
    for suffix, size in (("ico", 256), ("icns", 512)):
        if suffix in formats:
            target = out / f"storykeeper.{suffix}"
            if not render(size).save(str(target), suffix):
                raise OSError(f"could not write {target}")
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: render_icons.py OUT_FOLDER", file=sys.stderr)
        return 2
    _app = QGuiApplication.instance() or QGuiApplication(["render_icons"])
    for path in write_all(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
