"""Earlier versions of a story, to look back at what was written before."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import stories
from storykeeper.gui.context import AppContext
from storykeeper.gui.ops import stories as story_ops


class HistoryDialog(QDialog):
    def __init__(self, context: AppContext, story_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Earlier versions")
        self.resize(900, 600)
        self._versions: list[stories.StoryVersion] = []
        self.versions = QListWidget()
        self.versions.setAccessibleName("Saved versions, newest first")
        self.title = QLabel()
        self.title.setAccessibleName("Title of this version")
        self.title.setWordWrap(True)
        self.words = QPlainTextEdit()
        self.words.setReadOnly(True)
        self.words.setAccessibleName("Their words in this version")
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName("Recorder’s notes in this version")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(QLabel("In their own words:"))
        right.addWidget(self.words, 3)
        right.addWidget(QLabel("Recorder’s notes:"))
        right.addWidget(self.notes, 1)
        body = QHBoxLayout()
        body.addWidget(self.versions, 1)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Each line is the story as it was saved at that time. Choose one to read it.")
        )
        layout.addLayout(body)
        layout.addWidget(buttons)
        self.versions.currentRowChanged.connect(self._show)
        context.tasks.read(partial(story_ops.story_versions, story_id=story_id), self._loaded)

    def _loaded(self, versions: list[stories.StoryVersion]) -> None:
        self._versions = versions
        for version in versions:
            when = version.saved_at.astimezone().strftime("%d %b %Y, %H:%M")
            self.versions.addItem(f"{when} — revision {version.revision} — {version.actor}")
        if versions:
            self.versions.setCurrentRow(0)
        self.versions.setFocus()

    def _show(self, row: int) -> None:
        if 0 <= row < len(self._versions):
            version = self._versions[row]
            self.title.setText(f"<b>{version.title or '(untitled)'}</b>")
            self.words.setPlainText(version.own_words)
            self.notes.setPlainText(version.recorder_notes)
