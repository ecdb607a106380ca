"""Consent written while another Storykeeper holds the store's write lock (a second connection
holding BEGIN IMMEDIATE, as a long import does): the flow, taking consent back and adding a
witness each say so in one line a person can act on, keep every answer, and work once the lock
is gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, db, people, stories
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.paths import DataPaths
from tests.factories import given, make_story
from tests.gui.failing_store import HeldWriteLock

ALT = Qt.KeyboardModifier.AltModifier
BUSY = "Storykeeper is busy in another window (an import, perhaps)."
#: What a line about a failed write must never show.
NEVER_SHOWN = ("sqlite", "SQL", "OperationalError", "locked", "INSERT", "UPDATE", "http")


@pytest.fixture
def store(paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    # Another program's lock is waited for this long before a write fails: short here.
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    with Store.open(paths) as opened:
        yield opened


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def shown(qtbot: QtBot, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def plain(line: str) -> bool:
    return not any(word in line for word in NEVER_SHOWN)


def flow_at_check(qtbot: QtBot, context: AppContext, story_id: str) -> ConsentFlowDialog:
    with context.store.read() as session:
        data = consent_ops.load_flow_data(session, story_id, context.paths.data_dir)
    dialog = ConsentFlowDialog(context, data)
    shown(qtbot, dialog)
    dialog.basis_group.button(1).setChecked(True)
    for group in dialog.answers.values():
        group.button(0).setChecked(True)  # no to everything: declined
    dialog._show(dialog.check_step)
    return dialog


def test_the_flow_says_the_store_is_busy_keeps_the_answers_and_saves_after(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store)
    dialog = flow_at_check(qtbot, context, story.id)
    lock = HeldWriteLock(context.paths.database)
    try:
        key(qtbot, Qt.Key.Key_S, ALT)
        problem = dialog.check_step.problem
        qtbot.waitUntil(problem.isVisible, timeout=10_000)
        assert problem.text() == (
            f"Not saved yet: {BUSY} Press Save again in a moment: the answers are kept."
        )
        assert plain(problem.text())
        assert dialog.current_step() is dialog.check_step
    finally:
        lock.release()
    key(qtbot, Qt.Key.Key_S, ALT)
    qtbot.waitUntil(lambda: dialog.result_record is not None, timeout=10_000)
    with context.store.read() as session:
        assert consent.current_consent(session, story.id) is not None
    dialog.reject()


def test_taking_back_says_the_store_is_busy_and_records_after(
    qtbot: QtBot, context: AppContext
) -> None:
    story = make_story(context.store)
    with context.store.write(actor="test") as session:
        current = consent.record_consent(session, story.id, given())
    dialog = WithdrawalDialog(context, story.id, "Margaret Evans", current)
    shown(qtbot, dialog)
    dialog.everything.setChecked(True)
    dialog._show(dialog.check_step)
    lock = HeldWriteLock(context.paths.database)
    try:
        key(qtbot, Qt.Key.Key_C, ALT)
        problem = dialog.check_step.problem
        qtbot.waitUntil(problem.isVisible, timeout=10_000)
        assert problem.text() == (
            f"Not recorded yet: {BUSY} Press Record the withdrawal again in a moment."
        )
        assert dialog.current_step() is dialog.check_step
        assert dialog.isVisible() and dialog.result_record is None
    finally:
        lock.release()
    key(qtbot, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(lambda: dialog.result_record is not None, timeout=10_000)
    assert dialog.full


def test_adding_a_witness_says_the_store_is_busy_keeps_the_name_and_adds_after(
    qtbot: QtBot, context: AppContext
) -> None:
    with context.store.write(actor="test") as session:
        teller = people.create_storyteller(session, "Mair Pritchard")
        story_id = stories.create_story(
            session, stories.StoryFields(storyteller_id=teller.id, title="Tea")
        ).id
    with context.store.read() as session:
        data = consent_ops.load_flow_data(session, story_id, context.paths.data_dir)
    dialog = ConsentFlowDialog(context, data)
    shown(qtbot, dialog)
    dialog.basis_group.button(1).setChecked(True)
    dialog._show(dialog.review_step)
    adding = dialog.add_witness
    lock = HeldWriteLock(context.paths.database)
    try:
        key(qtbot, Qt.Key.Key_Y, ALT)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is adding.name)
        qtbot.keyClicks(adding.name, "Ffion Evans")
        key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(adding.problem.isVisible, timeout=10_000)
        assert adding.problem.text() == f"Not added yet: {BUSY} Try again in a moment."
        assert adding.name.text() == "Ffion Evans"
        assert dialog.witness.count() == 1
    finally:
        lock.release()
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.witness.currentText().startswith("Ffion Evans"))
    QDialog.done(dialog, 0)
