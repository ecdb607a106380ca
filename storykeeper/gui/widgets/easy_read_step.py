"""One page of an easy-read flow, and the large picture buttons its answers are given with.

Easy read (the accessible-information standard): one idea to a page, short sentences one to a
line, a picture beside the words, large type. The flow decides what the pages say and in what
order; this module only lays a page out the same way every time.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

CALM_CHOICES = """
QPushButton[choice="true"] {
    text-align: left; padding: 8px 18px 8px 8px; border: 2px solid #8a8478; border-radius: 8px;
    background: #ffffff; color: #1b1b1b;
}
QPushButton[choice="true"]:checked {
    border: 5px solid #1f5fa8; background: #dbe8f6; font-weight: bold;
}
QPushButton[choice="true"]:focus { border-style: dashed; }
"""
HIGH_CONTRAST_CHOICES = """
QPushButton[choice="true"] {
    text-align: left; padding: 8px 18px 8px 8px; border: 2px solid #ffffff; border-radius: 8px;
}
QPushButton[choice="true"]:checked {
    border: 6px solid #ffd700; background: #3a3000; font-weight: bold;
}
QPushButton[choice="true"]:focus { border-style: dashed; }
"""


def easy_read_style(base_point_size: float, high_contrast: bool) -> str:
    """The easy-read dialogs' shared style sheet (the consent flow, taking consent back): larger
    than the rest of the program, so it reads comfortably at arm's length, with choices that
    show which one is chosen at any text size."""
    return (
        f'QLabel[role="easy-read-heading"] {{ font-size: {base_point_size * 2.0:.1f}pt; }}'
        'QLabel[role="easy-read-heading"] { font-weight: bold; }'
        f'QLabel[role="easy-read"] {{ font-size: {base_point_size * 1.6:.1f}pt; }}'
        f'QPushButton[choice="true"] {{ font-size: {base_point_size * 1.5:.1f}pt; }}'
        + (HIGH_CONTRAST_CHOICES if high_contrast else CALM_CHOICES)
        + 'QLabel[role="problem"] { font-weight: bold; }'
    )


def fit_easy_read_dialog(dialog: QWidget, width: int, height: int, scale: int) -> None:
    """Size an easy-read dialog for its text size (``scale`` per cent), within the screen."""
    screen = dialog.screen().availableGeometry()
    dialog.resize(
        min(int(width * scale / 100), int(screen.width() * 0.95)),
        min(int(height * scale / 100), int(screen.height() * 0.9)),
    )


def choice_button(text: str, picture: Path | None, icon_size: int) -> QPushButton:
    """A large answer button with its picture: pressed in, it is the chosen answer.

    Buttons rather than radio buttons: the whole picture and its words are one large target,
    and the chosen one shows by a thick border, a fill and bold words, at any text size.
    """
    button = QPushButton(text)
    button.setCheckable(True)
    button.setProperty("choice", True)
    # Enter moves on to the next step; Space (or a click, or Alt+letter) chooses.
    button.setAutoDefault(False)
    button.setAccessibleName(text.replace("&", "").split("\n")[0].strip())
    if picture is not None:
        button.setIcon(QIcon(str(picture)))
        button.setIconSize(QSize(icon_size, icon_size))
    return button


class Step(QWidget):
    """One page of the flow: a picture, a heading, easy-read text, then the step's own controls."""

    def __init__(
        self, key: str, title: str, text: str, picture: Path | None, picture_size: int
    ) -> None:
        super().__init__()
        self.key = key
        self.title = title
        self.text = text
        self.heading = QLabel(title)
        self.heading.setProperty("role", "easy-read-heading")
        self.heading.setWordWrap(True)
        self.words = QLabel(text)
        self.words.setProperty("role", "easy-read")
        self.words.setWordWrap(True)
        self.words.setVisible(bool(text))
        self.picture = QLabel()
        self.picture.setAccessibleName("")  # decoration: the words say the same
        if picture is not None:
            self.picture.setPixmap(QIcon(str(picture)).pixmap(picture_size, picture_size))
        self.picture.setVisible(picture is not None)
        self.problem = QLabel()
        self.problem.setProperty("role", "problem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("What to fix")
        self.problem.hide()
        top = QHBoxLayout()
        top.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.addWidget(self.heading)
        words.addWidget(self.words)
        top.addLayout(words, 1)
        self.body = QVBoxLayout()
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(top)
        column.addLayout(self.body)
        column.addWidget(self.problem)
        self.stretch = QWidget()  # keeps short steps at the top; a step that grows hides it
        column.addWidget(self.stretch, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        #: What "Read aloud" says on this step beyond its heading and text.
        self.spoken_extra: list[str] = []
        #: The control that takes the keyboard when the step is shown.
        self.first: QWidget | None = None
        #: The step's main set of answers, if it has one.
        self.choices: QButtonGroup | None = None

    def speech(self) -> str:
        return "\n".join(part for part in [self.title, self.text, *self.spoken_extra] if part)

    def show_problem(self, message: str, widget: QWidget | None = None) -> None:
        self.problem.setText(message)
        self.problem.show()
        (widget or self.first or self).setFocus()

    def clear_problem(self) -> None:
        self.problem.hide()
