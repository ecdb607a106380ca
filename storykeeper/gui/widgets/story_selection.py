"""Several stories chosen together in the list (issue 20): how many, and exporting or deleting
them at once.

The list selects as lists do: Shift with the arrows or a click extends, Ctrl with a click (or
Ctrl+Space) adds or takes one away, Ctrl+A chooses every story that matches (the view loads the
rest first, ``StoryTableView``). With two or more chosen, the line under the list says how many,
the table's name says so to a screen reader, and two buttons appear: "Export the N selected…"
opens the export dialog limited to them, and "Delete the N selected…" asks once, naming how many
and that it cannot be undone, then deletes them in one write (``gui.ops.several``), with
progress, the window staying free meanwhile. One story chosen keeps the single-story ways
(Enter, Delete, Ctrl+E).
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from storykeeper.core.display import neutralised
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.dialogs.consent_errors import not_written
from storykeeper.gui.dialogs.export_several import ExportSelectedDialog
from storykeeper.gui.models.story_table import StoryTableModel
from storykeeper.gui.ops import several as several_ops
from storykeeper.gui.ops.several import DeletedSeveral
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import run_modal

#: The table's name for a screen reader when no more than one story is chosen.
TABLE_NAME = "Stories"
#: Titles named in the question before deleting; the rest are counted.
TITLES_NAMED = 3


class _Progress(QObject):
    """Emitted from the writer's thread; Qt queues it to the GUI thread."""

    advanced = Signal(int, int)


def _stories(count: int) -> str:
    return f"{count:,} {'story' if count == 1 else 'stories'}"


def _titles(chosen: list[tuple[str, str]]) -> str:
    """“The bus”, “Tuesdays”, “The mill” and 5 other stories."""
    named = [
        f"“{neutralised(title)}”" if title.strip() else "an untitled story" for _, title in chosen
    ]
    shown, rest = named[:TITLES_NAMED], len(named) - TITLES_NAMED
    if rest > 0:
        return ", ".join(shown) + f" and {rest:,} other {'story' if rest == 1 else 'stories'}"
    return ", ".join(shown[:-1]) + f" and {shown[-1]}"


class StorySelection(QWidget):
    """The line under the story list: the count, what is chosen, and what to do with it."""

    def __init__(
        self,
        context: AppContext,
        table: QAbstractItemView,
        model: StoryTableModel,
        count_label: QLabel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.table = table
        self.model = model
        self._busy = False
        #: What the last deletion came to: said until someone chooses stories again (the list
        #: reloads after it, and a reload empties the selection).
        self._said = ""
        self._progress = _Progress(self)
        self.chosen_label = QLabel()
        self.chosen_label.setAccessibleName("Stories selected")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Deleting the selected stories")
        self.progress.hide()
        self.export_button = QPushButton()
        self.delete_button = QPushButton()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(count_label)
        row.addWidget(self.chosen_label)
        row.addStretch()
        row.addWidget(self.progress)
        row.addWidget(self.export_button)
        row.addWidget(self.delete_button)

        table.selectionModel().selectionChanged.connect(self._chosen_again)
        model.modelReset.connect(self._update)  # a reset drops the selection without a word
        self.export_button.clicked.connect(self.export)
        self.delete_button.clicked.connect(self.delete)
        self._progress.advanced.connect(self._advanced)
        self._update()

    def chosen(self) -> list[tuple[str, str]]:
        """The stories chosen (id, title), in the list's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        summaries = [self.model.summary(row) for row in rows]
        return [(s.id, s.title) for s in summaries if s is not None]

    def several(self) -> bool:
        """Whether two or more stories are chosen (one is the single-story ways' business)."""
        return len(self.table.selectionModel().selectedRows()) >= 2

    def _chosen_again(self) -> None:
        if self.table.selectionModel().hasSelection():
            self._said = ""
        self._update()

    def _update(self) -> None:
        count = len(self.table.selectionModel().selectedRows())
        several = count >= 2
        self.table.setAccessibleName(f"{TABLE_NAME}, {count:,} selected" if several else TABLE_NAME)
        if not self._busy:
            self.chosen_label.setText(f"· {count:,} selected" if several else self._said)
        self.export_button.setText(f"&Export the {count:,} selected…")
        self.export_button.setAccessibleName(f"Export the {count:,} selected stories")
        self.delete_button.setText(f"&Delete the {count:,} selected…")
        self.delete_button.setAccessibleName(f"Delete the {count:,} selected stories")
        for button in (self.export_button, self.delete_button):
            button.setVisible(several)
            button.setEnabled(not self._busy)

    # --- exporting ---------------------------------------------------------------------------

    def export(self) -> None:
        chosen = self.chosen()
        if len(chosen) >= 2 and not self._busy:
            run_modal(ExportSelectedDialog(self.context, self.window(), chosen))

    # --- deleting ----------------------------------------------------------------------------

    def delete(self) -> None:
        chosen = self.chosen()
        if len(chosen) < 2 or self._busy:
            return
        count = _stories(len(chosen))
        if not confirm_destructive(
            self.window(),
            "Delete stories",
            f"Delete these {count}: {_titles(chosen)}?\n\nTheir words, notes and attachments "
            "are removed from this computer. A record that each existed is kept, and each "
            "deletion is written in the audit log. This cannot be undone.",
            act=f"Delete {count}",
            keep="Keep them",
        ):
            self.table.setFocus()
            return
        self._busy = True
        self.progress.setRange(0, len(chosen))
        self.progress.setValue(0)
        self.progress.show()
        self.chosen_label.setText(f"· Deleting {count}…")
        self._update()
        self.context.tasks.write(
            partial(
                several_ops.delete_stories,
                story_ids=[story_id for story_id, _ in chosen],
                progress=self._progress.advanced.emit,
            ),
            on_done=self._deleted,
            on_error=self._failed,
            changes=DeletedSeveral.changes,
        )

    def _advanced(self, done: int, total: int) -> None:
        if shiboken6.isValid(self) and self._busy:
            self.progress.setValue(done)
            self.chosen_label.setText(f"· Deleting {done:,} of {_stories(total)}…")

    def _deleted(self, result: DeletedSeveral) -> None:
        # Committed: only now may the files no story uses go.
        discard_unused_media(self.context, result.unused_media)
        if not shiboken6.isValid(self):
            return
        said = f"Deleted {_stories(len(result.deleted))}."
        if result.gone:
            said += f" {_stories(result.gone)} had already been deleted elsewhere."
        self._finish(said)
        self.table.setFocus()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        # One write: when it fails, every story is still there.
        # Another Storykeeper holding the store (an import, most likely) passes: said as such.
        said = not_written(error, self.context.paths, "Nothing was deleted: try again in a moment.")
        self._finish(said)
        run_modal(
            QMessageBox(
                QMessageBox.Icon.Warning,
                "Not deleted",
                f"The stories were not deleted. {said}",
                QMessageBox.StandardButton.Ok,
                self.window(),
            )
        )

    def _finish(self, said: str) -> None:
        self._busy = False
        self._said = said
        self.progress.hide()
        self._update()
