"""The story page and the printed copy say truthfully who decided, for every basis, and show the
Mental Capacity Act record where there is one (issue 17): a decision made on the person's behalf
is never printed as "You told us"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storykeeper.core import consent
from storykeeper.core.vocabulary import ConsentBasis
from storykeeper.gui.main_window import MainWindow
from tests.factories import given, make_story
from tests.gui.pdf_copies import pdf_text, save_pdf_as
from tests.mca_records import best_interests, has_capacity, lacks_capacity

DECIDED_ON = dt.date(2026, 11, 3)

DECISIONS = {
    "own": given(decided_by="Mair Pritchard", decided_on=DECIDED_ON),
    "supported": given(
        basis=ConsentBasis.SUPPORTED_DECISION,
        decided_by="Mair Pritchard",
        capacity=has_capacity(),
        advocate_name="Sian Hughes",
        decided_on=DECIDED_ON,
    ),
    "attorney": given(
        basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
        decided_by="Ann Crisp",
        capacity=lacks_capacity(),
        representative_reference="7000-1234-5678",
        decided_on=DECIDED_ON,
    ),
    "deputy": given(
        basis=ConsentBasis.DEPUTY,
        decided_by="Ray Finch",
        representative_reference="COP 1234567",
        decided_on=DECIDED_ON,
    ),
    "best interests": given(
        basis=ConsentBasis.BEST_INTERESTS,
        decided_by="Priya Shah",
        capacity=lacks_capacity(),
        best_interests=best_interests(),
        advocate_name="Sam Okafor (IMCA)",
        decided_on=DECIDED_ON,
    ),
}
THEIRS = {"own", "supported"}


def open_story_with(qtbot: QtBot, window: MainWindow, basis: str) -> consent.ConsentRecord:
    story = make_story(window.context.store, teller="Mair Pritchard", title="Tea on Thursdays")
    with window.context.store.write(actor="test") as session:
        record = consent.record_consent(session, story.id, DECISIONS[basis])
    window.open_story(story.id)
    qtbot.waitUntil(lambda: window.editor.story is not None and window.editor.story.id == story.id)
    qtbot.waitUntil(lambda: window.editor.consent_summary.text().startswith("Given on"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return record


@pytest.mark.parametrize("basis", sorted(DECISIONS))
def test_the_printed_copy_says_who_decided_truthfully(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, basis: str
) -> None:
    record = open_story_with(qtbot, window, basis)
    copy = tmp_path / "copy.pdf"
    save_pdf_as(qtbot, copy)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    # "Print a copy for the person…", from the keyboard.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.editor.saved_state.text().startswith("Saved the consent copy"))
    text = pdf_text(copy)
    assert f"Who decided: {consent.basis_wording(record)}" in text
    if basis in THEIRS:
        assert "You told us on 3 November 2026." in text
    else:
        assert "You told us" not in text
        assert "It was decided on your behalf on 3 November 2026." in text
    if record.capacity is not None:
        assert "Checking if you could decide: Priya Shah checked on 2 November 2026." in text
    if basis == "best interests":
        # One name a line (the copy is two pages here: the line at a page's foot can be read
        # from both pages, so the names are looked for one by one).
        assert "People who were asked: Ann Crisp (her daughter)" in text
        assert "Ann Crisp (her daughter) Tom Hughes (key worker)" in text
        assert "Your advocate: Sam Okafor (IMCA)" in text


@pytest.mark.parametrize("basis", sorted(DECISIONS))
def test_the_story_page_shows_the_copys_words_and_the_record(
    qtbot: QtBot, window: MainWindow, basis: str
) -> None:
    record = open_story_with(qtbot, window, basis)
    shown = window.editor.consent_summary.text().splitlines()
    assert f"The person’s copy says: “{consent.basis_wording(record)}”" in shown
    assert ("Capacity assessment:" in shown) == (record.capacity is not None)
    assert ("Best interests:" in shown) == (basis == "best interests")
    if basis == "attorney":
        assert "LPA reference: 7000-1234-5678." in shown
    if basis == "deputy":
        assert "Court order: COP 1234567." in shown
