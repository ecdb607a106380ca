"""“Check this computer’s stories”, opened from the Story menu by keys: what it finds, in
words, and unused files removed only after a confirmation whose default keeps them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import stories
from storykeeper.core.attachments import Attachment, add_attachment
from storykeeper.core.audit import recent_events
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_store import CheckStoreDialog
from storykeeper.gui.main_window import MainWindow
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens

ALT = Qt.KeyboardModifier.AltModifier


def attach(store: Store, story_id: str, path: Path, content: bytes) -> Attachment:
    path.write_bytes(content)
    with store.write(actor="test") as session:
        return add_attachment(session, store.media, story_id, path)


def left_behind(store: Store, tmp_path: Path) -> Path:
    """The file of a deleted story that was never discarded (the program stopped first)."""
    story = make_story(store, teller="Someone Else")
    gone = attach(store, story.id, tmp_path / "gone.png", b"\x89PNG" + b"x" * 2996)
    with store.write(actor="test") as session:
        stories.delete_story(session, story.id)
    return store.media.path_for(gone.sha256)


def audit_events(store: Store) -> int:
    with store.read() as session:
        return len(recent_events(session, limit=1000))


def open_check_from_the_menu(qtbot: QtBot, window: MainWindow) -> None:
    """Alt+S opens the Story menu, C chooses “Check this computer’s stories…”."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_C)


def findings(dialog: CheckStoreDialog) -> list[str]:
    return [dialog.findings.item(row).text() for row in range(dialog.findings.count())]


def test_unused_files_are_removed_only_once_confirmed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    store = window.context.store
    story = make_story(store)
    kept = attach(store, story.id, tmp_path / "kept.jpg", b"\xff\xd8 a photo a story uses")
    unused = left_behind(store, tmp_path)
    kept_path = store.media.path_for(kept.sha256)
    seen: dict[str, object] = {}

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, CheckStoreDialog)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
        seen["status"] = dialog.status.text()
        seen["findings"] = findings(dialog)
        seen["button"] = dialog.remove_button.text()
        # The button takes the focus once the dialog is the active window: on a busy machine
        # the report can arrive before the window manager has activated it.
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.remove_button)
        assert not dialog.progress.isVisible()

        asked: list[str] = []

        def keep(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            asked.append(box.text())
            qtbot.keyClick(box, Qt.Key.Key_Return)  # the default keeps them

        when_dialog_opens(keep, QMessageBox)
        qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)
        qtbot.waitUntil(lambda: bool(asked))
        seen["question"] = asked[0]
        assert window.context.tasks.wait_for_idle()
        seen["after keeping"] = unused.exists()

        def remove(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            qtbot.keyClick(box, Qt.Key.Key_R, ALT)  # "Remove them"

        when_dialog_opens(remove, QMessageBox)
        # Keys reach only the active window: the dialog's again once the question has gone.
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        with qtbot.waitSignal(dialog.repair_finished, timeout=10_000):
            qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)
        seen["removed"] = dialog.status.text()
        seen["findings after"] = findings(dialog)
        seen["button after"] = dialog.remove_button.isVisible()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_dialog_opens(act, CheckStoreDialog)
    open_check_from_the_menu(qtbot, window)
    qtbot.waitUntil(lambda: "button after" in seen, timeout=20_000)

    events = audit_events(store) - 1  # the removal's own event came after the check
    assert seen["status"] == (
        f"All is well with the stories (1 story, 1 attached file and {events} audit events "
        "checked). Some files can be tidied away."
    )
    assert seen["findings"] == [
        "Can be tidied away — Attached files: 1 media file belongs to no story any more "
        "(3.0 KB) and can be removed."
    ]
    assert seen["button"] == "&Remove 1 unused file…"
    assert str(seen["question"]).startswith(
        "Remove 1 file (3.0 KB) that no story refers to any more?"
    )
    assert seen["after keeping"] is True
    assert seen["removed"] == "Removed 1 unused file (3.0 KB) that no story refers to."
    assert seen["findings after"] == ["Nothing to report."]
    assert seen["button after"] is False
    assert not unused.exists()
    assert kept_path.exists()
    assert store.media.open(kept.sha256).read() == b"\xff\xd8 a photo a story uses"
    with store.read() as session:
        event = recent_events(session, limit=1)[0]
    assert (event.action, event.details["files"]) == ("media.unused_removed", 1)


def test_problems_are_said_in_words_and_nothing_is_offered_when_none_can_be_tidied(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    story = make_story(context.store)
    missing = attach(context.store, story.id, tmp_path / "drawing.png", b"\x89PNG a drawing")
    context.store.media.path_for(missing.sha256).unlink()
    dialog = CheckStoreDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.check_finished, timeout=10_000):
        dialog.show()
    assert findings(dialog) == [
        f"Problem — Attached files: Attachment file {missing.sha256[:12]}… (drawing.png) is "
        "missing."
    ]
    assert dialog.status.text() == (
        f"Found 1 problem (1 story, 1 attached file and {audit_events(context.store)} audit "
        "events checked). Nothing was changed. Backups of the database are in "
        f"{context.paths.backups_dir}; the list below helps whoever supports you."
    )
    assert not dialog.remove_button.isVisibleTo(dialog)

    # Checking again finds the same, from the start.
    with qtbot.waitSignal(dialog.check_finished, timeout=10_000):
        dialog.again_button.click()
    assert len(findings(dialog)) == 1
    dialog.reject()
