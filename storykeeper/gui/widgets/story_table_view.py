"""The story list's table: Ctrl+End goes to the last story, not the last row loaded so far, and
Ctrl+A chooses every story, not only the rows loaded so far.

The model loads a page at a time as the view scrolls, so Qt's own Ctrl+End stopped at the end
of what had come in (row 200 of 2,000). Here it asks the model for the rest, in the background,
and goes to the last story once it is in (Shift+Ctrl+End: choosing every story on the way);
Ctrl+A likewise chooses them all once they are in.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from storykeeper.gui.models.story_table import StoryTableModel


class StoryTableView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._to_the_end_when_loaded = False
        #: Once every story is in: choose them all (Ctrl+A), or up to the last (Shift+Ctrl+End).
        self._select_all_when_loaded = False
        self._extend_to_the_end = False

    def setModel(self, model: StoryTableModel) -> None:  # type: ignore[override]
        super().setModel(model)
        model.all_loaded.connect(self._all_loaded)
        model.modelReset.connect(self._forget_the_end)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        to_the_end = event.key() == Qt.Key.Key_End and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )
        all_of_them = event.matches(QKeySequence.StandardKey.SelectAll)
        if (
            (to_the_end or all_of_them)
            and isinstance(model, StoryTableModel)
            and model.rowCount() < model.total
        ):
            self._to_the_end_when_loaded = to_the_end
            self._extend_to_the_end = to_the_end and bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            self._select_all_when_loaded = all_of_them
            model.load_all()
            event.accept()
            return
        super().keyPressEvent(event)

    def _forget_the_end(self) -> None:
        # A new search or sort meanwhile: the last story asked for is no longer the last, and
        # "all of them" no longer the same stories.
        self._to_the_end_when_loaded = False
        self._select_all_when_loaded = False

    def _all_loaded(self) -> None:
        if self._select_all_when_loaded:
            self._select_all_when_loaded = False
            self.selectAll()
        if not self._to_the_end_when_loaded:
            return
        self._to_the_end_when_loaded = False
        last = self.model().rowCount() - 1
        if last < 0:
            return
        index = self.model().index(last, max(0, self.currentIndex().column()))
        if self._extend_to_the_end and self.currentIndex().isValid():
            # As Shift+Ctrl+End does in a list all loaded: every story from here to the last.
            rows = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            self.selectionModel().select(QItemSelection(self.currentIndex(), index), rows)
            self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        else:
            self.setCurrentIndex(index)
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtBottom)
