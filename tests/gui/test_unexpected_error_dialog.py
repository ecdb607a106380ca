"""An unexpected error in the window: a plain dialog saying what to do and where the log is, a
"Copy details" that copies only the error's kind and where in the code, and Close."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storykeeper.core.models import StoryRow
from storykeeper.gui.dialogs.unexpected_error import (
    UnexpectedErrorDialog,
    unexpected_errors_shown,
)
from storykeeper.gui.main_window import MainWindow
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens

NEVER_SHOWN = ("INSERT", "SELECT", "[SQL:", "parameters", "sqlalche.me", "Traceback")


def shown_text(dialog: QWidget) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def button(dialog: QWidget, text: str) -> QPushButton | None:
    found = [b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == text]
    return found[0] if len(found) == 1 else None


def test_an_unexpected_error_says_what_to_do_and_copies_only_its_kind_and_place(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, title="Private title", own_words="Her own words")
    QApplication.clipboard().setText("")
    seen: dict[str, object] = {}

    def insert_the_story_again(session: Session) -> None:  # a bug: the same uuid twice
        row = session.execute(select(StoryRow).where(StoryRow.uuid == story.id)).scalar_one()
        columns = [c.key for c in StoryRow.__table__.columns if c.key != "id"]
        session.execute(insert(StoryRow), [{c: getattr(row, c) for c in columns}])

    def read_and_close(dialog: QWidget) -> None:
        seen["title"] = dialog.windowTitle()
        seen["text"] = shown_text(dialog)
        copy = button(dialog, "Copy details")
        if copy is not None:
            qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
        seen["still open after copying"] = dialog.isVisible()
        seen["copied"] = QApplication.clipboard().text()
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)  # Close

    when_dialog_opens(read_and_close, QDialog)
    window.context.tasks.write(insert_the_story_again)
    qtbot.waitUntil(lambda: "copied" in seen)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)

    text = str(seen["text"])
    log_file = str(window.context.paths.log_file)
    assert seen["title"] == "Something went wrong"
    assert "Nothing you typed has been lost." in text
    assert "close Storykeeper and open it again" in text  # what to do
    assert log_file in text  # where the log is
    assert seen["still open after copying"] is True
    copied = str(seen["copied"])
    assert copied.startswith("IntegrityError")
    assert "in " in copied and ".py:" in copied  # where: the code's own frames
    everything = text + copied
    assert [w for w in (*NEVER_SHOWN, "Private title", "Her own words") if w in everything] == []
    # The keyboard is back with the window, so work carries on.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


@pytest.mark.qt_no_exception_capture
def test_an_error_escaping_the_window_s_own_code_is_shown_not_printed(
    qtbot: QtBot, window: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []

    def read_and_close(dialog: QWidget) -> None:
        seen.append(shown_text(dialog))
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)

    def a_slot_with_a_bug() -> None:
        raise ValueError("Her own words")

    when_dialog_opens(read_and_close, UnexpectedErrorDialog)
    with unexpected_errors_shown(window, window.context.paths.log_file):
        QTimer.singleShot(0, a_slot_with_a_bug)
        qtbot.waitUntil(lambda: bool(seen))
    (said,) = seen
    assert "Something unexpected went wrong (ValueError)." in said
    assert str(window.context.paths.log_file) in said
    out, err = capsys.readouterr()
    assert "Her own words" not in said + out + err
