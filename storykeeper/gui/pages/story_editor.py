"""The story editor: the person's own words first, everything else around them.

Saves itself as you type (see ``widgets.autosave``): the "saved" line under the title always says
in words whether everything is saved. Nothing typed is ever dropped by a failed save: the words
stay in the editor and the next change tries again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from storykeeper.core import consent, people, provenance, stories, themes
from storykeeper.core.errors import StorykeeperError, ValidationError
from storykeeper.core.stories import RevisionConflictError, Story, StoryFields, ThemeLink
from storykeeper.core.vocabulary import ConsentState, HowTold, Polarity, Setting, StoryStatus
from storykeeper.gui.consent_pdf import save_consent_copy
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.ops.consent import FlowData
from storykeeper.gui.widgets.attachments import AttachmentsPanel
from storykeeper.gui.widgets.autosave import AutosaveTimer
from storykeeper.gui.widgets.date_field import NO_DATE, DateField
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import run_modal
from storykeeper.gui.widgets.note_marks import NoteMarks
from storykeeper.gui.widgets.read_aloud import ReadAloud, read_or_stop
from storykeeper.gui.widgets.recorder import RecorderPanel

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


@dataclass(frozen=True)
class EditorData:
    story: Story
    supporters: list[people.Supporter]
    theme_names: list[str]
    consent_summary: str
    consent_history: list[str]
    #: Who an imported story came from, in words; None for a story written here.
    origin: str | None = None


def _origin_words(session: Session, story_id: str) -> str | None:
    origin = provenance.origin_of(session, story_id)
    if origin is None:
        return None
    return (
        f"Came from: {origin.described}, imported {origin.imported_at.astimezone():%d %b %Y}. "
        "It is read-only here: changes to it come from them, in their next bundle."
    )


@dataclass(frozen=True)
class SaveResult:
    story: Story
    #: Set when the story was saved as a draft because it was not ready to be final.
    kept_as_draft: str | None = None


def _load(story_id: str) -> object:
    def work(session: Session) -> EditorData:
        return EditorData(
            story=stories.get_story(session, story_id),
            supporters=people.list_supporters(session),
            theme_names=[t.name for t in themes.list_themes(session)],
            consent_summary=consent.summary(history := consent.consent_history(session, story_id)),
            consent_history=[consent.describe(r) for r in reversed(history[:-1])],
            origin=_origin_words(session, story_id),
        )

    return work


def _persist(story_id: str, fields: StoryFields, revision: int) -> object:
    def work(session: Session) -> SaveResult:
        try:
            return SaveResult(
                stories.update_story(session, story_id, fields, expected_revision=revision)
            )
        except ValidationError as exc:
            if fields.status is not StoryStatus.FINAL:
                raise
            # Never lose words over a missing title: keep them, as a draft, and say why.
            draft = dataclasses.replace(fields, status=StoryStatus.DRAFT)
            saved = stories.update_story(session, story_id, draft, expected_revision=revision)
            return SaveResult(saved, kept_as_draft=exc.message)

    return work


_Choice = TypeVar("_Choice", Setting, HowTold)


def _optional(kind: type[_Choice], value: object) -> _Choice | None:
    return None if value is None else kind(value)


class StoryEditorPage(QWidget):
    #: The person asked to go back to the list.
    closed = Signal()
    #: A save reached the store (the list refreshes on this).
    saved = Signal(str)
    delete_requested = Signal(str, str)  # id, title
    history_requested = Signal(str)
    #: Consent was fully withdrawn: the window offers to remove the content now.
    purge_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.story: Story | None = None
        self._storyteller_id = ""
        self._revision = 0
        self._dirty = False
        self._saving = False
        self._save_again = False
        self._loading = False
        self._final_after_consent = False
        #: Attachment writes queued (a recording being kept): saves wait for them, because
        #: each one raises the story's revision, which the next save must know.
        self._attachment_writes = 0
        self._theme_boxes: dict[str, QComboBox] = {}
        #: An imported story: shown, never changed here (see _set_read_only).
        self.read_only = False
        self.autosave = AutosaveTimer(self)
        self.autosave.due.connect(self.save_now)
        self.read_aloud = ReadAloud(self)

        # --- header ---
        self.back_button = QPushButton("← &Back")
        self.back_button.setAccessibleName("Back to the list of stories")
        self.back_button.setToolTip("Back to the list (Esc). Your work is saved.")
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.saved_state = QLabel()
        self.saved_state.setProperty("role", "saved-state")
        self.saved_state.setAccessibleName("Save status")
        self.saved_state.setWordWrap(True)
        self.origin = QLabel()
        self.origin.setAccessibleName("Where this story came from")
        self.origin.setWordWrap(True)
        self.origin.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.origin.hide()
        self.consent_box = QGroupBox("Consent")
        self.consent_summary = QLabel()
        self.consent_summary.setWordWrap(True)
        self.consent_summary.setAccessibleName("Consent")
        self.consent_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.consent_history = QLabel()
        self.consent_history.setWordWrap(True)
        self.consent_history.setAccessibleName("Earlier consent decisions")
        self.consent_history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.consent_button = QPushButton("Record or review &consent…")
        self.consent_button.setAccessibleName("Go through consent with the person")
        self.withdraw_button = QPushButton("Ta&ke back consent…")
        self.withdraw_button.setAccessibleName("Withdraw consent: some or all of it")
        self.copy_button = QPushButton("Print a copy &for the person…")
        self.copy_button.setAccessibleName("Save the person’s consent copy as a PDF to print")
        # Side by side at ordinary sizes, one above another at large ones (see _apply_fonts).
        self.consent_buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        for button in (self.consent_button, self.withdraw_button, self.copy_button):
            self.consent_buttons.addWidget(button)
        self.consent_buttons.addStretch()
        consent_column = QVBoxLayout(self.consent_box)
        consent_column.addWidget(self.consent_summary)
        consent_column.addWidget(self.consent_history)
        consent_column.addLayout(self.consent_buttons)
        self.withdrawn_box = QGroupBox("Consent withdrawn")
        self.withdrawn_text = QLabel(
            "The person took back their consent, so this story’s content is hidden: it is not "
            "shown, searched or exported. The coordinator is told to remove their copy in the "
            "next bundle. Remove the content from this computer once you are sure."
        )
        self.withdrawn_text.setWordWrap(True)
        self.purge_button = QPushButton("Re&move it from this computer…")
        self.purge_button.setAccessibleName("Remove the withdrawn story from this computer")
        withdrawn_column = QVBoxLayout(self.withdrawn_box)
        withdrawn_column.addWidget(self.withdrawn_text)
        purge_row = QHBoxLayout()
        purge_row.addWidget(self.purge_button)
        purge_row.addStretch()
        withdrawn_column.addLayout(purge_row)
        self.read_button = QPushButton("&Read aloud")
        self.read_button.setAccessibleName("Read the person’s words aloud")
        self.history_button = QPushButton("H&istory…")
        self.history_button.setAccessibleName("Earlier versions of this story")
        self.delete_button = QPushButton("&Delete story…")
        self.delete_button.setAccessibleName("Delete this story")

        # --- fields ---
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
        self.setting = self._vocabulary_combo("Setting", Setting)
        self.how_told = self._vocabulary_combo("How it was told", HowTold)
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.setAccessibleName("Language")
        for name, tag in LANGUAGES:
            self.language.addItem(f"{name} — {tag}", tag)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for value in StoryStatus:
            self.status.addItem(value.label, value)
        self.recorder = RecorderPanel(context)
        self.recorder.before_change = self.save_now
        self.attachments = AttachmentsPanel(context)
        self.attachments.before_change = self.save_now
        self.themes_box = QGroupBox("Themes — what helped or got in the way")
        self.themes_grid = QGridLayout(self.themes_box)

        # --- layout ---
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.heading, 1)
        # The actions get a row of their own, so they stay on screen at twice the text size.
        actions = QHBoxLayout()
        actions.addWidget(self.read_button)
        actions.addWidget(self.history_button)
        actions.addWidget(self.delete_button)
        actions.addStretch()

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
        details.addRow(buddy_label("D&ate told:", self.told_on), self.told_on)
        details.addRow(buddy_label("S&etting:", self.setting), self.setting)
        details.addRow(buddy_label("Ho&w told:", self.how_told), self.how_told)
        details.addRow(buddy_label("&Language:", self.language), self.language)
        details.addRow(buddy_label("Stat&us:", self.status), self.status)

        # The story's content, hidden as a whole once consent is withdrawn.
        self.content_fields = QWidget()
        fields_column = QVBoxLayout(self.content_fields)
        fields_column.setContentsMargins(0, 0, 0, 0)
        fields_column.addLayout(form)
        fields_column.addLayout(details)
        fields_column.addWidget(self.recorder)
        fields_column.addWidget(self.attachments)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.withdrawn_box)
        column.addWidget(self.content_fields)
        column.addWidget(self.consent_box)
        column.addWidget(self.themes_box)
        column.addStretch()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(content)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(actions)
        layout.addWidget(self.saved_state)
        layout.addWidget(self.origin)
        layout.addWidget(self.scroll, 1)

        # --- behaviour ---
        self.back_button.clicked.connect(self.close_editor)
        self.read_button.clicked.connect(self._read_aloud)
        self.read_aloud.speaking_changed.connect(self._speaking)
        self.history_button.clicked.connect(
            lambda: self.story and self.history_requested.emit(self.story.id)
        )
        self.delete_button.clicked.connect(self._delete)
        self.change_storyteller.clicked.connect(self._pick_storyteller)
        self.consent_button.clicked.connect(lambda: self.open_consent_flow())
        self.withdraw_button.clicked.connect(self.withdraw_consent)
        self.copy_button.clicked.connect(self.print_consent_copy)
        self.purge_button.clicked.connect(
            lambda: self.story and self.purge_requested.emit(self.story.id)
        )
        # Once the change has been taken in (and autosave told), not in the middle of it.
        self.status.currentIndexChanged.connect(
            lambda _index: QTimer.singleShot(0, self._status_chosen)
        )
        self.title.textEdited.connect(self._changed)
        self.own_words.textChanged.connect(self._changed)
        self.notes.textChanged.connect(self._changed)
        self.told_on.dateChanged.connect(self._changed)
        for combo in (self.supporter, self.setting, self.how_told, self.status):
            combo.currentIndexChanged.connect(self._changed)
        self.language.currentTextChanged.connect(self._changed)
        self.recorder.install_shortcuts(self)
        self.attachments.install_shortcuts(self)
        # Both write attachments the same way: saves wait while one is in the queue.
        for panel in (self.recorder, self.attachments):
            panel.writing.connect(self._attachment_writing)
            panel.changed.connect(self._attachment_written)
            panel.write_failed.connect(self._attachment_write_failed)
        self.recorder.consent_flow_requested.connect(lambda _id: self.open_consent_flow())
        self.recorder.consent_recorded.connect(self._consent_recorded_for_recording)
        self.note_marks = NoteMarks(self.notes, self.recorder, self.saved_state.setText)
        context.appearance_changed.connect(self._apply_fonts)
        self._apply_fonts()

    @staticmethod
    def _vocabulary_combo(name: str, kind: type[Setting] | type[HowTold]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem("Not recorded", None)
        for value in kind:
            combo.addItem(value.label, value)
        return combo

    def _apply_fonts(self) -> None:
        # The person's words are the heart of the page: a size larger than the rest. Set as the
        # widgets' own style: the application's style sheet would reset a plain setFont() when
        # the widget is polished.
        size = self.context.app.font().pointSizeF() * 1.25
        self.own_words.setStyleSheet(f"QPlainTextEdit {{ font-size: {size:.1f}pt; }}")
        self.heading.setStyleSheet(f"QLabel {{ font-size: {size:.1f}pt; font-weight: bold; }}")
        large = self.context.settings.text_scale >= 150
        self.consent_buttons.setDirection(
            QBoxLayout.Direction.TopToBottom if large else QBoxLayout.Direction.LeftToRight
        )

    # --- opening ---------------------------------------------------------------------------

    def open_story(self, story_id: str) -> None:
        if self.story is not None and story_id != self.story.id:
            self.recorder.shutdown()  # a recording belongs to the story it was made for
        self.context.tasks.read(_load(story_id), on_done=self._show, on_error=self._load_failed)

    def _load_failed(self, error: BaseException) -> None:
        self.context.settings.open_story = None
        QMessageBox.warning(self, "Cannot open the story", str(error))
        self.closed.emit()

    def _show(self, data: EditorData) -> None:
        self._loading = True
        try:
            self.story = data.story
            # A withdrawn story's content is never put on screen, not even into hidden fields.
            story = stories.shown(data.story)
            self._storyteller_id = story.storyteller.id
            self._revision = story.revision
            self._dirty = False
            self.autosave.cancel()
            self._set_storyteller_label(story)
            self.supporter.clear()
            self.supporter.addItem("Not recorded", None)
            for s in data.supporters:
                self.supporter.addItem(f"{s.name} ({s.role.label})", s.id)
            self.supporter.setCurrentIndex(
                max(0, self.supporter.findData(story.supporter.id if story.supporter else None))
            )
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
            self.status.setCurrentIndex(max(0, self.status.findData(story.status)))
            self._build_themes(data.theme_names, {t.theme: t.polarity for t in story.themes})
            self.consent_summary.setText(data.consent_summary)
            self.consent_history.setText(
                "Earlier:\n" + "\n".join(data.consent_history) if data.consent_history else ""
            )
            self.consent_history.setVisible(bool(data.consent_history))
            self._show_consent_state(story)
            self.origin.setText(data.origin or "")
            self.origin.setVisible(data.origin is not None)
            self._set_read_only(data.origin is not None)
            self._show_attachments(story)
            self.saved_state.setText("All changes saved.")
        finally:
            self._loading = False
        self.context.settings.open_story = story.id
        if self._final_after_consent:
            self._final_after_consent = False
            if story.consent_state is not ConsentState.NONE and not stories.content_hidden(story):
                self.status.setCurrentIndex(self.status.findData(StoryStatus.FINAL))
                self.saved_state.setText("Consent recorded: the story is now final.")
                self._changed()
        if stories.content_hidden(story):
            self.purge_button.setFocus()
            return
        if not story.title:
            self.title.setFocus()
            return
        # Back where they left off: at the end of the person's words.
        self.own_words.setFocus()
        cursor = self.own_words.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.own_words.setTextCursor(cursor)

    def _set_read_only(self, read_only: bool) -> None:
        """An imported story is read-only (core refuses changes too, provenance.py): a change
        here would make its sender's next revision look older and be skipped."""
        self.read_only = read_only
        self.title.setReadOnly(read_only)
        self.own_words.setReadOnly(read_only)
        self.notes.setReadOnly(read_only)
        for widget in (
            self.change_storyteller,
            self.supporter,
            self.told_on,
            self.setting,
            self.how_told,
            self.language,
            self.status,
            self.consent_button,
            *self._theme_boxes.values(),
        ):
            widget.setEnabled(not read_only)
        if read_only:
            self.withdraw_button.setEnabled(False)

    def _show_consent_state(self, story: Story) -> None:
        hidden = stories.content_hidden(story)
        self.withdrawn_box.setVisible(hidden)
        for widget in (
            self.content_fields,
            self.themes_box,
            self.read_button,
            self.history_button,
        ):
            widget.setVisible(not hidden)
        agreed = story.consent_state in (ConsentState.GIVEN, ConsentState.GIVEN_WITH_CONDITIONS)
        self.withdraw_button.setEnabled(agreed)

    def _set_storyteller_label(self, story: Story) -> None:
        self.storyteller_label.setText(
            f"{story.storyteller.name}  (pseudonym: {story.storyteller_pseudonym})"
        )
        self.heading.setText(f"{story.storyteller.name}’s story")

    def _build_themes(self, names: list[str], linked: dict[str, Polarity]) -> None:
        while self.themes_grid.count():
            item = self.themes_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self._theme_boxes = {}
        # The themes come after the consent box, as on screen.
        previous: QWidget = self.copy_button
        # Two columns of themes at ordinary sizes; one when text is large, so nothing is cut off.
        columns = 2 if self.context.settings.text_scale < 150 else 1
        for n, name in enumerate(names):
            combo = QComboBox()
            combo.setAccessibleName(f"Theme: {name}")
            combo.addItem("—", None)
            for polarity in Polarity:
                combo.addItem(polarity.label, polarity)
            combo.setCurrentIndex(max(0, combo.findData(linked.get(name))))
            combo.currentIndexChanged.connect(self._changed)
            label = QLabel(name)
            label.setBuddy(combo)
            row, col = divmod(n, columns)
            self.themes_grid.addWidget(label, row, col * 2)
            self.themes_grid.addWidget(combo, row, col * 2 + 1)
            self._theme_boxes[name] = combo
            QWidget.setTabOrder(previous, combo)
            previous = combo

    # --- saving ----------------------------------------------------------------------------

    def collect(self) -> StoryFields:
        assert self.story is not None
        told = self.told_on.date()
        language = self.language.currentData()
        typed = self.language.currentText().strip()
        if language is None or self.language.itemText(self.language.currentIndex()) != typed:
            language = typed.rsplit("—", 1)[-1].strip() or "en"
        return StoryFields(
            storyteller_id=self._storyteller_id,
            supporter_id=self.supporter.currentData(),
            title=self.title.text(),
            own_words=self.own_words.toPlainText(),
            recorder_notes=self.notes.toPlainText(),
            told_on=None if told == NO_DATE else told.toPython(),  # type: ignore[arg-type]
            # Qt hands enum item data back as plain strings: make them enums again.
            setting=_optional(Setting, self.setting.currentData()),
            how_told=_optional(HowTold, self.how_told.currentData()),
            language=language,
            status=StoryStatus(self.status.currentData()),
            themes=tuple(
                ThemeLink(name, Polarity(combo.currentData()))
                for name, combo in self._theme_boxes.items()
                if combo.currentData() is not None
            ),
        )

    def _changed(self) -> None:
        if self._loading or self.story is None or self.read_only:
            return
        self._dirty = True
        self.saved_state.setText("Changes not saved yet…")
        self.autosave.changed()

    def save_now(self) -> None:
        self.autosave.cancel()
        if self.story is None or not self._dirty:
            return
        if self._saving or self._attachment_writes:
            self._save_again = True
            return
        fields = self.collect()
        self._dirty = False
        self._saving = True
        self.saved_state.setText("Saving…")
        self.context.tasks.write(
            _persist(self.story.id, fields, self._revision),
            on_done=self._saved,
            on_error=self._save_failed,
        )

    def _saved(self, result: SaveResult) -> None:
        self._saving = False
        self.story = result.story
        self._revision = result.story.revision
        self._set_storyteller_label(result.story)
        time = dt.datetime.now().strftime("%H:%M:%S")
        if result.kept_as_draft:
            self._loading = True
            self.status.setCurrentIndex(self.status.findData(StoryStatus.DRAFT))
            self._loading = False
            self.saved_state.setText(f"Saved as a draft at {time}. {result.kept_as_draft}")
        elif self._dirty:
            self.saved_state.setText("Changes not saved yet…")
        else:
            self.saved_state.setText(f"All changes saved at {time}.")
        self.saved.emit(result.story.id)
        if self._save_again:
            self._save_again = False
            self.save_now()

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._dirty = True  # keep the words and try again on the next change
        if isinstance(error, RevisionConflictError):
            self.saved_state.setText(f"Not saved: {error}")
            QMessageBox.warning(self, "Changed elsewhere", str(error))
            return
        message = str(error) if isinstance(error, StorykeeperError) else f"{error}"
        self.saved_state.setText(f"Not saved: {message} Your words are still here.")

    # --- actions ---------------------------------------------------------------------------

    def close_editor(self) -> None:
        self.recorder.shutdown()
        self.save_now()
        self.read_aloud.stop()
        self.context.settings.open_story = None
        self.closed.emit()

    def _read_aloud(self) -> None:
        if not read_or_stop(self.read_aloud, self, self.own_words.toPlainText()):
            QMessageBox.information(
                self, "Nothing to read", "There are no words in the story yet to read aloud."
            )

    def _speaking(self, speaking: bool) -> None:
        self.read_button.setText("Stop &reading" if speaking else "&Read aloud")

    def _delete(self) -> None:
        if self.story is not None:
            self.autosave.cancel()
            self.delete_requested.emit(self.story.id, self.title.text())

    def _pick_storyteller(self) -> None:
        from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker

        picker = StorytellerPicker(self.context, self, title="Whose story is this?")
        if not picker.exec() or picker.picked is None or self.story is None:
            return
        picked = picker.picked

        def work(session: Session) -> str:
            if picked.id is not None:
                return picked.id
            return people.create_storyteller(session, picked.new_name or "").id

        def chosen(storyteller_id: str) -> None:
            self._storyteller_id = storyteller_id
            self.storyteller_label.setText(f"{picked.label}  (saving…)")
            self._changed()
            self.save_now()

        self.context.tasks.write(work, on_done=chosen)

    # --- consent ---------------------------------------------------------------------------

    def _status_chosen(self) -> None:
        """Final needs consent first: offer to go through it rather than just refusing."""
        if self._loading or self.story is None:
            return
        if self.status.currentData() != StoryStatus.FINAL:
            return
        if self.story.consent_state is not ConsentState.NONE:
            return
        self._loading = True
        self.status.setCurrentIndex(self.status.findData(StoryStatus.DRAFT))
        self._loading = False
        name = self.story.storyteller.name
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Consent comes first")
        box.setText(
            f"A story can be final only once consent is recorded.\n\n"
            f"Go through consent with {name} now? The story stays a draft until then."
        )
        go = box.addButton("Go through &consent", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("&Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(go)
        box.setEscapeButton(later)
        run_modal(box)
        if box.clickedButton() is go:
            self.open_consent_flow(final_after=True)

    def open_consent_flow(self, final_after: bool = False) -> None:
        """The guided flow; afterwards the story is shown again with its new consent."""
        if self.story is None:
            return
        self.save_now()
        story_id = self.story.id

        def opened(data: FlowData) -> None:
            # Anything typed since is saved before consent changes the story's revision.
            self.save_now()
            dialog = ConsentFlowDialog(self.context, data, self)
            run_modal(dialog)
            if dialog.result_record is not None:
                self._final_after_consent = final_after
                self.saved.emit(story_id)
                self.open_story(story_id)

        self.context.tasks.read(
            partial(
                consent_ops.load_flow_data, story_id=story_id, data_dir=self.context.paths.data_dir
            ),
            on_done=opened,
            on_error=self._consent_failed,
        )

    def _consent_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Consent", str(error))

    def withdraw_consent(self) -> None:
        if self.story is None:
            return
        self.save_now()
        story = self.story

        def work(session: Session) -> consent.ConsentRecord | None:
            return consent.current_consent(session, story.id)

        def opened(current: consent.ConsentRecord | None) -> None:
            if current is None or current.decision not in consent.AGREEING:
                QMessageBox.information(
                    self, "Nothing to withdraw", "There is no consent in force for this story."
                )
                return
            self.save_now()
            dialog = WithdrawalDialog(self.context, story.id, story.storyteller.name, current, self)
            run_modal(dialog)
            if dialog.result_record is None:
                return
            self.saved.emit(story.id)
            self.open_story(story.id)
            if dialog.full:
                self.purge_requested.emit(story.id)

        self.context.tasks.read(work, on_done=opened, on_error=self._consent_failed)

    def print_consent_copy(self) -> None:
        if self.story is None:
            return

        def opened(data: FlowData) -> None:
            story = data.story
            title = "" if stories.content_hidden(story) else story.title
            saved = save_consent_copy(self, data.text, data.current, story.storyteller.name, title)
            if saved is not None:
                self.saved_state.setText(f"Saved the consent copy to {saved}.")

        self.context.tasks.read(
            partial(
                consent_ops.load_flow_data,
                story_id=self.story.id,
                data_dir=self.context.paths.data_dir,
            ),
            on_done=opened,
            on_error=self._consent_failed,
        )

    # --- recordings ------------------------------------------------------------------------

    def _attachment_writing(self) -> None:
        self.save_now()  # typing first, in the queue before the attachment
        self._attachment_writes += 1

    def _attachment_written(self, story_id: str, revision: int) -> None:
        self._attachment_writes = max(0, self._attachment_writes - 1)
        if self.story is not None and story_id == self.story.id:
            self._revision = revision
            self._refresh_attachments(story_id)
        self.saved.emit(story_id)
        self._save_pending()

    def _attachment_write_failed(self, _story_id: str) -> None:
        self._attachment_writes = max(0, self._attachment_writes - 1)
        self._save_pending()

    def _save_pending(self) -> None:
        if self._save_again and not self._saving and not self._attachment_writes:
            self._save_again = False
            self._dirty = True
            self.save_now()

    def _refresh_attachments(self, story_id: str) -> None:
        """The new attachment in the lists, without touching the words being typed."""

        def shown(story: Story) -> None:
            if self.story is None or story.id != self.story.id:
                return
            self.story = dataclasses.replace(self.story, attachments=story.attachments)
            self._show_attachments(story)

        self.context.tasks.read(lambda session: stories.get_story(session, story_id), shown)

    def _show_attachments(self, story: Story) -> None:
        self.recorder.show_story(
            story.id, story.storyteller.name, story.attachments, self.read_only
        )
        self.attachments.show_story(story.id, story.attachments, self.read_only)

    def _consent_recorded_for_recording(self, story_id: str) -> None:
        # Agreeing to recording added a consent version: show it, and learn the new revision.
        self.saved.emit(story_id)
        self.open_story(story_id)
