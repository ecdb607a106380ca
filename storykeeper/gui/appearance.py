"""Text size and the program's own high-contrast theme.

Both are applied to the whole application, so every window and dialog follows. Nothing in the
program relies on colour alone: states are always written in words too.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

#: Comfortable reading size at 100%: never smaller than this, whatever the desktop says.
BASE_POINT_SIZE = 11.0

CALM_STYLE = """
QPlainTextEdit, QLineEdit, QComboBox, QDateEdit, QListWidget, QTableView {
    border: 1px solid #8a8478; border-radius: 3px; padding: 3px;
}
QPlainTextEdit:focus, QLineEdit:focus, QComboBox:focus, QDateEdit:focus, QListWidget:focus,
QTableView:focus, QPushButton:focus, QCheckBox:focus, QToolButton:focus {
    border: 2px solid #1f5fa8;
}
QPushButton { padding: 5px 12px; }
QLabel[role="heading"] { font-weight: bold; }
QLabel[role="saved-state"] { font-weight: bold; }
"""

# Yellow focus rings and white borders on black: WCAG AAA contrast for text and focus.
HIGH_CONTRAST_STYLE = """
QWidget { background: #000000; color: #ffffff; }
QPlainTextEdit, QLineEdit, QComboBox, QDateEdit, QListWidget, QTableView, QPushButton,
QToolButton, QCheckBox::indicator, QRadioButton::indicator {
    border: 2px solid #ffffff; border-radius: 3px; padding: 3px;
}
QPlainTextEdit:focus, QLineEdit:focus, QComboBox:focus, QDateEdit:focus, QListWidget:focus,
QTableView:focus, QPushButton:focus, QCheckBox:focus, QToolButton:focus {
    border: 4px solid #ffd700;
}
QCheckBox:focus, QRadioButton:focus { border: 2px dashed #ffd700; }
QPushButton { padding: 5px 12px; }
QHeaderView::section { background: #000000; color: #ffffff; border: 1px solid #ffffff; }
QTableView { gridline-color: #ffffff; selection-background-color: #ffd700;
             selection-color: #000000; }
QMenuBar::item:selected, QMenu::item:selected { background: #ffd700; color: #000000; }
QLabel[role="heading"], QLabel[role="saved-state"] { font-weight: bold; }
/* "color" above would paint disabled text white too: grey, and a dashed border, not colour alone */
QWidget:disabled { color: #b0b0b0; }
QPushButton:disabled, QComboBox:disabled { border: 2px dashed #b0b0b0; }
/* The recorder's level meter and the player's position, drawn so they show on black */
QProgressBar { border: 2px solid #ffffff; border-radius: 3px; background: #000000; }
QProgressBar::chunk { background: #ffd700; }
QSlider::groove:horizontal { border: 2px solid #ffffff; height: 8px; background: #000000; }
QSlider::sub-page:horizontal { background: #ffffff; }
QSlider::handle:horizontal {
    background: #ffd700; border: 2px solid #ffffff; width: 18px; margin: -8px 0;
}
QSlider:focus { border: 2px dashed #ffd700; }
"""


#: Set on a control that shows a value which cannot be changed here (an imported story's).
READ_ONLY_VALUE = "readOnlyValue"

# A value that cannot be changed is still something to read: the normal text colour on a
# subtle background, rather than the faint grey of an unavailable control (issue 20).
CALM_READ_ONLY = """
*[readOnlyValue="true"]:disabled { color: #000000; background: #ebe7de; }
"""
HIGH_CONTRAST_READ_ONLY = """
*[readOnlyValue="true"]:disabled {
    color: #ffffff; background: #1a1a1a; border: 2px dashed #ffffff;
}
"""


def show_read_only(widget: QWidget, read_only: bool) -> None:
    """Make ``widget`` unavailable for changes while its value stays readable."""
    widget.setProperty(READ_ONLY_VALUE, read_only)
    widget.setEnabled(not read_only)
    # A property selector is matched when the widget is polished: polish it again.
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def high_contrast_palette() -> QPalette:
    palette = QPalette()
    black, white, yellow = QColor("#000000"), QColor("#ffffff"), QColor("#ffd700")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Window, black)
        palette.setColor(group, QPalette.ColorRole.WindowText, white)
        palette.setColor(group, QPalette.ColorRole.Base, black)
        palette.setColor(group, QPalette.ColorRole.AlternateBase, QColor("#1a1a1a"))
        palette.setColor(group, QPalette.ColorRole.Text, white)
        palette.setColor(group, QPalette.ColorRole.Button, black)
        palette.setColor(group, QPalette.ColorRole.ButtonText, white)
        palette.setColor(group, QPalette.ColorRole.Highlight, yellow)
        palette.setColor(group, QPalette.ColorRole.HighlightedText, black)
        palette.setColor(group, QPalette.ColorRole.ToolTipBase, black)
        palette.setColor(group, QPalette.ColorRole.ToolTipText, white)
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, QColor("#d0d0d0"))
        palette.setColor(group, QPalette.ColorRole.Link, QColor("#80d8ff"))
    grey = QColor("#b0b0b0")
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, grey)
    return palette


def calm_palette() -> QPalette:
    palette = QStyleFactory.create("Fusion").standardPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f6f4ef"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1f5fa8"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#5f5a50"))
    return palette


def indicator_style(text_scale: int) -> str:
    """Check boxes and round choices drawn by the style sheet, sized with the text.

    Once the high-contrast sheet gives them a border, Qt no longer draws their tick or dot: a
    chosen one is filled in yellow inside a thick border instead, so it shows without colour too.
    """
    side = round(BASE_POINT_SIZE * text_scale / 100 * 1.5)
    return (
        f"QCheckBox::indicator, QRadioButton::indicator {{ width: {side}px; height: {side}px; "
        "padding: 0; }\n"
        f"QRadioButton::indicator {{ border-radius: {side // 2 + 2}px; }}\n"
        "QCheckBox::indicator:checked, QRadioButton::indicator:checked "
        "{ background: #ffd700; border: 4px solid #ffffff; }\n"
    )


def apply_appearance(app: QApplication, text_scale: int, high_contrast: bool) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    font = QFont(app.font())
    font.setPointSizeF(BASE_POINT_SIZE * text_scale / 100)
    app.setFont(font)
    app.setPalette(high_contrast_palette() if high_contrast else calm_palette())
    app.setStyleSheet(
        HIGH_CONTRAST_STYLE + indicator_style(text_scale) + HIGH_CONTRAST_READ_ONLY
        if high_contrast
        else CALM_STYLE + CALM_READ_ONLY
    )
