"""Their voices: a few of the people's own words for the highlighted theme and polarity (issue 18).

Only stories whose consent allows a quote, pseudonymised and redacted exactly as an export
would be (``insight_policy.quote_of`` through ``ops/reports.load_voices``), each with its month
told and setting; the sentences that speak of the theme, else the opening. Read on the reader
pool, once the highlight rests (the arrow keys pass over many cells), and an answer for a cell
no longer highlighted is dropped.
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from storykeeper.core.report_content import Voice
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import Polarity
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops.reports import VoicesQuery, load_voices

#: The highlight rests this long before its voices are read.
FOLLOW_DELAY_MS = 300
_POLARITY_WORDS = {
    Polarity.BARRIER: "as a barrier",
    Polarity.ENABLER: "as an enabler",
    Polarity.MIXED: "as mixed",
}


class VoicesPanel(QWidget):
    """The voices for one cell: ``follow(filter, theme, polarity)`` asks for them."""

    #: The panel has shown an answer (for tests and the screen reader's status).
    shown = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._generation = 0
        self._wanted: VoicesQuery | None = None
        self.heading = QLabel("Their voices")
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Their voices")
        self.voices = QListWidget()
        self.voices.setAccessibleName("Their voices: the people's own words")
        self.voices.setWordWrap(True)  # each voice wraps to the panel, never widens it
        self.voices.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.voices.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.voices.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.voices.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.voices.setSpacing(4)  # one voice apart from the next
        self.heading.setBuddy(self.voices)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.voices, 1)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(FOLLOW_DELAY_MS)
        self._soon.timeout.connect(self._read)

    def follow(self, wanted: StoryFilter, theme: str | None, polarity: Polarity | None) -> None:
        """The highlight moved (or the filters changed): read this cell's voices once it rests.
        Whatever is on its way for the cell before is dropped."""
        self._generation += 1
        if theme is None:
            self._soon.stop()
            self._wanted = None
            self.heading.setText("Their voices: no theme chosen.")
            self.voices.clear()
            return
        self._wanted = VoicesQuery(wanted, theme, polarity)
        self._soon.start()

    def _read(self) -> None:
        query = self._wanted
        if query is None:
            return
        generation = self._generation
        self.context.tasks.read(
            partial(load_voices, query=query),
            on_done=partial(self._answered, generation, query),
            on_error=partial(self._failed, generation),
        )

    def _answered(self, generation: int, query: VoicesQuery, found: tuple[Voice, ...]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            # The page has closed, or the highlight moved since: its own voices are on the way.
            return
        how = f" {_POLARITY_WORDS[query.polarity]}" if query.polarity else ""
        self.voices.clear()
        if found:
            self.heading.setText(f"Their voices: {query.theme}{how}")
        else:
            self.heading.setText(
                f"Their voices: {query.theme}{how}. No story here has consent to be quoted."
            )
        for voice in found:
            item = QListWidgetItem(f"“{voice.excerpt}”\n{voice.told}, {voice.setting}")
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{voice.excerpt} Told {voice.told}, {voice.setting}.",
            )
            self.voices.addItem(item)
        self.voices.setAccessibleDescription(self.heading.text())
        self.shown.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self.voices.clear()
        self.heading.setText(
            "Their voices: " + plain_error(error, self.context.paths, "Try again shortly.")
        )
        self.shown.emit()

    def excerpts(self) -> list[str]:
        """The words shown, one per voice (for tests and the screenshots' check)."""
        return [self.voices.item(row).text() for row in range(self.voices.count())]
