"""The photos-and-documents panel and the recorder show ``Kind.ATTACHMENTS`` of their story: when
the task runner announces a change to that story's attachments, whoever made it, each reloads
its own list; nobody has to tell them. Hosted side by side, without the story editor."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core.attachments import add_attachment
from storykeeper.core.stories import Story, get_story
from storykeeper.gui.context import AppContext
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.gui.widgets.attachments import AttachmentsPanel
from storykeeper.gui.widgets.recorder import RecorderPanel
from tests.factories import make_story


@pytest.fixture
def story(context: AppContext) -> Story:
    return make_story(context.store)


@pytest.fixture
def panels(
    qtbot: QtBot, context: AppContext, story: Story
) -> Iterator[tuple[AttachmentsPanel, RecorderPanel]]:
    host = QWidget()
    files, recorder = AttachmentsPanel(context), RecorderPanel(context)
    column = QVBoxLayout(host)
    column.addWidget(recorder)
    column.addWidget(files)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    files.show_story(story.id, story.attachments, read_only=False)
    recorder.show_story(story.id, story.storyteller.name, story.attachments, read_only=False)
    yield files, recorder
    recorder.shutdown()
    context.tasks.wait_for_idle()


def interview(path: Path) -> Path:
    """A short recording a phone might make: a second of quiet, as real audio the player loads."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * 16000)
    return path


def attach_elsewhere(context: AppContext, story_id: str, file: Path) -> None:
    """An attachment added by something else than these panels (another window, a recovery)."""
    with context.store.write(actor="test") as session:
        add_attachment(session, context.store.media, story_id, file)


def test_both_lists_reload_when_their_story_s_attachments_change(
    qtbot: QtBot,
    context: AppContext,
    story: Story,
    panels: tuple[AttachmentsPanel, RecorderPanel],
    tmp_path: Path,
) -> None:
    files, recorder = panels
    photo, talk = tmp_path / "bus stop.jpg", interview(tmp_path / "phone interview.wav")
    photo.write_bytes(b"\xff\xd8\xff pretend photo")
    attach_elsewhere(context, story.id, photo)
    attach_elsewhere(context, story.id, talk)

    context.tasks.announce(Change.of(Kind.ATTACHMENTS, story.id))

    qtbot.waitUntil(lambda: files.list.count() == 1 and recorder.list.count() == 1)
    assert files.list.item(0).text().startswith("bus stop.jpg — Photo")
    assert recorder.titles() == ["phone interview.wav"]


def test_another_story_s_attachments_are_not_shown(
    qtbot: QtBot,
    context: AppContext,
    panels: tuple[AttachmentsPanel, RecorderPanel],
    tmp_path: Path,
) -> None:
    files, recorder = panels
    other = make_story(context.store, title="Another story")
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(b"\xff\xd8\xff pretend photo")
    attach_elsewhere(context, other.id, photo)

    # Any story's attachments (no ids): each panel reloads its own story, which has none.
    with qtbot.waitSignal(context.tasks.busy_changed, timeout=5_000):
        context.tasks.announce(Change(Kind.ATTACHMENTS))
    qtbot.waitUntil(lambda: not context.tasks.busy)
    assert files.list.count() == 0 and recorder.list.count() == 0


def test_an_audio_file_added_with_the_photos_is_listed_by_the_recorder(
    qtbot: QtBot,
    context: AppContext,
    story: Story,
    panels: tuple[AttachmentsPanel, RecorderPanel],
    tmp_path: Path,
) -> None:
    files, recorder = panels
    talk = interview(tmp_path / "phone interview.wav")
    revisions: list[int] = []
    files.changed.connect(lambda _story_id, revision: revisions.append(revision))

    files.add_files([talk])

    qtbot.waitUntil(lambda: recorder.list.count() == 1)
    assert recorder.titles() == ["phone interview.wav"]
    assert files.list.count() == 0  # audio is the recorder's to list
    with context.store.read() as session:
        assert revisions == [get_story(session, story.id).revision]
