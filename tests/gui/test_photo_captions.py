"""Photos get a description (issue 20): written in the story page by keys, kept on this computer,
and read out by screen readers as the picture's name ("Photo, no description yet" until then)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.core.attachments import Attachment, add_attachment, list_attachments
from storykeeper.core.stories import get_story
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.widgets.attachments import AttachmentsPanel
from tests.factories import make_story

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _story_with_a_photo(window: MainWindow, tmp_path: Path) -> tuple[str, Attachment]:
    image = QImage(80, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("seagreen"))
    picture = tmp_path / "garden.png"
    assert image.save(str(picture), "PNG")
    store = window.context.store
    story = make_story(store)
    with store.write(actor="test") as session:
        return story.id, add_attachment(session, store.media, story.id, picture)


def _opened(qtbot: QtBot, window: MainWindow, story_id: str) -> AttachmentsPanel:
    panel = window.editor.attachments
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        window.open_story(story_id)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return panel


def _stored_caption(window: MainWindow, story_id: str) -> str:
    with window.context.store.read() as session:
        (attachment,) = list_attachments(session, story_id)
    return attachment.caption


def test_a_photo_described_by_keys_is_the_picture_s_name_for_screen_readers(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story_id, _photo = _story_with_a_photo(window, tmp_path)
    panel = _opened(qtbot, window, story_id)
    assert panel.preview.accessibleName() == "Photo, no description yet"
    with window.context.store.read() as session:
        revision = get_story(session, story_id).revision

    window.editor.title.setFocus()
    qtbot.keyClick(window.editor.title, Qt.Key.Key_D, CTRL_SHIFT)  # from anywhere in the story
    assert QApplication.focusWidget() is panel.caption.edit
    qtbot.keyClicks(panel.caption.edit, "Mum and Dad in the garden, 1962")
    with qtbot.waitSignal(panel.caption.saved, timeout=10_000):
        qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Return)

    assert _stored_caption(window, story_id) == "Mum and Dad in the garden, 1962"
    qtbot.waitUntil(lambda: panel.preview.accessibleName() == "Mum and Dad in the garden, 1962")
    assert panel.list.item(0).text().endswith("— “Mum and Dad in the garden, 1962”")
    assert panel.status.text() == "Saved the description of “garden.png”."
    with window.context.store.read() as session:
        assert get_story(session, story_id).revision == revision  # nothing new to send


def test_leaving_the_field_saves_and_emptying_it_takes_the_description_away(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story_id, _photo = _story_with_a_photo(window, tmp_path)
    panel = _opened(qtbot, window, story_id)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Tab)  # the list, then its description
    assert QApplication.focusWidget() is panel.caption.edit
    qtbot.keyClicks(panel.caption.edit, "The old bakery")
    with qtbot.waitSignal(panel.caption.saved, timeout=10_000):
        qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Tab)  # on to the next control
    assert _stored_caption(window, story_id) == "The old bakery"
    qtbot.waitUntil(lambda: panel.preview.accessibleName() == "The old bakery")

    panel.caption.focus()
    qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Delete)  # the words are chosen: all go
    with qtbot.waitSignal(panel.caption.saved, timeout=10_000):
        qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Return)
    assert _stored_caption(window, story_id) == ""
    qtbot.waitUntil(lambda: panel.preview.accessibleName() == "Photo, no description yet")


def test_a_read_only_story_s_descriptions_cannot_be_changed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story_id, photo = _story_with_a_photo(window, tmp_path)
    panel = _opened(qtbot, window, story_id)
    panel.show_story(story_id, [photo], read_only=True)  # as an imported story is shown
    panel.caption.focus()
    qtbot.keyClicks(panel.caption.edit, "typed anyway")
    qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Return)
    assert panel.caption.edit.text() == ""
    assert window.context.tasks.wait_for_idle()
    assert _stored_caption(window, story_id) == ""


def test_a_description_typed_just_before_quitting_is_kept(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story_id, _photo = _story_with_a_photo(window, tmp_path)
    panel = _opened(qtbot, window, story_id)
    panel.caption.focus()
    qtbot.waitUntil(panel.caption.edit.hasFocus)
    qtbot.keyClicks(panel.caption.edit, "Typed, then Ctrl+Q")
    qtbot.keyClick(panel.caption.edit, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert _stored_caption(window, story_id) == "Typed, then Ctrl+Q"
