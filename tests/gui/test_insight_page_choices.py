"""The insight page reads its filter boxes' choices (who recorded, which senders) once, not on
every count: they change only when people or imports change, and at 100,000 stories reading them
on every filter change cost as much as the count itself (issue 18's speed)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.core import people
from storykeeper.core.people import Supporter
from storykeeper.core.vocabulary import StoryStatus, SupporterRole
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.gui.pages.insight_page import InsightPage
from tests.gui.insight_stories import every_situation


def shown_insight(qtbot: QtBot, window: MainWindow) -> InsightPage:
    page = window.insight_page
    with qtbot.waitSignal(page.counted):
        window.show_insight()
    window.context.tasks.wait_for_idle()  # the first choices read has landed too
    return page


def supporters_in_box(page: InsightPage) -> list[str]:
    box = page.supporter_filter
    return [box.itemText(index) for index in range(1, box.count())]


def test_a_filter_change_counts_without_reading_the_choices_again(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_situation(window.context.store)
    page = shown_insight(qtbot, window)
    reads: list[int] = []
    listed = people.list_supporters

    def counted_list(session: Session) -> list[Supporter]:
        reads.append(1)
        return listed(session)

    monkeypatch.setattr(people, "list_supporters", counted_list)
    for status in (StoryStatus.DRAFT, StoryStatus.FINAL, None):
        with qtbot.waitSignal(page.counted):
            page.status_filter.setCurrentIndex(page.status_filter.findData(status))
    window.context.tasks.wait_for_idle()
    assert reads == []


def test_a_new_supporter_appears_in_the_box_after_the_change_is_announced(
    qtbot: QtBot, window: MainWindow
) -> None:
    every_situation(window.context.store)
    page = shown_insight(qtbot, window)
    before = supporters_in_box(page)
    assert "Quentin Newcomer" not in before

    def add(session: Session) -> Supporter:
        return people.create_supporter(
            session, "Quentin Newcomer", SupporterRole.INDEPENDENT_ADVOCATE
        )

    with qtbot.waitSignal(page.counted, timeout=10_000):
        window.context.tasks.write(add, changes=lambda made: [Change.of(Kind.PEOPLE, made.id)])
    qtbot.waitUntil(lambda: "Quentin Newcomer" in supporters_in_box(page))
    assert supporters_in_box(page) == sorted([*before, "Quentin Newcomer"])
