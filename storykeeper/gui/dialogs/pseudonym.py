"""Choosing a pseudonym with the person: a few to pick from, or their own words.

The pseudonym is what the person is called wherever their name may not go (a report, a bundle
sent without the name), so it is theirs to choose. It never holds part of their own name: the
store refuses one that does, and says so here without closing.
"""

from __future__ import annotations

from functools import partial

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
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import pseudonyms as ops
from storykeeper.gui.widgets.modal import enter_presses
from storykeeper.gui.widgets.whole_words import keep_words_whole


class PseudonymDialog(QDialog):
    """Pick one of the offered pseudonyms, or type one, then "Use this pseudonym"."""

    def __init__(
        self, context: AppContext, storyteller: people.Storyteller, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.storyteller = storyteller
        #: The storyteller as saved, once the new pseudonym is kept.
        self.saved: people.Storyteller | None = None
        self.setWindowTitle("Choose a pseudonym")
        intro = QLabel(
            "The pseudonym is what this person is called wherever their name may not go. "
            "Choose one with them: pick one below, or type their own choice. It must not "
            "hold any part of their name."
        )
        intro.setWordWrap(True)
        self.offered = QListWidget()
        self.offered.setAccessibleName("Pseudonyms to choose from")
        self.text = QLineEdit(storyteller.pseudonym)
        self.text.setAccessibleName("Pseudonym")
        self.text.setMaxLength(people.PSEUDONYM_MAX)
        label = QLabel("&Pseudonym:")
        label.setBuddy(self.text)
        self.state = QLabel()
        self.state.setAccessibleName("Pseudonym status")
        self.state.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        use = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        use.setText("&Use this pseudonym")
        use.setAccessibleName("Use this pseudonym")
        enter_presses(self, use)
        keep_words_whole(self)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Some to choose from:"))
        layout.addWidget(self.offered)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(self.state)
        layout.addWidget(self.buttons)
        self.offered.currentItemChanged.connect(self._picked)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.text.setFocus()
        self.text.selectAll()
        context.tasks.read(
            partial(ops.pseudonym_choices, storyteller_id=storyteller.id),
            on_done=self._offer,
            on_error=self._failed,
        )

    def _offer(self, choices: list[str]) -> None:
        for choice in choices:
            self.offered.addItem(QListWidgetItem(choice))

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.text.setText(item.text())

    def save(self) -> None:
        self.state.setText("Saving…")
        self.context.tasks.write(
            partial(
                ops.choose_pseudonym, storyteller_id=self.storyteller.id, text=self.text.text()
            ),
            on_done=self._saved,
            on_error=self._failed,
            changes=ops.pseudonym_changes,
        )

    def _saved(self, saved: people.Storyteller) -> None:
        self.saved = saved
        self.state.setText(f"Saved: {neutralised(saved.pseudonym)}.")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.state.setText(f"Not saved: {plain_error(error, self.context.paths)}")
