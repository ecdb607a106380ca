"""Consent: append-only versions, the current one derived, the rules of the Mental Capacity Act."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import text

from storykeeper.core import consent, stories
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.search import StoryFilter, search_stories
from storykeeper.core.vocabulary import (
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
)
from storykeeper.paths import DataPaths
from tests.database_file import database_bytes
from tests.factories import given, make_story


def test_a_new_story_has_no_consent(store: Store) -> None:
    story = make_story(store)
    assert story.consent_state is ConsentState.NONE
    with store.read() as session:
        assert consent.current_consent(session, story.id) is None
        assert consent.state_of(None) is ConsentState.NONE


def test_versions_are_appended_and_the_newest_is_current(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        first = consent.record_consent(session, story.id, given(decided_on=dt.date(2026, 1, 10)))
        second = consent.record_consent(
            session,
            story.id,
            given(
                decision=ConsentDecision.WITHDRAWN,
                scopes=frozenset(),
                persons_words="I’ve changed my mind.",
                decided_on=dt.date(2026, 2, 1),
            ),
        )
    assert (first.version, second.version) == (1, 2)
    with store.read() as session:
        history = consent.consent_history(session, story.id)
        current = consent.current_consent(session, story.id)
        reloaded = stories.get_story(session, story.id)
    assert [r.decision for r in history] == [ConsentDecision.GIVEN, ConsentDecision.WITHDRAWN]
    # The first version is still exactly as it was recorded.
    assert history[0] == first
    assert current == second
    assert reloaded.consent_state is ConsentState.WITHDRAWN
    assert reloaded.consent_review_by is None
    # Consent travels with the story, so each version raises the story's revision.
    assert reloaded.revision == story.revision + 2


def test_review_date_defaults_to_six_months(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        record = consent.record_consent(session, story.id, given(decided_on=dt.date(2025, 8, 31)))
    assert record.review_by == dt.date(2026, 2, 28)
    assert consent.review_due(record, on=dt.date(2026, 2, 27)) is False
    assert consent.review_due(record, on=dt.date(2026, 2, 28)) is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scopes": frozenset()}, "scopes"),
        ({"decision": ConsentDecision.DECLINED}, "scopes"),
        ({"decision": ConsentDecision.GIVEN_WITH_CONDITIONS}, "conditions"),
        (
            {"basis": ConsentBasis.BEST_INTERESTS, "consulted": "Son", "advocate_involved": True},
            "best_interests_reasons",
        ),
        (
            {
                "basis": ConsentBasis.BEST_INTERESTS,
                "best_interests_reasons": "Why",
                "advocate_involved": True,
            },
            "consulted",
        ),
        (
            {
                "basis": ConsentBasis.BEST_INTERESTS,
                "best_interests_reasons": "Why",
                "consulted": "Son",
            },
            "advocate_involved",
        ),
        ({"decided_by": "  "}, "decided_by"),
        ({"decided_on": dt.date(2026, 3, 1), "review_by": dt.date(2026, 2, 1)}, "review_by"),
        ({"decided_on": dt.date.today() + dt.timedelta(days=2)}, "decided_on"),
    ],
)
def test_invalid_consent_is_refused_with_the_field_to_fix(
    store: Store, overrides: dict[str, object], field: str
) -> None:
    story = make_story(store)
    with pytest.raises(ValidationError) as caught, store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(**overrides))
    assert caught.value.field == field
    with store.read() as session:
        assert consent.consent_history(session, story.id) == []


def test_best_interests_decision_records_who_and_why(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        record = consent.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.BEST_INTERESTS,
                decided_by="Sam Okafor (social worker)",
                consulted="Daughter; key worker",
                advocate_involved=True,
                best_interests_reasons="She has always wanted to help others in her position.",
                scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}),
            ),
        )
    assert record.basis is ConsentBasis.BEST_INTERESTS
    assert record.advocate_involved is True
    assert record.allows(ConsentScope.ANONYMISED_IN_REPORTS)
    assert not record.allows(ConsentScope.SHARE_WITH_COORDINATOR)


def test_consent_records_are_never_updated_in_place(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        consent.record_consent(session, story.id, given(persons_words="Still yes."))
    with store.read() as session:
        rows = session.execute(
            text("SELECT version, persons_words FROM consent_records ORDER BY version")
        ).all()
    assert rows == [(1, "Yes, tell them."), (2, "Still yes.")]


def test_add_months_clamps_to_month_end() -> None:
    assert consent.add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert consent.add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)
    assert consent.add_months(dt.date(2026, 11, 15), 2) == dt.date(2027, 1, 15)


def test_final_needs_consent_first(store: Store) -> None:
    import dataclasses

    from storykeeper.core.vocabulary import StoryStatus

    story = make_story(store)
    final = dataclasses.replace(story.fields, status=StoryStatus.FINAL)
    with (
        pytest.raises(ValidationError, match="once consent has been recorded") as caught,
        store.write(actor="test") as session,
    ):
        stories.update_story(session, story.id, final)
    assert caught.value.field == "status"
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        assert stories.update_story(session, story.id, final).status is StoryStatus.FINAL


def test_withdrawing_shared_consent_queues_a_notice_until_it_is_sent(store: Store) -> None:
    story = make_story(store)
    never_shared = make_story(store, title="Kept here")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        # A partial withdrawal that keeps sharing: the next export carries the new scopes.
        consent.record_consent(
            session, story.id, given(scopes=frozenset({ConsentScope.SHARE_WITH_COORDINATOR}))
        )
        consent.record_consent(
            session,
            never_shared.id,
            given(decision=ConsentDecision.DECLINED, scopes=frozenset()),
        )
        assert consent.pending_withdrawals(session) == []
        withdrawn = consent.record_consent(
            session,
            story.id,
            given(decision=ConsentDecision.WITHDRAWN, scopes=frozenset(), persons_words="No more."),
        )
        (notice,) = consent.pending_withdrawals(session)
    assert (notice.story_id, notice.consent_id) == (story.id, withdrawn.id)
    assert notice.decision is ConsentDecision.WITHDRAWN

    with store.write(actor="test") as session:
        tombstone, _ = consent.purge_withdrawn_story(session, story.id)
        # The notice outlives the purged story, for the next bundle.
        assert [n.story_id for n in consent.pending_withdrawals(session)] == [story.id]
        consent.mark_withdrawals_sent(session, [notice.consent_id], "bundle-1")
        assert consent.pending_withdrawals(session) == []
    assert tombstone.reason.value == "withdrawn"
    with store.read() as session:
        leftovers = session.execute(
            text("SELECT count(*) FROM consent_records WHERE persons_words = 'No more.'")
        ).scalar_one()
    assert leftovers == 0


def test_removing_sharing_from_shared_consent_also_queues_a_notice(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        consent.record_consent(
            session, story.id, given(scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}))
        )
        assert [n.story_id for n in consent.pending_withdrawals(session)] == [story.id]


def test_only_withdrawn_or_declined_stories_are_purged(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    with (
        pytest.raises(ValidationError, match="Only a story whose consent was withdrawn"),
        store.write(actor="test") as session,
    ):
        consent.purge_withdrawn_story(session, story.id)


def _withdrawal(**overrides: object) -> consent.Withdrawal:
    values: dict[str, object] = {
        "decided_by": "Mair Pritchard",
        "basis": ConsentBasis.OWN_CONSENT,
        "method": ConsentMethod.VERBAL,
        "reason": "I'd rather my family didn't read it.",
    }
    values.update(overrides)
    return consent.Withdrawal(**values)  # type: ignore[arg-type]


def test_decision_follows_the_answers() -> None:
    share = frozenset({ConsentScope.SHARE_WITH_COORDINATOR})
    assert consent.decision_for(frozenset()) is ConsentDecision.DECLINED
    assert consent.decision_for(share) is ConsentDecision.GIVEN
    assert consent.decision_for(share, "  ") is ConsentDecision.GIVEN
    assert consent.decision_for(share, "Not in the newsletter") is (
        ConsentDecision.GIVEN_WITH_CONDITIONS
    )


def test_partial_withdrawal_keeps_the_rest_with_its_conditions_and_review_date(
    store: Store,
) -> None:
    story = make_story(store)
    scopes = frozenset(
        {
            ConsentScope.SHARE_WITH_COORDINATOR,
            ConsentScope.QUOTE_ANONYMISED,
            ConsentScope.SHARE_MEDIA,
        }
    )
    with store.write(actor="test") as session:
        first = consent.record_consent(
            session,
            story.id,
            given(
                decision=ConsentDecision.GIVEN_WITH_CONDITIONS,
                conditions="Not in the local paper.",
                scopes=scopes,
                decided_on=dt.date.today() - dt.timedelta(days=30),
            ),
        )
        after = consent.withdraw(
            session,
            story.id,
            _withdrawal(
                scopes=frozenset({ConsentScope.SHARE_MEDIA, ConsentScope.PUBLISH_WITH_NAME})
            ),
        )
        notices = consent.pending_withdrawals(session)
    assert after.version == 2
    assert after.decision is ConsentDecision.GIVEN_WITH_CONDITIONS
    assert after.scopes == scopes - {ConsentScope.SHARE_MEDIA}
    assert after.conditions == "Not in the local paper."
    assert after.review_by == first.review_by
    assert after.persons_words == "I'd rather my family didn't read it."
    assert after.decided_by == "Mair Pritchard"
    assert notices == []  # the story may still be shared: the coordinator keeps it


def test_full_withdrawal_hides_the_content_and_queues_the_notice(store: Store) -> None:
    story = make_story(store, title="The mill", own_words="We walked to the mill.")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        after = consent.withdraw(session, story.id, _withdrawal())
        notices = consent.pending_withdrawals(session)
    assert after.decision is ConsentDecision.WITHDRAWN
    assert after.scopes == frozenset()
    assert after.review_by is None
    assert [n.story_id for n in notices] == [story.id]
    with store.read() as session:
        kept = stories.get_story(session, story.id)
        assert kept.own_words == "We walked to the mill."  # still here until the purge
        hidden = stories.shown(kept)
        found = search_stories(session, StoryFilter(text="mill"))
        listed = search_stories(session, StoryFilter())
    assert stories.content_hidden(kept)
    assert (hidden.title, hidden.own_words, hidden.recorder_notes) == (
        stories.WITHDRAWN_TITLE,
        "",
        "",
    )
    assert found.total == 0  # its words are not found
    assert [item.title for item in listed.items] == [stories.WITHDRAWN_TITLE]
    with pytest.raises(ValidationError, match="withdrawn"), store.write(actor="t") as session:
        stories.update_story(session, story.id, dataclasses.replace(kept.fields, title="Changed"))
    with (
        pytest.raises(ValidationError, match="earlier versions are hidden"),
        store.read() as session,
    ):
        stories.story_versions(session, story.id)


def test_withdrawing_every_use_one_by_one_is_a_full_withdrawal(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        after = consent.withdraw(
            session,
            story.id,
            _withdrawal(
                scopes=frozenset(
                    {ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.ANONYMISED_IN_REPORTS}
                )
            ),
        )
    assert after.decision is ConsentDecision.WITHDRAWN


@pytest.mark.parametrize("first", [None, "declined"])
def test_nothing_to_withdraw_is_refused(store: Store, first: str | None) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        if first:
            consent.record_consent(
                session, story.id, given(decision=ConsentDecision.DECLINED, scopes=frozenset())
            )
    with pytest.raises(ValidationError, match="no consent in force"), store.write("t") as session:
        consent.withdraw(session, story.id, _withdrawal())


def test_withdrawing_a_use_never_given_is_refused(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    with (
        pytest.raises(ValidationError, match="at least one use") as caught,
        store.write(actor="t") as session,
    ):
        consent.withdraw(
            session, story.id, _withdrawal(scopes=frozenset({ConsentScope.SHARE_MEDIA}))
        )
    assert caught.value.field == "scopes"
    with store.read() as session:
        assert len(consent.consent_history(session, story.id)) == 1


def test_a_best_interests_no_needs_no_justification_but_a_yes_does(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        declined = consent.record_consent(
            session,
            story.id,
            given(
                decision=ConsentDecision.DECLINED,
                scopes=frozenset(),
                basis=ConsentBasis.BEST_INTERESTS,
                decided_by="Dr A. Okafor",
            ),
        )
    assert declined.basis is ConsentBasis.BEST_INTERESTS
    with pytest.raises(ValidationError) as caught, store.write(actor="t") as session:
        consent.record_consent(
            session, story.id, given(basis=ConsentBasis.BEST_INTERESTS, decided_by="Dr A. Okafor")
        )
    assert caught.value.field == "best_interests_reasons"


def test_a_partial_withdrawal_after_the_review_date_sets_a_new_one(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(decided_on=dt.date(2025, 1, 1)))
        after = consent.withdraw(
            session,
            story.id,
            _withdrawal(
                scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}),
                decided_on=dt.date(2026, 2, 10),
            ),
        )
    assert after.scopes == {ConsentScope.SHARE_WITH_COORDINATOR}
    assert after.review_by == dt.date(2026, 8, 10)


def test_a_purged_story_leaves_no_trace_of_its_words_in_the_file(
    plain_store: Store, paths: DataPaths
) -> None:
    # A plain store: an encrypted file holds no words in the clear to begin with, so only a
    # plain one shows that secure_delete overwrites what was purged.
    store = plain_store
    story = make_story(
        store, title="Qwertyzzz", own_words="Zyxwvutsqr at the mill.", notes="Plokmijnub."
    )
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        consent.withdraw(session, story.id, _withdrawal())
    with store.write(actor="test") as session:
        consent.purge_withdrawn_story(session, story.id)
    store.close()
    written = database_bytes(paths)
    for word in (b"qwertyzzz", b"zyxwvutsqr", b"plokmijnub"):
        assert word not in written, word
