"""“Whose story is this?” — pick a storyteller by typing their name, or add a new one.

Searching runs off the GUI thread, so it stays quick with tens of thousands of storytellers.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import people
from storykeeper.core.display import neutralised
from storykeeper.gui.context import AppContext
from storykeeper.gui.ops.people import PickedStoryteller, find_storytellers

__all__ = ["PickedStoryteller", "StorytellerPicker"]

RESULTS = 50


class _NameField(QLineEdit):
    """Up and down move through the matches while typing continues here."""

    def __init__(self, results: QListWidget) -> None:
        super().__init__()
        self._results = results

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._results.count():
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = max(0, min(self._results.count() - 1, self._results.currentRow() + step))
            self._results.setCurrentRow(row)
            return
        super().keyPressEvent(event)


class StorytellerPicker(QDialog):
    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        title: str = "Whose story is this?",
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.picked: PickedStoryteller | None = None
        self._generation = 0
        self._answered = -1  # the newest search whose answer is shown
        self._accept_when_shown = False

        self.results = QListWidget()
        self.results.setAccessibleName("Matching storytellers")
        self.name = _NameField(self.results)
        self.name.setAccessibleName("Storyteller’s name")
        self.name.setPlaceholderText("Type the person’s name")
        prompt = QLabel(
            f"<b>{title}</b><br>Type their name, then choose them from the list, "
            "or add them as someone new."
        )
        prompt.setWordWrap(True)
        prompt.setBuddy(self.name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.choose_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.choose_button.setText("&Choose")
        self.choose_button.setAccessibleName("Choose storyteller")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.name)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._search)
        self.name.textChanged.connect(lambda _t: self._timer.start())
        self.name.returnPressed.connect(self.accept)
        self.results.itemActivated.connect(lambda _item: self.accept())
        self.results.currentRowChanged.connect(self._update_button)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._search()

    def _search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        text = self.name.text().strip()
        self.context.tasks.read(
            partial(find_storytellers, text=text, limit=RESULTS),
            on_done=lambda found: self._show(generation, text, found),
        )

    def _show(self, generation: int, text: str, found: list[people.Storyteller]) -> None:
        if generation != self._generation:
            return
        self._answered = generation
        self.results.clear()
        exact = any(s.display_name.casefold() == text.casefold() for s in found)
        if text and not exact:
            item = QListWidgetItem(f"Add a new storyteller: “{neutralised(text)}”")
            item.setData(Qt.ItemDataRole.UserRole, PickedStoryteller(None, text, text))
            self.results.addItem(item)
        for teller in found:
            stories = f"{teller.story_count} {'story' if teller.story_count == 1 else 'stories'}"
            label = f"{teller.display_name} — {teller.pseudonym} ({stories})"
            item = QListWidgetItem(neutralised(label))
            item.setData(
                Qt.ItemDataRole.UserRole, PickedStoryteller(teller.id, None, teller.display_name)
            )
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self._update_button()
        if self._accept_when_shown:
            self._accept_when_shown = False
            self.accept()

    def _update_button(self) -> None:
        self.choose_button.setEnabled(self.results.currentItem() is not None)

    def accept(self) -> None:
        if self._timer.isActive() or self._answered != self._generation:
            # Enter pressed before the list caught up with the typing: choose once it has.
            self._accept_when_shown = True
            if self._timer.isActive():
                self._search()
            return
        item = self.results.currentItem()
        if item is None:
            self.name.setFocus()
            return
        self.picked = item.data(Qt.ItemDataRole.UserRole)
        super().accept()
