"""The story's fields on its page: whose story, the person's own words first, then the details,
and the themes (a box of their own, shown below the consent)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import stories
from storykeeper.core.display import neutralised
from storykeeper.core.people import Supporter
from storykeeper.core.stories import Story, StoryFields, ThemeLink
from storykeeper.core.vocabulary import HowTold, Polarity, Setting, StoryStatus
from storykeeper.gui.appearance import show_read_only
from storykeeper.gui.context import AppContext
from storykeeper.gui.widgets.add_supporter import AddSupporter
from storykeeper.gui.widgets.date_field import NO_DATE, DateField
from storykeeper.gui.widgets.labels import buddy_label, with_pseudonym

LANGUAGES = [
    ("English", "en"),
    ("Welsh (Cymraeg)", "cy"),
    ("Scottish Gaelic", "gd"),
    ("Irish", "ga"),
    ("British Sign Language", "bfi"),
    ("Polish", "pl"),
    ("Punjabi", "pa"),
    ("Urdu", "ur"),
    ("Bengali", "bn"),
    ("Gujarati", "gu"),
    ("Arabic", "ar"),
    ("Somali", "so"),
    ("Cantonese", "yue"),
    ("Romanian", "ro"),
]
TITLE_MAX = stories.TITLE_MAX

_Choice = TypeVar("_Choice", Setting, HowTold)


def _optional(kind: type[_Choice], value: object) -> _Choice | None:
    return None if value is None else kind(value)


def _vocabulary_combo(name: str, kind: type[Setting] | type[HowTold]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.addItem("Not recorded", None)
    for value in kind:
        combo.addItem(value.label, value)
    return combo


class StoryForm(QWidget):
    """Whose story, its title, the person's words, the recorder's notes and the details.

    ``edited`` fires on every change, also while a story is being put on screen: the page knows
    when it is loading and ignores those."""

    edited = Signal()

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.storyteller_label = QLabel()
        self.storyteller_label.setAccessibleName("Storyteller")
        self.change_storyteller = QPushButton("Chan&ge…")
        self.change_storyteller.setAccessibleName("Change the storyteller")
        self.supporter = QComboBox()
        self.supporter.setAccessibleName("Recorded by")
        self.title = QLineEdit()
        self.title.setMaxLength(TITLE_MAX)
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("A few words to find this story by")
        self.own_words = QPlainTextEdit()
        self.own_words.setAccessibleName("In their own words")
        self.own_words.setPlaceholderText("The person’s own words, as they said or wrote them.")
        self.own_words.setTabChangesFocus(True)
        self.own_words.setMinimumHeight(220)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Recorder’s notes")
        self.notes.setPlaceholderText(
            "Your own notes: how the conversation went, context, anything to follow up. "
            "Kept apart from the person’s words."
        )
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(90)
        self.told_on = DateField("Date told", "Not recorded")
        self.setting = _vocabulary_combo("Setting", Setting)
        self.how_told = _vocabulary_combo("How it was told", HowTold)
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.setAccessibleName("Language")
        for name, tag in LANGUAGES:
            self.language.addItem(f"{name} — {tag}", tag)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for value in StoryStatus:
            self.status.addItem(value.label, value)

        who = QHBoxLayout()
        who.addWidget(self.storyteller_label, 1)
        who.addWidget(self.change_storyteller)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(buddy_label("Storyteller:", self.change_storyteller), who)
        form.addRow(buddy_label("&Title:", self.title), self.title)
        form.addRow(buddy_label("In their &own words:", self.own_words), self.own_words)
        form.addRow(buddy_label("Recorder’s &notes:", self.notes), self.notes)
        details = QFormLayout()
        details.addRow(buddy_label("Recorded b&y:", self.supporter), self.supporter)
        # On a fresh install nobody is there to choose: the advocate adds themselves here,
        # without leaving the story for the People dialog.
        self.add_recorder: AddSupporter | None = None
        if context is not None:
            self.add_recorder = AddSupporter(context, "Add yourself or another recorder…")
            self.add_recorder.added.connect(self._recorder_added)
            details.addRow("", self.add_recorder)
        details.addRow(buddy_label("D&ate told:", self.told_on), self.told_on)
        details.addRow(buddy_label("S&etting:", self.setting), self.setting)
        details.addRow(buddy_label("Ho&w told:", self.how_told), self.how_told)
        details.addRow(buddy_label("&Language:", self.language), self.language)
        details.addRow(buddy_label("Stat&us:", self.status), self.status)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addLayout(details)

        self.title.textEdited.connect(self.edited)
        self.own_words.textChanged.connect(self.edited)
        self.notes.textChanged.connect(self.edited)
        self.told_on.dateChanged.connect(self.edited)
        for combo in (self.supporter, self.setting, self.how_told, self.status):
            combo.currentIndexChanged.connect(self.edited)
        self.language.currentTextChanged.connect(self.edited)

    def show_story(self, story: Story, supporters: list[Supporter]) -> None:
        """Put ``story`` in the fields (already as it may be shown: see ``stories.shown``)."""
        self.show_storyteller(story)
        self.show_supporters(supporters, story.supporter.id if story.supporter else None)
        self.title.setText(story.title)
        self.own_words.setPlainText(story.own_words)
        self.notes.setPlainText(story.recorder_notes)
        self.told_on.setDate(QDate(story.told_on) if story.told_on else NO_DATE)
        self.setting.setCurrentIndex(max(0, self.setting.findData(story.setting)))
        self.how_told.setCurrentIndex(max(0, self.how_told.findData(story.how_told)))
        index = self.language.findData(story.language)
        if index >= 0:
            self.language.setCurrentIndex(index)
        else:
            self.language.setEditText(story.language)
        self.show_status(story.status)

    def _recorder_added(self, supporter: Supporter) -> None:
        """The person just added records this story: chosen at once (the list of people
        refreshes on its own after, keeping the choice)."""
        if self.supporter.findData(supporter.id) < 0:
            self.supporter.addItem(
                neutralised(f"{supporter.name} ({supporter.role.label})"), supporter.id
            )
        self.supporter.setCurrentIndex(self.supporter.findData(supporter.id))
        self.supporter.setFocus()

    def show_supporters(self, supporters: list[Supporter], chosen: str | None) -> None:
        """The supporters to choose from, ``chosen`` chosen ("Not recorded" if gone)."""
        self.supporter.clear()
        self.supporter.addItem("Not recorded", None)
        for s in supporters:
            self.supporter.addItem(neutralised(f"{s.name} ({s.role.label})"), s.id)
        self.supporter.setCurrentIndex(max(0, self.supporter.findData(chosen)))

    def show_storyteller(self, story: Story) -> None:
        self.storyteller_label.setText(
            neutralised(with_pseudonym(story.storyteller.name, story.storyteller_pseudonym))
        )

    def show_status(self, status: StoryStatus) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(status)))

    def chosen_status(self) -> StoryStatus:
        # Qt hands enum item data back as plain strings: make them enums again.
        return StoryStatus(self.status.currentData())

    def collect(self, storyteller_id: str, themes: tuple[ThemeLink, ...]) -> StoryFields:
        told = self.told_on.date()
        language = self.language.currentData()
        typed = self.language.currentText().strip()
        if language is None or self.language.itemText(self.language.currentIndex()) != typed:
            language = typed.rsplit("—", 1)[-1].strip() or "en"
        return StoryFields(
            storyteller_id=storyteller_id,
            supporter_id=self.supporter.currentData(),
            title=self.title.text(),
            own_words=self.own_words.toPlainText(),
            recorder_notes=self.notes.toPlainText(),
            told_on=None if told == NO_DATE else told.toPython(),  # type: ignore[arg-type]
            setting=_optional(Setting, self.setting.currentData()),
            how_told=_optional(HowTold, self.how_told.currentData()),
            language=language,
            status=self.chosen_status(),
            themes=themes,
        )

    def set_read_only(self, read_only: bool) -> None:
        self.title.setReadOnly(read_only)
        self.own_words.setReadOnly(read_only)
        self.notes.setReadOnly(read_only)
        # An action, not a value: it looks unavailable as any unavailable button does.
        self.change_storyteller.setEnabled(not read_only)
        for widget in (
            self.supporter,
            self.told_on,
            self.setting,
            self.how_told,
            self.language,
            self.status,
        ):
            show_read_only(widget, read_only)


class ThemesBox(QGroupBox):
    """One choice per theme: whether it helped, got in the way, or does not apply."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Themes — what helped or got in the way", parent)
        self.grid = QGridLayout(self)
        self.boxes: dict[str, QComboBox] = {}

    def show_themes(
        self, names: list[str], linked: dict[str, Polarity], columns: int, after: QWidget
    ) -> None:
        """A choice for each of ``names``, in ``columns``, reached by Tab after ``after``."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.boxes = {}
        previous = after
        for n, name in enumerate(names):
            combo = QComboBox()
            combo.setAccessibleName(f"Theme: {name}")
            combo.addItem("—", None)
            for polarity in Polarity:
                combo.addItem(polarity.label, polarity)
            combo.setCurrentIndex(max(0, combo.findData(linked.get(name))))
            combo.currentIndexChanged.connect(self.edited)
            label = QLabel(name)
            label.setBuddy(combo)
            row, col = divmod(n, columns)
            self.grid.addWidget(label, row, col * 2)
            self.grid.addWidget(combo, row, col * 2 + 1)
            self.boxes[name] = combo
            QWidget.setTabOrder(previous, combo)
            previous = combo

    def links(self) -> tuple[ThemeLink, ...]:
        return tuple(
            ThemeLink(name, Polarity(combo.currentData()))
            for name, combo in self.boxes.items()
            if combo.currentData() is not None
        )

    def set_read_only(self, read_only: bool) -> None:
        for combo in self.boxes.values():
            show_read_only(combo, read_only)
