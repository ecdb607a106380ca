"""The preview of the chosen photo in the photos and documents panel.

The picture is decoded and scaled off the GUI thread (``thumbnail.load_thumbnail``, through the
task runner's pool); a newer choice makes any preview still being made for an older one stale.
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from storykeeper.core.attachments import Attachment, MediaStore
from storykeeper.core.vocabulary import AttachmentKind
from storykeeper.gui.tasks import TaskRunner
from storykeeper.gui.widgets.thumbnail import load_thumbnail

#: The preview's box, in lines of text, so it grows with the text size.
PREVIEW_LINES = (16, 11)  # width, height


#: The picture's name for a screen reader while nobody has described it.
NOT_DESCRIBED = "Photo, no description yet"
#: The preview's name when no photo is chosen.
PREVIEW_NAME = "Preview of the chosen photo"


def spoken_name(attachment: Attachment) -> str:
    """What a screen reader calls the picture: its caption, or that it has none yet."""
    return attachment.caption or NOT_DESCRIBED


class AttachmentPreview(QLabel):
    """Shows the chosen photo, scaled to fit; for anything else, says why there is no preview."""

    #: The preview shows the attachment now (or says why it cannot): the attachment's id.
    shown = Signal(str)

    def __init__(self, tasks: TaskRunner, media: MediaStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._media = media
        self._request = 0
        #: The attachment shown or being made ready (None: none yet).
        self._previewed: str | None = None
        self.setAccessibleName(PREVIEW_NAME)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)

    def box(self) -> QSize:
        """The room a preview may take, at the text size now."""
        line = self.fontMetrics().lineSpacing()
        return QSize(PREVIEW_LINES[0] * line, PREVIEW_LINES[1] * line)

    def fit_to_text_size(self) -> None:
        box = self.box()
        self.setMinimumSize(QSize(box.width() // 2, box.height() // 2))
        self.setMaximumSize(box + QSize(8, 8))

    def show_attachment(self, attachment: Attachment | None, again: bool = False) -> None:
        """Preview ``attachment`` (None: nothing chosen); ``again`` makes it anew (at a new
        size) even when it is the one shown already."""
        # Before anything else: a caption just written changes the name of the same picture.
        if attachment is not None and attachment.kind is AttachmentKind.PHOTO:
            self.setAccessibleName(spoken_name(attachment))
        else:
            self.setAccessibleName(PREVIEW_NAME)
        if not again and attachment is not None and attachment.id == self._previewed:
            return  # the same file is still chosen (the list was reloaded around it)
        self._previewed = attachment.id if attachment else None
        self._request += 1
        request = self._request
        self.setPixmap(QPixmap())
        self.setAccessibleDescription("")
        if attachment is None:
            self.setText("Choose a photo to see it here.")
            return
        if attachment.kind is not AttachmentKind.PHOTO:
            self.setText(
                f"No preview for {attachment.kind.label.lower()}s: save a copy (Alt+Y) to open "
                "it with another program."
            )
            self.shown.emit(attachment.id)
            return
        self.setText("Making the preview…")
        self._tasks.run(
            partial(load_thumbnail, partial(self._media.open, attachment.sha256), self.box()),
            on_done=lambda image: self._ready(request, attachment, image),
            on_error=lambda _error: self._ready(request, attachment, None),
        )

    def _ready(self, request: int, attachment: Attachment, image: QImage | None) -> None:
        if not shiboken6.isValid(self) or request != self._request:
            return
        if image is None:
            self.setText(
                f"No preview: “{attachment.original_name}” could not be read as a picture. "
                "“Check this computer’s stories” (Story menu) says whether the file is damaged."
            )
        else:
            self.setPixmap(QPixmap.fromImage(image))
            self.setAccessibleDescription(
                f"{attachment.original_name}, {image.width()} by {image.height()} pixels"
            )
        self.shown.emit(attachment.id)
