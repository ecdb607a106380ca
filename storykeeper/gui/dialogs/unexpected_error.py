"""The dialog for an error nobody expected: what happened, what to do, where the log is.

It never shows the error's own text (which can hold SQL, a file's bytes or a person's words).
"Copy details" copies what the log holds about it (``faults.describe``: the kinds of error and
the places in the code, never a message), for whoever helps with Storykeeper.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper import APP_NAME, __version__
from storykeeper.core import faults
from storykeeper.gui.widgets.modal import enter_presses, run_modal

TITLE = "Something went wrong"

log = logging.getLogger(__name__)


class UnexpectedErrorDialog(QDialog):
    def __init__(self, error: BaseException, log_file: Path, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.details = f"{faults.describe(error)}\n{APP_NAME} {__version__}"
        what = QLabel(
            f"<b>Something unexpected went wrong ({type(error).__name__}).</b> "
            "Nothing you typed has been lost."
        )
        todo = QLabel(
            "You can carry on. If it happens again, close Storykeeper and open it again. If it "
            "still happens, tell whoever helps you with Storykeeper: press Copy details and "
            "paste them in your message. They hold no stories and no names."
        )
        where = QLabel(f"The details are also kept in the log file:\n{log_file}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (what, todo, where):
            label.setWordWrap(True)
        what.setAccessibleName("What happened")
        todo.setAccessibleName("What to do")
        where.setAccessibleName("Where the log is")
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setAccessibleName("Copy the details for whoever helps you")
        self.copy_button.clicked.connect(self.copy_details)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close")
        self.close_button.clicked.connect(self.accept)
        buttons = QDialogButtonBox()
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        for label in (what, todo, where):
            layout.addWidget(label)
        layout.addWidget(buttons)
        enter_presses(self, self.close_button)
        self.close_button.setFocus()
        self.setMinimumWidth(min(560, self.fontMetrics().averageCharWidth() * 70))

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)
        self.copy_button.setText("&Copied")


def show_unexpected_error(error: BaseException, log_file: Path, parent: QWidget | None) -> None:
    run_modal(UnexpectedErrorDialog(error, log_file, parent))


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


@contextmanager
def unexpected_errors_shown(window: QWidget, log_file: Path) -> Iterator[None]:
    """While the window runs, an error escaping one of its slots is logged and shown.

    Qt would otherwise print a traceback on a terminal nobody sees (a traceback can quote a
    person's words) and carry on as if nothing happened. One dialog at a time: a fault that
    repeats in a paint or a timer does not stack them up.
    """
    showing = False
    earlier: ExceptHook = sys.excepthook

    def show(error: BaseException) -> None:
        nonlocal showing
        try:
            if shiboken6.isValid(window):
                show_unexpected_error(error, log_file, window)
        finally:
            showing = False

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        nonlocal showing
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: not a fault
            earlier(kind, error, trace)
            return
        error.__traceback__ = trace
        log.error("unexpected error in the window: %s", faults.describe(error))
        if not showing:
            showing = True
            # Shown from the event loop, not from inside the slot that failed.
            QTimer.singleShot(0, lambda: show(error))

    sys.excepthook = hook
    try:
        yield
    finally:
        sys.excepthook = earlier
