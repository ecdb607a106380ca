"""The consent flow's Mental Capacity Act steps and the easy-read withdrawal, by keyboard: a
capacity assessment for this decision, people consulted as rows, a witness added from inside
the flow on a fresh install, a review that starts from the record, reading aloud, and every
step fitting a 1366×768 screen at twice the text size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QDialog, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import clock, consent, people, stories
from storykeeper.core.consent import (
    BestInterests,
    CapacityAssessment,
    FunctionalAnswer,
    PersonConsulted,
)
from storykeeper.core.vocabulary import (
    Ability,
    CapacityOutcome,
    ConsentBasis,
    ConsentScope,
    PracticableStep,
)
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.widgets.easy_read_step import Step
from tests.factories import given, make_story
from tests.gui.inspecting import unnamed_controls

ALT = Qt.KeyboardModifier.AltModifier
#: A 1366×768 laptop, less the window manager's frame and panel.
ROOM = QSize(1326, 708)
NAME = "Mair Pritchard"


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def shown(qtbot: QtBot, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


@pytest.fixture
def open_flow(qtbot: QtBot, context: AppContext) -> Callable[[str], ConsentFlowDialog]:
    def make(story_id: str) -> ConsentFlowDialog:
        with context.store.read() as session:
            data = consent_ops.load_flow_data(session, story_id, context.paths.data_dir)
        dialog = ConsentFlowDialog(context, data)
        shown(qtbot, dialog)
        return dialog

    return make


def story_without_supporters(context: AppContext) -> str:
    """A story on a fresh install: a storyteller, and no supporter entered yet."""
    with context.store.write(actor="test") as session:
        teller = people.create_storyteller(session, NAME)
        return stories.create_story(
            session, stories.StoryFields(storyteller_id=teller.id, title="Tea on Thursdays")
        ).id


def at(qtbot: QtBot, dialog: ConsentFlowDialog, expected: str) -> None:
    qtbot.waitUntil(lambda: dialog.current_step().key == expected)


def next_to(qtbot: QtBot, dialog: ConsentFlowDialog, expected: str) -> None:
    key(qtbot, Qt.Key.Key_N, ALT)
    at(qtbot, dialog, expected)


def choose(qtbot: QtBot, letter: Qt.Key, button: QWidget) -> None:
    key(qtbot, letter, ALT)
    qtbot.waitUntil(lambda: button.isChecked())  # type: ignore[attr-defined]


def answer_capacity(qtbot: QtBot, dialog: ConsentFlowDialog, outcome_down: int) -> None:
    """Which decision, who, a practicable step, Yes to all four questions (one note), and the
    outcome ``outcome_down`` places down the list (1: can decide, 2: cannot)."""
    key(qtbot, Qt.Key.Key_D, ALT)
    type_text(qtbot, "Sharing her story with the coordinator")
    key(qtbot, Qt.Key.Key_Y, ALT)
    type_text(qtbot, "Sian Hughes")
    choose(qtbot, Qt.Key.Key_M, dialog.capacity.steps[PracticableStep.BETTER_TIME])
    for letter in (Qt.Key.Key_U, Qt.Key.Key_I, Qt.Key.Key_G, Qt.Key.Key_O):
        key(qtbot, letter, ALT)
        key(qtbot, Qt.Key.Key_Down)  # Yes
    key(qtbot, Qt.Key.Key_Tab)  # to the last question's note
    type_text(qtbot, "Told me clearly, twice")
    key(qtbot, Qt.Key.Key_T, ALT)
    for _ in range(outcome_down):
        key(qtbot, Qt.Key.Key_Down)


def test_capacity_in_doubt_is_assessed_for_this_decision_and_kept_with_the_consent(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    story = make_story(context.store, teller=NAME)
    dialog = open_flow(story.id)
    next_to(qtbot, dialog, "basis")
    assert dialog.progress.text() == "Step 2 of 11"
    choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
    choose(qtbot, Qt.Key.Key_T, dialog.capacity_in_doubt)  # the advocate is not sure
    next_to(qtbot, dialog, "capacity")
    assert dialog.progress.text() == "Step 3 of 12"
    # Moving on unanswered is refused, saying what is missing and where.
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.capacity_step.problem.text() == "Say which decision was assessed."
    assert QApplication.focusWidget() is dialog.capacity.decision
    # Found unable to decide, it cannot be recorded as her own decision.
    answer_capacity(qtbot, dialog, outcome_down=2)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.current_step().key == "capacity"
    assert dialog.capacity_step.problem.text().startswith(
        "The assessment found they cannot make this decision now"
    )
    dialog.capacity.outcome.setFocus()
    key(qtbot, Qt.Key.Key_Up)  # she can, with the information at a better time
    next_to(qtbot, dialog, "scope:record_audio")
    for expected in ("scope:share_with_coordinator", "how"):
        key(qtbot, Qt.Key.Key_Right)
        key(qtbot, Qt.Key.Key_Space)  # No
        key(qtbot, Qt.Key.Key_Return)
        at(qtbot, dialog, expected)
    next_to(qtbot, dialog, "review")
    next_to(qtbot, dialog, "check")
    assert "Capacity: can make this decision." in dialog.check_details.text()
    key(qtbot, Qt.Key.Key_S, ALT)
    at(qtbot, dialog, "done")
    with context.store.read() as session:
        record = consent.current_consent(session, story.id)
    assert record is not None
    yes = Ability.YES
    assert record.capacity == CapacityAssessment(
        decision="Sharing her story with the coordinator",
        assessed_by="Sian Hughes",
        assessed_on=clock.today(),
        steps_taken=frozenset({PracticableStep.BETTER_TIME}),
        steps_note="",
        understand=FunctionalAnswer(yes),
        retain=FunctionalAnswer(yes),
        use_or_weigh=FunctionalAnswer(yes),
        communicate=FunctionalAnswer(yes, "Told me clearly, twice"),
        outcome=CapacityOutcome.HAS_CAPACITY,
    )
    dialog.reject()


def test_a_witness_is_added_from_inside_the_flow_on_a_fresh_install(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    story_id = story_without_supporters(context)
    dialog = open_flow(story_id)
    next_to(qtbot, dialog, "basis")
    choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
    next_to(qtbot, dialog, "scope:record_audio")
    key(qtbot, Qt.Key.Key_Space)  # Yes to recording
    key(qtbot, Qt.Key.Key_Return)
    at(qtbot, dialog, "scope:share_with_coordinator")
    key(qtbot, Qt.Key.Key_Right)
    key(qtbot, Qt.Key.Key_Space)  # No to sharing
    key(qtbot, Qt.Key.Key_Return)
    at(qtbot, dialog, "how")
    next_to(qtbot, dialog, "review")
    assert dialog.witness.count() == 1  # "No witness": nobody entered yet
    key(qtbot, Qt.Key.Key_Y, ALT)  # "Add a witness or yourself…"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.add_witness.name)
    key(qtbot, Qt.Key.Key_Return)  # without a name: said, nothing added
    assert dialog.add_witness.problem.text() == "Write the person’s name."
    type_text(qtbot, "Ffion Evans")
    key(qtbot, Qt.Key.Key_Return)  # adds her, and does not move the flow on
    qtbot.waitUntil(lambda: dialog.witness.currentText().startswith("Ffion Evans"))
    assert dialog.current_step().key == "review"
    assert QApplication.focusWidget() is dialog.witness
    next_to(qtbot, dialog, "check")
    key(qtbot, Qt.Key.Key_S, ALT)
    at(qtbot, dialog, "done")
    with context.store.read() as session:
        record = consent.current_consent(session, story_id)
        supporters = people.list_supporters(session)
    assert record is not None and record.witness_name == "Ffion Evans"
    assert [s.name for s in supporters] == ["Ffion Evans"]
    dialog.reject()


def test_people_consulted_are_added_and_removed_by_keyboard(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    story = make_story(context.store, teller=NAME)
    dialog = open_flow(story.id)
    dialog._choose_basis(ConsentBasis.BEST_INTERESTS)
    dialog._show(dialog.best_interests_step)  # this test is about the rows alone
    form = dialog.best_interests
    for count, name in enumerate(("Owen Pritchard", "Ceri Jones"), start=1):
        key(qtbot, Qt.Key.Key_P, ALT)
        qtbot.waitUntil(lambda count=count: len(form.rows) == count)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is form.rows[-1].name)
        type_text(qtbot, name)
    first = form.rows[0]
    first.name.setFocus()
    for _ in range(3):  # relationship, what they said, Remove
        key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is first.remove
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(form.rows) == 1)
    # The keyboard stays nearby, and the rows are numbered again for a screen reader.
    assert QApplication.focusWidget() is form.rows[0].name
    assert form.rows[0].name.accessibleName() == "Person consulted 1: name"
    assert [p.name for p in form.consulted()] == ["Ceri Jones"]
    QDialog.done(dialog, 0)  # no “stop without saving?” here


def test_a_review_starts_from_the_recorded_mental_capacity_act_record(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    story = make_story(context.store, teller=NAME)
    no = FunctionalAnswer(Ability.NO, "Could not recall it a minute later")
    assessment = CapacityAssessment(
        decision="Sharing her story",
        assessed_by="Sian Hughes",
        assessed_on=dt.date(2026, 1, 5),
        steps_taken=frozenset({PracticableStep.OTHER_FORM}),
        steps_note="Picture cards",
        understand=no,
        retain=no,
        use_or_weigh=no,
        communicate=FunctionalAnswer(Ability.YES),
        outcome=CapacityOutcome.LACKS_CAPACITY,
    )
    record_of = BestInterests(
        decision_maker="Gareth Pritchard",
        consulted=(PersonConsulted("Owen Pritchard", "her son", "She would want to."),),
        wishes_and_values="She always spoke up.",
        why="It may help others.",
    )
    with context.store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.BEST_INTERESTS,
                decided_by="Gareth Pritchard",
                decided_on=dt.date(2026, 1, 5),
                capacity=assessment,
                best_interests=record_of,
                advocate_name="Bethan Rees",
            ),
        )
    dialog = open_flow(story.id)
    assert dialog.reviewing
    assert dialog.basis() is ConsentBasis.BEST_INTERESTS
    assert dialog.best_interests.best_interests("Gareth Pritchard") == record_of
    assert dialog.best_interests.advocate_name.text() == "Bethan Rees"
    # Capacity is about this decision now: what was decided and the help given carry over,
    # the answers are given afresh.
    assert dialog.capacity.decision.text() == "Sharing her story"
    assert dialog.capacity.steps[PracticableStep.OTHER_FORM].isChecked()
    assert dialog.capacity.assessment() is None
    QDialog.done(dialog, 0)


def test_taking_consent_back_is_read_aloud(qtbot: QtBot, context: AppContext) -> None:
    story = make_story(context.store, teller=NAME)
    with context.store.write(actor="test") as session:
        current = consent.record_consent(session, story.id, given())
    dialog = WithdrawalDialog(context, story.id, NAME, current)
    shown(qtbot, dialog)
    heard: list[str] = []
    dialog.speech.said.connect(heard.append)
    key(qtbot, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(lambda: len(heard) == 1)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.current_step().key == "which")
    key(qtbot, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(lambda: len(heard) == 2)
    assert heard[0].startswith("Taking back your yes\nYou can say no now")
    assert heard[1] == (
        "What do you want to take back?\n"
        "Everything. Stop using my story.\n"
        "Some things. I will choose which."
    )
    dialog.reject()


def needs_no_sideways_scrolling(dialog: QDialog, step: Step) -> None:
    """The step's content fits the width the dialog gives it; taller content scrolls."""
    scroll = step.findChild(QScrollArea)
    assert scroll is not None
    inner = scroll.widget()
    needed = inner.minimumSizeHint().width()
    assert needed <= scroll.viewport().width(), (step.key, needed, scroll.viewport().width())
    assert unnamed_controls(step) == [], (step.key, unnamed_controls(step))


