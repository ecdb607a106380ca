"""The story page's consent: the consent in force in words, the earlier versions, and the three
things to do about it (go through consent, take it back, print the person's copy); and the box
shown instead of the story once consent is fully withdrawn.

The section opens the dialogs; it never reloads the story itself. Each consent write announces
``Kind.CONSENT`` for the story, and the page, listening to the task runner, shows it again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import stories
from storykeeper.core.consent import AGREEING, ConsentRecord
from storykeeper.core.stories import Story
from storykeeper.core.vocabulary import ConsentState
from storykeeper.gui.consent_pdf import save_consent_copy
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.ops.consent import ConsentSummary, FlowData
from storykeeper.gui.widgets.modal import run_modal


def _selectable(label: QLabel, name: str) -> QLabel:
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ConsentSection(QGroupBox):
    """``story`` is the story shown (set by the page); ``before_change`` saves what is typed,
    since a consent version raises the story's revision and an older save would be refused."""

    #: The consent flow closed: True when it recorded a new version.
    flow_closed = Signal(bool)
    #: Consent was fully withdrawn: the window offers to remove the content now.
    fully_withdrawn = Signal(str)
    #: Something to say on the page's status line.
    said = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Consent", parent)
        self.context = context
        self.story: Story | None = None
        self.before_change: Callable[[], None] = lambda: None
        self.summary = _selectable(QLabel(), "Consent")
        self.history = _selectable(QLabel(), "Earlier consent decisions")
        self.consent_button = QPushButton("Record or review &consent…")
        self.consent_button.setAccessibleName("Go through consent with the person")
        self.withdraw_button = QPushButton("Ta&ke back consent…")
        self.withdraw_button.setAccessibleName("Withdraw consent: some or all of it")
        self.copy_button = QPushButton("Print a copy &for the person…")
        self.copy_button.setAccessibleName("Save the person’s consent copy as a PDF to print")
        # Side by side at ordinary sizes, one above another at large ones (see set_large).
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        for button in (self.consent_button, self.withdraw_button, self.copy_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch()
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.history)
        column.addLayout(self.buttons)
        self.consent_button.clicked.connect(lambda: self.open_flow())
        self.withdraw_button.clicked.connect(self.withdraw)
        self.copy_button.clicked.connect(self.print_copy)

    def set_large(self, large: bool) -> None:
        self.buttons.setDirection(
            QBoxLayout.Direction.TopToBottom if large else QBoxLayout.Direction.LeftToRight
        )

    def show_consent(self, story: Story, consent: ConsentSummary, read_only: bool) -> None:
        self.story = story
        self.summary.setText(consent.current)
        self.history.setText("Earlier:\n" + "\n".join(consent.earlier) if consent.earlier else "")
        self.history.setVisible(bool(consent.earlier))
        agreed = story.consent_state in (ConsentState.GIVEN, ConsentState.GIVEN_WITH_CONDITIONS)
        # An imported story's consent comes from its sender, in their next bundle.
        self.consent_button.setEnabled(not read_only)
        self.withdraw_button.setEnabled(agreed and not read_only)

    def open_flow(self) -> None:
        """The guided flow with the person; ``flow_closed`` says whether it recorded."""
        if self.story is None:
            return
        self.before_change()

        def opened(data: FlowData) -> None:
            # Anything typed since is saved before consent changes the story's revision.
            self.before_change()
            dialog = ConsentFlowDialog(self.context, data, self)
            run_modal(dialog)
            self.flow_closed.emit(dialog.result_record is not None)

        self.context.tasks.read(
            partial(
                consent_ops.load_flow_data,
                story_id=self.story.id,
                data_dir=self.context.paths.data_dir,
            ),
            on_done=opened,
            on_error=self._failed,
        )

    def withdraw(self) -> None:
        if self.story is None:
            return
        self.before_change()
        story = self.story

        def opened(current: ConsentRecord | None) -> None:
            if current is None or current.decision not in AGREEING:
                QMessageBox.information(
                    self, "Nothing to withdraw", "There is no consent in force for this story."
                )
                return
            self.before_change()
            dialog = WithdrawalDialog(
                self.context,
                story.id,
                story.storyteller.name,
                current,
                self,
                language=story.language,
            )
            run_modal(dialog)
            if dialog.result_record is not None and dialog.full:
                self.fully_withdrawn.emit(story.id)

        self.context.tasks.read(
            partial(consent_ops.current_consent, story_id=story.id),
            on_done=opened,
            on_error=self._failed,
        )

    def print_copy(self) -> None:
        if self.story is None:
            return

        def opened(data: FlowData) -> None:
            story = data.story
            title = "" if stories.content_hidden(story) else story.title
            saved = save_consent_copy(self, data.text, data.current, story.storyteller.name, title)
            if saved is not None:
                self.said.emit(f"Saved the consent copy to {saved}.")

        self.context.tasks.read(
            partial(
                consent_ops.load_flow_data,
                story_id=self.story.id,
                data_dir=self.context.paths.data_dir,
            ),
            on_done=opened,
            on_error=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Consent", plain_error(error, self.context.paths))


class WithdrawnBox(QGroupBox):
    """Shown instead of the story's content once consent is fully withdrawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Consent withdrawn", parent)
        self.text = QLabel(
            "The person took back their consent, so this story’s content is hidden: it is not "
            "shown, searched or exported. The coordinator is told to remove their copy in the "
            "next bundle. Remove the content from this computer once you are sure."
        )
        self.text.setWordWrap(True)
        self.purge_button = QPushButton("Re&move it from this computer…")
        self.purge_button.setAccessibleName("Remove the withdrawn story from this computer")
        column = QVBoxLayout(self)
        column.addWidget(self.text)
        row = QHBoxLayout()
        row.addWidget(self.purge_button)
        row.addStretch()
        column.addLayout(row)
