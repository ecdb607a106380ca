"""What the photos panel and the recorder share about attached files: the files a drag carries,
one line describing an attachment, the question before removing one, and where to save a copy.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtWidgets import QFileDialog, QWidget

from storykeeper.core.attachments import Attachment, size_in_words
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.widgets.modal import give_keyboard_back


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders a drag carries (web addresses are left out)."""
    if mime is None or not mime.hasUrls():
        return []
    urls: list[QUrl] = mime.urls()
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]


def describe(attachment: Attachment) -> str:
    """One line of the list: the name, then what it is and how big, in words; then what it
    shows, when someone has described it."""
    line = f"{attachment.original_name} — {attachment.kind.label}, {size_in_words(attachment.size)}"
    return f"{line} — “{attachment.caption}”" if attachment.caption else line


def confirm_removal(parent: QWidget, attachment: Attachment) -> bool:
    """Asked before an attachment is removed; Enter and Esc keep it."""
    return confirm_destructive(
        parent,
        "Remove from this story",
        f"Remove “{attachment.original_name}” from this story?\n\nThe file is deleted from "
        "this computer, unless another story uses it too. This cannot be undone.",
        act="Remove it",
        keep="Keep it",
    )


def choose_copy_target(parent: QWidget, attachment: Attachment, folder: Path) -> Path | None:
    """Where to save a copy of ``attachment`` (None: the person changed their mind)."""
    # Only the name: a name that came in a bundle must not choose the folder.
    name = Path(attachment.original_name).name or "attachment"
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        f"Save a copy of “{attachment.original_name}”",
        str(folder / name),
        options=QFileDialog.Option.DontUseNativeDialog,
    )
    give_keyboard_back(parent)
    return Path(chosen) if chosen else None