@pytest.mark.parametrize("contrast", [False, True])
def test_at_twice_the_text_size_every_new_step_fits_a_1366_by_768_screen(
    qtbot: QtBot, context: AppContext, contrast: bool
) -> None:
    context.set_text_scale(200)
    context.set_high_contrast(contrast)
    story = make_story(context.store, teller="Gwenllian Pritchard-Llewellyn")
    with context.store.read() as session:
        data = consent_ops.load_flow_data(session, story.id, context.paths.data_dir)
    flow = ConsentFlowDialog(context, data)
    shown(qtbot, flow)
    flow.resize(ROOM)
    assert flow.minimumSizeHint().width() <= ROOM.width(), flow.minimumSizeHint()
    assert flow.minimumSizeHint().height() <= ROOM.height(), flow.minimumSizeHint()
    flow._choose_basis(ConsentBasis.LASTING_POWER_OF_ATTORNEY)
    for _ in range(3):
        flow.best_interests.add_row()
    flow.add_witness.open()
    flow._show(flow.basis_step)
    needs_no_sideways_scrolling(flow, flow.basis_step)
    flow._choose_basis(ConsentBasis.BEST_INTERESTS)
    for step in (flow.basis_step, flow.capacity_step, flow.best_interests_step, flow.review_step):
        flow._show(step)
        step.show_problem("Write the name of the person deciding, as it is on the papers.")
        needs_no_sideways_scrolling(flow, step)
    flow._show(flow.scope_steps[ConsentScope.PUBLISH_WITH_NAME])  # the longest question asked
    needs_no_sideways_scrolling(flow, flow.current_step())
    QDialog.done(flow, 0)

    with context.store.write(actor="test") as session:
        current = consent.record_consent(session, story.id, given(scopes=frozenset(ConsentScope)))
    withdrawal = WithdrawalDialog(context, story.id, "Gwenllian Pritchard-Llewellyn", current)
    shown(qtbot, withdrawal)
    withdrawal.resize(ROOM)
    assert withdrawal.minimumSizeHint().width() <= ROOM.width(), withdrawal.minimumSizeHint()
    withdrawal.some.setChecked(True)
    for step in withdrawal._sequence():
        withdrawal._show(step)
        needs_no_sideways_scrolling(withdrawal, step)
    withdrawal.reject()


