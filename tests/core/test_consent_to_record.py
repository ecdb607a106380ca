"""Consent to record the person's voice: a scope of its own, agreed in the flow or out loud.

Recording only starts once consent says it may (issue 8). It never lets anything leave: what
leaves is still decided by sharing with the coordinator and sharing media.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from storykeeper.core import clock, consent, consent_text, recording_consent, stories
from storykeeper.core.attachments import add_attachment
from storykeeper.core.audit import recent_events
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Action
from storykeeper.core.bundle.writer import Selection, plan_export
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.export_policy import Withheld, export_view_for
from storykeeper.core.models import ConsentRecordRow
from storykeeper.core.people import create_supporter
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    SupporterRole,
)
from tests.exchange import export, shared, trust_advocate, withdraw_fully
from tests.factories import given, make_story

RECORD = ConsentScope.RECORD_AUDIO
SHARE = ConsentScope.SHARE_WITH_COORDINATOR


def _verbal(store: Store, story_id: str, **overrides: object) -> consent.ConsentRecord:
    values: dict[str, object] = {
        "decided_by": "Margaret Evans",
        "basis": ConsentBasis.OWN_CONSENT,
        "persons_words": "Yes, record me, that's fine.",
    }
    values.update(overrides)
    with store.write(actor="advocate") as session:
        return recording_consent.record_verbal_recording_consent(session, story_id, **values)  # type: ignore[arg-type]


def _may_record(store: Store, story_id: str) -> bool:
    with store.read() as session:
        return recording_consent.may_record_audio(session, story_id)


def _history(store: Store, story_id: str) -> list[consent.ConsentRecord]:
    with store.read() as session:
        return consent.consent_history(session, story_id)


def test_the_scope_has_plain_words_and_is_nothing_older_records_agreed_to() -> None:
    assert RECORD.value == "record_audio"
    assert RECORD.label == "Record their voice"
    assert ConsentScope.parse("record their voice") is RECORD


@pytest.mark.parametrize(
    ("versions", "allowed"),
    [
        ([], False),
        ([given()], False),
        ([given(scopes=frozenset({RECORD}))], True),
        ([given(scopes=given().scopes | {RECORD})], True),
        (
            [
                given(
                    decision=ConsentDecision.GIVEN_WITH_CONDITIONS,
                    conditions="Only the morning sessions.",
                    scopes=frozenset({RECORD}),
                )
            ],
            True,
        ),
        ([given(decision=ConsentDecision.DECLINED, scopes=frozenset())], False),
        # Only the newest version counts: a later "no" ends an earlier yes to recording.
        (
            [
                given(scopes=given().scopes | {RECORD}),
                given(decision=ConsentDecision.WITHDRAWN, scopes=frozenset()),
            ],
            False,
        ),
        ([given(scopes=given().scopes | {RECORD}), given()], False),
        ([given(), given(scopes=given().scopes | {RECORD})], True),
    ],
    ids=[
        "none",
        "given-without-recording",
        "recording-only",
        "given-with-recording",
        "conditions-with-recording",
        "declined",
        "withdrawn-after-recording",
        "recording-taken-back",
        "recording-added-later",
    ],
)
def test_may_record_audio_follows_the_newest_version(
    store: Store, versions: list[consent.ConsentInput], allowed: bool
) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        for version in versions:
            consent.record_consent(session, story.id, version)
    assert _may_record(store, story.id) is allowed


def test_a_spoken_yes_on_a_story_without_consent_allows_recording_and_nothing_else(
    store: Store,
) -> None:
    story = make_story(store)
    assert not _may_record(store, story.id)
    record = _verbal(store, story.id)
    assert record.version == 1
    assert record.decision is ConsentDecision.GIVEN
    assert record.scopes == {RECORD}
    assert record.method is ConsentMethod.VERBAL
    assert record.basis is ConsentBasis.OWN_CONSENT
    assert record.decided_by == "Margaret Evans"
    assert record.persons_words == "Yes, record me, that's fine."
    assert record.decided_on == clock.today()
    assert record.review_by == consent.add_months(clock.today(), consent.DEFAULT_REVIEW_MONTHS)
    assert _may_record(store, story.id)
    with store.read() as session:
        reloaded = stories.get_story(session, story.id)
        view = export_view_for(session, story.id)
        events = [(e.action, e.details) for e in recent_events(session) if e.entity_id == story.id]
        text = consent_text.summary(consent.consent_history(session, story.id))
    assert reloaded.consent_state is ConsentState.GIVEN
    assert reloaded.revision == story.revision + 1
    assert isinstance(view, Withheld)
    assert view.reason == "Consent does not include sharing with the coordinator."
    assert "Allows: record their voice." in text
    assert "Nothing about this story may leave this computer." in text
    # Audited as a consent change, and as a spoken yes at the recorder.
    assert (
        "consent.recorded",
        {"version": 1, "decision": "given", "scopes": ["record_audio"]},
    ) in (events)
    assert (
        "consent.recording_agreed_verbally",
        {"version": 1, "basis": "own_consent", "witnessed": False},
    ) in events


def test_a_spoken_yes_keeps_everything_the_consent_in_force_had_and_adds_recording(
    store: Store,
) -> None:
    story = make_story(store)
    review_by = clock.today() + dt.timedelta(days=40)
    with store.write(actor="test") as session:
        witness = create_supporter(session, "Dafydd Hughes", SupporterRole.INDEPENDENT_ADVOCATE)
        first = consent.record_consent(
            session,
            story.id,
            given(
                decision=ConsentDecision.GIVEN_WITH_CONDITIONS,
                basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
                decided_by="Gareth Evans",
                method=ConsentMethod.SIGNED_FORM,
                scopes=frozenset({SHARE, ConsentScope.QUOTE_ANONYMISED}),
                conditions="Not in the local paper.",
                capacity_notes="Best in the mornings; short sentences help.",
                witness_id=witness.id,
                decided_on=clock.today() - dt.timedelta(days=20),
                review_by=review_by,
            ),
        )
    record = _verbal(
        store,
        story.id,
        decided_by="Gareth Evans",
        basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
        persons_words="Yes, she is happy to be recorded.",
        witness_id=witness.id,
    )
    assert record.version == 2
    assert record.decision is ConsentDecision.GIVEN_WITH_CONDITIONS
    assert record.scopes == {SHARE, ConsentScope.QUOTE_ANONYMISED, RECORD}
    assert record.conditions == "Not in the local paper."
    assert record.capacity_notes == "Best in the mornings; short sentences help."
    assert record.review_by == review_by
    assert record.method is ConsentMethod.VERBAL
    assert record.basis is ConsentBasis.LASTING_POWER_OF_ATTORNEY
    assert record.decided_by == "Gareth Evans"
    assert record.persons_words == "Yes, she is happy to be recorded."
    assert record.witness_name == "Dafydd Hughes"
    assert record.decided_on == clock.today()
    # The earlier version is still exactly as it was: consent is append-only.
    assert _history(store, story.id) == [first, record]
    with store.read() as session:
        assert consent.pending_withdrawals(session) == []  # it still shares: nothing to purge


def test_a_spoken_yes_while_the_review_is_overdue_leaves_the_review_due(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(decided_on=dt.date(2024, 1, 1)))
    record = _verbal(store, story.id)
    # A conversation about recording is not a review of every use: the reminder stays.
    assert record.review_by == clock.today()
    assert consent.review_due(record)
    assert record.scopes == given().scopes | {RECORD}


def test_a_spoken_yes_after_a_refusal_allows_recording_alone(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(
            session, story.id, given(decision=ConsentDecision.DECLINED, scopes=frozenset())
        )
    record = _verbal(store, story.id, basis=ConsentBasis.SUPPORTED_DECISION)
    assert (record.version, record.decision, record.scopes) == (2, ConsentDecision.GIVEN, {RECORD})
    assert record.basis is ConsentBasis.SUPPORTED_DECISION
    assert _may_record(store, story.id)


def test_a_spoken_yes_after_a_withdrawal_is_refused(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(scopes=given().scopes | {RECORD}))
    withdraw_fully(store, story.id)
    with pytest.raises(ValidationError, match=r"withdrawn on .* go through consent") as refused:
        _verbal(store, story.id)
    assert refused.value.field is None
    assert [r.decision for r in _history(store, story.id)] == [
        ConsentDecision.GIVEN,
        ConsentDecision.WITHDRAWN,
    ]
    assert not _may_record(store, story.id)


def test_a_spoken_yes_is_refused_for_an_imported_story(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    with pytest.raises(ValidationError, match="read-only here"):
        _verbal(coordinator, story.id)
    assert len(_history(coordinator, story.id)) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"basis": ConsentBasis.BEST_INTERESTS}, "basis", "go through consent"),
        ({"decided_by": "  "}, "decided_by", "Who decided"),
    ],
)
def test_a_spoken_yes_that_cannot_stand_is_refused_with_the_field_to_fix(
    store: Store, overrides: dict[str, object], field: str, message: str
) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError, match=message) as refused:
        _verbal(store, story.id, **overrides)
    assert refused.value.field == field
    assert _history(store, story.id) == []


def test_a_second_spoken_yes_is_refused_as_already_agreed(store: Store) -> None:
    story = make_story(store)
    _verbal(store, story.id)
    with pytest.raises(
        ValidationError, match=r"already allows recording their voice \(version 1\)"
    ):
        _verbal(store, story.id)
    assert len(_history(store, story.id)) == 1


def test_a_spoken_yes_after_sharing_was_taken_back_sends_no_second_notice(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        taken_back = consent.record_consent(
            session, story.id, given(scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}))
        )
    _verbal(store, story.id)
    with store.read() as session:
        notices = consent.pending_withdrawals(session)
    # The coordinator was told once, by the version that stopped sharing; recording changes
    # nothing for them.
    assert [n.consent_id for n in notices] == [taken_back.id]


def test_a_story_whose_consent_allows_recording_but_not_sharing_leaves_nothing(
    store: Store, tmp_path: Path
) -> None:
    story = make_story(store, title="Recorded, kept here")
    recording = tmp_path / "interview.flac"
    recording.write_bytes(b"fLaC" + bytes(2048))
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                scopes=frozenset({RECORD, ConsentScope.SHARE_MEDIA, ConsentScope.QUOTE_ANONYMISED})
            ),
        )
        add_attachment(session, store.media, story.id, recording)
    spoken = make_story(store, title="Only recording")
    _verbal(store, spoken.id)
    with store.read() as session:
        plan = plan_export(session, Selection.ALL)
    assert plan.empty  # no story, no notice
    assert [(w.story_id, w.reason) for w in plan.left_out] == [
        (story.id, "Consent does not include sharing with the coordinator."),
        (spoken.id, "Consent does not include sharing with the coordinator."),
    ]


def test_consent_to_record_crosses_in_a_bundle_and_back_out_unchanged(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story = shared(store, "The bus", scopes=given().scopes | {RECORD})
    plain = shared(store, "The garden")  # an older kind of consent: no recording
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c")
    assert {(line.story_id, line.action) for line in report.stories} == {
        (story.id, Action.NEW),
        (plain.id, Action.NEW),
    }

    def versions(where: Store, story_id: str) -> list[tuple[object, ...]]:
        return [
            (r.id, r.version, r.decision, r.scopes, r.method, r.decided_on)
            for r in _history(where, story_id)
        ]

    assert versions(coordinator, story.id) == versions(store, story.id)
    assert versions(coordinator, story.id)[-1][3] == given().scopes | {RECORD}
    assert versions(coordinator, plain.id)[-1][3] == given().scopes
    with coordinator.read() as session:
        stored = session.scalars(select(ConsentRecordRow.record_audio)).all()
    assert sorted(stored) == [False, True]
