"""Locking while a recording runs: Ctrl+L stops it and what was recorded is kept with the story;
the idle time alone does not cut an interview short (nobody presses a key while listening)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, stories
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import AttachmentKind, ConsentScope
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths
from tests.factories import given, make_story
from tests.gui.locking import PASSPHRASE, encrypted_store, shown_texts, type_and_enter

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def store(paths: DataPaths) -> Iterator[Store]:
    with encrypted_store(paths) as (opened, _made):
        yield opened


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def recording_in_a_story(qtbot: QtBot, window: MainWindow) -> str:
    story = make_story(window.context.store, title="Singing at the chapel", teller="Mair Hughes")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=frozenset(ConsentScope)))
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    panel = window.editor.recorder
    window.editor.notes.setFocus()
    press(qtbot, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: panel.recording, timeout=10_000)
    qtbot.waitUntil(lambda: panel.recorder.duration() >= 1500, timeout=10_000)
    return story.id


def audio_of(window: MainWindow, story_id: str) -> list:
    with window.context.store.read() as session:
        story = stories.get_story(session, story_id)
    return [a for a in story.attachments if a.kind is AttachmentKind.AUDIO]


def test_locking_stops_the_recording_and_keeps_it(
    qtbot: QtBot, window: MainWindow, microphone: None, tone: None
) -> None:
    story_id = recording_in_a_story(qtbot, window)
    press(qtbot, Qt.Key.Key_L, CTRL)
    assert window.app_lock.locked
    qtbot.waitUntil(lambda: not window.editor.recorder.recording, timeout=10_000)
    qtbot.waitUntil(lambda: len(audio_of(window, story_id)) == 1, timeout=15_000)
    (kept,) = audio_of(window, story_id)
    assert kept.size > 0
    # Kept with the story, not left for the next start to recover.
    qtbot.waitUntil(lambda: list(window.context.paths.recordings_dir.iterdir()) == [])
    shown = "\n".join(shown_texts())
    assert "Singing at the chapel" not in shown and "Recording 1" not in shown

    type_and_enter(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: not window.app_lock.locked, timeout=20_000)
    qtbot.waitUntil(lambda: window.editor.recorder.list.count() == 1)


def test_the_idle_time_does_not_cut_a_recording_short(
    qtbot: QtBot, window: MainWindow, microphone: None, tone: None
) -> None:
    recording_in_a_story(qtbot, window)
    window.app_lock.idle.set_idle_ms(60_000)
    window.app_lock.idle.idle.emit()  # as if a minute passed without a key
    assert not window.app_lock.locked
    assert window.editor.recorder.recording
    assert window.app_lock.idle.counting  # and counting starts again
    press(qtbot, Qt.Key.Key_R, CTRL | Qt.KeyboardModifier.ShiftModifier)  # stop and keep
