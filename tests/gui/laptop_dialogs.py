"""Every dialog of the program, measured at twice the text size on a laptop's screen: run by
tests/gui/test_dialogs_fit_laptop.py as a second pytest whose offscreen screen is 1366×728.

Dialogs size themselves from the screen they are on, and the test session's offscreen screen is
800×800; so the dialogs are measured in a second pytest run whose offscreen screen is a laptop's
1366×768 (Qt's offscreen platform reads its screens from a configuration file).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from storykeeper.core import people
from storykeeper.core.search import StoryFilter
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.backup import BackupDialog
from storykeeper.gui.dialogs.check_store import CheckStoreDialog
from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
from storykeeper.gui.dialogs.export import ExportDialog
from storykeeper.gui.dialogs.first_day import FirstDayDialog
from storykeeper.gui.dialogs.history import HistoryDialog
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.dialogs.keys import KeysDialog
from storykeeper.gui.dialogs.people import StorytellersDialog, SupportersDialog
from storykeeper.gui.dialogs.people_mentioned import PersonDialog, SuggestedNamesDialog
from storykeeper.gui.dialogs.pseudonym import PseudonymDialog
from storykeeper.gui.dialogs.recording_consent import RecordingConsentDialog
from storykeeper.gui.dialogs.recovery_key import RecoveryKeyDialog
from storykeeper.gui.dialogs.save_report import SaveReportDialog
from storykeeper.gui.dialogs.security import SecurityDialog
from storykeeper.gui.dialogs.shortcuts import ShortcutsDialog
from storykeeper.gui.dialogs.storyteller_picker import StorytellerPicker
from storykeeper.gui.dialogs.trust import TrustDialog
from storykeeper.gui.ops import consent as consent_ops
from tests.factories import make_story
from tests.gui.fit_screen import misfit

Build = Callable[[AppContext, str], QWidget]
#: Set in the second run, whose screen is the laptop's.
ON_A_LAPTOP_ENV = "STORYKEEPER_TEST_LAPTOP_SCREEN"


def consent_flow(context: AppContext, story_id: str) -> QWidget:
    with context.store.read() as session:
        data = consent_ops.load_flow_data(session, story_id, context.paths.data_dir)
    return ConsentFlowDialog(context, data)


def consent_flow_step_2(context: AppContext, story_id: str) -> QWidget:
    dialog = consent_flow(context, story_id)
    assert isinstance(dialog, ConsentFlowDialog)
    dialog.next_button.click()
    return dialog


def first_day_on(page: str) -> Build:
    """The first day's dialog on one of its pages (each sized as it shows)."""

    def build(context: AppContext, _story_id: str) -> QWidget:
        dialog = FirstDayDialog(context)
        answer = {"about": dialog.both, "steps": dialog.receive}.get(page)
        if answer is not None:
            answer.setChecked(True)
            dialog.continue_button.click()
        return dialog

    return build


def pseudonym(context: AppContext, story_id: str) -> QWidget:
    with context.store.read() as session:
        teller = people.list_storytellers(session)[0]
    return PseudonymDialog(context, teller)


DIALOGS: dict[str, Build] = {
    "backup": lambda c, s: BackupDialog(c),
    "check store": lambda c, s: CheckStoreDialog(c),
    "consent flow": consent_flow,
    "consent flow, step 2": consent_flow_step_2,
    "export": lambda c, s: ExportDialog(c),
    "first day": first_day_on("choice"),
    "first day, about you": first_day_on("about"),
    "first day, next steps": first_day_on("steps"),
    "history": lambda c, s: HistoryDialog(c, s),
    "import": lambda c, s: ImportDialog(c),
    "keys": lambda c, s: KeysDialog(c),
    "storytellers": lambda c, s: StorytellersDialog(c),
    "supporters": lambda c, s: SupportersDialog(c),
    "person mentioned": lambda c, s: PersonDialog(),
    "suggested names": lambda c, s: SuggestedNamesDialog(["Gwenllian Pritchard"] * 3),
    "pseudonym": pseudonym,
    "recording consent": lambda c, s: RecordingConsentDialog(c, s, "Gwenllian Pritchard"),
    "recovery key": lambda c, s: RecoveryKeyDialog("ABCD-" * 11 + "ABCD"),
    "save report": lambda c, s: SaveReportDialog(c, StoryFilter()),
    "security": lambda c, s: SecurityDialog(c),
    "shortcuts": lambda c, s: ShortcutsDialog(),
    "storyteller picker": lambda c, s: StorytellerPicker(c),
    "trust": lambda c, s: TrustDialog(c),
}


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_each_dialog_measured(qtbot: QtBot, context: AppContext, name: str) -> None:
    # Run anywhere else, this measures the wrong screen: it fails rather than pass unseen.
    assert os.environ.get(ON_A_LAPTOP_ENV), "run by test_dialogs_fit_laptop.py"
    assert QApplication.primaryScreen().size().width() == 1366
    context.set_text_scale(200)
    story = make_story(context.store, teller="Gwenllian Pritchard")
    dialog = DIALOGS[name](context, story.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # What they load arrives from the reader pool: measure once it is in.
    assert context.tasks.wait_for_idle()
    # Layouts settle over a few turns of the event loop (posted layout requests): a real
    # misfit stays, so it is still there when the wait gives up.
    with contextlib.suppress(WaitTimeout):
        qtbot.waitUntil(lambda: misfit(dialog) is None, timeout=3_000)
    assert isinstance(dialog, QDialog)
    problem = misfit(dialog)
    assert problem is None, f"misfit: {problem}"
