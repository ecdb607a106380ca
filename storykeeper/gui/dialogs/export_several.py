"""The export dialog for stories selected together in the list (issue 20): the same dialog,
with "Only the N selected stories" offered and chosen, so the bundle holds those (and what
consent lets leave of them), and the person can still widen it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.export import ExportDialog


class ExportSelectedDialog(ExportDialog):
    def __init__(
        self, context: AppContext, parent: QWidget | None, stories: Sequence[tuple[str, str]]
    ) -> None:
        """``stories``: (id, title) of each story selected, in the list's order."""
        super().__init__(context, parent)
        self.stories = tuple(stories)
        self.only_chosen.setText(f"&Only the {len(self.stories):,} selected stories")
        self.only_chosen.setAccessibleName(f"Only the {len(self.stories):,} selected stories")
        self.only_chosen.setVisible(True)
        self.only_chosen.setChecked(True)  # plans again, for them
        self.only_chosen.setFocus()

    def chosen_ids(self) -> list[str]:
        return [story_id for story_id, _ in self.stories]
