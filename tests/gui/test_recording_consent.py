"""The question asked when Record is pressed without consent to record: by keys, on a real store."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, recording_consent
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
)
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.recording_consent import RecordingConsentDialog
from tests.exchange import withdraw_fully
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.inspecting import unnamed_controls

ALT = Qt.KeyboardModifier.AltModifier
NAME = "Mair Pritchard"


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press where the keyboard is, as a person would press it."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def focused_name() -> str:
    widget = QApplication.focusWidget()
    return widget.accessibleName() if widget is not None else ""


def run_dialog(
    qtbot: QtBot,
    context: AppContext,
    story_id: str,
    act: Callable[[RecordingConsentDialog], None],
) -> tuple[RecordingConsentDialog, int]:
    """Open the dialog modally, as the recorder does, and answer it with ``act``."""
    dialog = RecordingConsentDialog(context, story_id, NAME)
    qtbot.addWidget(dialog)
    failures: list[BaseException] = []

    def answer(shown: QWidget) -> None:
        assert shown is dialog
        try:
            act(dialog)
        except BaseException as exc:  # reported from the test, not from inside exec()
            failures.append(exc)
            QDialog.done(dialog, 0)

    when_dialog_opens(answer, RecordingConsentDialog)
    result = dialog.exec()
    if failures:
        raise failures[0]
    return dialog, result


def tick(qtbot: QtBot, dialog: RecordingConsentDialog) -> None:
    key(qtbot, Qt.Key.Key_C, ALT)  # "I confirm that …"
    qtbot.waitUntil(dialog.confirmed.isChecked)


def test_go_through_consent_is_where_the_keyboard_starts_and_records_nothing(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store, teller=NAME)

    def act(dialog: RecordingConsentDialog) -> None:
        assert focused_name() == "Go through consent with the person"
        key(qtbot, Qt.Key.Key_G, ALT)

    dialog, result = run_dialog(qtbot, context, story.id, act)
    assert result == QDialog.DialogCode.Accepted
    assert dialog.choice == "flow"
    assert dialog.result_record is None
    with context.store.read() as session:
        assert consent.consent_history(session, story.id) == []


def test_a_spoken_yes_is_recorded_only_once_confirmed_and_then_recording_may_start(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store, teller=NAME)

    def act(dialog: RecordingConsentDialog) -> None:
        assert dialog.decided_by.text() == NAME
        assert dialog.basis.currentData() == ConsentBasis.OWN_CONSENT.value
        assert dialog.confirmed.text() == (
            f"I &confirm that {NAME} agreed, out loud,\nto being recorded"
        )
        assert not dialog.record_button.isEnabled()
        # Enter before the box is ticked does nothing: the record button is not yet available.
        key(qtbot, Qt.Key.Key_W, ALT)
        assert QApplication.focusWidget() is dialog.decided_by
        key(qtbot, Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.choice is None
        key(qtbot, Qt.Key.Key_T, ALT)
        assert QApplication.focusWidget() is dialog.persons_words
        qtbot.keyClicks(dialog.persons_words, "Yes, record me, that's fine.")
        tick(qtbot, dialog)
        assert dialog.record_button.isEnabled()
        key(qtbot, Qt.Key.Key_R, ALT)  # "Record their agreement and start"
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    dialog, result = run_dialog(qtbot, context, story.id, act)
    assert result == QDialog.DialogCode.Accepted
    assert dialog.choice == "recorded"
    record = dialog.result_record
    assert record is not None
    assert record.decision is ConsentDecision.GIVEN
    assert record.scopes == {ConsentScope.RECORD_AUDIO}
    assert record.method is ConsentMethod.VERBAL
    assert record.basis is ConsentBasis.OWN_CONSENT
    assert record.decided_by == NAME
    assert record.persons_words == "Yes, record me, that's fine."
    with context.store.read() as session:
        assert consent.current_consent(session, story.id) == record
        assert recording_consent.may_record_audio(session, story.id)


def test_someone_deciding_for_the_person_is_named_and_the_tick_follows_the_words(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store, teller=NAME)
    with context.store.write(actor="test") as session:
        before = consent.record_consent(session, story.id, given())

    def act(dialog: RecordingConsentDialog) -> None:
        tick(qtbot, dialog)
        key(qtbot, Qt.Key.Key_B, ALT)
        assert QApplication.focusWidget() is dialog.basis
        key(qtbot, Qt.Key.Key_Down)  # the person, with support
        key(qtbot, Qt.Key.Key_Down)  # lasting power of attorney
        assert dialog.basis.currentData() == ConsentBasis.LASTING_POWER_OF_ATTORNEY.value
        # Someone else decides: the storyteller's name is no longer on the line, and the tick,
        # given to other words, has to be given again.
        assert dialog.decided_by.text() == ""
        assert not dialog.confirmed.isChecked()
        assert not dialog.record_button.isEnabled()
        key(qtbot, Qt.Key.Key_W, ALT)
        qtbot.keyClicks(dialog.decided_by, "Gareth Pritchard")
        assert dialog.confirmed.text() == (
            f"I &confirm that Gareth Pritchard agreed, out loud,\nto {NAME} being recorded"
        )
        assert dialog.confirmed.accessibleName() == (
            f"I confirm that Gareth Pritchard agreed, out loud, to {NAME} being recorded"
        )
        # A best-interests decision needs its reasons: it is pointed to the consent flow.
        key(qtbot, Qt.Key.Key_B, ALT)
        key(qtbot, Qt.Key.Key_Down)  # deputy
        key(qtbot, Qt.Key.Key_Down)  # best interests
        tick(qtbot, dialog)
        assert dialog.problem.isVisible()
        assert "use Go through consent" in dialog.problem.text()
        assert not dialog.record_button.isEnabled()
        key(qtbot, Qt.Key.Key_B, ALT)
        key(qtbot, Qt.Key.Key_Up)  # back to the deputy
        assert not dialog.problem.isVisible()
        tick(qtbot, dialog)
        key(qtbot, Qt.Key.Key_R, ALT)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    dialog, _result = run_dialog(qtbot, context, story.id, act)
    record = dialog.result_record
    assert record is not None and dialog.choice == "recorded"
    assert (record.version, record.basis, record.decided_by) == (
        2,
        ConsentBasis.DEPUTY,
        "Gareth Pritchard",
    )
    assert record.scopes == before.scopes | {ConsentScope.RECORD_AUDIO}


def test_a_refusal_is_shown_in_the_dialog_which_stays_open(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store, teller=NAME)
    with context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    withdraw_fully(context.store, story.id)

    def act(dialog: RecordingConsentDialog) -> None:
        tick(qtbot, dialog)
        key(qtbot, Qt.Key.Key_R, ALT)
        qtbot.waitUntil(dialog.problem.isVisible, timeout=10_000)
        assert dialog.isVisible()
        assert re.search(r"withdrawn on .* go through consent", dialog.problem.text())
        # The way on is the consent flow: the keyboard is there.
        assert QApplication.focusWidget() is dialog.flow_button
        assert dialog.record_button.isEnabled()  # still ticked: trying again is allowed
        key(qtbot, Qt.Key.Key_Escape)

    dialog, result = run_dialog(qtbot, context, story.id, act)
    assert result == QDialog.DialogCode.Rejected
    assert dialog.choice is None and dialog.result_record is None
    with context.store.read() as session:
        assert len(consent.consent_history(session, story.id)) == 2
        assert not recording_consent.may_record_audio(session, story.id)


def test_cancel_records_nothing(qtbot: QtBot, context: AppContext) -> None:
    story = make_story(context.store, teller=NAME)

    def act(dialog: RecordingConsentDialog) -> None:
        tick(qtbot, dialog)
        key(qtbot, Qt.Key.Key_Escape)

    dialog, result = run_dialog(qtbot, context, story.id, act)
    assert result == QDialog.DialogCode.Rejected
    assert dialog.choice is None
    with context.store.read() as session:
        assert consent.consent_history(session, story.id) == []


def _mnemonics(root: QWidget) -> list[str]:
    texts = [
        w.text()
        for w in root.findChildren(QAbstractButton) + root.findChildren(QLabel)
        if w.isVisibleTo(root)
    ]
    return [m.group(1).lower() for t in texts if (m := re.search(r"&([^&\s])", t))]


def test_named_controls_unique_alt_keys_and_the_tab_order_of_the_page(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store, teller=NAME)
    dialog = RecordingConsentDialog(context, story.id, NAME)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert unnamed_controls(dialog) == []
    keys = _mnemonics(dialog)
    assert sorted(keys) == ["b", "c", "g", "r", "t", "w"], keys
    dialog.confirmed.setChecked(True)
    dialog.flow_button.setFocus()
    seen = []
    for _ in range(8):
        seen.append(focused_name())
        key(qtbot, Qt.Key.Key_Tab)
    assert seen == [
        "Go through consent with the person",
        "Who agreed",
        "On what basis",
        "Their words, if you wrote them down",
        f"I confirm that {NAME} agreed, out loud, to being recorded",
        "Record their agreement and start recording",
        "Cancel: do not record",
        "Go through consent with the person",
    ]
    dialog.reject()


@pytest.mark.parametrize("contrast", [False, True])
def test_at_twice_the_text_size_it_fits_a_small_laptop_screen(
    qtbot: QtBot, context: AppContext, contrast: bool
) -> None:
    """On a 1280×800 screen a dialog gets about 1240×740: all of it shows."""
    story = make_story(context.store, teller=NAME)
    context.set_text_scale(200)
    context.set_high_contrast(contrast)
    dialog = RecordingConsentDialog(context, story.id, NAME)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # The longest it gets: someone else deciding, named, with the problem line showing.
    dialog.basis.setCurrentIndex(dialog.basis.findData(ConsentBasis.BEST_INTERESTS.value))
    dialog.decided_by.setText("Gareth Pritchard-Llewellyn")
    assert dialog.problem.isVisibleTo(dialog)
    assert dialog.minimumSizeHint().width() <= 1240, dialog.minimumSizeHint()
    assert 0 < dialog.heightForWidth(1240) <= 740, dialog.heightForWidth(1240)
    dialog.reject()
