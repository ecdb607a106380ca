"""Asking before anything that cannot be undone: the safe choice is the default."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from storykeeper.gui.widgets.modal import run_modal


def confirm_destructive(parent: QWidget, title: str, text: str, act: str, keep: str) -> bool:
    """True only if the person chose ``act``; Enter and Esc both keep things as they are."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    # Mnemonics (Alt+D, Alt+K) so the choice is as quick from the keyboard as with a mouse.
    do_it = box.addButton(f"&{act}", QMessageBox.ButtonRole.DestructiveRole)
    keep_it = box.addButton(f"&{keep}", QMessageBox.ButtonRole.RejectRole)
    do_it.setAccessibleName(act)
    keep_it.setAccessibleName(keep)
    box.setDefaultButton(keep_it)
    box.setEscapeButton(keep_it)
    run_modal(box)
    return box.clickedButton() is do_it
