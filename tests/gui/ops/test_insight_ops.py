"""The insight page's read keeps one snapshot and counts from it; it reads again when the
window changes stories, consent, people or themes (the page forgets it) and when another
program writes to the same store (the store's fingerprint moves)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.core import consent, stories
from storykeeper.core.db import Store
from storykeeper.core.insight import EVERY_STORY, Insight, insight
from storykeeper.core.insight_snapshot import InsightSnapshot
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import ConsentDecision
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.ops import insight as insight_ops
from storykeeper.gui.ops.changes import Change, Kind
from tests.factories import given
from tests.gui.insight_stories import TRANSPORT, B, E, every_situation, tell, teller

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times a snapshot was read from the store (from a forgotten one)."""
    insight_ops.forget_snapshot()
    counted: list[int] = []
    real_read = InsightSnapshot.read

    def counting_read(session: Session) -> InsightSnapshot:
        counted.append(1)
        return real_read(session)

    monkeypatch.setattr(InsightSnapshot, "read", staticmethod(counting_read))
    yield counted
    insight_ops.forget_snapshot()


def load(store: Store, wanted: StoryFilter = EVERY_STORY) -> tuple[Insight, Insight]:
    """The page's numbers, and insight()'s read afresh."""
    with store.read() as session:
        query = insight_ops.InsightQuery(wanted)
        return insight_ops.load_insight(session, query), insight(session, wanted)


def test_filter_changes_count_from_one_snapshot(store: Store, reads: list[int]) -> None:
    every_situation(store)
    for wanted in (StoryFilter(), StoryFilter(theme=TRANSPORT), StoryFilter(in_reports=True)):
        shown, fresh = load(store, wanted)
        assert shown == fresh
    assert len(reads) == 1


def test_writes_by_another_program_are_counted(store: Store, reads: list[int]) -> None:
    made = every_situation(store)
    shown, _ = load(store)
    barriers = {t.theme: t.barrier.stories for t in shown.themes}[TRANSPORT]
    # A new story with consent, written by another connection the window knows nothing of.
    tell(store, teller(store, "Dan"), {TRANSPORT: B}, told_on=dt.date(2026, 5, 1))
    shown, fresh = load(store)
    assert shown == fresh
    assert {t.theme: t.barrier.stories for t in shown.themes}[TRANSPORT] == barriers + 1
    # Consent declined: a new version.
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            made["ann2"],
            given(decision=ConsentDecision.DECLINED, scopes=frozenset()),
        )
    shown, fresh = load(store)
    assert shown == fresh
    # A story's theme turned from a barrier to an enabler (a save).
    with store.write(actor="test") as session:
        current = stories.get_story(session, made["ann1"])
        turned = tuple(
            stories.ThemeLink(link.theme, E if link.theme == TRANSPORT else link.polarity)
            for link in current.fields.themes
        )
        stories.update_story(
            session,
            made["ann1"],
            dataclasses.replace(current.fields, themes=turned),
            expected_revision=current.revision,
        )
    shown, fresh = load(store)
    assert shown == fresh
    assert len(reads) == 4


def test_a_snapshot_read_while_a_change_is_forgotten_is_not_kept(
    store: Store, reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    every_situation(store)
    real_read = InsightSnapshot.read  # counted by ``reads``

    def read_then_changed(session: Session) -> InsightSnapshot:
        snapshot = real_read(session)
        insight_ops.forget_snapshot()  # a change landed while it was being read
        return snapshot

    monkeypatch.setattr(InsightSnapshot, "read", staticmethod(read_then_changed))
    load(store)
    monkeypatch.setattr(InsightSnapshot, "read", staticmethod(real_read))
    load(store)
    load(store)
    # The first was used once and dropped; the second was kept for the third count.
    assert len(reads) == 2
    assert insight_ops._snapshots._kept is not None


def test_the_page_forgets_the_snapshot_when_the_window_changes_a_story(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change the fingerprint would miss (it is held still here): the page's own forgetting
    makes the next count read the store again."""
    monkeypatch.setattr(insight_ops, "store_fingerprint", lambda _session: ("still",))
    window = make_window()
    made = every_situation(window.context.store)
    page = window.insight_page
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(page.counted, timeout=10_000):
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_I, CTRL_SHIFT)
    assert page.figures is not None
    before = {t.theme: t.barrier.stories for t in page.figures.themes}[TRANSPORT]

    def declined(session: Session) -> None:
        consent.record_consent(
            session, made["ann2"], given(decision=ConsentDecision.DECLINED, scopes=frozenset())
        )

    with qtbot.waitSignal(page.counted, timeout=10_000):
        window.context.tasks.write(declined, changes=[Change.of(Kind.CONSENT, made["ann2"])])
    after = {t.theme: t.barrier.stories for t in page.figures.themes}[TRANSPORT]
    assert after == before - 1
    assert len(reads) == 2
