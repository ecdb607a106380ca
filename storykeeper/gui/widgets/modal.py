"""Running a modal dialog and giving the keyboard back to the window underneath.

When a dialog closes, some window managers (and Qt's offscreen platform) leave no window
active, so the next key a person presses goes nowhere. After every modal dialog the window that
opened it takes the keyboard back explicitly.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QPushButton, QWidget


def give_keyboard_back(parent: QWidget | None) -> None:
    if parent is not None:
        window = parent.window()
        window.activateWindow()
        window.raise_()


def run_modal(dialog: QDialog) -> int:
    """``dialog.exec()``, then the keyboard back to the window the dialog belongs to.

    The dialog is finished with afterwards: read what it holds before the next event loop turn.
    """
    result = dialog.exec()
    give_keyboard_back(dialog.parentWidget())
    # Deleted now, on this thread, rather than whenever its parent goes.
    dialog.deleteLater()
    return result


def enter_presses(dialog: QDialog, button: QPushButton) -> None:
    """Make ``button`` the one Enter presses, wherever the keyboard is in ``dialog``.

    Qt's dialogs otherwise let Enter press whichever button last had focus ("auto default"),
    so Enter in a text box could open a file dialog instead of doing what the box is for.
    """
    for other in dialog.findChildren(QPushButton):
        other.setAutoDefault(False)
    button.setDefault(True)
