"""The export dialog: a folder that exists, the last one remembered, and counts in good English."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyrage import x25519
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, recipients
from storykeeper.core.attachments import add_attachment
from storykeeper.gui.dialogs.export import ExportDialog
from storykeeper.gui.main_window import MainWindow
from tests.factories import given, make_story

#: The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own, with no XDG user-dirs file: Documents is $HOME/Documents."""
    made = tmp_path / "home"
    made.mkdir()
    monkeypatch.setenv("HOME", str(made))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(made / ".config"))
    return made


def open_dialog(qtbot: QtBot, window: MainWindow) -> ExportDialog:
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def one_story_going_one_left_out(window: MainWindow) -> None:
    store = window.context.store
    story = make_story(store, title="Going")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    make_story(store, title="No consent yet")


def test_without_a_documents_folder_the_export_offers_the_home_folder(
    qtbot: QtBot, window: MainWindow, home: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    assert dialog.folder.text() == str(home)


def test_the_documents_folder_is_offered_when_it_exists(
    qtbot: QtBot, window: MainWindow, home: Path
) -> None:
    (home / "Documents").mkdir()
    dialog = open_dialog(qtbot, window)
    assert dialog.folder.text() == str(home / "Documents")


def test_the_folder_last_exported_to_is_offered_next_time_and_counts_agree(
    qtbot: QtBot, window: MainWindow, home: Path, tmp_path: Path
) -> None:
    one_story_going_one_left_out(window)
    coordinator = x25519.Identity.generate()
    with window.context.store.write(actor="test") as session:
        recipients.add_recipient(session, str(coordinator.to_public()), "North coordinator")
    chosen = tmp_path / "bundles for the north"
    chosen.mkdir()
    dialog = open_dialog(qtbot, window)
    qtbot.waitUntil(dialog.export_button.isEnabled)
    assert dialog.summary.text() == "1 story will go; 1 story is left out."
    dialog.folder.selectAll()
    qtbot.keyClicks(dialog.folder, str(chosen))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved:"), timeout=15_000)
    assert "1 story, 0 media files, 0 withdrawals. Only 1 coordinator can open it." in (
        dialog.message.text()
    )
    assert "(s)" not in dialog.message.text()
    dialog.close()

    again = open_dialog(qtbot, window)
    assert again.folder.text() == str(chosen)


def test_a_remembered_folder_that_is_gone_is_not_offered(
    qtbot: QtBot, window: MainWindow, home: Path, tmp_path: Path
) -> None:
    window.context.settings.export_folder = str(tmp_path / "a stick no longer plugged in")
    dialog = open_dialog(qtbot, window)
    assert dialog.folder.text() == str(home)


def test_one_photo_held_back_is_counted_in_the_singular(
    qtbot: QtBot, window: MainWindow, home: Path, tmp_path: Path
) -> None:
    store = window.context.store
    story = make_story(store, title="Going without its photo")
    photo = tmp_path / "bus stop.png"
    photo.write_bytes(PNG)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())  # not share_media
        add_attachment(session, store.media, story.id, photo)
    dialog = open_dialog(qtbot, window)
    qtbot.waitUntil(lambda: "will go" in dialog.summary.text())
    assert dialog.summary.text() == (
        "1 story will go; 1 recording or photo stays here (consent); 0 stories are left out."
    )
