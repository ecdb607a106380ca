"""The caption of the chosen photo or document, in the photos and documents panel (issue 20).

One line under the list: what the picture shows, in the advocate's words. Screen readers read it
out as the picture's name (``attachment_preview.spoken_name``). It is saved when the person
presses Enter or leaves the field, like the story's own fields, through the serial writer; it
stays on this computer (bundles do not carry it) and is no new revision of the story, so the
editor's saves are not involved. An imported story's captions are read-only, as its files are.
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from storykeeper.core.attachments import Attachment
from storykeeper.core.captions import CAPTION_MAX, Captioned
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_errors import not_written
from storykeeper.gui.ops import captions as caption_ops

#: Goes to the field from anywhere in the story page (no Alt key: the editor's are all taken).
CAPTION_KEY = "Ctrl+Shift+D"
#: What to do when another Storykeeper held the store: the words stay in the field.
RETRY = "Press Enter in it again in a moment."
PLACEHOLDER = "What does it show? Screen readers read this out for people who cannot see it."


class CaptionField(QWidget):
    """The chosen attachment's caption: shown, edited, saved on Enter or on leaving."""

    #: A caption was saved (the attachment's id); or could not be (the reason, in words).
    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        #: The attachment whose caption is shown, and its caption as the store has it.
        self.attachment: Attachment | None = None
        self._stored = ""
        self._read_only = False
        #: The window whose closing saves what is typed first (see eventFilter).
        self._watched: QWidget | None = None
        self.edit = QLineEdit()
        self.edit.setMaxLength(CAPTION_MAX)
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setAccessibleName("Description of the chosen photo or document")
        self.edit.setAccessibleDescription(
            "Saved when you press Enter or leave the field; read out as the picture's name."
        )
        label = QLabel(f"Description ({CAPTION_KEY}):")
        label.setBuddy(self.edit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)
        self.edit.editingFinished.connect(self.save)
        self.show_attachment(None, read_only=False)

    def show_attachment(self, attachment: Attachment | None, read_only: bool) -> None:
        """Show ``attachment``'s caption (None: nothing chosen). Typing not saved yet for the same
        attachment stays: the list is shown again after every change, this one's too."""
        same = attachment is not None and self.attachment is not None
        same = same and attachment.id == self.attachment.id  # type: ignore[union-attr]
        typing = same and self.edit.text() != self._stored
        self.attachment = attachment
        self._read_only = read_only
        self._stored = attachment.caption if attachment else ""
        if not typing:
            self.edit.setText(self._stored)
        self.edit.setEnabled(attachment is not None)
        self.edit.setReadOnly(read_only)
        self.edit.setPlaceholderText(
            "" if attachment is None else "No description" if read_only else PLACEHOLDER
        )

    def save(self) -> None:
        """Save what is typed, when it differs from what the store has."""
        attachment = self.attachment
        caption = self.edit.text()
        kept = " ".join(caption.split())  # as the store keeps it: one line, trimmed
        if attachment is None or self._read_only or kept == self._stored:
            return
        before, self._stored = self._stored, kept
        self.context.tasks.write(
            partial(caption_ops.set_caption, attachment_id=attachment.id, caption=caption),
            on_done=self._saved,
            on_error=partial(self._failed, attachment.id, before),
            changes=caption_ops.captioned_changes,
        )

    def _saved(self, result: Captioned) -> None:
        if shiboken6.isValid(self):
            self.saved.emit(result.attachment.id)

    def _failed(self, attachment_id: str, before: str, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if self.attachment is not None and self.attachment.id == attachment_id:
            self._stored = before  # not saved: the words stay in the field, to try again
        why = not_written(error, self.context.paths, RETRY)
        self.failed.emit(f"The description was not saved. {why}")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self._watched:
            window.installEventFilter(self)
            self._watched = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            # Before the window's own close shuts the store: words typed and not yet saved
            # (quitting straight from the field) are queued first, and the close waits for them.
            self.save()
        return False

    def focus(self) -> None:
        if self.edit.isEnabled():
            self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.edit.selectAll()
