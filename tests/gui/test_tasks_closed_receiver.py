"""A read whose page was deleted while it ran: its answer (or its error) is not delivered to the
deleted widget, which would raise in Qt's event loop (seen when the insight page's faster
count let a test end before the page's other read came back)."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.gui.context import AppContext


class Receiver(QLabel):
    def answered(self, result: object) -> None:
        self.setText(str(result))  # raises if Qt has deleted the label

    def failed(self, error: BaseException) -> None:
        self.setText(str(error))


@pytest.mark.parametrize("fails", [False, True])
def test_an_answer_for_a_deleted_widget_is_dropped(
    qtbot: QtBot, context: AppContext, fails: bool
) -> None:
    release = threading.Event()

    def held(_session: Session) -> str:
        assert release.wait(30)
        if fails:
            raise OSError("disk gone")
        return "answer"

    receiver = Receiver()
    context.tasks.read(held, on_done=receiver.answered, on_error=receiver.failed)
    shiboken6.delete(receiver)
    assert not shiboken6.isValid(receiver)
    release.set()
    assert context.tasks.wait_for_idle()
    qtbot.waitUntil(lambda: not context.tasks.busy)
    QApplication.processEvents()
    # pytest-qt fails the test on any exception raised in the event loop.
