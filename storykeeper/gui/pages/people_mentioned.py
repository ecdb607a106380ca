"""The story page's "People mentioned" section, and the way to see what will leave.

Stories name other people ("my neighbour Tom Price takes me in his car"). The advocate lists
each one with a role; without consent to publish names, every export puts the role in brackets
in place of the name ("[a neighbour]"). "Find names in the text" offers the name-like words of
the story (``mentioned.suggest_names``) for the advocate to confirm; nothing is added unasked.
"What will leave" shows the story beside exactly what an export would carry.

Every change replaces the list in the store at once (``gui/ops/mentioned``); the section reads
the list again when the story changes elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import mentioned
from storykeeper.core.display import neutralised
from storykeeper.core.mentioned import PersonMentioned
from storykeeper.core.stories import Story, StoryFields
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.people_mentioned import PersonDialog, SuggestedNamesDialog
from storykeeper.gui.dialogs.what_will_leave import WhatWillLeaveDialog
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import mentioned as mentioned_ops
from storykeeper.gui.ops.changes import Kind, concerns
from storykeeper.gui.ops.mentioned import LeavePreview
from storykeeper.gui.widgets.modal import run_modal

#: Keys that work wherever the focus is on the story page.
ADD_PERSON_KEY = "Ctrl+Shift+P"
FIND_NAMES_KEY = "Ctrl+Shift+F"
WHAT_WILL_LEAVE_KEY = "Ctrl+Shift+L"


class PeopleMentionedSection(QGroupBox):
    def __init__(
        self,
        context: AppContext,
        collect: Callable[[], StoryFields],
        parent: QWidget | None = None,
    ) -> None:
        """``collect``: the story's fields as typed on the page, saved or not."""
        super().__init__("People mentioned", parent)
        self.context = context
        self.collect = collect
        self.story_id: str | None = None
        self.storyteller_name = ""
        self.read_only = False
        self.people: list[PersonMentioned] = []
        explain = QLabel(
            "Other people the story names. Unless the consent allows names, each leaves this "
            "computer as their role in brackets, such as “[her daughter]”."
        )
        explain.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Name as written", "Role, shown instead"])
        self.table.setAccessibleName("People mentioned")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setMaximumHeight(180)
        self.add_button = QPushButton("Add a person…")
        self.add_button.setAccessibleName("Add a person the story mentions")
        self.add_button.setToolTip(f"Add a person the story names ({ADD_PERSON_KEY})")
        self.change_button = QPushButton("Change…")
        self.change_button.setAccessibleName("Change the chosen person")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the chosen person from the list")
        self.find_button = QPushButton("Find names in the text…")
        self.find_button.setAccessibleName("Find names in the story’s words")
        self.find_button.setToolTip(f"Offer the names the story’s words contain ({FIND_NAMES_KEY})")
        self.leave_button = QPushButton("What will leave…")
        self.leave_button.setAccessibleName("See what will leave this computer for this story")
        self.leave_button.setToolTip(
            f"The story beside exactly what an export would send ({WHAT_WILL_LEAVE_KEY})"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("People mentioned status")
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.table)
        # Two rows, so that all stay on screen at twice the text size.
        for row in (
            (self.add_button, self.change_button, self.remove_button),
            (self.find_button, self.leave_button),
        ):
            buttons = QHBoxLayout()
            for button in row:
                buttons.addWidget(button)
            buttons.addStretch()
            layout.addLayout(buttons)
        layout.addWidget(self.message)

        self.add_button.clicked.connect(self.add_person)
        self.change_button.clicked.connect(self.change_person)
        self.remove_button.clicked.connect(self.remove_person)
        self.find_button.clicked.connect(self.find_names)
        self.leave_button.clicked.connect(self.what_will_leave)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.activated.connect(lambda _index: self.change_person())
        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_person)
        context.tasks.changed.connect(self._records_changed)
        self._update_buttons()

    def install_shortcuts(self, scope: QWidget) -> None:
        """The section's keys, wherever the focus is inside ``scope`` (the story page)."""
        for keys, slot in (
            (ADD_PERSON_KEY, self.add_person),
            (FIND_NAMES_KEY, self.find_names),
            (WHAT_WILL_LEAVE_KEY, self.what_will_leave),
        ):
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- what is shown ---------------------------------------------------------------------

    def show_story(self, story: Story, read_only: bool) -> None:
        if story.id != self.story_id:
            self.people = []
            self._fill()
            self.message.clear()
        self.story_id = story.id
        self.storyteller_name = story.storyteller.name
        self.read_only = read_only
        self._load()

    def _load(self) -> None:
        story_id = self.story_id
        if story_id is None:
            return

        def loaded(people: list[PersonMentioned]) -> None:
            # An answer that arrives after the window closed finds no table to fill.
            if shiboken6.isValid(self.table) and story_id == self.story_id:
                self.people = people
                self._fill()

        self.context.tasks.read(
            partial(mentioned_ops.people_mentioned, story_id=story_id),
            on_done=loaded,
            on_error=self._failed,
        )

    def _records_changed(self, kind: str, ids: frozenset[str]) -> None:
        if concerns(kind, ids, Kind.STORIES, self.story_id):
            self._load()

    def _fill(self) -> None:
        chosen = self.table.currentRow()
        self.table.setRowCount(len(self.people))
        for row, person in enumerate(self.people):
            for column, text in enumerate((person.name, person.role)):
                self.table.setItem(row, column, QTableWidgetItem(neutralised(text)))
        if self.people:
            self.table.selectRow(min(max(chosen, 0), len(self.people) - 1))
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.table.currentRow() >= 0 and bool(self.people)
        for button in (self.add_button, self.find_button):
            button.setVisible(not self.read_only)
        for button in (self.change_button, self.remove_button):
            button.setVisible(not self.read_only)
            button.setEnabled(chosen)

    # --- changing the list -----------------------------------------------------------------

    def add_person(self) -> None:
        if self.story_id is None or self.read_only:
            return
        dialog = PersonDialog(parent=self)
        if run_modal(dialog):
            self._save([*self.people, dialog.person()], "Added to the people mentioned.")

    def change_person(self) -> None:
        row = self.table.currentRow()
        if self.story_id is None or self.read_only or not 0 <= row < len(self.people):
            return
        dialog = PersonDialog(self.people[row], parent=self)
        if run_modal(dialog):
            people = list(self.people)
            people[row] = dialog.person()
            self._save(people, "Changed.")

    def remove_person(self) -> None:
        row = self.table.currentRow()
        if self.story_id is None or self.read_only or not 0 <= row < len(self.people):
            return
        self._save(self.people[:row] + self.people[row + 1 :], "Removed from the list.")

    def find_names(self) -> None:
        if self.story_id is None or self.read_only:
            return
        typed = self.collect()
        known = [p.name for p in self.people] + [self.storyteller_name]
        names = mentioned.suggest_names((typed.title, typed.own_words, typed.recorder_notes), known)
        if not names:
            self.message.setText("No new names found in the story’s words.")
            return
        dialog = SuggestedNamesDialog(names, parent=self)
        if run_modal(dialog) and dialog.chosen():
            chosen = dialog.chosen()
            self._save([*self.people, *chosen], f"Added {len(chosen)} to the people mentioned.")

    def _save(self, people: list[PersonMentioned], done: str) -> None:
        story_id = self.story_id
        if story_id is None:
            return

        def saved(kept: list[PersonMentioned]) -> None:
            if shiboken6.isValid(self.table) and story_id == self.story_id:
                self.people = kept
                self._fill()
                self.message.setText(done)

        self.message.setText("Saving…")
        self.context.tasks.write(
            partial(mentioned_ops.save_people_mentioned, story_id=story_id, people=people),
            on_done=saved,
            on_error=self._failed,
            changes=mentioned_ops.saved_changes(story_id),
        )

    def _failed(self, error: BaseException, doing: str = "Not saved: ") -> None:
        if not shiboken6.isValid(self.message):
            return
        self.message.setText(doing + plain_error(error, self.context.paths))

    # --- what will leave -------------------------------------------------------------------

    def what_will_leave(self) -> None:
        story_id = self.story_id
        if story_id is None:
            return
        typed = None if self.read_only else self.collect()
        self.context.tasks.read(
            partial(mentioned_ops.what_will_leave, story_id=story_id, typed=typed),
            on_done=self._show_preview,
            on_error=partial(self._failed, doing="Cannot show what will leave: "),
        )

    def _show_preview(self, preview: LeavePreview) -> None:
        if not shiboken6.isValid(self):
            return
        run_modal(WhatWillLeaveDialog(preview, self.window()))
