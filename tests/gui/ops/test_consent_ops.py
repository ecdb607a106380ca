"""The consent work of the window without a window: what the flow reads, and the three ways a
consent version is written, each saying that the story's consent and the story changed."""

from __future__ import annotations

import pytest

from storykeeper.core import stories
from storykeeper.core.consent import Withdrawal
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
)
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.ops.changes import Change, Kind
from tests.factories import given, make_story


def _story(store: Store, story_id: str) -> stories.Story:
    with store.read() as session:
        return stories.get_story(session, story_id)


def test_the_flow_reads_the_story_its_consent_witnesses_and_wording(store: Store) -> None:
    story = make_story(store)
    with store.read() as session:
        before = consent_ops.load_flow_data(session, story.id, store.paths.data_dir)
    assert before.story == story
    assert before.current is None
    assert [s.name for s in before.supporters] == ["Priya Shah"]
    assert before.text.scopes[ConsentScope.SHARE_WITH_COORDINATOR].question
    with store.write(actor="test") as session:
        recorded = consent_ops.record_consent(session, story.id, given())
    with store.read() as session:
        after = consent_ops.load_flow_data(session, story.id, store.paths.data_dir)
    assert after.current == recorded


def test_recording_consent_adds_a_version_and_changes_the_consent_and_the_story(
    store: Store,
) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        record = consent_ops.record_consent(session, story.id, given())
    assert (record.version, record.decision) == (1, ConsentDecision.GIVEN)
    assert _story(store, story.id).revision == story.revision + 1
    assert consent_ops.consent_changes(record) == [
        Change(Kind.CONSENT, frozenset({story.id})),
        Change(Kind.STORIES, frozenset({story.id})),
    ]
    with store.read() as session:
        summary = consent_ops.consent_summary(session, story.id)
        assert consent_ops.current_consent(session, story.id) == record
    assert summary.current.startswith("Given on")
    assert summary.earlier == []


def test_the_core_has_the_last_word_on_the_flows_answers(store: Store) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError) as refused, store.write(actor="test") as session:
        consent_ops.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.BEST_INTERESTS, consulted="Her sister", advocate_involved=True
            ),
        )
    # The flow goes back to the step with this field on it.
    assert refused.value.field == "best_interests_reasons"
    with store.read() as session:
        assert consent_ops.current_consent(session, story.id) is None


def test_a_full_withdrawal_hides_the_story_and_a_partial_one_keeps_the_rest(
    store: Store,
) -> None:
    kept, gone = make_story(store), make_story(store, teller="Tomos Price")
    for story in (kept, gone):
        with store.write(actor="test") as session:
            consent_ops.record_consent(session, story.id, given())
    partial = Withdrawal(
        decided_by="Margaret Evans",
        basis=ConsentBasis.OWN_CONSENT,
        method=ConsentMethod.VERBAL,
        scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}),
    )
    with store.write(actor="test") as session:
        fewer = consent_ops.withdraw(session, kept.id, partial)
        everything = consent_ops.withdraw(
            session,
            gone.id,
            Withdrawal("Tomos Price", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL),
        )
    assert fewer.scopes == frozenset({ConsentScope.SHARE_WITH_COORDINATOR})
    assert not stories.content_hidden(_story(store, kept.id))
    assert everything.decision is ConsentDecision.WITHDRAWN
    assert _story(store, gone.id).consent_state is ConsentState.WITHDRAWN
    assert stories.content_hidden(_story(store, gone.id))
    assert Change(Kind.CONSENT, frozenset({gone.id})) in consent_ops.consent_changes(everything)


def test_nothing_to_withdraw_is_refused_in_words(store: Store) -> None:
    story = make_story(store)
    nothing = Withdrawal("Margaret Evans", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL)
    refused = pytest.raises(ValidationError, match="no consent in force")
    with refused, store.write(actor="test") as session:
        consent_ops.withdraw(session, story.id, nothing)


def test_a_spoken_yes_to_recording_lets_recording_start(store: Store) -> None:
    story = make_story(store)
    with store.read() as session:
        assert not consent_ops.may_record_audio(session, story.id)
    with store.write(actor="test") as session:
        record = consent_ops.record_spoken_recording_consent(
            session, story.id, "Margaret Evans", ConsentBasis.OWN_CONSENT, "Yes, record me."
        )
    assert ConsentScope.RECORD_AUDIO in record.scopes
    assert record.persons_words == "Yes, record me."
    with store.read() as session:
        assert consent_ops.may_record_audio(session, story.id)
    assert Change(Kind.STORIES, frozenset({story.id})) in consent_ops.consent_changes(record)


def test_a_spoken_yes_cannot_stand_for_a_best_interests_decision(store: Store) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError), store.write(actor="test") as session:
        consent_ops.record_spoken_recording_consent(
            session, story.id, "Dr Jones", ConsentBasis.BEST_INTERESTS, ""
        )
    with store.read() as session:
        assert not consent_ops.may_record_audio(session, story.id)
