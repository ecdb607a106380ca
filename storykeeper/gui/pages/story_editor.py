"""The story editor: the person's own words first, everything else around them.

The page composes its parts: the fields (``story_form``), the save state (``story_saver``), the
consent section (``consent_section``), the people mentioned (``people_mentioned``), the recorder
and the photos and documents panel. It saves itself as you type: the "saved" line always says
whether everything is saved. Nothing typed is ever dropped by a failed save: the words stay in
the editor and in a crash-safe draft file, and the save is tried again (``story_saver``).

When the story shown changes in the store (consent recorded in a dialog, a recording recovered,
an import), the page shows it again, but never over words not yet saved; the parts that keep
their own lists (people mentioned, recordings, photos and documents) read them again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import stories
from storykeeper.core.display import neutralised
from storykeeper.core.drafts import DraftStore
from storykeeper.core.stories import Story, StoryFields
from storykeeper.core.vocabulary import ConsentState, StoryStatus
from storykeeper.gui.context import AppContext
from storykeeper.gui.drafts_offer import offer_draft
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import people as people_ops
from storykeeper.gui.ops import stories as story_ops
from storykeeper.gui.ops.changes import Change, Kind, concerns
from storykeeper.gui.ops.stories import EditorData, SaveResult
from storykeeper.gui.pages.consent_section import ConsentSection, WithdrawnBox
from storykeeper.gui.pages.people_mentioned import PeopleMentionedSection
from storykeeper.gui.pages.story_form import StoryForm, ThemesBox
from storykeeper.gui.pages.story_saver import StorySaver
from storykeeper.gui.widgets.attachments import AttachmentsPanel
from storykeeper.gui.widgets.modal import run_modal
from storykeeper.gui.widgets.note_marks import NoteMarks
from storykeeper.gui.widgets.read_aloud import ReadAloud, read_or_stop
from storykeeper.gui.widgets.recorder import RecorderPanel

log = logging.getLogger(__name__)

#: A change of these kinds to the story on the page shows it again (attachments: see above).
SHOWN_KINDS = (Kind.STORIES, Kind.CONSENT)


class StoryEditorPage(QWidget):
    #: The person asked to go back to the list.
    closed = Signal()
    #: A save reached the store.
    saved = Signal(str)
    delete_requested = Signal(str, str)  # id, title
    history_requested = Signal(str)
    #: Consent was fully withdrawn: the window offers to remove the content now.
    purge_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._story: Story | None = None
        self._storyteller_id = ""
        self._loading = False
        #: Just saved here: its announcement, right after, needs no read back.
        self._own_save: str | None = None
        self._final_after_consent = False
        #: An imported story: shown, never changed here (see _set_read_only).
        self.read_only = False
        self.saver = StorySaver(
            context.tasks,
            self.collect,
            self,
            drafts=DraftStore.of_store(context.store),
        )
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
        self.read_button = QPushButton("&Read aloud")
        self.read_button.setAccessibleName("Read the person’s words aloud")
        self.history_button = QPushButton("H&istory…")
        self.history_button.setAccessibleName("Earlier versions of this story")
        self.delete_button = QPushButton("&Delete story…")
        self.delete_button.setAccessibleName("Delete this story")

        # --- the parts ---
        self.form = StoryForm(context)
        self.themes_box = ThemesBox()
        self.consent_box = ConsentSection(context)
        self.consent_box.before_change = self.save_now
        self.withdrawn_box = WithdrawnBox()
        self.recorder = RecorderPanel(context)
        self.recorder.before_change = self.save_now
        self.attachments = AttachmentsPanel(context)
        self.attachments.before_change = self.save_now
        self.people_mentioned = PeopleMentionedSection(context, self.collect)
        # The parts' widgets under the names the window (and a person's tests) know them by.
        self.storyteller_label = self.form.storyteller_label
        self.change_storyteller = self.form.change_storyteller
        self.supporter = self.form.supporter
        self.title = self.form.title
        self.own_words = self.form.own_words
        self.notes = self.form.notes
        self.status = self.form.status
        self.consent_summary = self.consent_box.summary
        self.consent_history = self.consent_box.history
        self.consent_button = self.consent_box.consent_button
        self.withdraw_button = self.consent_box.withdraw_button
        self.copy_button = self.consent_box.copy_button
        self.purge_button = self.withdrawn_box.purge_button

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
        # The story's content, hidden as a whole once consent is withdrawn.
        self.content_fields = QWidget()
        fields_column = QVBoxLayout(self.content_fields)
        fields_column.setContentsMargins(0, 0, 0, 0)
        fields_column.addWidget(self.form)
        fields_column.addWidget(self.people_mentioned)
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
        self.purge_button.clicked.connect(
            lambda: self.story and self.purge_requested.emit(self.story.id)
        )
        self.consent_box.flow_closed.connect(self._consent_flow_closed)
        self.consent_box.fully_withdrawn.connect(self.purge_requested)
        self.consent_box.said.connect(self.saved_state.setText)
        # Once the change has been taken in (and autosave told), not in the middle of it.
        self.status.currentIndexChanged.connect(
            lambda _index: QTimer.singleShot(0, self._status_chosen)
        )
        self.form.edited.connect(self._changed)
        self.themes_box.edited.connect(self._changed)
        self.saver.said.connect(self.saved_state.setText)
        self.saver.saved.connect(self._saved)
        self.saver.conflicted.connect(
            lambda message: QMessageBox.warning(self, "Changed elsewhere", message)
        )
        for part in (self.recorder, self.attachments, self.people_mentioned):
            part.install_shortcuts(self)
        # Both write attachments the same way: saves wait while one is in the queue.
        for panel in (self.recorder, self.attachments):
            panel.writing.connect(self.saver.attachment_writing)
            panel.changed.connect(self.saver.attachment_written)
            panel.write_failed.connect(lambda _id: self.saver.attachment_write_failed())
        self.recorder.consent_flow_requested.connect(lambda _id: self.open_consent_flow())
        self.note_marks = NoteMarks(self.notes, self.recorder, self.saved_state.setText)
        context.tasks.changed.connect(self._records_changed)
        context.appearance_changed.connect(self._apply_fonts)
        self._apply_fonts()

    @property
    def story(self) -> Story | None:
        """The story shown, as the store last had it (not what is typed since)."""
        return self._story

    @story.setter
    def story(self, story: Story | None) -> None:
        # The window sets None once the story is deleted: nothing is left to save.
        self._story = story
        if story is None:
            self.saver.forget()

    def _apply_fonts(self) -> None:
        # The person's words a size larger, as the widgets' own style: the application's style
        # sheet would reset a plain setFont() when the widget is polished.
        size = self.context.app.font().pointSizeF() * 1.25
        self.own_words.setStyleSheet(f"QPlainTextEdit {{ font-size: {size:.1f}pt; }}")
        self.heading.setStyleSheet(f"QLabel {{ font-size: {size:.1f}pt; font-weight: bold; }}")
        self.consent_box.set_large(self.context.settings.text_scale >= 150)

    # --- opening ---------------------------------------------------------------------------

    def open_story(self, story_id: str) -> None:
        if self.story is not None and story_id != self.story.id:
            self.recorder.shutdown()  # a recording belongs to the story it was made for
            self._final_after_consent = False
        self.context.tasks.read(
            partial(story_ops.load_editor, story_id=story_id),
            on_done=self._opened,
            on_error=self._load_failed,
        )

    def _opened(self, data: EditorData) -> None:
        self._show(data)
        offer_draft(self.context, self, data.story.id)  # words kept from before, if any

    def _load_failed(self, error: BaseException) -> None:
        self.context.settings.open_story = None
        QMessageBox.warning(self, "Cannot open the story", plain_error(error, self.context.paths))
        self.closed.emit()

    def _show(self, data: EditorData) -> None:
        self._loading = True
        try:
            self._story = data.story
            # A withdrawn story's content is never put on screen, not even into hidden fields.
            story = stories.shown(data.story)
            self._storyteller_id = story.storyteller.id
            self.saver.watch(story.id, story.revision)
            self._set_storyteller_label(story)
            self.form.show_story(story, data.choices.supporters)
            # Two columns of themes at ordinary sizes; one when text is large, so nothing is
            # cut off. They come after the consent box, as on screen.
            self.themes_box.show_themes(
                data.choices.theme_names,
                {t.theme: t.polarity for t in story.themes},
                columns=2 if self.context.settings.text_scale < 150 else 1,
                after=self.copy_button,
            )
            self.origin.setText(data.origin or "")
            self.origin.setVisible(data.origin is not None)
            self._set_read_only(data.origin is not None)
            self._show_consent(story, data)
            self._show_attachments(story)
            self.saved_state.setText("All changes saved.")
        finally:
            self._loading = False
        self.context.settings.open_story = story.id
        self._final_once_consented(story)
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
        self.form.set_read_only(read_only)
        self.themes_box.set_read_only(read_only)

    def _show_consent(self, story: Story, data: EditorData) -> None:
        self.consent_box.show_consent(story, data.consent, self.read_only)
        hidden = stories.content_hidden(story)
        self.withdrawn_box.setVisible(hidden)
        for widget in (self.content_fields, self.themes_box, self.read_button, self.history_button):
            widget.setVisible(not hidden)

    def _set_storyteller_label(self, story: Story) -> None:
        self.form.show_storyteller(story)
        self.heading.setText(neutralised(f"{story.storyteller.name}’s story"))

    # --- when the store changes --------------------------------------------------------------

    def _records_changed(self, kind: str, ids: frozenset[str]) -> None:
        story, own_save, self._own_save = self.story, self._own_save, None
        if story is None or (kind == Kind.STORIES and ids == {own_save} == {story.id}):
            return
        if kind == Kind.PEOPLE:
            # People's ids, not the story's: any of them may be its storyteller or a supporter
            # to choose from, and they change seldom.
            self._read_again(story.id, self._people_changed)
        elif concerns(kind, ids, SHOWN_KINDS, story.id):
            self._read_again(story.id, self._take_in)

    def _read_again(self, story_id: str, then: Callable[[EditorData], None]) -> None:
        self.context.tasks.read(
            partial(story_ops.load_editor, story_id=story_id),
            on_done=then,
            # Gone meanwhile (deleted with its storyteller, say): whoever removed it says so.
            on_error=lambda error: log.debug("story %s not read again: %s", story_id, error),
        )

    def _take_in(self, data: EditorData) -> None:
        """The story as the store has it now, if newer than the page's; never over typing."""
        story = self.story
        if story is None or data.story.id != story.id or data.story.revision <= self.saver.revision:
            return  # another story by now, or nothing this page has not seen (its own save)
        if self.saver.idle or stories.content_hidden(data.story):
            self._show(data)
        elif data.story.fields == story.fields:
            # Only consent or attachments changed: the typing goes on, saved over the new
            # revision, and the new consent is shown beside it.
            self._story = data.story
            self.saver.revision = data.story.revision
            self._show_consent(stories.shown(data.story), data)
            self._final_once_consented(data.story)
        # Otherwise the words differ: the next save is refused as "changed elsewhere".

    def _people_changed(self, data: EditorData) -> None:
        """New names and supporters, around whatever is being typed or chosen."""
        story = self.story
        if story is None or data.story.id != story.id:
            return
        self._loading = True
        try:
            self.form.show_supporters(data.choices.supporters, self.supporter.currentData())
        finally:
            self._loading = False
        if data.story.storyteller.id == self._storyteller_id == story.storyteller.id:
            self._story = dataclasses.replace(
                story,
                storyteller=data.story.storyteller,
                storyteller_pseudonym=data.story.storyteller_pseudonym,
            )
            self._set_storyteller_label(self._story)

    # --- saving ----------------------------------------------------------------------------

    def collect(self) -> StoryFields:
        return self.form.collect(self._storyteller_id, self.themes_box.links())

    def _changed(self) -> None:
        if self._loading or self.story is None or self.read_only:
            return
        self.saver.changed()

    def save_now(self) -> None:
        self.saver.save_now()

    def _saved(self, result: SaveResult) -> None:
        self._story = result.story
        self._own_save = result.story.id
        self._set_storyteller_label(result.story)
        if result.kept_as_draft:
            self._loading = True
            self.form.show_status(StoryStatus.DRAFT)
            self._loading = False
        self.saved.emit(result.story.id)

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
            self.saver.cancel()
            self.delete_requested.emit(self.story.id, self.title.text())

    def _pick_storyteller(self) -> None:
        from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker

        picker = StorytellerPicker(self.context, self, title="Whose story is this?")
        if not picker.exec() or picker.picked is None or self.story is None:
            return
        picked = picker.picked

        def chosen(storyteller_id: str) -> None:
            self._storyteller_id = storyteller_id
            self.storyteller_label.setText(f"{picked.label}  (saving…)")
            self._changed()
            self.save_now()

        self.context.tasks.write(
            partial(people_ops.storyteller_for, picked=picked),
            on_done=chosen,
            changes=lambda made: [Change.of(Kind.PEOPLE, made)] if picked.id is None else [],
        )

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
        self.form.show_status(StoryStatus.DRAFT)
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
        """The guided flow; the new consent is shown once its write is announced."""
        if self.story is None:
            return
        # Set before the flow opens: the new consent may be shown while it is still open.
        self._final_after_consent = final_after
        self.consent_box.open_flow()

    def _consent_flow_closed(self, recorded: bool) -> None:
        if not recorded:
            self._final_after_consent = False

    def _final_once_consented(self, story: Story) -> None:
        """The person asked for final and then went through consent: make it final now."""
        if not self._final_after_consent:
            return
        if story.consent_state is ConsentState.NONE:
            return  # not yet: the flow is still open, or recorded nothing
        self._final_after_consent = False
        if not stories.content_hidden(story) and not self.read_only:
            self.form.show_status(StoryStatus.FINAL)
            self.saved_state.setText("Consent recorded: the story is now final.")
            self._changed()

    def withdraw_consent(self) -> None:
        self.consent_box.withdraw()

    def print_consent_copy(self) -> None:
        self.consent_box.print_copy()

    # --- recordings, photos and documents --------------------------------------------------

    def _show_attachments(self, story: Story) -> None:
        self.recorder.show_story(
            story.id, story.storyteller.name, story.attachments, self.read_only
        )
        self.attachments.show_story(story.id, story.attachments, self.read_only)
        self.people_mentioned.show_story(story, self.read_only)
