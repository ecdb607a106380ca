"""A stored media file as a QIODevice, for Qt to read without its plaintext touching the disk.

In an encrypted store a recording or photo is sealed at rest; ``MediaStore.open`` gives its
plaintext as a seekable Python file, decrypting each 64 KiB chunk as it is read. QMediaPlayer
(``setSourceDevice``) and QImageReader read from a QIODevice, so this one answers their reads
from that file. It is random-access (not sequential) and says its size, so FFmpeg can seek in a
long recording as it would in a file; QMediaPlayer's FFmpeg back end reads it from its own
threads (seen: two besides the GUI thread), so each read seeks and reads under one lock.
"""

from __future__ import annotations

import threading
from typing import BinaryIO

from PySide6.QtCore import QIODevice, QObject

from storykeeper.core.sealed_files import SealedFileError


class StreamDevice(QIODevice):
    """Read-only, random-access QIODevice over a seekable binary file, which it closes."""

    def __init__(self, stream: BinaryIO, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stream = stream
        self._lock = threading.Lock()
        self._size = stream.seek(0, 2)
        stream.seek(0)
        #: A read that found the file damaged (Qt then sees the end of the data).
        self.damaged = False
        # Unbuffered: QIODevice's own position is then the file's, and nothing is kept twice.
        self.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Unbuffered)

    def isSequential(self) -> bool:
        return False

    def size(self) -> int:
        return self._size

    def readData(self, maxlen: int) -> bytes:
        with self._lock:
            if self._stream.closed:
                return b""
            try:
                self._stream.seek(self.pos())
                return self._stream.read(min(maxlen, max(self._size - self.pos(), 0)))
            except (SealedFileError, OSError, ValueError):
                self.damaged = True
                return b""

    def writeData(self, _data: bytes) -> int:
        return -1

    def close(self) -> None:
        with self._lock:
            self._stream.close()
        super().close()
