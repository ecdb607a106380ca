"""Dropping files on a widget as a file manager would: a drag entering, then the drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget


def dragged(*paths: Path, remote: str | None = None) -> QMimeData:
    """What a file manager puts in a drag: the files' URLs, and perhaps one not on this disk."""
    mime = QMimeData()
    urls = [QUrl.fromLocalFile(str(p)) for p in paths]
    if remote is not None:
        urls.append(QUrl(remote))
    mime.setUrls(urls)
    return mime


def drag_and_drop(target: QWidget, mime: QMimeData) -> tuple[bool, bool]:
    """Whether ``target`` accepted the drag as it entered, and the drop."""
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        QPoint(5, 5), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    enter.ignore()
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(
        QPoint(5, 5), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    drop.ignore()
    QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()
