"""The recorder's list of a story's recordings, and the player for the one chosen."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import PurePath

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from storykeeper.core.attachments import Attachment, MediaStore
from storykeeper.core.recording_marks import recording_title
from storykeeper.core.vocabulary import AttachmentKind
from storykeeper.gui.widgets.player import RecordingPlayer


def size_words(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, size // 1000)} KB"


class RecordingsList(QWidget):
    """A story's recordings, oldest first; the chosen one is loaded in the player."""

    #: Another recording is chosen (and loaded in the player).
    chosen_changed = Signal()

    def __init__(self, media: MediaStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._media = media
        #: The recordings listed.
        self.attachments: list[Attachment] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Recordings of this story")
        self.list.setMaximumHeight(self.fontMetrics().height() * 6)
        self.empty = QLabel("No recordings yet.")
        self.player = RecordingPlayer()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.empty)
        column.addWidget(self.list)
        column.addWidget(self.player)
        self.list.currentRowChanged.connect(self._chosen)
        self._show_or_hide()

    def show_recordings(self, attachments: Sequence[Attachment], same_story: bool) -> None:
        """List the audio among ``attachments``. Within the same story the one chosen before
        stays chosen (and keeps playing); otherwise the newest is chosen."""
        if not same_story:
            self.player.load(None, "")
        audio = [a for a in attachments if a.kind is AttachmentKind.AUDIO]
        chosen = self._chosen_id()
        self.attachments = audio
        self.list.blockSignals(True)
        self.list.clear()
        for attachment in audio:
            item = QListWidgetItem(
                f"{recording_title(attachment.original_name)} — {size_words(attachment.size)}, "
                f"{attachment.created_at.astimezone():%d %b %Y %H:%M}"
            )
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            self.list.addItem(item)
        ids = [a.id for a in audio]
        row = ids.index(chosen) if chosen in ids else len(ids) - 1
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        if chosen not in ids:
            self._chosen(row)
        self._show_or_hide()

    def chosen(self) -> Attachment | None:
        row = self.list.currentRow()
        return self.attachments[row] if 0 <= row < len(self.attachments) else None

    def titles(self) -> list[str]:
        """ "Recording 1", "Recording 2"…: how marks in the notes name them."""
        return [recording_title(a.original_name) for a in self.attachments]

    def play_from(self, title: str, ms: int) -> None:
        """Choose the recording called ``title`` (one of ``titles()``) and play it from ``ms``."""
        row = self.titles().index(title)
        if self.list.currentRow() != row:
            self.list.setCurrentRow(row)
        self.player.play_from(ms)

    def _chosen_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _chosen(self, row: int) -> None:
        if not 0 <= row < len(self.attachments):
            self.player.load(None, "")
            return
        attachment = self.attachments[row]
        self.player.load(
            partial(self._media.open, attachment.sha256),
            recording_title(attachment.original_name),
            PurePath(attachment.original_name).suffix,
        )
        self.chosen_changed.emit()

    def _show_or_hide(self) -> None:
        for widget in (self.list, self.player):
            widget.setVisible(bool(self.attachments))
        self.empty.setVisible(not self.attachments)
