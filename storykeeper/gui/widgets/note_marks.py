"""Time marks in the recorder's notes: put in where the person expects, played from when asked.

A mark goes where the advocate last was in the notes; if they have not been in them since the
story's notes were shown, it goes at the end (the cursor of notes never visited is at their
very start, before everything written).

A mark is plain text, "[Recording 1, 02:15]" (``core.recording_marks``). The recorder says what
to insert; Ctrl+J with the cursor on a mark, or Ctrl+click on it, plays that recording from there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from storykeeper.core.recording_marks import mark_at
from storykeeper.gui.widgets.recorder import JUMP_KEY, RecorderPanel

NO_MARK = "There is no time mark at the cursor. Marks look like [Recording 1, 02:15]."


class NoteMarks(QObject):
    """Links ``notes`` and ``recorder``; ``say`` shows a short message (the editor's status)."""

    def __init__(
        self, notes: QPlainTextEdit, recorder: RecorderPanel, say: Callable[[str], None]
    ) -> None:
        super().__init__(notes)
        self.notes = notes
        self.recorder = recorder
        self.say = say
        recorder.mark_requested.connect(self.insert)
        self._viewport = notes.viewport()
        self._viewport.installEventFilter(self)
        # Whether the notes' cursor is where the person left it, or only where the program
        # put it in showing the notes (at the start).
        self._cursor_is_theirs = notes.hasFocus()
        self._inserting = False
        notes.installEventFilter(self)
        notes.textChanged.connect(self._text_changed)
        jump = QShortcut(QKeySequence(JUMP_KEY), notes)
        jump.setContext(Qt.ShortcutContext.WidgetShortcut)
        jump.activated.connect(lambda: self.play_at(notes.textCursor().position()))

    def insert(self, mark: str) -> None:
        if self.notes.isReadOnly():
            return
        cursor = self.notes.textCursor()
        if not self._cursor_is_theirs:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        before = self.notes.toPlainText()[: cursor.position()]
        self._inserting = True
        try:
            cursor.insertText(("" if not before or before[-1].isspace() else " ") + mark + " ")
        finally:
            self._inserting = False
        self.notes.setTextCursor(cursor)

    def _text_changed(self) -> None:
        # Typed (the notes have the keyboard) or a mark of ours: the cursor stays meaningful.
        # Otherwise the program showed other notes, and their cursor is at the start again.
        if not self._inserting and not self.notes.hasFocus():
            self._cursor_is_theirs = False

    def play_at(self, position: int) -> bool:
        mark = mark_at(self.notes.toPlainText(), position)
        if mark is None:
            self.say(NO_MARK)
            return False
        return self.recorder.play_mark(mark)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Ctrl+click on a mark plays from there; anywhere else it is an ordinary click.
        # The event's type first: while the editor is torn down, the notes may already be gone.
        if event.type() is QEvent.Type.FocusIn and watched is self.notes:
            self._cursor_is_theirs = True
        if (
            event.type() is QEvent.Type.MouseButtonRelease
            and watched is self._viewport
            and isinstance(event, QMouseEvent)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            position = self.notes.cursorForPosition(event.position().toPoint()).position()
            if mark_at(self.notes.toPlainText(), position) is not None:
                self.play_at(position)
                return True
        return super().eventFilter(watched, event)
