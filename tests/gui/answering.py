"""Answering modal dialogs in tests as a person would: by keys and clicks once each one shows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot


def when_dialog_opens(act: Callable[[QWidget], None], kind: type[QWidget] = QWidget) -> None:
    """Run ``act`` on the next modal dialog of ``kind`` once it is showing (checked each 20 ms).

    A modal dialog's exec() blocks the test, so the answer has to be scheduled before it opens,
    as a person would answer it: by keys and clicks on the dialog.
    """

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            if QApplication.activeWindow() is dialog:
                try:
                    act(dialog)
                except BaseException:
                    # The dialog's exec() would otherwise wait for ever and the test hang until
                    # the run's timeout kills the worker, hiding why: close it, then let
                    # pytest-qt report the failure from this slot.
                    if isinstance(dialog, QDialog) and dialog.isVisible():
                        QDialog.done(dialog, QDialog.DialogCode.Rejected)
                    raise
                return
            # Keys (and Alt+letter choices) reach only the active window, as on a desktop.
            dialog.activateWindow()
        QTimer.singleShot(20, check)

    QTimer.singleShot(0, check)


def answer_file_dialog(qtbot: QtBot, typed: str) -> None:
    """Type ``typed`` as the next file dialog's file name and press Enter."""

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        name.selectAll()
        qtbot.keyClicks(name, typed)
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(act, QFileDialog)


def read_message(qtbot: QtBot, seen: list[str]) -> None:
    """Note the next message's words, then press Enter (its OK button) as a person would."""

    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    when_dialog_opens(act, QMessageBox)
