"""The first day of a new data folder: what will you do here, and what that needs (issue 20).

Asked once, after the store is open (the unlock and recovery-key questions come first), and only
of a data folder that never kept a story. Three answers, in plain words: "I record people's
stories" (an advocate), "I receive stories from others" (a coordinator), or both. An advocate
gives their own supporter entry (name, role, organisation), which new stories take as "recorded
by"; a coordinator is shown their next steps — share the receiving key, trust senders, import —
as buttons that open those dialogs once this one has closed. The answer is kept in the settings
(``GuiSettings.use``), and Help → Getting started asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core.people import NAME_MAX, Supporter
from storykeeper.core.vocabulary import SupporterRole
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_errors import not_written
from storykeeper.gui.ops import first_day as first_day_ops
from storykeeper.gui.ops import people as people_ops
from storykeeper.gui.settings import Use
from storykeeper.gui.widgets.add_supporter import ROLES
from storykeeper.gui.widgets.labels import buddy_label
from storykeeper.gui.widgets.modal import run_modal
from storykeeper.gui.widgets.whole_words import keep_words_whole

#: Said on the first page, so nobody fears a wrong answer.
CHANGE_LATER = "You can change this later: Help → Getting started."
NAME_NEEDED = "Write your name: stories you record will say it."


class NextStep(StrEnum):
    """A coordinator's next step, opened by the window once the first day has closed."""

    SHARE_KEY = "share_key"
    TRUST = "trust"
    IMPORT = "import"


