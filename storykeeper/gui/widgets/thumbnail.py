"""A small copy of a picture for a preview, made off the GUI thread.

QImage (unlike QPixmap) may be made and scaled on any thread, so a worker decodes the picture
and the GUI thread only turns the finished small image into a pixmap. Where the format allows
(JPEG), the reader decodes at the small size directly, so a 40-megapixel photo never sits in
memory at full size.

The picture is read through a ``StreamDevice`` over the stored file's plaintext
(``MediaStore.open``): in an encrypted store the file is sealed, and no decrypted copy is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from storykeeper.gui.widgets.media_device import StreamDevice


def load_thumbnail(opener: Callable[[], BinaryIO], box: QSize) -> QImage | None:
    """The picture ``opener`` gives (``partial(media.open, sha256)``) scaled to fit ``box``
    (never enlarged), upright as the camera meant it; None when it is not a picture Qt can
    read. Safe to call from a worker thread."""
    device = StreamDevice(opener())
    try:
        return _read_scaled(QImageReader(device), box)
    finally:
        device.close()


def _read_scaled(reader: QImageReader, box: QSize) -> QImage | None:
    # Stored files are named by their hash, with no extension: tell the format by the content.
    reader.setDecideFormatFromContent(True)
    reader.setAutoTransform(True)  # phones record "rotate by 90°" in the EXIF data
    full = reader.size()
    if full.isValid() and (full.width() > box.width() or full.height() > box.height()):
        reader.setScaledSize(full.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None
    # The reader's size is before any rotation, and some formats cannot scale while decoding.
    if image.width() > box.width() or image.height() > box.height():
        image = image.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image
