"""Closing the window never loses words: it waits for the editor's save, and if saves keep
failing it asks whether to keep waiting or to quit with the words kept in the draft file.

The wait never blocks the event loop: the close is refused, the save goes on (tried again by
itself, ``pages.story_saver``), and once everything is in the store the window is closed again.
(Blocking in ``closeEvent`` would let a save already waiting on another program's lock only
flag another to follow, which needs the event loop that has then ended: the words were lost.)
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from storykeeper.gui.pages.story_saver import StorySaver

SAVING = "Saving before closing…"


class CloseWhenSaved(QObject):
    """Holds ``window``'s close until ``saver`` has put everything in the store."""

    def __init__(self, window: QWidget, saver: StorySaver) -> None:
        super().__init__(window)
        self._window = window
        self._saver = saver
        self._waiting = False
        #: The person chose to quit with the words in the draft file.
        self._quit_anyway = False
        self._question: QMessageBox | None = None
        saver.settled.connect(self._settled)
        saver.failed.connect(self._failed)

    def may_close(self) -> bool:
        """Whether the window may close now: anything unsaved is sent to the store first, and
        if it is not there yet the wait begins (call from ``closeEvent``)."""
        if self._quit_anyway:
            return True
        self._saver.save_now()
        if self._saver.idle:
            return True
        if not self._waiting:
            self._waiting = True
            self._saver.said.emit(self._saver.trouble or SAVING)
            if self._saver.trouble is not None:
                self._ask(self._saver.trouble, True)  # already failing: no waiting in silence
        return False

    def _settled(self) -> None:
        if not self._waiting:
            return
        self._waiting = False
        if self._question is not None:
            self._question.done(0)
        # After the saver's own callbacks have run, not inside them; and not at all if the
        # window is gone by then (this object goes with it, and the call with this object).
        QTimer.singleShot(0, self, self._window.close)

    def _failed(self, words: str, retrying: bool) -> None:
        if self._waiting and self._question is None:
            self._ask(words, retrying)

    def _ask(self, words: str, retrying: bool) -> None:
        kept = self._saver.keep_draft()
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Your latest words are not saved yet")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        # Waiting helps only while the save is being tried again; otherwise stay and look.
        wait = box.addButton(
            "&Keep waiting" if retrying else "&Stay in Storykeeper",
            QMessageBox.ButtonRole.RejectRole,
        )
        then = (
            "Keep waiting, and Storykeeper closes as soon as they are saved."
            if retrying
            else "Stay, to see what to change."
        )
        if kept:
            box.setText(
                f"Your latest words are not saved yet.\n\n{words}\n\n{then} Or quit now: "
                "they are kept on this computer and offered to you the next time Storykeeper "
                "starts."
            )
            leave = box.addButton(
                "&Quit — your words are kept and offered next time",
                QMessageBox.ButtonRole.AcceptRole,
            )
        else:
            box.setText(
                f"Your latest words are not saved yet, and they could not be kept anywhere "
                f"else either.\n\n{words}\n\n{then} Quitting now loses them."
            )
            leave = box.addButton("&Quit and lose them", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(wait)
        box.setEscapeButton(wait)
        box.finished.connect(lambda _result: self._answered(box, leave, retrying))
        self._question = box
        box.open()

    def _answered(self, box: QMessageBox, leave: object, retrying: bool) -> None:
        self._question = None
        box.deleteLater()
        if box.clickedButton() is leave:
            self._saver.keep_draft()  # as the page is at this moment
            self._quit_anyway = True
            self._waiting = False
            self._saver.stop()
            self._window.close()
        else:
            if not retrying:
                self._waiting = False  # staying: the next Quit asks afresh
            # Keep waiting: the saver goes on trying, and the next failure asks again. Either
            # way the keyboard goes back to the window (some window managers leave none active).
            self._window.activateWindow()
