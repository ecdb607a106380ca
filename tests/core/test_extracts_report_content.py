"""The printable report's content from a real store with stories in every consent situation:
only counted stories in the numbers, voices only where a quote is allowed and redacted as an
export, small counts held back, what was left out and why (issue 18, §2 and §3)."""

from __future__ import annotations

import pytest

from storykeeper.core.db import Store
from storykeeper.core.report_build import excerpt, report_content
from storykeeper.core.report_content import ReportContent, Tally
from tests.consent_situations import EVERYTHING, HIDDEN, MONEY, TITLE_WORD, TRANSPORT
from tests.consent_situations import tell_every_situation as tell_every


def content_of(store: Store, threshold: int) -> ReportContent:
    with store.read() as session:
        return report_content(session, EVERYTHING, "Our stories", "Riverside", threshold=threshold)


@pytest.fixture
def every_situation(store: Store) -> Store:
    return tell_every(store)


def test_only_counted_stories_are_in_the_numbers(every_situation: Store) -> None:
    content = content_of(every_situation, threshold=1)
    about = content.about
    assert (about.stories, about.people, about.senders) == (3, 3, 0)
    assert about.first_told == about.last_told == "14 March 2026"
    assert content.cover.period == "March 2026 to March 2026"
    assert about.how_told == (Tally("Spoken and written down", 3),)
    assert about.left_out == (
        Tally("No consent recorded yet", 1),
        Tally("The person declined", 1),
        Tally("Consent was withdrawn", 1),
        Tally("Consent does not include use in reports", 1),
    )
    by_name = {theme.name: theme for theme in content.themes}
    # The left-out stories all mark transport an enabler: none of them counts.
    assert (by_name[TRANSPORT].enablers, by_name[TRANSPORT].barriers) == (1, 1)
    assert (by_name[MONEY].barriers, by_name[MONEY].mixed, by_name[MONEY].stories) == (1, 1, 2)
    assert by_name[MONEY].share == pytest.approx(2 / 3, abs=0.001)
    assert [theme.name for theme in content.themes] == [TRANSPORT, MONEY]


def test_counts_below_the_threshold_are_held_back(every_situation: Store) -> None:
    content = content_of(every_situation, threshold=5)
    assert content.about.stories is None and content.about.people is None
    assert all(tally.count is None for tally in content.about.left_out)
    for theme in content.themes:
        assert theme.share is None
        assert {theme.enablers, theme.barriers, theme.mixed, theme.stories} <= {None, 0}
    for section in content.sections:
        assert all(p.enablers in (None, 0) and p.barriers in (None, 0) for p in section.trend)


def test_voices_only_where_a_quote_is_allowed_and_never_a_hidden_name(
    every_situation: Store,
) -> None:
    content = content_of(every_situation, threshold=1)
    voices = {
        section.counts.name: [voice.excerpt for voice in section.voices]
        for section in content.sections
    }
    # Winifred's words under her pseudonym; Bartholomew's (no quote allowed) never; Cecily's
    # by name, as she agreed.
    (transport,) = voices[TRANSPORT]
    assert transport.endswith("here. My daughter [her daughter] drives me to the shops.")
    assert sorted(voices[MONEY]) == sorted([transport, "I am Cecily Named and proud of it."])
    everything = repr(content)
    for hidden in (*HIDDEN, TITLE_WORD, "never gets out"):
        assert hidden not in everything, hidden
    assert all(
        voice.setting == "Care home" and voice.told == "March 2026"
        for section in content.sections
        for voice in section.voices
    )


def test_an_excerpt_is_the_opening_sentences_whole() -> None:
    words = "The bus stopped. " * 30
    cut = excerpt(words, limit=60)
    assert cut == "The bus stopped. The bus stopped. The bus stopped."
    assert excerpt("word " * 200, limit=40).endswith("…")
    assert len(excerpt("word " * 200, limit=40)) <= 41
    assert excerpt("Line one.\n\nLine\ttwo.") == "Line one. Line two."


def test_a_voice_in_the_printed_report_is_what_the_story_says_of_its_theme(
    store: Store,
) -> None:
    """As on the insight page: the sentences that speak of the theme, not the story's opening
    (which may be about anything else)."""
    from storykeeper.core import consent
    from storykeeper.core.vocabulary import ConsentScope, Polarity
    from tests.factories import given, make_story

    opening = "We had a lovely summer at the seaside with all the grandchildren. " * 6
    story = make_story(
        store,
        own_words=opening + "The charges for the lunch club went up again, so I stay in now.",
        themes=((MONEY, Polarity.BARRIER),),
    )
    scopes = {
        ConsentScope.SHARE_WITH_COORDINATOR,
        ConsentScope.ANONYMISED_IN_REPORTS,
        ConsentScope.QUOTE_ANONYMISED,
    }
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=frozenset(scopes)))
    content = content_of(store, threshold=1)
    (section,) = [s for s in content.sections if s.counts.name == MONEY]
    (voice,) = section.voices
    assert "The charges for the lunch club went up again" in voice.excerpt
