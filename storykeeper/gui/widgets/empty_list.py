"""What the story list shows when it has no stories: what to do next, with buttons.

It depends on what the person does here (the first day's answer, ``GuiSettings.use``): an
advocate is asked to record the first story; a coordinator, who only receives, is asked first
to import the stories sent to them and to share their receiving key — never greeted by the
advocate's screen. A search that matches nothing says how to widen it instead.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from storykeeper.gui.settings import GuiSettings, Use

NOTHING_MATCHES = (
    "No stories match what you searched for.\nTry fewer words, or clear the filters (Alt+L)."
)
#: Before the first day was answered (a data folder from before it was asked, or put off).
NO_STORIES_YET = (
    "Welcome to Storykeeper.\n\n"
    "There are no stories yet. To record the first one, press the button below or Ctrl+N. "
    "You will be asked whose story it is, then you can type their words."
)
WHAT_TO_DO = {
    Use.RECORD: (
        "There are no stories yet.\n\n"
        "To record the first one, press Record the first story or Ctrl+N. You will be asked "
        "whose story it is, then you can type their words; they are saved as you type.\n\n"
        "When stories are ready to send, Exchange → Export a bundle (Ctrl+E) makes a file for "
        "your coordinator."
    ),
    Use.RECEIVE: (
        "No stories have come in yet.\n\n"
        "When an advocate sends you a file of stories (by e-mail or on a memory stick), "
        "press Import stories you received, or Ctrl+I. You can also double-click the file.\n\n"
        "Before they send, share your receiving key with them: only you can open what is sent "
        "with it."
    ),
    Use.BOTH: (
        "There are no stories yet.\n\n"
        "To record one, press Record the first story or Ctrl+N. To bring in stories an "
        "advocate sent you, press Import stories you received, or Ctrl+I."
    ),
}
#: The buttons shown for each answer, first the one to do first.
BUTTONS_SHOWN: dict[Use | None, tuple[str, ...]] = {
    None: ("new",),
    Use.RECORD: ("new",),
    Use.RECEIVE: ("import", "key"),
    Use.BOTH: ("new", "import"),
}


class EmptyList(QWidget):
    """The empty story list's words and buttons; the buttons' signals say what was asked."""

    new_story = Signal()
    import_stories = Signal()
    share_key = Signal()

    def __init__(self, settings: GuiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._filtered = False
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName("No stories")
        self.new_button = QPushButton("Record the first story")
        self.new_button.setAccessibleName("Record the first story")
        self.import_button = QPushButton("&Import stories you received…")
        self.import_button.setAccessibleName("Import stories you received")
        self.key_button = QPushButton("Share your receiving &key…")
        self.key_button.setAccessibleName("Share your receiving key")
        self._row = QHBoxLayout()
        self._row.addStretch()
        self._row.addStretch()
        # Centred by stretches, not by an alignment: a layout gives an aligned label only its
        # one-line height, and at large text the wrapped words were cut off.
        words = QHBoxLayout()
        words.addStretch()
        words.addWidget(self.label, 100)
        words.addStretch()
        column = QVBoxLayout(self)
        column.addStretch()
        column.addLayout(words)
        column.addSpacing(self.fontMetrics().height())
        column.addLayout(self._row)
        column.addStretch()
        self.new_button.clicked.connect(self.new_story)
        self.import_button.clicked.connect(self.import_stories)
        self.key_button.clicked.connect(self.share_key)
        self._by_name = {
            "new": self.new_button,
            "import": self.import_button,
            "key": self.key_button,
        }
        self.show_empty(filtered=False)

    def buttons(self) -> list[QPushButton]:
        """The buttons in the order they stand (and Tab reaches them)."""
        return [
            button
            for index in range(self._row.count())
            if isinstance(button := self._row.itemAt(index).widget(), QPushButton)
        ]

    def focus_next_step(self) -> bool:
        """The keyboard on the first thing to do, if the list is empty on screen."""
        shown = [button for button in self.buttons() if button.isVisible()]
        if shown:
            shown[0].setFocus()
        return bool(shown)

    def show_empty(self, filtered: bool) -> None:
        """Nothing to list: because of the search and filters, or because there is nothing."""
        self._filtered = filtered
        self.refresh()

    def refresh(self) -> None:
        """Say again what to do, for the answer the settings now hold (it may have changed)."""
        use = self._settings.use
        # Lines short enough to read (about 70 characters) at any text size.
        self.label.setMaximumWidth(self.label.fontMetrics().averageCharWidth() * 72)
        if self._filtered:
            self.label.setText(NOTHING_MATCHES)
            wanted: tuple[str, ...] = ()
        else:
            self.label.setText(WHAT_TO_DO[use] if use else NO_STORIES_YET)
            wanted = BUTTONS_SHOWN[use]
        for button in self._by_name.values():
            self._row.removeWidget(button)
            button.hide()
        # Between the two stretches, in the order to do them, so Tab follows what is read.
        for place, name in enumerate(wanted, start=1):
            button = self._by_name[name]
            self._row.insertWidget(place, button)
            button.show()
        for before, after in itertools.pairwise(wanted):
            self.setTabOrder(self._by_name[before], self._by_name[after])
