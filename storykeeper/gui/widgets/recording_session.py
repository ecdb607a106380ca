"""The recorder's sound side, apart from its controls: the microphone, the FLAC encoder, the level
meter and the safety copy of the one recording under way.

QMediaRecorder writes FLAC into an anonymous file (no name in any folder, gone with the
process: ``core.recordings.EncodedFile``) through a QFile on its descriptor; a second
QAudioSource on the same microphone (``SoundLevel``) feeds the level meter and the safety copy,
the raw 16-bit samples sealed as they arrive into ``recordings/`` (``SealedLog``), which is what
a crash leaves to recover. Nothing of the voice is in the data folder in the clear.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QFile, QFileDevice, QIODevice, QObject, Signal
from PySide6.QtMultimedia import (
    QAudioDevice,
    QAudioFormat,
    QAudioInput,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaFormat,
    QMediaRecorder,
)

from storykeeper.core import recordings
from storykeeper.gui.widgets.sound_level import SoundLevel


class RecordingSession(QObject):
    """Records one story's voice at a time; the panel decides when, and keeps the result."""

    #: A microphone was plugged in or out.
    microphones_changed = Signal()
    #: Recording, paused or stopped now (see ``recording`` and ``paused``).
    state_changed = Signal()
    #: How long the recording under way is, in ms.
    duration_changed = Signal(int)
    #: The encoder has finished writing the recording: its ``ActiveRecording``, to be kept.
    finished = Signal(object)
    #: Recording stopped by itself (the microphone went, the encoder failed): what the recorder
    #: said, and whether a recording was under way (what it wrote is left in ``recordings/``
    #: for the next start to recover).
    failed = Signal(str, bool)

    def __init__(
        self, recordings_dir: Path, key: bytes | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        #: ``key``: the store's for "recordings" (None: a plain store).
        self.folder = recordings.RecordingsFolder(recordings_dir, key)
        #: The encoder's output while it writes: a QFile on the anonymous file's descriptor.
        self._output: QFile | None = None
        self.sound = SoundLevel(self)
        #: The recording under way (None: none).
        self.active: recordings.ActiveRecording | None = None
        #: The story and the title ("Recording N") of the recording under way.
        self.story_id = ""
        self.title = ""
        # The sound devices, capture session and encoder are made when a story is first shown
        # (ensure_media): asking for the devices loads the audio back end, 24 ms and 14 MB the
        # window need not spend before its list is on screen.
        self.devices: QMediaDevices | None = None
        self.capture: QMediaCaptureSession | None = None
        self.audio_input: QAudioInput | None = None
        self.recorder: QMediaRecorder | None = None
        self.sound.samples.connect(self._heard)

    def ensure_media(self) -> QMediaRecorder:
        """The devices, the capture session and the FLAC encoder, made the first time."""
        if self.recorder is not None:
            return self.recorder
        self.devices = QMediaDevices(self)
        self.devices.audioInputsChanged.connect(self.microphones_changed)
        capture = QMediaCaptureSession(self)
        self.audio_input = QAudioInput(self)
        capture.setAudioInput(self.audio_input)
        recorder = QMediaRecorder(self)
        capture.setRecorder(recorder)
        flac = QMediaFormat(QMediaFormat.FileFormat.FLAC)
        flac.setAudioCodec(QMediaFormat.AudioCodec.FLAC)
        recorder.setMediaFormat(flac)
        # One voice, one channel: half the size of stereo for the same speech.
        recorder.setAudioChannelCount(1)
        recorder.setQuality(QMediaRecorder.Quality.HighQuality)
        recorder.recorderStateChanged.connect(self._recorder_state)
        recorder.durationChanged.connect(self._duration)
        recorder.errorOccurred.connect(self._recorder_failed)
        self.capture, self.recorder = capture, recorder
        return recorder

    def _state(self) -> QMediaRecorder.RecorderState:
        if self.recorder is None:
            return QMediaRecorder.RecorderState.StoppedState
        return self.recorder.recorderState()

    @property
    def recording(self) -> bool:
        return self._state() is QMediaRecorder.RecorderState.RecordingState

    @property
    def paused(self) -> bool:
        return self._state() is QMediaRecorder.RecorderState.PausedState

    def duration(self) -> int:
        return 0 if self.recorder is None else int(self.recorder.duration())

    def begin(self, story_id: str, title: str, device: QAudioDevice) -> None:
        """Start recording ``story_id`` from ``device``. Raises ``OSError`` or
        ``filelock.Timeout`` when the recordings folder cannot be written."""
        self.active = self.folder.begin(story_id)
        self.story_id, self.title = story_id, title
        recorder = self.ensure_media()
        assert self.audio_input is not None  # made with the recorder
        self.audio_input.setDevice(device)
        output = QFile(self)
        # DontCloseHandle: the descriptor stays the recording's, to be read back when kept.
        if not output.open(
            self.active.encoded.fileno(),
            QIODevice.OpenModeFlag.ReadWrite,
            QFileDevice.FileHandleFlag.DontCloseHandle,
        ):
            self.active.abandon()
            self.active = None
            raise OSError(output.errorString())
        self._output = output
        recorder.setOutputDevice(output)
        recorder.record()
        self.sound.start(device)
        heard = self.sound.pcm_format
        if heard.sampleFormat() is QAudioFormat.SampleFormat.Int16:
            # Without the safety copy a crash loses more, but the recording itself still works.
            with contextlib.suppress(OSError):
                self.active.start_spool(heard.sampleRate(), heard.channelCount())

    def pause(self) -> None:
        self.ensure_media().pause()
        self.sound.pause()

    def resume(self) -> None:
        self.ensure_media().record()
        self.sound.resume()

    def stop(self) -> None:
        """Stop; ``finished`` follows once the encoder has written the whole file."""
        if self.recording or self.paused:
            self.sound.stop()
            if self.active is not None:
                self.active.close_spool()
            self.ensure_media().stop()

    def _duration(self, ms: int) -> None:
        self.duration_changed.emit(int(ms))

    def _heard(self, samples: bytes) -> None:
        if self.active is not None and self.recording:
            try:
                self.active.spool(samples)
            except OSError:
                self.active.close_spool()  # a full disk: the encoder's own file carries on

    def _close_output(self) -> None:
        """The encoder is done with its file: whatever Qt still buffers goes into it."""
        if self._output is not None:
            if self.recorder is not None:
                self.recorder.setOutputDevice(None)
            self._output.close()
            self._output.deleteLater()
            self._output = None

    def _recorder_state(self, state: QMediaRecorder.RecorderState) -> None:
        if state is QMediaRecorder.RecorderState.StoppedState and self.active is not None:
            self._close_output()
            active, self.active = self.active, None
            self.finished.emit(active)
        self.state_changed.emit()

    def _recorder_failed(self, _error: QMediaRecorder.Error, message: str) -> None:
        self.sound.stop()
        self._close_output()
        active, self.active = self.active, None
        if active is not None:
            # Whatever was written may still be worth keeping: the next start recovers it.
            active.release()
        self.failed.emit(message or "the microphone could not be used", active is not None)
