"""The filters the story list and the insight page share for where a story came from (written
here, imported, or one sender by its label), its setting and how it was told (issue 18 §1).

One definition, so a drill-down from the insight page carries the same choices into the list.
The pages lay the boxes out and connect ``combos``' ``currentIndexChanged`` as they wish.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox

from storykeeper.core.search import Sender, StoryFilter, StorySource
from storykeeper.core.vocabulary import HowTold, Setting

#: The first choices of the "where from" box; the senders of imported stories follow, their
#: key ids as data and their labels shown. "Written here" is the sender "this computer".
FROM_ANYWHERE: list[tuple[str, object]] = [
    ("From anywhere", None),
    ("Written here", StorySource.OWN),
    ("Imported", StorySource.IMPORTED),
]


def filter_combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.setToolTip(name)
    for label, value in items:
        combo.addItem(label, value)
    # Long labels must not push the window wider than the screen at large text sizes.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    return combo


class WhereFromFilters:
    """Three boxes: where from, setting, how told."""

    def __init__(self) -> None:
        self.sender = filter_combo("Filter by where the story came from", FROM_ANYWHERE)
        self.setting = filter_combo(
            "Filter by setting", [("Any setting", None)] + [(s.label, s) for s in Setting]
        )
        self.how_told = filter_combo(
            "Filter by how it was told", [("Told any way", None)] + [(h.label, h) for h in HowTold]
        )
        self.combos = (self.sender, self.setting, self.how_told)

    def fields(self) -> dict[str, Any]:
        """The chosen values as ``StoryFilter`` fields."""
        source = self.sender.currentData()
        # Qt hands enum item data back as plain strings: make them enums again.
        own_or_imported = source in tuple(StorySource)
        setting, how_told = self.setting.currentData(), self.how_told.currentData()
        return {
            "sender": source if source is not None and not own_or_imported else None,
            "source": StorySource(source) if own_or_imported else None,
            "setting": Setting(setting) if setting is not None else None,
            "how_told": HowTold(how_told) if how_told is not None else None,
        }

    def set_senders(self, senders: list[Sender]) -> None:
        """The senders some story here came from, keeping the one chosen (its label replaces
        its key id once known)."""
        combo = self.sender
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > len(FROM_ANYWHERE):
            combo.removeItem(len(FROM_ANYWHERE))
        for sender in senders:
            combo.addItem(sender.label, sender.key_id)
        if chosen is not None and combo.findData(chosen) < 0:
            combo.addItem(str(chosen), chosen)  # no story from it now: still what was asked
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)

    def choose(self, wanted: StoryFilter) -> None:
        """Show ``wanted``'s choices, without signalling a change."""
        for combo, value in (
            (self.sender, wanted.sender or wanted.source),
            (self.setting, wanted.setting),
            (self.how_told, wanted.how_told),
        ):
            if value is not None and combo.findData(value) < 0:  # its label not known yet
                combo.addItem(str(value), value)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
            combo.blockSignals(False)

    def clear(self) -> None:
        self.choose(StoryFilter())
