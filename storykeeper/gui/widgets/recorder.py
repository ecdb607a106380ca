"""Recording an interview in the story editor, and listening to it again.

Recording starts only once consent says audio may be made, or after the advocate confirms that
the person agreed out loud (which is then recorded as consent): ``RecordingConsentDialog``.

The sound side — microphone, encoder, level meter, safety copy — is ``RecordingSession``
(``recording_session.py``); this panel is the controls and the list. Stopping hands the file to
the write queue (``gui.ops.recordings``), which stores it under its hash and attaches it: a long
recording never blocks the window. The list reloads itself whenever the task runner announces
that the story's attachments changed, whoever changed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import shiboken6
from filelock import Timeout
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices, QMediaRecorder
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import recordings
from storykeeper.core.attachments import Attachment, RemovedAttachment
from storykeeper.core.recording_marks import Mark, clock_text, format_mark
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import attachments as attachment_ops
from storykeeper.gui.ops import recordings as recording_ops
from storykeeper.gui.ops.attachments import StoryAttachments
from storykeeper.gui.ops.changes import Kind, concerns
from storykeeper.gui.ops.recordings import KeptRecording
from storykeeper.gui.widgets.attachment_files import choose_copy_target, confirm_removal
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import run_modal
from storykeeper.gui.widgets.recording_session import RecordingSession
from storykeeper.gui.widgets.recordings_list import RecordingsList

log = logging.getLogger(__name__)

RECORD_KEY = "Ctrl+R"
STOP_KEY = "Ctrl+Shift+R"
PLAY_KEY = "Ctrl+P"
MARK_KEY = "Ctrl+M"
READ_ONLY_NOTES = "This story came from another computer, so its notes are not changed here."
JUMP_KEY = "Ctrl+J"
NO_MICROPHONE = (
    "No microphone found. Plug one in, or check it is switched on, to record. "
    "You can still listen to recordings already made."
)


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
        self._media = context.store.media
        self.session = RecordingSession(
            context.paths.recordings_dir, context.store.sealing_key("recordings"), self
        )
        self.sound = self.session.sound

        # --- recording ---
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

        # --- listening ---
        self.recording_list = RecordingsList(self._media)
        self.list, self.empty = self.recording_list.list, self.recording_list.empty
        self.player = self.recording_list.player
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
        column.addWidget(self.recording_list)
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
        self.recording_list.chosen_changed.connect(self._sync)
        self.sound.level.connect(self.level.setValue)
        self.session.microphones_changed.connect(self._list_microphones)
        self.session.state_changed.connect(self._recorder_state)
        self.session.duration_changed.connect(self._show_elapsed)
        self.session.finished.connect(self._keep)
        self.session.failed.connect(self._recorder_failed)
        self.player.problem.connect(self._problem)
        context.tasks.changed.connect(self._records_changed)
        self._sync()

    @property
    def active(self) -> recordings.ActiveRecording | None:
        """The recording under way (None: none)."""
        return self.session.active

    @property
    def recorder(self) -> QMediaRecorder | None:
        """The FLAC encoder, once a story has been shown."""
        return self.session.recorder

    def _ensure_media(self) -> QMediaRecorder:
        made_before = self.session.recorder is not None
        recorder = self.session.ensure_media()
        if not made_before:
            self._list_microphones()  # the devices are known from now on
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
        same_story = story_id == self.story_id
        self.story_id = story_id
        self.storyteller = storyteller
        self.read_only = read_only
        self.recording_list.show_recordings(attachments, same_story)
        self._sync()

    def _records_changed(self, kind: str, ids: frozenset[str]) -> None:
        story_id = self.story_id
        if story_id is None or not concerns(kind, ids, Kind.ATTACHMENTS, story_id):
            return
        self.context.tasks.read(
            partial(attachment_ops.story_attachments, story_id=story_id),
            on_done=self._reloaded,
            on_error=self._reload_failed,
        )

    def _reloaded(self, listed: StoryAttachments) -> None:
        if shiboken6.isValid(self) and listed.story_id == self.story_id:
            self.show_story(listed.story_id, self.storyteller, listed.attachments, self.read_only)

    def _reload_failed(self, error: BaseException) -> None:
        # The story went (deleted meanwhile): whoever shows it is told so and moves on.
        log.debug("the recordings of %s could not be reloaded: %s", self.story_id, error)

    def titles(self) -> list[str]:
        return self.recording_list.titles()

    # --- recording -------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self.session.recording

    @property
    def paused(self) -> bool:
        return self.session.paused

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
        self.hint.setVisible(bool(self.recording_list.attachments))
        self.mark_button.setEnabled(
            not self.read_only and (busy or bool(self.recording_list.attachments))
        )
        why_not = READ_ONLY_NOTES if self.read_only else ""
        self.mark_button.setToolTip(why_not)
        self.mark_button.setAccessibleDescription(why_not)
        chosen = self.recording_list.chosen() is not None
        self.remove_button.setEnabled(chosen and not busy and not self.read_only)
        self.save_button.setEnabled(chosen)
        for button in (self.remove_button, self.save_button):
            button.setVisible(bool(self.recording_list.attachments))
        # Recording in progress: listening to another one at once would be recorded too.
        self.player.setEnabled(not busy)

    def record_or_pause(self) -> None:
        self._ensure_media()
        if self.recording:
            self.session.pause()
            return
        if self.paused:
            self.session.resume()
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
            partial(recording_ops.may_record, story_id=story_id),
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
        self._problem(f"Recording could not start: {plain_error(error, self.context.paths)}")

    def _start(self, story_id: str) -> None:
        device: QAudioDevice | None = self.microphone.currentData()
        if device is None:
            return
        self._ensure_media()
        self.player.stop()
        title = f"Recording {recordings.next_number(self.titles())}"
        try:
            self.session.begin(story_id, title, device)
        except (OSError, Timeout) as exc:
            self._problem(
                f"Recording could not start: the folder {self.session.folder.root} cannot be "
                f"written ({getattr(exc, 'strerror', None) or exc})."
            )
            return
        self._show_elapsed(0)
        self._sync()

    def stop_recording(self) -> None:
        """Stop; the file is kept once the recorder has finished writing it."""
        self.session.stop()

    def _recorder_state(self) -> None:
        self._show_elapsed(self.session.duration())
        self._sync()

    def _keep(self, active: recordings.ActiveRecording) -> None:
        recording = active.recording
        story_id = recording.story_id

        def kept(result: KeptRecording) -> None:
            recordings.forget(recording)
            active.release()
            self.changed.emit(story_id, result.revision)
            self.kept_or_failed.emit()

        def failed(error: BaseException) -> None:
            active.release()  # the file stays in recordings/, for the next start to recover
            self.write_failed.emit(story_id)
            self.kept_or_failed.emit()
            self._problem(
                "The recording was not added to the story: "
                f"{plain_error(error, self.context.paths)}\n\nNothing is lost: it is "
                "kept in Storykeeper’s recordings folder and will be added to the story the next "
                "time Storykeeper starts."
            )

        self.elapsed.setText("Keeping the recording…")
        self.writing.emit()
        self.context.tasks.write(
            partial(recording_ops.keep_recording, media=self._media, recording=recording),
            on_done=kept,
            on_error=failed,
            changes=recording_ops.kept_changes,
        )
        self._sync()

    def _recorder_failed(self, message: str, was_recording: bool) -> None:
        if was_recording:
            self.kept_or_failed.emit()
        self._problem(
            f"Recording stopped: {message}.\n\n"
            "What was recorded up to then is kept: it is added to the story the next time "
            "Storykeeper starts."
        )
        self._sync()

    def _show_elapsed(self, ms: int) -> None:
        if self.active is not None:
            state = "Paused at" if self.paused else "Recording"
            self.elapsed.setText(f"{state} {clock_text(ms)}")

    # --- listening and marks ---------------------------------------------------------------

    def remove_chosen(self) -> None:
        """Remove the chosen recording, after a question whose default keeps it."""
        attachment = self.recording_list.chosen()
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
            self._problem(
                f"The recording was not removed: {plain_error(error, self.context.paths)}"
            )

        self.context.tasks.write(
            partial(attachment_ops.remove_attachment, attachment_id=attachment.id),
            on_done=removed,
            on_error=failed,
            changes=attachment_ops.removed_changes,
        )

    def save_copy(self) -> None:
        attachment = self.recording_list.chosen()
        if attachment is None:
            return
        target = choose_copy_target(self, attachment, self._copy_folder)
        if target is None:
            return
        self._copy_folder = target.parent
        self.context.tasks.run(
            lambda: self._media.save_copy(attachment.sha256, target),
            on_done=lambda _size: self._saved(target),
            on_error=lambda error: self._problem(
                f"No copy was saved: {plain_error(error, self.context.paths)}"
            ),
        )

    def _saved(self, target: Path) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, "Recording", f"Saved a copy as {target}.", parent=self
        )
        run_modal(box)

    def play_or_pause(self) -> None:
        if self.active is None and self.recording_list.attachments:
            self.player.toggle()

    def mark_moment(self) -> None:
        """Ask the editor to put "[Recording N, mm:ss]" into the notes at the cursor."""
        if self.read_only:  # Ctrl+M too: the notes of an imported story are not changed here
            return
        if self.active is not None:
            self.mark_requested.emit(format_mark(self.session.title, self.session.duration()))
        elif self.recording_list.attachments and self.player.title:
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
        self.recording_list.play_from(mark.recording, mark.ms)
        return True

    def shutdown(self) -> None:
        """The editor is closing or moving to another story: stop, and keep what was recorded."""
        self.stop_recording()
        self.player.stop()

    def _problem(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Recording", message, parent=self)
        run_modal(box)
