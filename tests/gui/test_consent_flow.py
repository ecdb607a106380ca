"""Consent in the window: the guided flow, review, withdrawal and the printed copy, by keyboard."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storykeeper.core import clock, consent, recording_consent, stories
from storykeeper.core.consent import BestInterests, PersonConsulted, add_months
from storykeeper.core.vocabulary import (
    CapacityOutcome,
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    PracticableStep,
    StoryStatus,
)
from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
from storykeeper.gui.main_window import MainWindow
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens

ALT = Qt.KeyboardModifier.AltModifier


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press where the keyboard is: the focused widget of the active window.

    Just after a question box closes, the window under it takes a moment to be active again.
    """
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, text)


def open_in_editor(qtbot: QtBot, window: MainWindow, story_id: str) -> None:
    window.open_story(story_id)
    qtbot.waitUntil(lambda: window.editor.story is not None and window.editor.story.id == story_id)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def run_flow(qtbot: QtBot, window: MainWindow, walk: Callable[[ConsentFlowDialog], None]) -> None:
    """Open the flow with Alt+C from the story, as a person would, and walk it with ``walk``."""
    walked: list[BaseException | None] = []

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, ConsentFlowDialog)
        try:
            walk(dialog)
        except BaseException as exc:  # report it from the test, not from inside the dialog
            walked.append(exc)
            QDialog.done(dialog, 0)  # straight out: no "stop without saving?" question
        else:
            walked.append(None)

    when_dialog_opens(act, ConsentFlowDialog)
    key(qtbot, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(lambda: bool(walked), timeout=30_000)
    if walked[0] is not None:
        raise walked[0]


def step_key(dialog: ConsentFlowDialog) -> str:
    return dialog.current_step().key


def next_step(qtbot: QtBot, dialog: ConsentFlowDialog, expected: str) -> None:
    """Alt+N ("Next"), which works from any field, even a text box; then ``expected`` shows."""
    key(qtbot, Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: step_key(dialog) == expected)


def enter_to(qtbot: QtBot, dialog: ConsentFlowDialog, expected: str) -> None:
    """Enter, where the keyboard starts on a step, moves on: Next is the default button."""
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: step_key(dialog) == expected)


def answer(qtbot: QtBot, dialog: ConsentFlowDialog, yes: bool) -> None:
    """Space on the focused Yes, or the Right arrow to No and Space, as with any choice."""
    step = dialog.current_step()
    assert QApplication.focusWidget().accessibleName() == "Yes"  # type: ignore[union-attr]
    if not yes:
        key(qtbot, Qt.Key.Key_Right)
        assert QApplication.focusWidget().accessibleName() == "No"  # type: ignore[union-attr]
    key(qtbot, Qt.Key.Key_Space)
    group = next(g for s, g in dialog.answers.items() if dialog.scope_steps[s] is step)
    assert group.checkedId() == (1 if yes else 0)


def alt_choose(qtbot: QtBot, letter: Qt.Key, button: QWidget) -> None:
    """Alt+letter on a button: Qt clicks it a moment later (with the press shown)."""
    key(qtbot, letter, ALT)
    qtbot.waitUntil(lambda: button.isChecked())  # type: ignore[attr-defined]


def saved_and_closed(qtbot: QtBot, dialog: ConsentFlowDialog) -> None:
    key(qtbot, Qt.Key.Key_S, ALT)  # Save
    qtbot.waitUntil(lambda: step_key(dialog) == "done", timeout=10_000)
    assert dialog.result_record is not None
    key(qtbot, Qt.Key.Key_Escape)  # closes: everything is saved
    qtbot.waitUntil(lambda: not dialog.isVisible())


#: The first question as each basis asks it: the person, or whoever decides for them.
ASKED = {
    ConsentBasis.OWN_CONSENT: "Can we record your voice while you tell your story?",
    ConsentBasis.SUPPORTED_DECISION: "Can we record your voice while you tell your story?",
    ConsentBasis.LASTING_POWER_OF_ATTORNEY: "Does Mair Pritchard’s attorney agree that we "
    "record Mair Pritchard’s voice while they tell their story?",
    ConsentBasis.DEPUTY: "Does Mair Pritchard’s deputy agree that we record Mair Pritchard’s "
    "voice while they tell their story?",
    ConsentBasis.BEST_INTERESTS: "Is it in Mair Pritchard’s best interests that we record "
    "Mair Pritchard’s voice while they tell their story?",
}
#: "Is this right?" says who decided, truthfully.
CHECK_SAYS = {
    ConsentBasis.OWN_CONSENT: "Here is what you chose.",
    ConsentBasis.SUPPORTED_DECISION: "Here is what you chose.",
    ConsentBasis.LASTING_POWER_OF_ATTORNEY: "It was decided on your behalf by Gareth "
    "Pritchard, your attorney (Lasting Power of Attorney PA-7731-0042).",
    ConsentBasis.DEPUTY: "It was decided on your behalf by Gareth Pritchard, your deputy "
    "(appointed by the court, order PA-7731-0042).",
    ConsentBasis.BEST_INTERESTS: "It was decided on your behalf by Gareth Pritchard, in your "
    "best interests, because her story may help others in her position.",
}


