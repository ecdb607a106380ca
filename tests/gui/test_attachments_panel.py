"""The story's photos and documents, hosted alone on a real store: added with the file dialog
and by dropping, refused in words, removed after a confirmation, previewed off the GUI thread,
saved as a copy, and read-only for an imported story. Driven by keys, clicks and drops."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storykeeper.core.attachments import (
    add_attachment,
    list_attachments,
    size_in_words,
)
from storykeeper.core.audit import recent_events
from storykeeper.core.stories import Story, get_story
from storykeeper.gui.context import AppContext
from storykeeper.gui.widgets.attachments import AttachmentsPanel
from tests.factories import make_story
from tests.gui.answering import answer_file_dialog, read_message, when_dialog_opens
from tests.gui.dropping import drag_and_drop, dragged

ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
MB = 1_000_000


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


@pytest.fixture
def panel(qtbot: QtBot, context: AppContext) -> Iterator[AttachmentsPanel]:
    host = QWidget()
    host.setWindowTitle("Host")
    made = AttachmentsPanel(context)
    made.install_shortcuts(host)
    QVBoxLayout(host).addWidget(made)
    qtbot.addWidget(host)
    host.resize(900, 600)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
    yield made
    context.tasks.wait_for_idle()


@pytest.fixture(autouse=True)
def _notes(tmp_path: Path) -> None:
    tmp_path.joinpath("notes.txt").write_text("Things to follow up.\n", encoding="utf-8")


@pytest.fixture
def story(context: AppContext) -> Story:
    return make_story(context.store)


def png(path: Path, width: int = 1600, height: int = 1200) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("steelblue"))
    painter = QPainter(image)
    painter.fillRect(0, 0, width // 2, height // 2, QColor("gold"))
    painter.end()
    assert image.save(str(path), "PNG")
    return path


def sparse(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        out.truncate(size)
    return path


def record_signals(panel: AttachmentsPanel) -> list[tuple[object, ...]]:
    """What the panel tells the editor, in order."""
    said: list[tuple[object, ...]] = []
    panel.writing.connect(lambda: said.append(("writing",)))
    panel.changed.connect(lambda *args: said.append(("changed", *args)))
    panel.write_failed.connect(lambda *args: said.append(("write_failed", *args)))
    panel.added_audio.connect(lambda *args: said.append(("added_audio", *args)))
    return said


def listed(panel: AttachmentsPanel) -> list[str]:
    return [panel.list.item(row).text() for row in range(panel.list.count())]


def stored(context: AppContext, story_id: str) -> list[tuple[str, str]]:
    with context.store.read() as session:
        return [(a.original_name, a.kind.value) for a in list_attachments(session, story_id)]


def revision(context: AppContext, story_id: str) -> int:
    with context.store.read() as session:
        return get_story(session, story_id).revision


# --- adding ------------------------------------------------------------------------------------


def test_photos_and_documents_added_with_the_file_dialog(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    photo = png(tmp_path / "garden.png", 40, 30)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 a letter from the council" * 50)
    flushed: list[bool] = []
    panel.before_change = lambda: flushed.append(True)
    panel.show_story(story.id, [], read_only=False)
    assert panel.status.text().startswith("No photos or documents yet.")
    assert not panel.remove_button.isEnabled() and not panel.save_button.isEnabled()

    said = record_signals(panel)

    answer_file_dialog(qtbot, f'"{photo}" "{letter}"')
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        key(qtbot, Qt.Key.Key_A, CTRL_SHIFT)  # "Add photo or document…"
    assert flushed == [True]  # the editor's unsaved typing goes first
    assert said == [("writing",), ("changed", story.id, story.revision + 2)]
    assert revision(context, story.id) == story.revision + 2
    assert stored(context, story.id) == [("garden.png", "photo"), ("letter.pdf", "document")]
    assert listed(panel) == [
        f"garden.png — Photo, {size_in_words(photo.stat().st_size)}",
        "letter.pdf — Document, 1.7 KB",
    ]
    assert panel.status.text() == (
        "Added “garden.png”, “letter.pdf”. Describe what a photo shows with Ctrl+Shift+D, for "
        "screen readers."
    )
    assert not panel.progress.isVisible()
    assert panel.list.currentRow() == 1  # the last one added is chosen
    assert QApplication.focusWidget() is panel.list

    # The editor shows the story again after a change: the choice and the words stay.
    previews: list[str] = []
    panel.preview_shown.connect(previews.append)
    with context.store.read() as session:
        panel.show_story(story.id, get_story(session, story.id).attachments, read_only=False)
    assert panel.list.currentRow() == 1 and listed(panel)[1].startswith("letter.pdf")
    assert panel.status.text().startswith("Added “garden.png”, “letter.pdf”.")
    assert previews == []  # the same file's preview is not made again


def test_files_dropped_together_are_added_and_a_folder_is_refused_in_words(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    first = png(tmp_path / "one.png", 20, 20)
    second = png(tmp_path / "two.jpg", 30, 20)
    folder = tmp_path / "Holiday photos"
    folder.mkdir()
    panel.show_story(story.id, [], read_only=False)

    # Nothing local to drop: not taken.
    assert drag_and_drop(panel, dragged(remote="https://example.org/photo.jpg")) == (False, False)
    seen: list[str] = []
    read_message(qtbot, seen)
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        # Dropped on the list inside the panel, as a person would, with a web link among them.
        assert drag_and_drop(
            panel.list, dragged(first, folder, second, remote="https://example.org/photo.jpg")
        ) == (
            True,
            True,
        )
    assert stored(context, story.id) == [("one.png", "photo"), ("two.jpg", "photo")]
    assert [line.split(" — ")[0] for line in listed(panel)] == ["one.png", "two.jpg"]
    assert seen == ["“Holiday photos” is a folder; choose the files inside it instead."]
    assert panel.status.text() == (
        "Added “one.png”, “two.jpg”. Describe what a photo shows with Ctrl+Shift+D, for screen "
        "readers. 1 file was not added."
    )


def test_a_file_too_large_is_refused_with_what_to_do_and_nothing_is_kept(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    scan = sparse(tmp_path / "scan.pdf", 150 * MB)
    empty = sparse(tmp_path / "blank.jpg", 0)
    panel.show_story(story.id, [], read_only=False)
    said = record_signals(panel)
    seen: list[str] = []
    read_message(qtbot, seen)
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        panel.add_files([scan, empty])
    assert seen == [
        "“scan.pdf” is 150 MB; a document can be at most 100 MB. Make it smaller (for example, "
        "scan it at a lower resolution) or keep it elsewhere.\n\n"
        "“blank.jpg” is empty: there is nothing in it to attach."
    ]
    assert said == [("writing",), ("write_failed", story.id)]  # the editor's saves go on
    assert stored(context, story.id) == [] and revision(context, story.id) == story.revision
    assert list(context.store.media.stored_hashes()) == []
    assert panel.list.count() == 0
    assert panel.status.text().startswith("No photos or documents yet.")
    assert panel.add_button.isEnabled()


def test_an_audio_file_is_attached_as_audio_and_left_to_the_recorder(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    talk = tmp_path / "phone interview.mp3"
    talk.write_bytes(b"ID3 pretend audio" * 100)
    panel.show_story(story.id, [], read_only=False)
    said = record_signals(panel)
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        panel.add_files([talk])
    assert said == [
        ("writing",),
        ("changed", story.id, story.revision + 1),
        ("added_audio", story.id),
    ]
    assert stored(context, story.id) == [("phone interview.mp3", "audio")]
    assert panel.list.count() == 0  # the recorder lists audio
    assert "as audio" in panel.status.text()


# --- removing ----------------------------------------------------------------------------------


def test_delete_asks_naming_the_file_keeps_it_by_default_and_removes_it_when_confirmed(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    media = context.store.media
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF a letter")
    photo = png(tmp_path / "garden.png", 20, 20)
    with context.store.write(actor="test") as session:
        add_attachment(session, media, story.id, letter)
        kept = add_attachment(session, media, story.id, photo)
    with context.store.read() as session:
        shown = get_story(session, story.id)
    panel.show_story(story.id, shown.attachments, read_only=False)
    panel.list.setFocus()
    panel.list.setCurrentRow(0)
    asked: list[str] = []

    def keep(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        assert box.defaultButton() is box.escapeButton()
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter keeps it: the safe choice

    when_dialog_opens(keep, QMessageBox)
    key(qtbot, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: bool(asked))
    assert asked[0].startswith("Remove “letter.pdf” from this story?")
    assert context.tasks.wait_for_idle()  # a wrongly queued removal would have run by now
    assert stored(context, story.id) == [("letter.pdf", "document"), ("garden.png", "photo")]

    def remove(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        qtbot.keyClick(box, Qt.Key.Key_R, ALT)  # "Remove it"

    said = record_signals(panel)
    when_dialog_opens(remove, QMessageBox)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel.window())
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert said == [("writing",), ("changed", story.id, shown.revision + 1)]
    assert stored(context, story.id) == [("garden.png", "photo")]
    assert [line.split(" — ")[0] for line in listed(panel)] == ["garden.png"]
    assert panel.status.text() == "Removed “letter.pdf”."
    # Its file goes once the removal has committed (no other story used it).
    qtbot.waitUntil(lambda: list(media.stored_hashes()) == [kept.sha256])
    with context.store.read() as session:
        assert recent_events(session, limit=1)[0].action == "attachment.removed"


# --- preview and copies ------------------------------------------------------------------------


def test_a_photo_is_previewed_from_a_worker_and_a_document_says_it_has_none(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    media = context.store.media
    with context.store.write(actor="test") as session:
        big = add_attachment(session, media, story.id, png(tmp_path / "wide.png", 1600, 1200))
        add_attachment(session, media, story.id, tmp_path.joinpath("notes.txt"))
    with context.store.read() as session:
        shown = get_story(session, story.id)
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000) as previewed:
        panel.show_story(story.id, shown.attachments, read_only=False)
    assert previewed.args == [big.id]
    pixmap = panel.preview.pixmap()
    box = panel.preview.box()
    assert not pixmap.isNull()
    assert pixmap.width() <= box.width() and pixmap.height() <= box.height()
    assert max(pixmap.width() / box.width(), pixmap.height() / box.height()) > 0.95
    assert abs(pixmap.width() / pixmap.height() - 4 / 3) < 0.02  # not stretched
    assert pixmap.toImage().pixelColor(2, 2) == QColor("gold")
    assert panel.preview.accessibleDescription() == (
        f"wide.png, {pixmap.width()} by {pixmap.height()} pixels"
    )

    panel.list.setFocus()
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        key(qtbot, Qt.Key.Key_Down)
    assert panel.preview.pixmap().isNull()
    assert panel.preview.text().startswith("No preview for documents")


def test_read_only_shows_and_saves_copies_but_changes_nothing(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    media = context.store.media
    photo = png(tmp_path / "garden.png", 200, 100)
    with context.store.write(actor="test") as session:
        add_attachment(session, media, story.id, photo)
    with context.store.read() as session:
        shown = get_story(session, story.id)
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        panel.show_story(story.id, shown.attachments, read_only=True)
    assert not panel.preview.pixmap().isNull()  # the preview works
    assert not panel.add_button.isEnabled() and not panel.remove_button.isEnabled()
    assert panel.save_button.isEnabled()
    assert panel.status.text().startswith("Read-only")
    assert drag_and_drop(panel, dragged(tmp_path / "notes.txt")) == (False, False)
    panel.add_files([tmp_path / "notes.txt"])  # as if asked some other way: still nothing
    panel.list.setFocus()
    key(qtbot, Qt.Key.Key_Delete)  # no question, no removal
    assert QApplication.activeModalWidget() is None
    assert context.tasks.wait_for_idle()
    assert stored(context, story.id) == [("garden.png", "photo")]

    copy = tmp_path / "copies" / "garden copy.png"
    copy.parent.mkdir()
    answer_file_dialog(qtbot, str(copy))
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        key(qtbot, Qt.Key.Key_S, CTRL_SHIFT)  # "Save a copy…"
    assert copy.read_bytes() == photo.read_bytes()
    assert panel.status.text() == f"Saved a copy as {copy}."
    assert not list(copy.parent.glob(".*"))  # no temporary file left beside it


def test_a_damaged_file_is_not_saved_as_a_copy(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    media = context.store.media
    with context.store.write(actor="test") as session:
        added = add_attachment(session, media, story.id, tmp_path / "notes.txt")
    media.path_for(added.sha256).write_bytes(b"changed behind the program's back")
    panel.show_story(story.id, [added], read_only=False)
    target = tmp_path / "saved.txt"
    answer_file_dialog(qtbot, str(target))
    seen: list[str] = []
    read_message(qtbot, seen)
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        key(qtbot, Qt.Key.Key_S, CTRL_SHIFT)  # "Save a copy…": the file dialog, then the message
    assert seen[0].startswith("No copy saved. The stored copy of this file is damaged")
    assert not target.exists()


# --- keyboard, names, size ---------------------------------------------------------------------


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface else ""


def test_every_control_is_named_has_a_unique_alt_key_and_a_place_in_the_tab_order(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    with context.store.write(actor="test") as session:
        added = add_attachment(session, context.store.media, story.id, tmp_path / "notes.txt")
    panel.show_story(story.id, [added], read_only=False)
    controls = [
        w
        for w in panel.findChildren(QWidget)
        if w.isVisibleTo(panel)
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.metaObject().className() != "QViewport"
    ]
    assert [c.metaObject().className() for c in controls if not accessible_name(c).strip()] == []
    texts = [w.text() for w in panel.findChildren(QAbstractButton) + panel.findChildren(QLabel)]
    keys = [m.group(1).lower() for t in texts if (m := re.search(r"&([^&\s])", t))]
    # No Alt keys: in the story editor every letter is taken. Ctrl+Shift+A adds, Ctrl+Shift+S
    # saves a copy, Delete removes, and the buttons say so.
    assert keys == []
    assert "Ctrl+Shift+A" in panel.add_button.text()
    assert "Ctrl+Shift+S" in panel.save_button.text()

    panel.list.setFocus()
    order = []
    for _ in range(6):
        order.append(accessible_name(QApplication.focusWidget()))
        key(qtbot, Qt.Key.Key_Tab)
    assert order == [
        "Photos and documents of this story",
        "Description of the chosen photo or document",
        "Add a photo or a document to this story",
        "Remove the chosen file from this story",
        "Save a copy of the chosen file",
        "Photos and documents of this story",
    ]


def test_at_twice_the_text_size_in_high_contrast_everything_shows_whole(
    qtbot: QtBot, panel: AttachmentsPanel, context: AppContext, story: Story, tmp_path: Path
) -> None:
    normal = panel.preview.box()
    context.set_text_scale(200)
    context.set_high_contrast(True)
    media = context.store.media
    with context.store.write(actor="test") as session:
        added = add_attachment(session, media, story.id, png(tmp_path / "garden.png", 800, 600))
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        panel.show_story(story.id, [added], read_only=False)
    assert panel.buttons.direction() == QBoxLayout.Direction.TopToBottom
    assert panel.body.direction() == QBoxLayout.Direction.TopToBottom
    assert panel.preview.box().width() >= 1.8 * normal.width()  # the preview grows too
    host = panel.window()
    assert panel.minimumSizeHint().width() <= 1240, panel.minimumSizeHint()
    host.resize(1240, max(740, host.minimumSizeHint().height()))
    qtbot.waitUntil(lambda: host.width() == 1240)
    for button in (panel.add_button, panel.remove_button, panel.save_button):
        assert button.width() >= button.sizeHint().width(), button.text()  # no text cut off
    assert panel.list.height() >= 3 * panel.list.fontMetrics().lineSpacing()