def _words(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class FirstDayDialog(QDialog):
    """Three pages: the answer; about you (to record); next steps (to receive)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Welcome to Storykeeper")
        #: What the window opens after this dialog, if the person chose a next step.
        self.next_step: NextStep | None = None
        self._own_id = context.settings.own_supporter
        self._saving = False

        self.pages = QStackedWidget()
        self.choice_page = self._build_choice_page()
        self.about_page = self._build_about_page()
        self.steps_page = self._build_steps_page()
        for page in (self.choice_page, self.about_page, self.steps_page):
            self.pages.addWidget(page)
        self.problem = _words("")
        self.problem.setProperty("role", "problem")
        self.problem.setAccessibleName("What to fix")
        self.problem.hide()
        self.back_button = QPushButton("&Go back")
        self.back_button.setAccessibleName("Go back")
        self.continue_button = QPushButton("&Continue")
        self.later_button = QPushButton("Not now")
        self.later_button.setAccessibleName("Not now")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch()
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self._back)
        self.continue_button.clicked.connect(self._continue)
        self.later_button.clicked.connect(self.reject)
        self.your_name.returnPressed.connect(self._continue)
        self.organisation.returnPressed.connect(self._continue)
        for button, step in (
            (self.key_button, NextStep.SHARE_KEY),
            (self.trust_button, NextStep.TRUST),
            (self.import_button, NextStep.IMPORT),
        ):
            button.clicked.connect(partial(self._take_step, step))
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter continues; it never presses a step by chance
        self.continue_button.setDefault(True)
        # Wide enough to read at a glance, never wider than the screen at any text size; as tall
        # as the words need at that width (keep_words_whole).
        width = min(int(620 * context.settings.text_scale / 100), self._room_width())
        needed = self.heightForWidth(width)  # the words wrapped at that width, not the hint's
        self.resize(width, needed if needed > 0 else self.sizeHint().height())
        keep_words_whole(self)
        self._show_page(self.choice_page)
        if self._own_id:
            # Asked again from the Help menu: their entry as it is now, to correct if need be.
            context.tasks.read(
                partial(first_day_ops.own_entry, supporter_id=self._own_id),
                on_done=self._fill_own_entry,
            )

    def _room_width(self) -> int:
        return self.screen().availableGeometry().width() - 40

    def _build_choice_page(self) -> QWidget:
        self.record = QRadioButton("I &record people’s stories")
        self.receive = QRadioButton("I r&eceive stories from others")
        self.both = QRadioButton("I do &both")
        self.answers = QButtonGroup(self)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(_words("<b>Welcome to Storykeeper.</b>"))
        column.addWidget(_words("What will you do with Storykeeper on this computer?"))
        explained = (
            (
                self.record,
                Use.RECORD,
                "You listen to people and keep their stories, with "
                "their consent, then send them on to a coordinator.",
            ),
            (
                self.receive,
                Use.RECEIVE,
                "Advocates send you the stories they recorded, and you bring them together here.",
            ),
            (self.both, Use.BOTH, "You record stories yourself and receive them from others."),
        )
        for button, use, words in explained:
            button.setAccessibleName(button.text().replace("&", ""))
            button.setAccessibleDescription(words)
            self.answers.addButton(button)
            button.setProperty("use", use.value)
            column.addWidget(button)
            said = _words(words)
            said.setIndent(button.fontMetrics().height() * 2)
            column.addWidget(said)
        column.addWidget(_words(CHANGE_LATER))
        column.addStretch()
        chosen = {Use.RECORD: self.record, Use.RECEIVE: self.receive, Use.BOTH: self.both}
        current = self.context.settings.use
        if current is not None:
            chosen[current].setChecked(True)
        return page

    def _build_about_page(self) -> QWidget:
        self.your_name = QLineEdit()
        self.your_name.setAccessibleName("Your name")
        self.your_name.setMaxLength(NAME_MAX)
        self.your_role = QComboBox()
        self.your_role.setAccessibleName("Your role")
        for role in ROLES:
            self.your_role.addItem(role.label, role.value)
        self.organisation = QLineEdit()
        self.organisation.setAccessibleName("Your organisation")
        self.organisation.setMaxLength(NAME_MAX)
        self.organisation.setPlaceholderText("If you have one")
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(
            _words(
                "About you. Each story you record says who recorded it: you, unless you "
                "choose someone else for a story."
            )
        )
        form = QFormLayout()
        form.addRow(buddy_label("Your &name:", self.your_name), self.your_name)
        form.addRow(buddy_label("Your ro&le:", self.your_role), self.your_role)
        form.addRow(buddy_label("&Organisation:", self.organisation), self.organisation)
        column.addLayout(form)
        column.addStretch()
        return page

    def _build_steps_page(self) -> QWidget:
        self.key_button = QPushButton("Share my receiving &key…")
        self.key_button.setAccessibleName("Share my receiving key")
        self.trust_button = QPushButton("&Trusted senders…")
        self.trust_button.setAccessibleName("Trusted senders")
        self.import_button = QPushButton("&Import stories you received…")
        self.import_button.setAccessibleName("Import stories you received")
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(_words("Your next steps, to receive stories. Do them now or later."))
        steps = (
            (
                "1. Give each advocate who will send to you your receiving key: save it to a "
                "file or print a key card. Only you can open what is sent with it.",
                self.key_button,
            ),
            (
                "2. When an advocate’s first file comes, check by phone that it is really "
                "from them, then trust them as a sender.",
                self.trust_button,
            ),
            (
                "3. Import each file of stories you receive, by e-mail or on a memory stick. "
                "You can also double-click the file.",
                self.import_button,
            ),
        )
        for words, button in steps:
            column.addWidget(_words(words))
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch()
            column.addLayout(row)
        column.addStretch()
        return page

    # --- moving through the pages ----------------------------------------------------------

    def chosen_use(self) -> Use | None:
        button = self.answers.checkedButton()
        return Use(button.property("use")) if button is not None else None

    def _show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self.problem.hide()
        self.back_button.setVisible(page is not self.choice_page)
        # The answer is kept by then: Done is all there is left to say.
        self.later_button.setVisible(page is not self.steps_page)
        last = page is self.steps_page or (
            page is self.about_page and self.chosen_use() is Use.RECORD
        )
        self.continue_button.setText("&Done" if last else "&Continue")
        self.continue_button.setAccessibleName("Done" if last else "Continue")
        first_field = {
            self.choice_page: self.answers.checkedButton() or self.record,
            self.about_page: self.your_name,
            self.steps_page: self.key_button,
        }[page]
        first_field.setFocus()

    def _back(self) -> None:
        page = self.pages.currentWidget()
        if page is self.steps_page and self.chosen_use() is Use.BOTH:
            self._show_page(self.about_page)
        else:
            self._show_page(self.choice_page)

    def _continue(self) -> None:
        page = self.pages.currentWidget()
        if page is self.choice_page:
            use = self.chosen_use()
            if use is None:
                self._say("Choose one of the three, with the arrow keys or Alt and its letter.")
                return
            self.context.settings.use = use
            self._show_page(self.steps_page if use is Use.RECEIVE else self.about_page)
        elif page is self.about_page:
            self._save_own_entry()
        else:
            self.accept()

    def _take_step(self, step: NextStep) -> None:
        self.next_step = step
        self.accept()

    # --- the advocate's own entry ------------------------------------------------------------

    def _fill_own_entry(self, own: Supporter | None) -> None:
        if own is None:
            self._own_id = None  # deleted since: saving adds it again
            return
        if not self.your_name.text():
            self.your_name.setText(own.name)
            self.organisation.setText(own.organisation)
            self.your_role.setCurrentIndex(max(0, self.your_role.findData(own.role.value)))

    def _save_own_entry(self) -> None:
        if self._saving:
            return
        if not self.your_name.text().strip():
            self._say(NAME_NEEDED)
            self.your_name.setFocus()
            return
        self._saving = True
        self.continue_button.setEnabled(False)
        details = people_ops.SupporterDetails(
            name=self.your_name.text(),
            role=SupporterRole(self.your_role.currentData()),
            organisation=self.organisation.text(),
            contact="",
        )
        self.context.tasks.write(
            partial(people_ops.save_supporter, supporter_id=self._own_id, details=details),
            on_done=self._own_entry_saved,
            on_error=self._own_entry_failed,
            changes=people_ops.supporter_saved_changes,
        )

    def _own_entry_saved(self, own: Supporter) -> None:
        self._saving = False
        self.continue_button.setEnabled(True)
        self._own_id = own.id
        self.context.settings.own_supporter = own.id
        if self.chosen_use() is Use.BOTH:
            self._show_page(self.steps_page)
        else:
            self.accept()

    def _own_entry_failed(self, error: BaseException) -> None:
        self._saving = False
        self.continue_button.setEnabled(True)
        self._say(f"Not saved yet: {not_written(error, self.context.paths, 'Try again.')}")
        self.your_name.setFocus()

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def done(self, result: int) -> None:
        if self._saving:
            return  # the entry is on its way: closing now would lose where it went
        # Answered or put off, it is asked once; Help → Getting started asks again.
        self.context.settings.first_day_asked = True
        super().done(result)


class FirstDayOffer(QObject):
    """Whether this start puts the first day's question: ``decided(True)`` just before it."""

    decided = Signal(bool)


def show_first_day(
    context: AppContext, parent: QWidget, after: Callable[[NextStep | None], None]
) -> None:
    """Ask (again); ``after`` gets the next step chosen (or None) once the dialog has gone."""
    dialog = FirstDayDialog(context, parent)
    run_modal(dialog)
    # Not from inside this call: a step's own dialog would open in the caller's slot.
    QTimer.singleShot(0, partial(after, dialog.next_step))


def offer_first_day(
    context: AppContext, parent: QWidget, after: Callable[[NextStep | None], None]
) -> FirstDayOffer:
    """Ask the first day's question if this data folder is new and was never asked."""
    offer = FirstDayOffer(parent)

    def decide(new: bool) -> None:
        offer.decided.emit(new)
        if new:
            show_first_day(context, parent, after)

    if context.settings.first_day_asked or context.settings.use is not None:
        QTimer.singleShot(0, partial(offer.decided.emit, False))
    else:
        context.tasks.read(first_day_ops.is_new_data_folder, on_done=decide)
    return offer
