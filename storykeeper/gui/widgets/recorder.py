"""Recording an interview in the story editor, and listening to it again.

Recording starts only once consent says audio may be made, or after the advocate confirms that
the person agreed out loud (which is then recorded as consent): ``RecordingConsentDialog``.

QMediaRecorder writes FLAC straight into the data folder's ``recordings/`` as it goes, so a
crash keeps what was said so far (``core.recordings``). Stopping hands the file to the write
queue, which stores it under its hash and attaches it: a long recording never blocks the window.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from filelock import Timeout
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtMultimedia import (
    QAudioDevice,
    QAudioFormat,
    QAudioInput,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaFormat,
    QMediaRecorder,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from storykeeper.core import consent, recordings
from storykeeper.core.attachments import (
    Attachment,
    MediaStore,
    RemovedAttachment,
    remove_attachment,
)
from storykeeper.core.ids import resolve
from storykeeper.core.models import StoryRow
from storykeeper.core.recording_marks import Mark, clock_text, format_mark, recording_title
from storykeeper.core.vocabulary import AttachmentKind
from storykeeper.gui.context import AppContext
from storykeeper.gui.widgets.attachments import choose_copy_target, confirm_removal
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import run_modal
from storykeeper.gui.widgets.player import RecordingPlayer
from storykeeper.gui.widgets.sound_level import SoundLevel

RECORD_KEY = "Ctrl+R"
STOP_KEY = "Ctrl+Shift+R"
PLAY_KEY = "Ctrl+P"
MARK_KEY = "Ctrl+M"
JUMP_KEY = "Ctrl+J"
NO_MICROPHONE = (
    "No microphone found. Plug one in, or check it is switched on, to record. "
    "You can still listen to recordings already made."
)


def _size_words(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, size // 1000)} KB"


class RecorderPanel(QGroupBox):
    """Recordings of one story: make them, list them, play them, mark moments in them."""

    #: A recording is about to be written to the story (the editor holds its saves until
    #: ``changed`` or ``write_failed``).
    writing = Signal()
    #: A recording was kept: the story's id and its revision now (the editor's autosave
    #: checks revisions, so it must know).
    changed = Signal(str, int)
    #: Keeping a recording failed (its file stays for recovery); the story's id.
    write_failed = Signal(str)
    #: Nothing is being recorded or kept any more (after ``changed`` or ``write_failed``).
    kept_or_failed = Signal()
    #: The person chose to go through the consent flow before recording.
    consent_flow_requested = Signal(str)
    #: Verbal agreement to recording was recorded as a consent version.
    consent_recorded = Signal(str)
    #: Text of a mark to put into the recorder's notes, at the cursor.
    mark_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Recordings", parent)
        self.context = context
        self.story_id: str | None = None
        self.storyteller = ""
        self.read_only = False
        #: Called before anything is written, so typing not yet saved goes first.
        self.before_change: Callable[[], None] | None = None
        self.active: recordings.ActiveRecording | None = None
        self._recording_story = ""
        self._recording_title = ""
        self._attachments: list[Attachment] = []
        self._media = MediaStore(context.paths.media_dir)
        self._folder = recordings.RecordingsFolder(context.paths.recordings_dir)

        # --- recording ---
        # The sound devices, capture session and encoder are made when a story is first shown
        # (_ensure_media): asking for the devices loads the audio back end, 24 ms and 14 MB the
        # window need not spend before its list is on screen.
        self.devices: QMediaDevices | None = None
        self.capture: QMediaCaptureSession | None = None
        self.audio_input: QAudioInput | None = None
        self.recorder: QMediaRecorder | None = None
        self.microphone = QComboBox()
        self.microphone.setAccessibleName("Microphone")
        self.no_microphone = QLabel(NO_MICROPHONE)
        self.no_microphone.setWordWrap(True)
        self.no_microphone.setProperty("role", "warning")
        self.record_button = QPushButton()
        self.stop_button = QPushButton(f"Stop and keep ({STOP_KEY})")
        self.stop_button.setAccessibleName("Stop recording and keep it with the story")
        self.elapsed = QLabel()
        self.elapsed.setAccessibleName("Time recorded")
        self.level = QProgressBar()
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.level.setAccessibleName("Sound level")
        self.level.setMaximumHeight(self.fontMetrics().height())
        self.mark_button = QPushButton(f"Mark this moment in the notes ({MARK_KEY})")
        self.mark_button.setAccessibleName("Put the time in the recording into the notes")
        self.remove_button = QPushButton("Remove recording…")
        self.remove_button.setAccessibleName("Remove the chosen recording from this story")
        self.save_button = QPushButton("Save a copy…")
        self.save_button.setAccessibleName("Save a copy of the chosen recording")
        self._copy_folder = Path.home()

        self.sound = SoundLevel(self)

        # --- listening ---
        self.list = QListWidget()
        self.list.setAccessibleName("Recordings of this story")
        self.list.setMaximumHeight(self.fontMetrics().height() * 6)
        self.empty = QLabel("No recordings yet.")
        self.player = RecordingPlayer()
        self.hint = QLabel(
            f"To play from a mark in the notes, Ctrl+click it or put the cursor on it and "
            f"press {JUMP_KEY}."
        )
        self.hint.setWordWrap(True)

        mic_row = QHBoxLayout()
        mic_row.addWidget(buddy_label("&Microphone:", self.microphone))
        mic_row.addWidget(self.microphone, 1)
        controls = QHBoxLayout()
        controls.addWidget(self.record_button)
        controls.addWidget(self.stop_button)
        controls.addWidget(self.elapsed)
        controls.addWidget(self.level, 1)
        controls.addStretch()  # the buttons keep their size when the meter is hidden
        mark_row = QHBoxLayout()
        mark_row.addWidget(self.mark_button)
        mark_row.addWidget(self.remove_button)
        mark_row.addWidget(self.save_button)
        mark_row.addStretch()
        column = QVBoxLayout(self)
        column.addLayout(mic_row)
        column.addWidget(self.no_microphone)
        column.addLayout(controls)
        column.addWidget(self.empty)
        column.addWidget(self.list)
        column.addWidget(self.player)
        column.addLayout(mark_row)
        column.addWidget(self.hint)

        self.record_button.clicked.connect(self.record_or_pause)
        self.stop_button.clicked.connect(self.stop_recording)
        self.mark_button.clicked.connect(self.mark_moment)
        self.remove_button.clicked.connect(self.remove_chosen)
        self.save_button.clicked.connect(self.save_copy)
        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_chosen)
        self.list.currentRowChanged.connect(self._chosen)
        self.sound.level.connect(self.level.setValue)
        self.sound.samples.connect(self._heard)
        self.player.problem.connect(self._problem)
        self._sync()

    def _ensure_media(self) -> QMediaRecorder:
        """The devices, the capture session and the FLAC encoder, made the first time."""
        if self.recorder is not None:
            return self.recorder
        self.devices = QMediaDevices(self)
        self.devices.audioInputsChanged.connect(self._list_microphones)
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
        recorder.durationChanged.connect(self._show_elapsed)
        recorder.errorOccurred.connect(self._recorder_failed)
        self.capture, self.recorder = capture, recorder
        self._list_microphones()
        return recorder

    def install_shortcuts(self, scope: QWidget) -> None:
        """The recording keys, wherever the focus is inside ``scope`` (the editor page)."""
        for keys, slot in (
            (RECORD_KEY, self.record_or_pause),
            (STOP_KEY, self.stop_recording),
            (PLAY_KEY, self.play_or_pause),
            (MARK_KEY, self.mark_moment),
        ):
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- the story -------------------------------------------------------------------------

    def show_story(
        self,
        story_id: str,
        storyteller: str,
        attachments: Sequence[Attachment],
        read_only: bool,
    ) -> None:
        """List the story's recordings. A recording under way carries on (for its own story)."""
        self._ensure_media()
        if story_id != self.story_id:
            self.player.load(None, "")
        self.story_id = story_id
        self.storyteller = storyteller
        self.read_only = read_only
        audio = [a for a in attachments if a.kind is AttachmentKind.AUDIO]
        chosen = self._chosen_id()
        self._attachments = audio
        self.list.blockSignals(True)
        self.list.clear()
        for attachment in audio:
            item = QListWidgetItem(
                f"{recording_title(attachment.original_name)} — {_size_words(attachment.size)}, "
                f"{attachment.created_at.astimezone():%d %b %Y %H:%M}"
            )
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            self.list.addItem(item)
        ids = [a.id for a in audio]
        # The one chosen before stays chosen (and keeps playing); otherwise the newest.
        row = ids.index(chosen) if chosen in ids else len(ids) - 1
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        if chosen not in ids:
            self._chosen(row)
        self._sync()

    def _chosen_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def titles(self) -> list[str]:
        return [recording_title(a.original_name) for a in self._attachments]

    # --- recording -------------------------------------------------------------------------

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

    def _list_microphones(self) -> None:
        current = self.microphone.currentData()
        # The one chosen before, if it is still plugged in; else the computer's default.
        wanted = (current or QMediaDevices.defaultAudioInput()).id()
        self.microphone.clear()
        for device in QMediaDevices.audioInputs():
            self.microphone.addItem(device.description(), device)
            if device.id() == wanted:
                self.microphone.setCurrentIndex(self.microphone.count() - 1)
        self._sync()

    def _sync(self) -> None:
        has_mic = self.microphone.count() > 0
        busy = self.active is not None
        self.no_microphone.setVisible(not has_mic and not busy)
        self.microphone.setEnabled(has_mic and not busy)
        may_record = has_mic and not self.read_only and self.story_id is not None
        self.record_button.setEnabled(may_record or busy)
        self.stop_button.setEnabled(busy and (self.recording or self.paused))
        if self.recording:
            words, name = "Pause", "Pause recording"
        elif self.paused:
            words, name = "Resume", "Resume recording"
        else:
            words, name = "Record", "Start recording"
        self.record_button.setText(f"{words} ({RECORD_KEY})")
        self.record_button.setAccessibleName(name)
        self.elapsed.setVisible(busy)
        self.level.setVisible(busy)
        self.empty.setVisible(not self._attachments)
        self.list.setVisible(bool(self._attachments))
        self.player.setVisible(bool(self._attachments))
        self.hint.setVisible(bool(self._attachments))
        self.mark_button.setEnabled(busy or bool(self._attachments))
        chosen = self._chosen_attachment() is not None
        self.remove_button.setEnabled(chosen and not busy and not self.read_only)
        self.save_button.setEnabled(chosen)
        for button in (self.remove_button, self.save_button):
            button.setVisible(bool(self._attachments))
        # Recording in progress: listening to another one at once would be recorded too.
        self.player.setEnabled(not busy)

    def record_or_pause(self) -> None:
        recorder = self._ensure_media()
        if self.recording:
            recorder.pause()
            self.sound.pause()
            return
        if self.paused:
            recorder.record()
            self.sound.resume()
            return
        if self.active is not None or self.story_id is None or self.read_only:
            return
        if self.microphone.count() == 0:
            self._problem(NO_MICROPHONE)
            return
        if self.before_change is not None:
            self.before_change()
        story_id = self.story_id
        self.context.tasks.read(
            lambda session: consent.may_record_audio(session, story_id),
            on_done=lambda allowed: self._consent_checked(story_id, bool(allowed)),
            on_error=self._failed_before_start,
        )

    def _consent_checked(self, story_id: str, allowed: bool) -> None:
        if story_id != self.story_id:
            return
        if allowed:
            self._start(story_id)
            return
        from storykeeper.gui.dialogs.recording_consent import RecordingConsentDialog

        dialog = RecordingConsentDialog(self.context, story_id, self.storyteller, self)
        run_modal(dialog)
        if dialog.choice == "flow":
            self.consent_flow_requested.emit(story_id)
        elif dialog.choice == "recorded":
            self.consent_recorded.emit(story_id)
            self._start(story_id)

    def _failed_before_start(self, error: BaseException) -> None:
        self._problem(f"Recording could not start: {error}")

    def _start(self, story_id: str) -> None:
        device: QAudioDevice | None = self.microphone.currentData()
        if device is None:
            return
        try:
            self.active = self._folder.begin(story_id)
        except (OSError, Timeout) as exc:
            self._problem(
                f"Recording could not start: the folder {self._folder.root} cannot be written "
                f"({getattr(exc, 'strerror', None) or exc})."
            )
            return
        self._recording_story = story_id
        self._recording_title = f"Recording {recordings.next_number(self.titles())}"
        recorder = self._ensure_media()
        assert self.audio_input is not None  # made with the recorder
        self.audio_input.setDevice(device)
        recorder.setOutputLocation(QUrl.fromLocalFile(str(self.active.audio)))
        self.player.stop()
        recorder.record()
        self.sound.start(device)
        heard = self.sound.pcm_format
        if heard.sampleFormat() is QAudioFormat.SampleFormat.Int16:
            # Without the safety copy a crash loses more, but the recording itself still works.
            with contextlib.suppress(OSError):
                self.active.start_spool(heard.sampleRate(), heard.channelCount())
        self._show_elapsed(0)
        self._sync()

    def _heard(self, samples: bytes) -> None:
        if self.active is not None and self.recording:
            try:
                self.active.spool(samples)
            except OSError:
                self.active.close_spool()  # a full disk: the encoder's own file carries on

    def stop_recording(self) -> None:
        """Stop; the file is kept once the recorder has finished writing it."""
        if self.recording or self.paused:
            self.sound.stop()
            if self.active is not None:
                self.active.close_spool()
            self._ensure_media().stop()

    def _recorder_state(self, state: QMediaRecorder.RecorderState) -> None:
        if state is QMediaRecorder.RecorderState.StoppedState and self.active is not None:
            self._keep()
        else:
            self._show_elapsed(self._ensure_media().duration())
        self._sync()

    def _keep(self) -> None:
        active, self.active = self.active, None
        assert active is not None
        recording = active.recording
        story_id = self._recording_story
        media = self._media

        def work(session: Session) -> tuple[Attachment, int]:
            attachment = recordings.keep(session, media, recording)
            return attachment, resolve(session, StoryRow, story_id, "story").revision

        def kept(result: tuple[Attachment, int]) -> None:
            recordings.forget(recording)
            active.release()
            self.changed.emit(story_id, result[1])
            self.kept_or_failed.emit()

        def failed(error: BaseException) -> None:
            active.release()  # the file stays in recordings/, for the next start to recover
            self.write_failed.emit(story_id)
            self.kept_or_failed.emit()
            self._problem(
                f"The recording was not added to the story: {error}\n\nNothing is lost: it is "
                "kept in Storykeeper’s recordings folder and will be added to the story the next "
                "time Storykeeper starts."
            )

        self.elapsed.setText("Keeping the recording…")
        self.writing.emit()
        self.context.tasks.write(work, on_done=kept, on_error=failed)
        self._sync()

    def _recorder_failed(self, _error: QMediaRecorder.Error, message: str) -> None:
        self.sound.stop()
        active, self.active = self.active, None
        if active is not None:
            # Whatever was written may still be worth keeping: the next start recovers it.
            active.release()
            self.kept_or_failed.emit()
        self._problem(
            f"Recording stopped: {message or 'the microphone could not be used'}.\n\n"
            "What was recorded up to then is kept: it is added to the story the next time "
            "Storykeeper starts."
        )
        self._sync()

    def _show_elapsed(self, ms: int) -> None:
        if self.active is not None:
            state = "Paused at" if self.paused else "Recording"
            self.elapsed.setText(f"{state} {clock_text(ms)}")

    # --- listening and marks ---------------------------------------------------------------

    def _chosen(self, row: int) -> None:
        if not 0 <= row < len(self._attachments):
            self.player.load(None, "")
            return
        attachment = self._attachments[row]
        self.player.load(
            self._media.path_for(attachment.sha256), recording_title(attachment.original_name)
        )
        self._sync()

    def _chosen_attachment(self) -> Attachment | None:
        row = self.list.currentRow()
        return self._attachments[row] if 0 <= row < len(self._attachments) else None

    def remove_chosen(self) -> None:
        """Remove the chosen recording, after a question whose default keeps it."""
        attachment = self._chosen_attachment()
        if attachment is None or not self.remove_button.isEnabled() or self.story_id is None:
            return
        if not confirm_removal(self, attachment):
            self.list.setFocus()
            return
        story_id = self.story_id
        self.player.load(None, "")  # let go of the file before it goes
        self.writing.emit()

        def removed(result: RemovedAttachment) -> None:
            # Committed: only now may the file itself go.
            discard_unused_media(self.context, [h for h in [result.unused_sha256] if h])
            self.changed.emit(result.story_id, result.story_revision)

        def failed(error: BaseException) -> None:
            self.write_failed.emit(story_id)
            self._problem(f"The recording was not removed: {error}")

        self.context.tasks.write(
            lambda session: remove_attachment(session, attachment.id),
            on_done=removed,
            on_error=failed,
        )

    def save_copy(self) -> None:
        attachment = self._chosen_attachment()
        if attachment is None:
            return
        target = choose_copy_target(self, attachment, self._copy_folder)
        if target is None:
            return
        self._copy_folder = target.parent
        self.context.tasks.run(
            lambda: self._media.save_copy(attachment.sha256, target),
            on_done=lambda _size: self._saved(target),
            on_error=lambda error: self._problem(f"No copy was saved: {error}"),
        )

    def _saved(self, target: Path) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, "Recording", f"Saved a copy as {target}.", parent=self
        )
        run_modal(box)

    def play_or_pause(self) -> None:
        if self.active is None and self._attachments:
            self.player.toggle()

    def mark_moment(self) -> None:
        """Ask the editor to put "[Recording N, mm:ss]" into the notes at the cursor."""
        if self.active is not None:
            ms = self._ensure_media().duration()
            self.mark_requested.emit(format_mark(self._recording_title, ms))
        elif self._attachments and self.player.title:
            self.mark_requested.emit(format_mark(self.player.title, self.player.current_ms()))

    def play_mark(self, mark: Mark) -> bool:
        """Play from a mark found in the notes; False (and a message) when it names no recording."""
        if self.active is not None:
            return False
        titles = self.titles()
        if mark.recording not in titles:
            self._problem(
                f"This story has no recording called “{mark.recording}”"
                + (f" (it has {', '.join(titles)})." if titles else ".")
            )
            return False
        row = titles.index(mark.recording)
        if self.list.currentRow() != row:
            self.list.setCurrentRow(row)
        self.player.play_from(mark.ms)
        return True

    def shutdown(self) -> None:
        """The editor is closing or moving to another story: stop, and keep what was recorded."""
        self.stop_recording()
        self.player.stop()

    def _problem(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Recording", message, parent=self)
        run_modal(box)