def test_an_assessment_dated_after_the_decision_is_refused_on_the_capacity_step(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    """The core has the last word; the flow goes back to the field it names and says why."""
    story = make_story(context.store, teller=NAME)
    dialog = open_flow(story.id)
    next_to(qtbot, dialog, "basis")
    choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))
    choose(qtbot, Qt.Key.Key_T, dialog.capacity_in_doubt)
    next_to(qtbot, dialog, "capacity")
    answer_capacity(qtbot, dialog, outcome_down=1)  # assessed today: she can decide
    next_to(qtbot, dialog, "scope:record_audio")
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Return)
    at(qtbot, dialog, "scope:share_with_coordinator")
    key(qtbot, Qt.Key.Key_Right)
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Return)
    at(qtbot, dialog, "how")
    next_to(qtbot, dialog, "review")
    dialog.decided_on.setDate(clock.today() - dt.timedelta(days=3))  # decided before
    next_to(qtbot, dialog, "check")
    key(qtbot, Qt.Key.Key_S, ALT)
    at(qtbot, dialog, "capacity")
    problem = dialog.capacity_step.problem.text()
    assert problem.startswith("Not saved yet: The capacity assessment (")
    assert "is dated after the decision" in problem
    assert QApplication.focusWidget() is dialog.capacity.assessed_on
    with context.store.read() as session:
        assert consent.current_consent(session, story.id) is None
    QDialog.done(dialog, 0)


