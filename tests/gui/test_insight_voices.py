"""Their voices on the insight page: a few of the people's own words for the highlighted theme
and polarity, only where consent allows a quote, redacted as an export is (issue 18 §1, §2)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from storykeeper.core import consent, people, stories
from storykeeper.core.db import Store
from storykeeper.core.report_build import theme_excerpt, theme_stems, voices
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import ConsentDecision, ConsentScope, Polarity, Setting
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.pages.insight_page import InsightPage
from storykeeper.gui.widgets import voices as voices_widget
from tests.factories import given
from tests.gui.inspecting import unnamed_controls

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
HEALTH, MONEY = "Health services", "Money and charges"
QUOTABLE = frozenset({ConsentScope.ANONYMISED_IN_REPORTS, ConsentScope.QUOTE_ANONYMISED})
COUNTED_ONLY = frozenset({ConsentScope.ANONYMISED_IN_REPORTS})
ALL = StoryFilter()


def tell(
    store: Store,
    name: str,
    words: str,
    themes: dict[str, Polarity],
    scopes: frozenset[ConsentScope] | None,
    *,
    told_on: dt.date = dt.date(2026, 2, 10),
    then_withdrawn: bool = False,
) -> str:
    with store.write(actor="test") as session:
        teller = people.create_storyteller(session, name)
        story = stories.create_story(
            session,
            stories.StoryFields(
                storyteller_id=teller.id,
                title="A story",
                own_words=words,
                told_on=told_on,
                setting=Setting.HOME,
                themes=tuple(stories.ThemeLink(theme, p) for theme, p in themes.items()),
            ),
        )
        if scopes is not None:
            consent.record_consent(session, story.id, given(scopes=scopes))
        if then_withdrawn:
            consent.record_consent(
                session, story.id, given(decision=ConsentDecision.WITHDRAWN, scopes=frozenset())
            )
        return story.id


def pseudonym(store: Store, story_id: str) -> str:
    with store.read() as session:
        return stories.get_story(session, story_id).storyteller_pseudonym


# --- the excerpt: the sentences around the theme, else the opening ------------------------------


def test_the_excerpt_is_the_sentence_that_speaks_of_the_theme_with_the_one_after() -> None:
    words = (
        "I was born in Leeds. We moved here in the seventies. The buses stopped coming to the "
        "estate in May. Now I stay in most days. My daughter does the shopping."
    )
    assert theme_excerpt(words, "Buses and trains", limit=90) == (
        "… The buses stopped coming to the estate in May. Now I stay in most days."
    )


def test_a_word_is_found_by_its_start_and_common_words_never_find_a_theme() -> None:
    assert theme_stems("Money and charges") == {"money", "charg"}
    assert theme_stems("Getting out and about") == frozenset()
    words = "It was a good year. Then they charged for the day centre. I stopped going."
    assert theme_excerpt(words, "Money and charges", limit=60).startswith(
        "… Then they charged for the day centre."
    )


def test_without_the_theme_s_words_the_excerpt_is_the_opening() -> None:
    words = "The nurse came every week. She listened. That mattered more than anything."
    assert theme_excerpt(words, "Getting out and about", limit=50) == (
        "The nurse came every week. She listened."
    )


def test_a_first_sentence_about_the_theme_is_not_marked_as_cut() -> None:
    words = "The bus pass changed my life. I go to the club now."
    assert theme_excerpt(words, "Bus travel") == words


# --- which stories give voices: consent decides, redacted as an export ---------------------------


def test_voices_come_only_from_stories_whose_consent_allows_a_quote_redacted(
    store: Store,
) -> None:
    quoted = tell(
        store,
        "Ann Jones",
        "Ann Jones here. "
        + "We moved in 1970. " * 20
        + "The health visitor never came on Sundays.",
        {HEALTH: Polarity.BARRIER},
        QUOTABLE,
    )
    tell(store, "Bob Smith", "Bob's words: health.", {HEALTH: Polarity.BARRIER}, COUNTED_ONLY)
    tell(store, "Cal Brown", "Cal's words: health.", {HEALTH: Polarity.BARRIER}, None)
    tell(
        store,
        "Dee Green",
        "Dee's words: health.",
        {HEALTH: Polarity.BARRIER},
        QUOTABLE,
        then_withdrawn=True,
    )
    tell(store, "Eve Black", "Eve's words: health.", {HEALTH: Polarity.ENABLER}, QUOTABLE)
    with store.read() as session:
        found = voices(session, ALL, HEALTH, Polarity.BARRIER, how_many=5, around_theme=True)
    assert len(found) == 1
    # The theme's sentence and as many before it as fit: the opening with the name is not.
    assert found[0].excerpt == (
        "… " + "We moved in 1970. " * 13 + "The health visitor never came on Sundays."
    )
    assert "Ann" not in found[0].excerpt
    assert (found[0].told, found[0].setting) == ("February 2026", Setting.HOME.label)
    # The opening, redacted: the storyteller's name is the pseudonym, as an export sends it.
    with store.read() as session:
        opening = voices(session, ALL, HEALTH, Polarity.BARRIER)[0].excerpt
    assert opening.startswith(f"{pseudonym(store, quoted)} here.")


# --- on the page -------------------------------------------------------------------------------


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def open_with_voices(qtbot: QtBot, window: MainWindow) -> InsightPage:
    page = window.insight_page
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(page.voices.shown, timeout=10_000):
        key(qtbot, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(page.chart.canvas.hasFocus)
    return page


def test_the_highlighted_cell_shows_its_voices_and_follows_the_arrow_keys(
    qtbot: QtBot, make_window: Callable[[], MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    store = window.context.store
    barrier = tell(
        store,
        "Ann Jones",
        "I'm Ann Jones. The health centre closed its doors. I miss my friends.",
        {HEALTH: Polarity.BARRIER},
        QUOTABLE,
    )
    enabler = tell(
        store,
        "Bob Smith",
        "Bob Smith speaking. The new health worker listens now.",
        {HEALTH: Polarity.ENABLER},
        QUOTABLE,
    )
    tell(store, "Cal Brown", "Cal Brown: health words.", {HEALTH: Polarity.BARRIER}, None)
    reads: list[str] = []
    real = voices_widget.load_voices

    def counted(session: Session, query: voices_widget.VoicesQuery) -> object:
        reads.append(f"{query.theme} {query.polarity}")
        return real(session, query)

    monkeypatch.setattr(voices_widget, "load_voices", counted)
    page = open_with_voices(qtbot, window)
    panel = page.voices
    # The chart starts on the first theme's barriers: Ann's words, not Cal's (no consent).
    assert panel.heading.text() == f"Their voices: {HEALTH} as a barrier"
    # A short story is whole (the sentences around the theme are all of it), its storyteller
    # named by the pseudonym, as an export names them.
    assert panel.excerpts() == [
        f"“I'm {pseudonym(store, barrier)}. The health centre closed its doors. I miss my "
        f"friends.”\nFebruary 2026, {Setting.HOME.label}"
    ]
    # Barrier → mixed → enabler: two steps at once read once, for the cell the keys rest on.
    reads.clear()
    with qtbot.waitSignal(panel.shown, timeout=10_000):
        key(qtbot, Qt.Key.Key_Right)
        key(qtbot, Qt.Key.Key_Right)
    assert reads == [f"{HEALTH} {Polarity.ENABLER}"]
    assert panel.heading.text() == f"Their voices: {HEALTH} as an enabler"
    assert panel.excerpts() == [
        f"“{pseudonym(store, enabler)} speaking. The new health worker listens now.”\n"
        f"February 2026, {Setting.HOME.label}"
    ]


def test_a_cell_with_no_quotable_story_says_so_and_the_list_is_reachable_and_named(
    qtbot: QtBot, make_window: Callable[[], MainWindow]
) -> None:
    window = make_window()
    tell(window.context.store, "Cal Brown", "Money words.", {MONEY: Polarity.BARRIER}, COUNTED_ONLY)
    page = open_with_voices(qtbot, window)
    assert page.voices.heading.text() == (
        f"Their voices: {MONEY} as a barrier. No story here has consent to be quoted."
    )
    assert page.voices.excerpts() == []
    page.trend.setFocus()
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.voices.voices
    assert unnamed_controls(page) == []


def test_voices_for_a_cell_no_longer_highlighted_are_dropped(
    qtbot: QtBot, make_window: Callable[[], MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The barrier's read is held on the reader pool until the enabler's voices are shown; its
    answer, arriving last, must not replace them."""
    window = make_window()
    store = window.context.store
    tell(store, "Ann Jones", "The health centre closed.", {HEALTH: Polarity.BARRIER}, QUOTABLE)
    tell(store, "Bob Smith", "The health worker listens.", {HEALTH: Polarity.ENABLER}, QUOTABLE)
    page = open_with_voices(qtbot, window)
    enabler_shown, barrier_done = threading.Event(), threading.Event()
    real = voices_widget.load_voices

    def held(session: Session, query: voices_widget.VoicesQuery) -> object:
        found = real(session, query)
        if query.polarity is Polarity.BARRIER:
            assert enabler_shown.wait(30)
            barrier_done.set()
        return found

    monkeypatch.setattr(voices_widget, "load_voices", held)
    window.context.tasks.wait_for_idle()
    page.voices.follow(StoryFilter(), HEALTH, Polarity.BARRIER)
    page.voices._soon.timeout.emit()  # the barrier's read starts now, and is held
    with qtbot.waitSignal(page.voices.shown, timeout=10_000):
        page.voices.follow(StoryFilter(), HEALTH, Polarity.ENABLER)
    enabler_shown.set()
    qtbot.waitUntil(barrier_done.is_set)
    window.context.tasks.wait_for_idle()
    QApplication.processEvents()
    assert page.voices.heading.text() == f"Their voices: {HEALTH} as an enabler"
    assert page.voices.excerpts() == [
        f"“The health worker listens.”\nFebruary 2026, {Setting.HOME.label}"
    ]