def fill_capacity(qtbot: QtBot, dialog: ConsentFlowDialog) -> None:
    """The capacity assessment by keyboard: each field by its Alt key, answers by arrow keys."""
    key(qtbot, Qt.Key.Key_D, ALT)
    type_text(qtbot, "Sharing her story with the coordinator")
    key(qtbot, Qt.Key.Key_Y, ALT)
    type_text(qtbot, "Sian Hughes")
    alt_choose(qtbot, Qt.Key.Key_F, dialog.capacity.steps[PracticableStep.OTHER_FORM])
    for letter, answer_down in [
        (Qt.Key.Key_U, 2),  # No
        (Qt.Key.Key_I, 2),  # No
        (Qt.Key.Key_G, 2),  # No
        (Qt.Key.Key_O, 1),  # Yes: she can communicate
    ]:
        key(qtbot, letter, ALT)
        for _ in range(answer_down):
            key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_T, ALT)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)  # Cannot make this decision at this time


SCOPES_IN_ORDER = [
    "scope:record_audio",  # first, and asked whatever is said about sharing
    "scope:share_with_coordinator",
    "scope:anonymised_in_reports",
    "scope:quote_anonymised",
    "scope:publish_with_name",
    "scope:share_media",
]


@pytest.mark.parametrize("basis", list(ConsentBasis))
def test_the_consent_flow_by_keyboard_for_each_basis(
    qtbot: QtBot, window: MainWindow, basis: ConsentBasis
) -> None:
    story = make_story(window.context.store, teller="Mair Pritchard")
    open_in_editor(qtbot, window, story.id)
    someone_else = basis not in (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION)

    def walk(dialog: ConsentFlowDialog) -> None:
        assert step_key(dialog) == "intro"
        assert dialog.progress.text() == "Step 1 of 11"
        # Who decides comes first: every question after it is asked of them.
        enter_to(qtbot, dialog, "basis")
        number = list(ConsentBasis).index(basis) + 1
        alt_choose(qtbot, Qt.Key(Qt.Key.Key_0 + number), dialog.basis_group.button(number))
        if someone_else:
            assert dialog.decided_by.text() == ""  # not the storyteller's name any more
            key(qtbot, Qt.Key.Key_W, ALT)
            type_text(qtbot, "Gareth Pritchard")
        else:
            assert dialog.decided_by.text() == "Mair Pritchard"
        if basis in (ConsentBasis.LASTING_POWER_OF_ATTORNEY, ConsentBasis.DEPUTY):
            # An attorney or a deputy is named with the reference on their papers.
            qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
            assert step_key(dialog) == "basis"
            assert dialog.basis_step.problem.text().startswith("Write the reference")
            assert QApplication.focusWidget() is dialog.reference
            type_text(qtbot, "PA-7731-0042")
        if basis is ConsentBasis.SUPPORTED_DECISION:
            key(qtbot, Qt.Key.Key_H, ALT)
            type_text(qtbot, "Sian Hughes")
        if basis is ConsentBasis.BEST_INTERESTS:
            # A best-interests decision rests on an assessment that she cannot decide this.
            assert dialog.capacity_in_doubt.isChecked()
            next_step(qtbot, dialog, "capacity")
            fill_capacity(qtbot, dialog)
        enter_to(qtbot, dialog, SCOPES_IN_ORDER[0])
        heading = dialog.current_step().heading.text()
        assert heading == ASKED[basis], heading
        # Yes to recording, sharing, counting and quoting; no to the name and to sharing media.
        answers = [True, True, True, True, False, False]
        last = "best_interests" if basis is ConsentBasis.BEST_INTERESTS else "how"
        for n, (scope_key, yes) in enumerate(zip(SCOPES_IN_ORDER, answers, strict=True)):
            assert step_key(dialog) == scope_key
            answer(qtbot, dialog, yes)
            enter_to(qtbot, dialog, SCOPES_IN_ORDER[n + 1] if n < 5 else last)
        if basis is ConsentBasis.BEST_INTERESTS:
            # Moving on without the working is refused, with what is missing said.
            qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
            assert step_key(dialog) == "best_interests"
            problem = dialog.best_interests_step.problem.text()
            assert problem == "Add at least one person consulted."
            key(qtbot, Qt.Key.Key_P, ALT)  # "Add a person consulted"
            qtbot.waitUntil(lambda: len(dialog.best_interests.rows) == 1)
            row = dialog.best_interests.rows[0]
            qtbot.waitUntil(lambda: QApplication.focusWidget() is row.name)
            type_text(qtbot, "Owen Pritchard")
            key(qtbot, Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is row.relationship
            type_text(qtbot, "her son")
            key(qtbot, Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is row.said
            type_text(qtbot, "She would want to help others.")
            key(qtbot, Qt.Key.Key_W, ALT)
            type_text(qtbot, "She always spoke up for people in her position.")
            key(qtbot, Qt.Key.Key_I, ALT)
            type_text(qtbot, "Her story may help others in her position.")
            key(qtbot, Qt.Key.Key_M, ALT)
            type_text(qtbot, "Bethan Rees")
            next_step(qtbot, dialog, "how")
        assert QApplication.focusWidget() is dialog.method
        key(qtbot, Qt.Key.Key_Down)  # Verbal → Signed form
        key(qtbot, Qt.Key.Key_W, ALT)
        type_text(qtbot, "Yes, tell them about the bus. Not my name.")
        key(qtbot, Qt.Key.Key_C, ALT)
        type_text(qtbot, "Not in the local paper.")
        next_step(qtbot, dialog, "review")
        next_step(qtbot, dialog, "check")
        shown = dialog.check_view.toPlainText()
        assert "Can we record your voice while you tell your story?" in shown
        assert "Can we give your story to the coordinator?" in shown
        assert "Not in the local paper." in shown
        # Who decided, truthfully: a decision made for her is never "what you chose".
        said = dialog.check_step.words.text()
        assert said.splitlines()[0] == CHECK_SAYS[basis], said
        assert said.splitlines()[-1] == "If something is wrong, go back and change it."
        assert CHECK_SAYS[basis] in dialog.check_step.speech()
        key(qtbot, Qt.Key.Key_S, ALT)  # Save
        qtbot.waitUntil(lambda: step_key(dialog) == "done", timeout=10_000)
        thanks = dialog.done_step.words.text().splitlines()[0]
        assert thanks == ("The decision is saved." if someone_else else "Your choices are saved.")
        key(qtbot, Qt.Key.Key_Escape)  # closes: everything is saved
        qtbot.waitUntil(lambda: not dialog.isVisible())

    run_flow(qtbot, window, walk)
    with window.context.store.read() as session:
        record = consent.current_consent(session, story.id)
    assert record is not None
    assert record.decision is ConsentDecision.GIVEN_WITH_CONDITIONS
    assert record.basis is basis
    assert record.decided_by == ("Gareth Pritchard" if someone_else else "Mair Pritchard")
    assert record.method is ConsentMethod.SIGNED_FORM
    assert record.scopes == {
        ConsentScope.RECORD_AUDIO,
        ConsentScope.SHARE_WITH_COORDINATOR,
        ConsentScope.ANONYMISED_IN_REPORTS,
        ConsentScope.QUOTE_ANONYMISED,
    }
    assert record.persons_words == "Yes, tell them about the bus. Not my name."
    assert record.conditions == "Not in the local paper."
    assert record.review_by == add_months(clock.today(), 6)
    if basis is ConsentBasis.BEST_INTERESTS:
        assert record.best_interests == BestInterests(
            decision_maker="Gareth Pritchard",
            consulted=(
                PersonConsulted("Owen Pritchard", "her son", "She would want to help others."),
            ),
            wishes_and_values="She always spoke up for people in her position.",
            why="Her story may help others in her position.",
        )
        assert record.advocate_name == "Bethan Rees"
        assert record.capacity is not None
        assert record.capacity.outcome is CapacityOutcome.LACKS_CAPACITY
    else:
        assert record.best_interests is None
        assert record.capacity is None
    if basis in (ConsentBasis.LASTING_POWER_OF_ATTORNEY, ConsentBasis.DEPUTY):
        assert record.representative_reference == "PA-7731-0042"
    else:
        assert record.representative_reference == ""
    if basis is ConsentBasis.SUPPORTED_DECISION:
        assert record.advocate_name == "Sian Hughes"
    editor = window.editor
    qtbot.waitUntil(lambda: editor.consent_summary.text().startswith("Given with conditions"))
    assert "Allows: record their voice; share with the coordinator" in (
        editor.consent_summary.text()
    )


def test_a_no_to_sharing_skips_the_other_questions_and_is_recorded_as_declined(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, teller="Ray Lloyd")
    open_in_editor(qtbot, window, story.id)

    def walk(dialog: ConsentFlowDialog) -> None:
        enter_to(qtbot, dialog, "basis")
        alt_choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
        next_step(qtbot, dialog, SCOPES_IN_ORDER[0])
        answer(qtbot, dialog, yes=False)  # no to recording
        enter_to(qtbot, dialog, SCOPES_IN_ORDER[1])
        answer(qtbot, dialog, yes=False)  # no to sharing
        enter_to(qtbot, dialog, "how")  # nothing more to ask about uses
        assert dialog.progress.text() == "Step 5 of 7"
        next_step(qtbot, dialog, "review")
        assert not dialog.review_by.isEnabled()  # nothing agreed, nothing to review
        next_step(qtbot, dialog, "check")
        assert "So your story stays here." in dialog.check_view.toPlainText()
        saved_and_closed(qtbot, dialog)

    run_flow(qtbot, window, walk)
    with window.context.store.read() as session:
        record = consent.current_consent(session, story.id)
    assert record is not None
    assert record.decision is ConsentDecision.DECLINED
    assert record.scopes == frozenset()
    assert record.review_by is None


def test_recording_is_asked_whatever_is_said_about_sharing(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Yes to recording, then no to sharing (after a yes taken back): recording alone is agreed.

    With an organisation's wording written before the recording question existed: that
    question comes in the standard words, the rest in theirs.
    """
    import json

    from storykeeper.core.easy_read import shipped_folder

    older = json.loads((shipped_folder() / "en.json").read_text(encoding="utf-8"))
    del older["scopes"]["record_audio"]
    older["scopes"]["share_with_coordinator"]["question"] = "Can Dewi have your story?"
    own = window.context.paths.data_dir / "consent"
    own.mkdir(parents=True)
    (own / "en.json").write_text(json.dumps(older), encoding="utf-8")
    story = make_story(window.context.store, teller="Ray Lloyd")
    open_in_editor(qtbot, window, story.id)

    def walk(dialog: ConsentFlowDialog) -> None:
        enter_to(qtbot, dialog, "basis")
        alt_choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
        next_step(qtbot, dialog, "scope:record_audio")
        step = dialog.current_step()
        assert step.heading.text() == "Can we record your voice while you tell your story?"
        assert "It stays on this computer." in step.words.text()
        answer(qtbot, dialog, yes=True)
        enter_to(qtbot, dialog, "scope:share_with_coordinator")
        assert dialog.current_step().heading.text() == "Can Dewi have your story?"
        answer(qtbot, dialog, yes=True)
        enter_to(qtbot, dialog, "scope:anonymised_in_reports")
        answer(qtbot, dialog, yes=True)
        # Back to sharing, and the person changes their mind: the other uses are skipped (and
        # their answers dropped), but recording, asked first, stands.
        key(qtbot, Qt.Key.Key_B, ALT)
        qtbot.waitUntil(lambda: step_key(dialog) == "scope:share_with_coordinator")
        answer(qtbot, dialog, yes=False)
        enter_to(qtbot, dialog, "how")
        assert dialog.progress.text() == "Step 5 of 7"
        next_step(qtbot, dialog, "review")
        assert dialog.review_by.isEnabled()  # a yes to recording is reviewed like any yes
        next_step(qtbot, dialog, "check")
        # Each answer's picture stands between the question and its words (U+FFFC).
        shown = re.sub(r"[\s\ufffc]+", " ", dialog.check_view.toPlainText())
        assert "So your story stays here." in shown
        assert "Can we record your voice while you tell your story? Yes" in shown
        assert "Can Dewi have your story? No" in shown
        assert dialog.check_details.text().startswith("Decision: Given.")
        saved_and_closed(qtbot, dialog)

    run_flow(qtbot, window, walk)
    with window.context.store.read() as session:
        record = consent.current_consent(session, story.id)
        assert recording_consent.may_record_audio(session, story.id)
    assert record is not None
    assert record.decision is ConsentDecision.GIVEN
    assert record.scopes == {ConsentScope.RECORD_AUDIO}
    assert record.review_by == add_months(clock.today(), 6)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.consent_summary.text().startswith("Given on"))
    assert "Allows: record their voice." in editor.consent_summary.text()
    assert "Nothing about this story may leave this computer." in editor.consent_summary.text()


def test_a_review_confirms_consent_as_a_new_version(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store, teller="Edith Roberts")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(decided_on=dt.date(2024, 1, 1)))
    window.list_page.reload()
    qtbot.waitUntil(lambda: window.list_page.review_label.isVisibleTo(window))
    open_in_editor(qtbot, window, story.id)
    assert "the review is due now" in window.editor.consent_summary.text()

    def walk(dialog: ConsentFlowDialog) -> None:
        assert dialog.reviewing
        assert dialog.windowTitle() == "Consent — Edith Roberts (review)"
        # Every answer starts as it was agreed: the person confirms each one with Enter.
        for expected in ["basis", *SCOPES_IN_ORDER, "how", "review", "check"]:
            enter_to(qtbot, dialog, expected)
        saved_and_closed(qtbot, dialog)

    run_flow(qtbot, window, walk)
    with window.context.store.read() as session:
        history = consent.consent_history(session, story.id)
    assert [r.version for r in history] == [1, 2]
    assert history[1].scopes == history[0].scopes
    assert history[1].review_by == add_months(clock.today(), 6)
    editor = window.editor
    qtbot.waitUntil(lambda: "This is version 2; 1 earlier." in editor.consent_summary.text())
    assert editor.consent_history.text().startswith("Earlier:\nVersion 1: given on 01 January 2024")
    window.show_list()
    qtbot.waitUntil(lambda: not window.list_page.review_label.isVisibleTo(window))


def test_leaving_the_flow_part_way_asks_first_and_saves_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store)
    open_in_editor(qtbot, window, story.id)
    asked: list[str] = []

    def walk(dialog: ConsentFlowDialog) -> None:
        enter_to(qtbot, dialog, "basis")
        alt_choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))

        def keep_going(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            asked.append(box.text())
            key(qtbot, Qt.Key.Key_Escape)  # Esc keeps going

        when_dialog_opens(keep_going, QMessageBox)
        key(qtbot, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: len(asked) == 1)
        assert dialog.isVisible()

        def stop(box: QWidget) -> None:
            asked.append(box.text())
            key(qtbot, Qt.Key.Key_S, ALT)  # "Stop without saving"

        when_dialog_opens(stop, QMessageBox)
        key(qtbot, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible())

    run_flow(qtbot, window, walk)
    assert asked[0] == "Stop now? The answers given so far are not saved."
    with window.context.store.read() as session:
        assert consent.current_consent(session, story.id) is None


def test_each_step_is_read_aloud(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store)
    open_in_editor(qtbot, window, story.id)
    heard: list[str] = []

    def walk(dialog: ConsentFlowDialog) -> None:
        dialog.speech.said.connect(heard.append)
        key(qtbot, Qt.Key.Key_A, ALT)
        qtbot.waitUntil(lambda: len(heard) == 1)
        qtbot.waitUntil(lambda: dialog.read_button.text() == "Stop reading &aloud")
        enter_to(qtbot, dialog, "basis")  # moving on stops the reading
        alt_choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
        next_step(qtbot, dialog, SCOPES_IN_ORDER[0])
        key(qtbot, Qt.Key.Key_A, ALT)
        qtbot.waitUntil(lambda: len(heard) == 2)
        dialog.speech.stop()
        qtbot.waitUntil(lambda: dialog.read_button.text() == "Read &aloud")
        key(qtbot, Qt.Key.Key_B, ALT)  # back to the start, where Esc leaves without a question
        qtbot.waitUntil(lambda: step_key(dialog) == "basis")
        key(qtbot, Qt.Key.Key_B, ALT)
        qtbot.waitUntil(lambda: step_key(dialog) == "intro")
        key(qtbot, Qt.Key.Key_Escape)

    run_flow(qtbot, window, walk)
    assert heard[0].startswith("Your story, your choice\nWe would like to keep your story.")
    assert heard[1] == (
        "Can we record your voice while you tell your story?\n"
        "The recording helps us write your words down right.\n"
        "It stays on this computer.\n"
        "It only goes further if you also say yes to sharing recordings.\nYes, or No?"
    )


def test_reading_aloud_without_an_engine_says_why(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYKEEPER_TTS_ENGINE", "no-such-engine")
    story = make_story(window.context.store)
    open_in_editor(qtbot, window, story.id)
    shown: list[str] = []

    def walk(dialog: ConsentFlowDialog) -> None:
        def read(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            shown.append(box.text())
            box.accept()

        when_dialog_opens(read, QMessageBox)
        key(qtbot, Qt.Key.Key_A, ALT)
        qtbot.waitUntil(lambda: bool(shown))
        key(qtbot, Qt.Key.Key_Escape)

    run_flow(qtbot, window, walk)
    assert "speech-dispatcher" in shown[0]


def save_pdf_as(qtbot: QtBot, path: Path) -> None:
    """Answer the save box by typing the file name, as a person would."""

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        name.selectAll()
        qtbot.keyClicks(name, str(path))
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(act, QFileDialog)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def test_the_printed_copy_says_what_was_chosen(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story = make_story(window.context.store, teller="Mair Pritchard", title="Tea on Thursdays")
    open_in_editor(qtbot, window, story.id)
    copy = tmp_path / "Mair's copy"

    def walk(dialog: ConsentFlowDialog) -> None:
        enter_to(qtbot, dialog, "basis")
        alt_choose(qtbot, Qt.Key.Key_2, dialog.basis_group.button(2))
        next_step(qtbot, dialog, SCOPES_IN_ORDER[0])
        answers = [False, True, False, True, False, True]
        for n, yes in enumerate(answers):
            answer(qtbot, dialog, yes)
            enter_to(qtbot, dialog, SCOPES_IN_ORDER[n + 1] if n < 5 else "how")
        next_step(qtbot, dialog, "review")
        next_step(qtbot, dialog, "check")
        key(qtbot, Qt.Key.Key_S, ALT)
        qtbot.waitUntil(lambda: step_key(dialog) == "done", timeout=10_000)
        assert QApplication.focusWidget() is dialog.print_button
        save_pdf_as(qtbot, copy)
        key(qtbot, Qt.Key.Key_Return)  # Enter on "Print a copy to keep…"
        qtbot.waitUntil(lambda: dialog.print_state.text().startswith("Saved the copy"))
        key(qtbot, Qt.Key.Key_Escape)

    run_flow(qtbot, window, walk)
    saved = copy.with_name("Mair's copy.pdf")  # the .pdf is added
    assert saved.is_file()
    text = pdf_text(saved)
    review = add_months(clock.today(), 6)
    for expected in [
        "Your story: your choices",
        "This is a copy for you to keep.",
        "For Mair Pritchard",
        "About your story “Tea on Thursdays”",
        f"You told us on {clock.today().day} {clock.today().strftime('%B %Y')}.",
        "Can we record your voice while you tell your story? No",
        "Can we give your story to the coordinator? Yes",
        "Can we count your story in reports, without your name? No",
        "Can we use your words, without your name? Yes",
        "Can we use your story with your name? No",
        "Can we share recordings or photos of you? Yes",
        "Who decided: You decided this yourself, with help.",
        f"We will ask you again by {review.day} {review.strftime('%B %Y')}.",
        "You can change your mind at any time.",
    ]:
        assert expected in text, (expected, text)


def test_choosing_final_without_consent_offers_the_flow(qtbot: QtBot, window: MainWindow) -> None:
    story = make_story(window.context.store, teller="Ivor Jones")
    open_in_editor(qtbot, window, story.id)
    editor = window.editor
    asked: list[str] = []

    def not_now(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        key(qtbot, Qt.Key.Key_N, ALT)

    when_dialog_opens(not_now, QMessageBox)
    editor.status.setFocus()
    key(qtbot, Qt.Key.Key_End)  # Final
    qtbot.waitUntil(lambda: bool(asked))
    assert "final only once consent is recorded" in asked[0]
    assert editor.status.currentData() == StoryStatus.DRAFT

    def go(box: QWidget) -> None:
        key(qtbot, Qt.Key.Key_C, ALT)  # "Go through consent"

    def walk(dialog: QWidget) -> None:
        assert isinstance(dialog, ConsentFlowDialog)
        enter_to(qtbot, dialog, "basis")
        alt_choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
        next_step(qtbot, dialog, SCOPES_IN_ORDER[0])
        answer(qtbot, dialog, yes=False)  # no recording
        enter_to(qtbot, dialog, SCOPES_IN_ORDER[1])
        answer(qtbot, dialog, yes=True)  # shared: every other use is asked
        for expected in SCOPES_IN_ORDER[2:]:
            enter_to(qtbot, dialog, expected)
            answer(qtbot, dialog, yes=False)
        enter_to(qtbot, dialog, "how")
        for expected in ["review", "check"]:
            next_step(qtbot, dialog, expected)
        saved_and_closed(qtbot, dialog)

    when_dialog_opens(go, QMessageBox)
    when_dialog_opens(walk, ConsentFlowDialog)
    editor.status.setFocus()
    key(qtbot, Qt.Key.Key_End)
    qtbot.waitUntil(
        lambda: (
            editor.status.currentData() == StoryStatus.FINAL
            and editor.saved_state.text().startswith("All changes saved at")
        ),
        timeout=10_000,
    )
    with window.context.store.read() as session:
        saved = stories.get_story(session, story.id)
    assert saved.status is StoryStatus.FINAL
    assert saved.consent_state is ConsentState.GIVEN


def withdraw(qtbot: QtBot, window: MainWindow, walk: Callable[[WithdrawalDialog], None]) -> None:
    """Open "Take back consent…" with Alt+K, walk its steps with ``walk`` to "Is this right?",
    and check that Enter there records nothing before Alt+C records the withdrawal."""
    walked: list[BaseException | None] = []

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, WithdrawalDialog)
        try:
            assert withdrawal_step(dialog) == "intro"
            walk(dialog)
            assert withdrawal_step(dialog) == "check"
            # Enter never withdraws: on the last step nothing is the default button.
            key(qtbot, Qt.Key.Key_Return)
            assert dialog.record_button.isEnabled() and dialog.result_record is None
            assert withdrawal_step(dialog) == "check"
            key(qtbot, Qt.Key.Key_C, ALT)  # "Record the withdrawal", asked for by name
        except BaseException as exc:  # report it from the test, not from inside the dialog
            walked.append(exc)
            QDialog.done(dialog, 0)
        else:
            walked.append(None)

    when_dialog_opens(act, WithdrawalDialog)
    key(qtbot, Qt.Key.Key_K, ALT)  # "Take back consent…"
    qtbot.waitUntil(lambda: bool(walked), timeout=10_000)
    if walked[0] is not None:
        raise walked[0]


def withdrawal_step(dialog: WithdrawalDialog) -> str:
    return dialog.current_step().key


def withdrawal_next(qtbot: QtBot, dialog: WithdrawalDialog, expected: str, enter: bool) -> None:
    key(qtbot, Qt.Key.Key_Return) if enter else key(qtbot, Qt.Key.Key_N, ALT)
    qtbot.waitUntil(lambda: withdrawal_step(dialog) == expected)


def test_a_partial_withdrawal_keeps_the_rest(qtbot: QtBot, window: MainWindow) -> None:
    scopes = frozenset(
        {
            ConsentScope.SHARE_WITH_COORDINATOR,
            ConsentScope.QUOTE_ANONYMISED,
            ConsentScope.SHARE_MEDIA,
        }
    )
    story = make_story(window.context.store, teller="Nia Thomas")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=scopes))
    open_in_editor(qtbot, window, story.id)

    def walk(dialog: WithdrawalDialog) -> None:
        withdrawal_next(qtbot, dialog, "which", enter=True)
        assert QApplication.focusWidget() is dialog.everything
        # Moving on without choosing is refused, with what to do said.
        withdrawal_next(qtbot, dialog, "which", enter=True)
        assert dialog.which_step.problem.isVisibleTo(dialog)
        alt_choose(qtbot, Qt.Key.Key_2, dialog.some)  # "Some things"
        withdrawal_next(qtbot, dialog, "scopes", enter=True)
        assert dialog.progress.text() == "Step 3 of 5"
        # Each use agreed, with its picture, in the order agreed: 1 share, 2 quote, 3 media.
        alt_choose(qtbot, Qt.Key.Key_3, dialog.scope_buttons[ConsentScope.SHARE_MEDIA])
        withdrawal_next(qtbot, dialog, "who", enter=True)
        key(qtbot, Qt.Key.Key_R, ALT)
        type_text(qtbot, "I don't like that photo.")
        withdrawal_next(qtbot, dialog, "check", enter=False)
        assert dialog.stopping.text() == (
            "You now say no to:\n• Can we share recordings or photos of you?\n"
            "If something is wrong, go back and change it."
        )
        assert QApplication.focusWidget() is dialog.read_button

    withdraw(qtbot, window, walk)
    editor = window.editor
    qtbot.waitUntil(lambda: "This is version 2" in editor.consent_summary.text())
    with window.context.store.read() as session:
        record = consent.current_consent(session, story.id)
        notices = consent.pending_withdrawals(session)
    assert record is not None
    assert record.scopes == scopes - {ConsentScope.SHARE_MEDIA}
    assert record.persons_words == "I don't like that photo."
    assert notices == []
    assert editor.content_fields.isVisible()  # still their story to work on


def test_a_full_withdrawal_hides_the_story_and_purges_it_after_confirmation(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, teller="Dai Morgan", title="The mill")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    open_in_editor(qtbot, window, story.id)
    asked: list[str] = []

    def not_yet(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        key(qtbot, Qt.Key.Key_Return)  # Enter keeps the content: "Not yet" is the default

    when_dialog_opens(not_yet, QMessageBox)

    def walk(dialog: WithdrawalDialog) -> None:
        withdrawal_next(qtbot, dialog, "which", enter=True)
        key(qtbot, Qt.Key.Key_Space)  # "Everything", where the keyboard starts
        withdrawal_next(qtbot, dialog, "who", enter=True)
        assert dialog.progress.text() == "Step 3 of 4"
        withdrawal_next(qtbot, dialog, "check", enter=True)
        assert dialog.stopping.text().startswith("You take back your yes to everything.")

    withdraw(qtbot, window, walk)
    qtbot.waitUntil(lambda: bool(asked))
    assert asked[0].startswith("Consent for this story was withdrawn. Remove its words")
    editor = window.editor
    qtbot.waitUntil(lambda: editor.withdrawn_box.isVisible())
    assert not editor.content_fields.isVisible()
    assert editor.own_words.toPlainText() == ""  # not even in a hidden field
    assert editor.title.text() == stories.WITHDRAWN_TITLE
    with window.context.store.read() as session:
        assert [n.story_id for n in consent.pending_withdrawals(session)] == [story.id]
        assert stories.get_story(session, story.id).own_words != ""  # kept until confirmed

    def remove(box: QWidget) -> None:
        key(qtbot, Qt.Key.Key_R, ALT)  # "Remove it now"

    when_dialog_opens(remove, QMessageBox)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.purge_button)
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.list_page, timeout=10_000)
    qtbot.waitUntil(lambda: window.list_page.model.total == 0)
    with window.context.store.read() as session:
        assert stories.list_tombstones(session)[0].story_id == story.id
        assert [n.story_id for n in consent.pending_withdrawals(session)] == [story.id]


def test_every_step_has_its_own_alt_keys(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    story = make_story(window.context.store)
    open_in_editor(qtbot, window, story.id)

    def keys(dialog: QWidget) -> list[str]:
        texts = [
            w.text()
            for w in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLabel)
            if w.isVisible()
        ]
        return [m.group(1).lower() for t in texts if (m := re.search(r"&([^&\s])", t))]

    def walk(dialog: ConsentFlowDialog) -> None:
        for index in range(dialog.steps.count()):  # every step, the optional ones too
            dialog.steps.setCurrentIndex(index)
            on_step = keys(dialog)
            assert len(on_step) == len(set(on_step)), (dialog.current_step().key, on_step)
        dialog.steps.setCurrentIndex(0)
        dialog.reject()

    run_flow(qtbot, window, walk)


def test_the_copy_after_a_withdrawal_says_so_without_the_story(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    story = make_story(window.context.store, teller="Dai Morgan", title="The mill")
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="Dai Morgan", basis=ConsentBasis.OWN_CONSENT, method=ConsentMethod.VERBAL
            ),
        )
    open_in_editor(qtbot, window, story.id)
    editor = window.editor
    assert editor.withdrawn_box.isVisible()
    save_pdf_as(qtbot, tmp_path / "copy.pdf")
    key(qtbot, Qt.Key.Key_F, ALT)  # "Print a copy for the person…"
    qtbot.waitUntil(lambda: editor.saved_state.text().startswith("Saved the consent copy"))
    text = pdf_text(tmp_path / "copy.pdf")
    assert f"You took back your yes on {clock.today().day} " in text
    assert "We will remove it." in text
    assert "mill" not in text