def test_a_review_of_a_best_interests_decision_recorded_before_the_record_keeps_its_reasons(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    story = make_story(context.store, teller=NAME)
    with context.store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.BEST_INTERESTS,
                decided_by="Gareth Pritchard",
                consulted="Her son",
                advocate_involved=False,
                best_interests_reasons="It may help others.",
            ),
        )
    dialog = open_flow(story.id)
    assert dialog.best_interests.why.toPlainText() == "It may help others."
    assert dialog.best_interests.rows == []  # asked for afresh, one by one
    QDialog.done(dialog, 0)


def test_leaving_a_best_interests_decision_gives_back_what_the_advocate_said_of_capacity(
    qtbot: QtBot, context: AppContext, open_flow: Callable[[str], ConsentFlowDialog]
) -> None:
    story = make_story(context.store, teller=NAME)
    dialog = open_flow(story.id)
    next_to(qtbot, dialog, "basis")
    choose(qtbot, Qt.Key.Key_5, dialog.basis_group.button(5))  # best interests
    assert dialog.capacity_in_doubt.isChecked() and not dialog.capacity_in_doubt.isEnabled()
    choose(qtbot, Qt.Key.Key_1, dialog.basis_group.button(1))  # no: she decides herself
    assert not dialog.capacity_in_doubt.isChecked() and dialog.capacity_in_doubt.isEnabled()
    next_to(qtbot, dialog, "scope:record_audio")  # no capacity step asked for
    QDialog.done(dialog, 0)
