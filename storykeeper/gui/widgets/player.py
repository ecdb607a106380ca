"""Playing a recording back: play and pause, where it is, and how fast.

An advocate writing a story from a recording listens in short stretches, often slower than it
was spoken; the speed choice keeps the pitch (QMediaPlayer's playback rate does).

The player reads the recording through a ``StreamDevice`` over the stored file's plaintext
(``MediaStore.open``), never from the file itself: in an encrypted store that file is sealed,
and no decrypted copy is ever written for Qt to read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from storykeeper.core.recording_marks import clock_text
from storykeeper.core.sealed_files import SealedFileError
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.media_device import StreamDevice

#: Opens a recording's plaintext, seekable (``partial(media.open, sha256)``).
Opener = Callable[[], BinaryIO]

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5)
#: How far the arrow keys move along the recording.
STEP_MS = 5000


class RecordingPlayer(QWidget):
    #: Something the person should know: the file cannot be played, and why.
    problem = Signal(str)
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ""
        self._pending_position: int | None = None
        self._play_when_loaded = False
        #: What the player reads the recording loaded now from (None: nothing loaded).
        self._device: StreamDevice | None = None
        # Made when a recording is first loaded: the sound output loads the audio back end,
        # which the window need not pay for at start-up (docs/performance.md).
        self._player: QMediaPlayer | None = None

        # No Alt key (every letter is taken in the editor): Ctrl+P, installed by the recorder.
        self.play_button = QPushButton("Play (Ctrl+P)")
        self.play_button.setAccessibleName("Play or pause the recording")
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setAccessibleName("Position in the recording")
        self.position.setSingleStep(STEP_MS)
        self.position.setPageStep(STEP_MS * 6)
        self.time = QLabel(clock_text(0) + " / " + clock_text(0))
        self.time.setAccessibleName("Time in the recording")
        self.speed = QComboBox()
        self.speed.setAccessibleName("Playback speed")
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.play_button)
        row.addWidget(self.position, 1)
        row.addWidget(self.time)
        row.addWidget(buddy_label("Speed:", self.speed))
        row.addWidget(self.speed)

        self.play_button.clicked.connect(self.toggle)
        self.position.sliderMoved.connect(lambda ms: self.player.setPosition(ms))
        self.position.actionTriggered.connect(self._slider_action)
        self.speed.currentIndexChanged.connect(lambda _i: self._apply_speed())
        self.set_enabled(False)

    @property
    def player(self) -> QMediaPlayer:
        if self._player is None:
            output = QAudioOutput(self)
            player = QMediaPlayer(self)
            player.setAudioOutput(output)
            player.durationChanged.connect(self._duration)
            player.positionChanged.connect(self._position)
            player.playbackStateChanged.connect(self._state)
            player.mediaStatusChanged.connect(self._status)
            player.errorOccurred.connect(self._error)
            self._player = player
            self._apply_speed()
        return self._player

    def _apply_speed(self) -> None:
        if self._player is not None:
            self._player.setPlaybackRate(float(self.speed.currentData()))

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.play_button, self.position, self.speed):
            widget.setEnabled(enabled)

    def load(self, opener: Opener | None, title: str, suffix: str = "") -> None:
        """Show a recording, ready to play (None: nothing chosen). ``opener`` gives its
        plaintext; ``suffix`` (".flac") hints at its format, as a file name would."""
        self.title = title
        self._pending_position = None
        self._play_when_loaded = False
        previous, self._device = self._device, None
        if opener is not None or self._player is not None:
            self.player.stop()
            self.player.setSource(QUrl())  # Qt lets go of the previous device
        if previous is not None:
            previous.close()
        if opener is not None:
            try:
                self._device = StreamDevice(opener(), self)
            except (OSError, SealedFileError) as exc:
                self._device = None
                what = "missing" if isinstance(exc, OSError) else "damaged"
                self.problem.emit(
                    f"“{title}” cannot be played: its stored file is {what}. “Check this "
                    "computer’s stories” (Story menu) says what else is affected."
                )
            else:
                # Only the suffix, never the story's words: FFmpeg writes this name in its log.
                self.player.setSourceDevice(self._device, QUrl(f"recording{suffix}"))
        self.position.setValue(0)
        self._show_time(0)
        self.set_enabled(self._device is not None)

    @property
    def playing(self) -> bool:
        return (
            self._player is not None
            and self._player.playbackState() is QMediaPlayer.PlaybackState.PlayingState
        )

    def current_ms(self) -> int:
        return 0 if self._player is None else int(self._player.position())

    def toggle(self) -> None:
        if self._player is None:
            return  # nothing loaded yet
        if self.playing:
            self._player.pause()
        else:
            self._player.play()

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()

    def play_from(self, ms: int) -> None:
        """Play from ``ms`` (once the file has loaded, if it has not yet)."""
        status = self.player.mediaStatus()
        if status in (QMediaPlayer.MediaStatus.LoadingMedia, QMediaPlayer.MediaStatus.NoMedia):
            self._pending_position = ms
            self._play_when_loaded = True
            return
        self.player.setPosition(ms)
        self.player.play()

    def _slider_action(self, _action: int) -> None:
        # Keys and clicks on the groove move the slider without sliderMoved: follow it.
        if not self.position.isSliderDown():
            self.player.setPosition(self.position.sliderPosition())

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status is QMediaPlayer.MediaStatus.LoadedMedia and self._play_when_loaded:
            self._play_when_loaded = False
            if self._pending_position is not None:
                self.player.setPosition(self._pending_position)
                self._pending_position = None
            self.player.play()

    def _duration(self, ms: int) -> None:
        self.position.setRange(0, int(ms))
        self._show_time(self.player.position())

    def _position(self, ms: int) -> None:
        if not self.position.isSliderDown():
            self.position.blockSignals(True)
            self.position.setValue(int(ms))
            self.position.blockSignals(False)
        self._show_time(ms)

    def _show_time(self, ms: int) -> None:
        length = 0 if self._player is None else self._player.duration()
        self.time.setText(f"{clock_text(ms)} / {clock_text(length)}")

    def _state(self, _state: QMediaPlayer.PlaybackState) -> None:
        self.play_button.setText("Pause (Ctrl+P)" if self.playing else "Play (Ctrl+P)")
        self.playing_changed.emit(self.playing)

    def _error(self, _error: QMediaPlayer.Error, message: str) -> None:
        why = message or "the file is not audio this computer can play"
        self.problem.emit(f"“{self.title}” cannot be played: {why}.")
