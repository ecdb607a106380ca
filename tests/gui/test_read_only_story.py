"""An imported story is read-only: nothing offers to change it, and what it holds is readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.gui.main_window import MainWindow
from tests.gui.imported_stories import imported_story_with_a_recording


def test_mark_this_moment_is_off_on_an_imported_story_and_says_why(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story = imported_story_with_a_recording(window.context.store, tmp_path)
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    panel = window.editor.recorder
    qtbot.waitUntil(lambda: panel.list.count() == 1)
    assert window.editor.read_only
    assert not panel.mark_button.isEnabled()
    why = "came from another computer"
    assert why in panel.mark_button.toolTip()
    assert why in panel.mark_button.accessibleDescription()
    notes_before = window.editor.form.notes.toPlainText()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.editor.form.notes.setFocus()
    qtbot.keyClick(window.editor.form.notes, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.form.notes.toPlainText() == notes_before


def relative_luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast_ratio(one: QColor, other: QColor) -> float:
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("high_contrast", [False, True])
def test_an_imported_story_s_values_are_readable(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, high_contrast: bool
) -> None:
    window.context.set_high_contrast(high_contrast)
    story = imported_story_with_a_recording(window.context.store, tmp_path)
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    form = window.editor.form
    themes = list(window.editor.themes_box.boxes.values())
    assert themes
    qtbot.waitUntil(lambda: all(theme.isVisible() for theme in themes))
    values: list[QWidget] = [
        form.supporter,
        form.setting,
        form.how_told,
        form.language,
        form.status,
        form.told_on,
        *form.told_on.findChildren(QWidget),
        *themes,
    ]
    checked = 0
    for value in values:
        if value.isEnabled() or not value.isVisible():
            continue
        checked += 1
        palette = value.palette()
        group = QPalette.ColorGroup.Disabled
        text = palette.color(group, value.foregroundRole())
        background = palette.color(group, value.backgroundRole())
        ratio = contrast_ratio(text, background)
        name = value.accessibleName() or type(value).__name__
        # The normal text colour: not greyed out as an unavailable control is.
        normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text)
        assert text == normal, f"{name}: {text.name()}, not the normal {normal.name()}"
        assert ratio >= 4.5, f"{name}: {text.name()} on {background.name()} is {ratio:.2f}:1"
    # Every value of the story was measured: the five choices, the date and each theme.
    assert checked >= 6 + len(themes)
