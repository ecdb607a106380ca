"""The one rule for what the insight view and its reports may count and quote, checked for any
consent history (hypothesis), beside the export rule's own property tests."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storykeeper.core.consent import ConsentRecord
from storykeeper.core.export_policy import ExportableStory, export_view
from storykeeper.core.insight_policy import (
    DEFAULT_THRESHOLD,
    ConsentInForce,
    LeftOut,
    QuoteUse,
    insight_use,
    quote_of,
    shown_count,
    shown_share,
)
from storykeeper.core.mentioned import PersonMentioned
from storykeeper.core.stories import PersonRef, Story
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    Setting,
    StoryStatus,
)

NOW = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéñł"
PSEUDONYM = "Quiet Heron 42"
ROLES = ("her daughter", "a neighbour", "his son")
AGREEING = (ConsentDecision.GIVEN, ConsentDecision.GIVEN_WITH_CONDITIONS)

versions = st.lists(
    st.tuples(
        st.sampled_from(list(ConsentDecision)),
        st.frozensets(st.sampled_from(list(ConsentScope))),
    ),
    max_size=5,
).flatmap(
    # Numbered in the order made, handed over in any order: the rule must not depend on it.
    lambda drawn: st.permutations(
        [ConsentInForce(n, decision, scopes) for n, (decision, scopes) in enumerate(drawn, 1)]
    )
)


def newest(history: list[ConsentInForce]) -> ConsentInForce | None:
    return max(history, key=lambda v: v.version) if history else None


@settings(max_examples=500, deadline=None)
@given(versions)
def test_a_story_counts_only_when_its_current_consent_allows_reports(
    history: list[ConsentInForce],
) -> None:
    use = insight_use(history)
    current = newest(history)
    allowed = (
        current is not None
        and current.decision in AGREEING
        and bool(
            current.scopes & {ConsentScope.ANONYMISED_IN_REPORTS, ConsentScope.PUBLISH_WITH_NAME}
        )
    )
    assert use.counted is allowed
    assert (use.left_out is None) is allowed
    if current is None:
        assert use.left_out is LeftOut.NO_CONSENT
    elif current.decision is ConsentDecision.WITHDRAWN:
        # Whatever was agreed before, a withdrawn story never counts.
        assert use.left_out is LeftOut.WITHDRAWN
    elif current.decision is ConsentDecision.DECLINED:
        assert use.left_out is LeftOut.DECLINED
    elif not allowed:
        assert use.left_out is LeftOut.NOT_FOR_REPORTS
    # The same history in another order decides the same.
    assert insight_use(sorted(history, key=lambda v: v.version)) == use


@settings(max_examples=500, deadline=None)
@given(versions)
def test_words_are_quoted_only_with_a_quote_consent_and_named_only_with_the_name_one(
    history: list[ConsentInForce],
) -> None:
    use = insight_use(history)
    current = newest(history)
    if use.quote is not QuoteUse.NONE:
        assert current is not None and use.counted
        assert ConsentScope.QUOTE_ANONYMISED in current.scopes
    if use.quote is QuoteUse.NAMED:
        assert current is not None and ConsentScope.PUBLISH_WITH_NAME in current.scopes
    if use.counted and current is not None:
        quotable = ConsentScope.QUOTE_ANONYMISED in current.scopes
        assert (use.quote is not QuoteUse.NONE) is quotable
        if quotable:
            named = ConsentScope.PUBLISH_WITH_NAME in current.scopes
            assert use.quote is (QuoteUse.NAMED if named else QuoteUse.ANONYMISED)


def test_each_reason_has_words_a_report_can_print() -> None:
    labels = [reason.label for reason in LeftOut]
    assert len(set(labels)) == len(labels) and all(labels)


# --- quotes, redacted as an export is ---

name_part = st.text(alphabet=LETTERS, min_size=2, max_size=9)
filler = st.text(alphabet=LETTERS + " .,'-\n", max_size=30)


def text_with(parts: list[str]) -> st.SearchStrategy[str]:
    mention = st.sampled_from(parts).flatmap(
        lambda p: st.sampled_from([p, p.upper(), p.lower(), p.title()])
    )
    return st.lists(st.one_of(mention, filler), max_size=8).map(" ".join)


def record(
    version: int, decision: ConsentDecision, scopes: frozenset[ConsentScope]
) -> ConsentRecord:
    return ConsentRecord(
        id=f"c{version}",
        story_id="s",
        version=version,
        decision=decision,
        basis=ConsentBasis.OWN_CONSENT,
        decided_by="The storyteller",
        method=ConsentMethod.VERBAL,
        scopes=scopes,
        persons_words="",
        conditions="",
        capacity_notes="",
        witness_id=None,
        witness_name=None,
        consulted="",
        advocate_involved=None,
        best_interests_reasons="",
        decided_on=dt.date(2026, 1, version),
        review_by=None,
        recorded_at=NOW,
    )


@st.composite
def quoted_stories(
    draw: st.DrawFn,
) -> tuple[Story, list[ConsentRecord], list[PersonMentioned], list[str]]:
    teller = draw(st.lists(name_part, min_size=1, max_size=3))
    people = [
        (draw(st.lists(name_part, min_size=1, max_size=2)), draw(st.sampled_from(ROLES)))
        for _ in range(draw(st.integers(0, 2)))
    ]
    words = [*teller, *(w for name, _ in people for w in name)]
    stand_ins = " ".join([PSEUDONYM, *ROLES]).casefold().split()
    assume(not any(w.casefold() in stand_ins for w in words))
    mentioned = [PersonMentioned(" ".join(name), role) for name, role in people]
    parts = [*words, " ".join(teller), *(p.name for p in mentioned)]
    story = Story(
        id="s",
        storyteller=PersonRef("t", " ".join(teller)),
        storyteller_pseudonym=PSEUDONYM,
        supporter=None,
        title="",
        own_words=draw(text_with(parts)),
        recorder_notes="",
        told_on=dt.date(2026, 3, 4),
        setting=Setting.CARE_HOME,
        how_told=None,
        language="en",
        status=StoryStatus.FINAL,
        themes=(),
        revision=1,
        origin_device="d",
        created_at=NOW,
        updated_at=NOW,
        consent_state=ConsentState.NONE,
        consent_review_by=None,
    )
    # Sharing always on, so the export rule lets the words out and the two can be compared.
    always = frozenset({ConsentScope.SHARE_WITH_COORDINATOR})
    history = [
        record(n, decision, always | scopes)
        for n, (decision, scopes) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(list(ConsentDecision)),
                        st.frozensets(st.sampled_from(list(ConsentScope))),
                    ),
                    max_size=3,
                )
            ),
            1,
        )
    ]
    return story, draw(st.permutations(history)), mentioned, words


@settings(max_examples=400, deadline=None)
@given(quoted_stories())
def test_a_quote_reads_exactly_as_the_export_would_send_the_words(
    case: tuple[Story, list[ConsentRecord], list[PersonMentioned], list[str]],
) -> None:
    story, history, mentioned, words = case
    quote = quote_of(story, history, mentioned)
    use = insight_use(history)
    assert (quote is None) is (use.quote is QuoteUse.NONE)
    if quote is None:
        return
    exported = export_view(story, history, mentioned)
    assert isinstance(exported, ExportableStory)
    assert quote.words == exported.own_words
    assert quote.named is exported.storyteller_named is (use.quote is QuoteUse.NAMED)
    assert quote.storyteller == exported.storyteller
    assert (quote.told_on, quote.setting) == (story.told_on, story.setting)
    if not quote.named:
        for word in words:
            assert not re.search(
                rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", quote.words, re.IGNORECASE
            ), (word, quote.words)


# --- small counts ---


@given(st.integers(0, 10_000), st.integers(1, 50))
def test_a_small_count_never_leaves_as_a_number(count: int, threshold: int) -> None:
    shown = shown_count(count, threshold)
    if 0 < count < threshold:
        assert shown == f"fewer than {threshold}"
    else:
        assert shown == count


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_a_share_of_a_small_count_is_hidden_with_it(part: int, extra: int) -> None:
    whole = part + extra
    shown = shown_share(part, whole)
    if whole == 0:
        assert shown is None
    elif 0 < part < DEFAULT_THRESHOLD:
        assert shown == f"fewer than {DEFAULT_THRESHOLD} stories"
    else:
        assert shown == round(100 * part / whole, 1)
