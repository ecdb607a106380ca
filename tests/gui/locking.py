"""Helpers for the app lock's tests: encrypted stores made as a person's first start makes them,
what a screen shows (walked widget by widget), and typing at the lock screen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.core.store_keys import NewStoreKey, StoreKeys
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import DataPaths

PASSPHRASE = "blackberries by the canal"  # noqa: S105 (the test stores' own)


@contextmanager
def encrypted_store(
    paths: DataPaths, *, passphrase: str | None = PASSPHRASE, use_keyring: bool = False
) -> Iterator[tuple[Store, NewStoreKey]]:
    """A new encrypted store, its key kept as asked (a passphrase, the keyring or both)."""
    made = StoreKeys(paths.data_dir).create(passphrase=passphrase, use_keyring=use_keyring)
    with Store.open(paths, store_key=made.store_key) as store:
        yield store, made


def _model_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    texts: list[str] = []
    for row in range(model.rowCount(QModelIndex())):
        for column in range(model.columnCount(QModelIndex())):
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if value:
                    texts.append(str(value))
    return texts


def shown_texts() -> list[str]:
    """Every text a person (or a screen reader) can meet in any visible window now: titles,
    labels, buttons, fields, lists' rows, tool tips and accessible names."""
    texts: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        texts.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
            if isinstance(widget, QLabel | QAbstractButton):
                texts.append(widget.text())
            elif isinstance(widget, QLineEdit):
                texts += [widget.text(), widget.placeholderText()]
            elif isinstance(widget, QPlainTextEdit | QTextEdit):
                texts.append(widget.toPlainText())
            elif isinstance(widget, QAbstractItemView):
                texts += _model_texts(widget)
    return [text for text in texts if text]


def type_and_enter(qtbot: QtBot, window: MainWindow, typed: str) -> None:
    """Type at the lock screen, where the keyboard is, and press Enter."""
    screen = window.app_lock.lock_screen
    assert screen is not None
    qtbot.waitUntil(lambda: screen.secret.hasFocus() or screen.unlock_button.hasFocus())
    target = QApplication.focusWidget()
    assert target is not None
    if typed:
        qtbot.keyClicks(target, typed)
    qtbot.keyClick(target, Qt.Key.Key_Return)
