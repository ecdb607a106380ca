"""How loud the microphone is, for the recorder's level meter, and a copy of what it hears.

QMediaRecorder encodes but never says how loud its input is, so the meter listens to the same
microphone through a QAudioSource of its own and reports the peak of each block of samples.
The same samples are handed on (``samples``) for the recorder's safety copy: the encoder keeps
up to 256 KB in memory before writing, many seconds of speech a crash would lose.
"""

from __future__ import annotations

from array import array

from PySide6.QtCore import QIODevice, QObject, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource

#: The largest magnitude of each sample format, to scale a peak to 0–100. Keyed by name: the
#: enum is looked up once, when listening starts, never for each block of samples.
_FULL_SCALE = {
    "UInt8": ("B", 128.0),
    "Int16": ("h", 32768.0),
    "Int32": ("i", 2147483648.0),
    "Float": ("f", 1.0),
}


def scale_for(sample_format: QAudioFormat.SampleFormat) -> tuple[str, float]:
    """The ``array`` type code and full scale of a sample format ("", 0 when unknown)."""
    return _FULL_SCALE.get(sample_format.name, ("", 0.0))


def peak_percent(data: bytes, code: str, full: float) -> int:
    """The loudest sample in ``data`` as a percentage of full scale (0 when it cannot tell)."""
    if not code:
        return 0
    samples = array(code)
    usable = len(data) - len(data) % samples.itemsize
    samples.frombytes(data[:usable])
    if not samples:
        return 0
    if code == "B":  # unsigned: silence is the middle
        loudest = max(abs(max(samples) - 128), abs(min(samples) - 128))
    else:
        loudest = max(max(samples), -min(samples))
    return min(100, round(loudest / full * 100))


class SoundLevel(QObject):
    """Listens to one microphone while the recorder records; ``level`` says how loud, 0–100."""

    level = Signal(int)
    #: Every block of samples heard, as 16-bit PCM in ``pcm_format`` (when it is 16-bit).
    samples = Signal(bytes)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: QAudioSource | None = None
        self._stream: QIODevice | None = None
        self._scale: tuple[str, float] = ("", 0.0)
        self.pcm_format = QAudioFormat()

    def start(self, device: QAudioDevice) -> None:
        self.stop()
        wanted = QAudioFormat()
        wanted.setSampleRate(16000)
        wanted.setChannelCount(1)
        wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        chosen = wanted if device.isFormatSupported(wanted) else device.preferredFormat()
        self._scale = scale_for(chosen.sampleFormat())
        self.pcm_format = chosen
        # Owned by Python, not parented: dropped at once in stop(). Left to Qt's parent
        # clean-up, PySide6 6.12 corrupted True's reference count at interpreter exit.
        self._source = QAudioSource(device, chosen)
        self._stream = self._source.start()
        if self._stream is not None:
            self._stream.readyRead.connect(self._read)

    def pause(self) -> None:
        if self._source is not None:
            self._source.suspend()
        self.level.emit(0)

    def resume(self) -> None:
        if self._source is not None:
            self._source.resume()

    def stop(self) -> None:
        if self._source is not None:
            self._source.stop()
        self._source = None
        self._stream = None
        self.level.emit(0)

    def _read(self) -> None:
        if self._stream is None:
            return
        data = bytes(self._stream.readAll().data())
        if data:
            self.samples.emit(data)
            self.level.emit(peak_percent(data, *self._scale))
