"""Recording an interview in the story editor, against a virtual microphone, by keys and clicks.

The microphone is PulseAudio's null sink heard through ``module-remap-source``
(tests/audio/virtual-microphone, started by tests/conftest.py or .ci/run). A tone played into
the sink is what the microphone hears, so the level meter has something to show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer, QMediaRecorder
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, recording_consent, recordings, stories
from storykeeper.core.recording_marks import Mark
from storykeeper.core.stories import Story
from storykeeper.core.vocabulary import AttachmentKind, ConsentScope
from storykeeper.gui.dialogs.recording_consent import RecordingConsentDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.media_device import StreamDevice
from storykeeper.gui.widgets.recorder import RecorderPanel
from tests.factories import given, make_story
from tests.gui.answering import answer_file_dialog, read_message, when_dialog_opens
from tests.gui.imported_stories import imported_story_with_a_recording
from tests.gui.inspecting import mnemonics
from tests.pipes import next_line

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def agreed_to_everything(window: MainWindow, title: str = "The day centre bus") -> Story:
    """A story whose consent allows every use, recording included."""
    story = make_story(window.context.store, title=title)
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=frozenset(ConsentScope)))
    return story


def open_story(qtbot: QtBot, window: MainWindow, story_id: str) -> None:
    window.open_story(story_id)
    qtbot.waitUntil(lambda: window.editor.story is not None and window.editor.story.id == story_id)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def recorded_in_a_story(qtbot: QtBot, window: MainWindow, story_id: str, ms: int) -> RecorderPanel:
    """Open the story, record for ``ms`` by keys, stop and keep; the recorder, once listed."""
    open_story(qtbot, window, story_id)
    panel = window.editor.recorder
    press(qtbot, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: panel.recorder.duration() >= ms, timeout=ms + 10_000)
    press(qtbot, Qt.Key.Key_R, CTRL | SHIFT)
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=15_000)
    return panel


def recorded_for(window: MainWindow, story_id: str) -> list:
    with window.context.store.read() as session:
        return [
            a
            for a in stories.get_story(session, story_id).attachments
            if a.kind is AttachmentKind.AUDIO
        ]


def test_record_pause_resume_and_stop_keeps_a_flac_of_the_right_length(
    qtbot: QtBot, window: MainWindow, microphone: None, tone: None
) -> None:
    story = make_story(window.context.store, teller="Mair Pritchard")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(scopes=frozenset({ConsentScope.RECORD_AUDIO})),
        )
    open_story(qtbot, window, story.id)
    panel = window.editor.recorder
    assert panel.microphone.currentText() == "Virtual_microphone"
    assert not panel.no_microphone.isVisibleTo(window)

    window.editor.notes.setFocus()
    press(qtbot, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: panel.recording, timeout=10_000)
    assert panel.record_button.text().startswith("Pause")
    qtbot.waitUntil(lambda: panel.level.value() > 20, timeout=10_000)  # the tone is heard
    qtbot.waitUntil(lambda: panel.recorder.duration() >= 1500, timeout=10_000)

    # A mark while recording goes into the notes at the cursor.
    press(qtbot, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: "[Recording 1, 00:0" in window.editor.notes.toPlainText())

    press(qtbot, Qt.Key.Key_R, CTRL)  # pause
    qtbot.waitUntil(lambda: panel.paused)
    paused_at = panel.recorder.duration()
    assert panel.elapsed.text().startswith("Paused at")
    press(qtbot, Qt.Key.Key_R, CTRL)  # resume
    qtbot.waitUntil(lambda: panel.recording)
    qtbot.waitUntil(lambda: panel.recorder.duration() >= paused_at + 1500, timeout=10_000)
    press(qtbot, Qt.Key.Key_R, CTRL | SHIFT)  # stop and keep
    qtbot.waitUntil(lambda: len(recorded_for(window, story.id)) == 1, timeout=15_000)
    qtbot.waitUntil(lambda: panel.list.count() == 1)

    (kept,) = recorded_for(window, story.id)
    assert kept.original_name == "Recording 1.flac"
    media = window.context.store.media
    # Sealed at rest; its plaintext is the encoder's FLAC, its length written at the end.
    assert media.path_for(kept.sha256).read_bytes()[:4] != b"fLaC"
    with media.open(kept.sha256) as flac:
        assert flac.read(4) == b"fLaC"
        length = recordings.duration_ms(flac)
    assert length is not None
    # About three seconds recorded, the pause left out.
    assert 2800 <= length <= paused_at + 1500 + 2000, length
    assert list(window.context.paths.recordings_dir.iterdir()) == []
    # The notes (with the mark) were saved alongside, without a revision conflict.
    qtbot.waitUntil(lambda: window.editor.saved_state.text().startswith("All changes saved"))
    with window.context.store.read() as session:
        assert "[Recording 1, 00:0" in stories.get_story(session, story.id).recorder_notes


def test_without_consent_to_record_the_person_is_asked_first(
    qtbot: QtBot, window: MainWindow, microphone: None
) -> None:
    story = make_story(window.context.store, teller="Mair Pritchard")
    open_story(qtbot, window, story.id)
    panel = window.editor.recorder

    def confirm_verbally(dialog: RecordingConsentDialog) -> None:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_C, ALT)  # "I confirm …"
        qtbot.waitUntil(dialog.confirmed.isChecked)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_R, ALT)  # "Record their agreement…"

    when_dialog_opens(confirm_verbally, RecordingConsentDialog)
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.recording, timeout=10_000)
    with window.context.store.read() as session:
        assert recording_consent.may_record_audio(session, story.id)
    qtbot.waitUntil(lambda: panel.recorder.duration() >= 500, timeout=10_000)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(recorded_for(window, story.id)) == 1, timeout=15_000)


def test_cancelling_the_question_records_nothing(
    qtbot: QtBot, window: MainWindow, microphone: None
) -> None:
    story = make_story(window.context.store)
    open_story(qtbot, window, story.id)
    panel = window.editor.recorder
    asked: list[bool] = []

    def cancel(dialog: RecordingConsentDialog) -> None:
        asked.append(True)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)

    when_dialog_opens(cancel, RecordingConsentDialog)
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert panel.recorder.recorderState() is QMediaRecorder.RecorderState.StoppedState
    assert panel.active is None
    assert list(window.context.paths.recordings_dir.iterdir()) == []


def test_a_mark_in_the_notes_plays_the_recording_from_there(
    qtbot: QtBot, window: MainWindow, microphone: None, tone: None
) -> None:
    story = agreed_to_everything(window)
    panel = recorded_in_a_story(qtbot, window, story.id, ms=4000)
    qtbot.waitUntil(lambda: panel.player.player.duration() > 3000, timeout=10_000)
    # With a recording listed, the player is on show: still no Alt key used twice.
    keys = mnemonics(window)
    assert len(keys) == len(set(keys)), keys

    notes = window.editor.notes
    notes.setFocus()
    qtbot.keyClicks(notes, "She laughed here [Recording 1, 00:03] about the bus")
    cursor = notes.textCursor()
    cursor.setPosition(notes.toPlainText().index("[Recording") + 3)
    notes.setTextCursor(cursor)
    press(qtbot, Qt.Key.Key_J, CTRL)
    qtbot.waitUntil(lambda: panel.player.playing, timeout=10_000)
    qtbot.waitUntil(lambda: panel.player.current_ms() >= 3000, timeout=10_000)
    assert panel.player.current_ms() < 4500

    # Speed and pause, by keys on the player.
    press(qtbot, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: not panel.player.playing)
    panel.player.speed.setFocus()
    qtbot.keyClick(panel.player.speed, Qt.Key.Key_Up)
    assert panel.player.player.playbackRate() == 0.75

    # Ctrl+click on the mark plays from there too (a plain click only moves the cursor).
    panel.player.player.setPosition(0)
    inside = notes.toPlainText().index("[Recording") + 5
    probe = notes.textCursor()
    probe.setPosition(inside)
    where = notes.cursorRect(probe).center()
    qtbot.mouseClick(notes.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert not panel.player.playing
    qtbot.mouseClick(notes.viewport(), Qt.MouseButton.LeftButton, CTRL, where)
    qtbot.waitUntil(lambda: panel.player.playing, timeout=10_000)
    qtbot.waitUntil(lambda: panel.player.current_ms() >= 3000, timeout=10_000)
    press(qtbot, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: not panel.player.playing)

    # A mark naming no recording says so, and plays nothing.
    messages: list[str] = []
    when_dialog_opens(lambda box: (messages.append(box.text()), box.close()))
    assert not panel.play_mark(Mark("Recording 9", 0, 0, 0))
    assert messages and "no recording called “Recording 9”" in messages[0]


def test_a_crash_while_recording_keeps_what_was_recorded(
    qtbot: QtBot,
    tmp_path: Path,
    store_key: bytes,
    microphone: None,
    tone: None,
    window: MainWindow,
    make_window: Callable[[], MainWindow],
) -> None:
    """SIGKILL a real program mid-recording; the next start attaches what it wrote."""
    story = agreed_to_everything(window, title="Tuesday at the club")
    script = tmp_path / "record.py"
    script.write_text(
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from storykeeper.core.db import Store\n"
        "from storykeeper.gui.context import AppContext\n"
        "from storykeeper.gui.widgets.recorder import RecorderPanel\n"
        "from storykeeper.paths import resolve_paths\n"
        "app = QApplication([])\n"
        "paths = resolve_paths()\n"
        f"with Store.open(paths, bytes.fromhex({store_key.hex()!r})) as store:\n"
        "    panel = RecorderPanel(AppContext(store, paths))\n"
        f"    panel.show_story({story.id!r}, 'M', [], False)\n"
        "    panel.recorder.durationChanged.connect(\n"
        "        lambda ms: ms > 8000 and print('recording', ms, flush=True))\n"
        "    panel.record_or_pause()\n"
        "    app.exec()\n",
        encoding="utf-8",
    )
    child = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        said = next_line(child.stdout, 60, "the child to start recording")
        assert said.startswith("recording"), said
    finally:
        child.kill()
        child.wait()
    # The encoder still held its last block in memory; the safety copy was written as heard.
    (spool,) = window.context.paths.recordings_dir.glob("*.pcm")
    assert spool.stat().st_size >= 7 * 16000 * 2

    # The next start: a new window on the same data folder.
    messages: list[str] = []
    when_dialog_opens(lambda box: (messages.append(box.text()), box.close()), QMessageBox)
    make_window()
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "Tuesday at the club" in messages[0]
    (kept,) = recorded_for(window, story.id)
    assert kept.original_name == "Recording 1 (recovered).wav"
    assert [p for p in window.context.paths.recordings_dir.iterdir() if p.suffix != ".lock"] == []
    media = window.context.store.media
    with media.open(kept.sha256) as wav:
        length = recordings.duration_ms(wav)
    assert length is not None and length >= 7000, length
    player = QMediaPlayer()
    device = StreamDevice(media.open(kept.sha256))
    player.setSourceDevice(device, QUrl("recording.wav"))
    qtbot.waitUntil(
        lambda: player.mediaStatus() is QMediaPlayer.MediaStatus.LoadedMedia, timeout=10_000
    )
    assert player.error() is QMediaPlayer.Error.NoError


def test_closing_the_window_while_recording_keeps_the_recording_first(
    qtbot: QtBot, window: MainWindow, microphone: None
) -> None:
    story = agreed_to_everything(window)
    open_story(qtbot, window, story.id)
    panel = window.editor.recorder
    press(qtbot, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: panel.recorder.duration() >= 1000, timeout=10_000)

    asked: list[str] = []

    def stop_and_close(box: QMessageBox) -> None:
        asked.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the default: stop, keep it and close

    when_dialog_opens(stop_and_close, QMessageBox)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=15_000)
    assert asked and "Stop the recording" in asked[0]
    (kept,) = recorded_for(window, story.id)
    assert kept.original_name == "Recording 1.flac"
    assert list(window.context.paths.recordings_dir.iterdir()) == []


def test_with_no_microphone_the_box_says_so_and_record_stays_off(tmp_path: Path) -> None:
    """A computer with no microphone at all: a process with no sound server to ask."""
    script = (
        "from PySide6.QtWidgets import QApplication\n"
        "from storykeeper.core.db import Store\n"
        "from storykeeper.gui.context import AppContext\n"
        "from storykeeper.gui.widgets.recorder import RecorderPanel\n"
        "from storykeeper.paths import resolve_paths\n"
        "app = QApplication([])\n"
        "paths = resolve_paths()\n"
        "with Store.open(paths) as store:\n"
        "    panel = RecorderPanel(AppContext(store, paths))\n"
        "    panel.show_story('0' * 36, 'M', [], False)\n"
        "    print(panel.no_microphone.isVisibleTo(panel), panel.record_button.isEnabled(),\n"
        "          panel.microphone.count(), flush=True)\n"
    )
    env = os.environ.copy()
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-sound-server"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False", "0"]


def test_go_through_consent_from_record_opens_the_consent_flow(
    qtbot: QtBot, window: MainWindow, microphone: None
) -> None:
    from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog

    story = make_story(window.context.store, teller="Mair Pritchard")
    open_story(qtbot, window, story.id)
    flows: list[str] = []

    def close_flow(flow: ConsentFlowDialog) -> None:
        flows.append(flow.windowTitle())
        flow.reject()

    def go_through_consent(dialog: RecordingConsentDialog) -> None:
        when_dialog_opens(close_flow, ConsentFlowDialog)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_G, ALT)

    when_dialog_opens(go_through_consent, RecordingConsentDialog)
    qtbot.mouseClick(window.editor.recorder.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(flows), timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert window.editor.recorder.active is None  # nothing recorded: consent was not given


def test_a_recording_is_removed_after_a_question_and_a_copy_saved(
    qtbot: QtBot, window: MainWindow, microphone: None, tmp_path: Path
) -> None:
    story = agreed_to_everything(window)
    panel = recorded_in_a_story(qtbot, window, story.id, ms=1000)
    (kept,) = recorded_for(window, story.id)
    stored = window.context.store.media.path_for(kept.sha256)

    # A copy, where the person chooses (the file dialog answered by typing a name).
    copy = tmp_path / "for the transcriber.flac"

    answer_file_dialog(qtbot, str(copy))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    said: list[str] = []
    read_message(qtbot, said)
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert said == [f"Saved a copy as {copy}."]
    assert copy.read_bytes() == window.context.store.media.open(kept.sha256).read()

    # Delete in the list asks first; Enter keeps it.
    answers: list[str] = []

    def answer(key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
        def act(box: QMessageBox) -> None:
            answers.append(box.text())
            qtbot.keyClick(box, key, modifier)

        when_dialog_opens(act, QMessageBox)

    def delete_in_list() -> None:
        # The keyboard back with the window after the last question, as a desktop gives it.
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        panel.list.setFocus()
        qtbot.keyClick(panel.list, Qt.Key.Key_Delete)

    answer(Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    delete_in_list()
    qtbot.waitUntil(lambda: len(answers) == 1)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert "Remove “Recording 1.flac” from this story?" in answers[0]
    assert len(recorded_for(window, story.id)) == 1

    # Alt+R, "Remove it", removes it, and its file.
    answer(Qt.Key.Key_R, ALT)
    delete_in_list()
    qtbot.waitUntil(lambda: len(answers) == 2)
    qtbot.waitUntil(lambda: panel.list.count() == 0, timeout=10_000)
    assert recorded_for(window, story.id) == []
    qtbot.waitUntil(lambda: not stored.exists(), timeout=10_000)
    assert panel.empty.isVisibleTo(window)


def test_an_imported_story_s_recording_plays_but_nothing_can_be_recorded_or_removed(
    qtbot: QtBot, window: MainWindow, microphone: None, tmp_path: Path
) -> None:
    """At the coordinator's, a story that came in a bundle is read-only, its media included."""
    story = imported_story_with_a_recording(window.context.store, tmp_path)

    open_story(qtbot, window, story.id)
    panel = window.editor.recorder
    qtbot.waitUntil(lambda: panel.list.count() == 1)
    assert window.editor.read_only
    assert not panel.record_button.isEnabled()
    assert not panel.remove_button.isEnabled()
    assert panel.save_button.isEnabled()
    assert not window.editor.attachments.add_button.isEnabled()
    press(qtbot, Qt.Key.Key_R, CTRL)  # the key does nothing either
    assert panel.active is None
    press(qtbot, Qt.Key.Key_P, CTRL)  # but listening works
    qtbot.waitUntil(lambda: panel.player.playing, timeout=10_000)
