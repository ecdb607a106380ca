"""The Mental Capacity Act record of a consent version (issue 17): a capacity assessment per
decision, the best-interests record, the advocate and the attorney's or deputy's reference —
kept whole, refused when it contradicts itself, and covered by `check`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import text

from storykeeper.core import consent, recording_consent
from storykeeper.core.check import check_store
from storykeeper.core.consent import FunctionalAnswer, PersonConsulted
from storykeeper.core.db import Store
from storykeeper.core.digests import field_digests
from storykeeper.core.errors import ValidationError
from storykeeper.core.models import DIGESTED_FIELDS, DIGESTED_WHEN_RECORDED, ConsentRecordRow
from storykeeper.core.vocabulary import (
    Ability,
    CapacityOutcome,
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
)
from tests.damage import change_with_plain_sql
from tests.factories import given, make_story
from tests.mca_records import best_interests, has_capacity, lacks_capacity


@pytest.fixture
def store(plain_store: Store) -> Store:
    """A plain store: the damage here is done as another program or a failing disk would, with
    SQLite itself or byte by byte, which an encrypted file does not allow (its damage is
    tested in test_encrypted_store.py)."""
    return plain_store


def best_interests_consent(**overrides: object) -> consent.ConsentInput:
    values: dict[str, object] = {
        "basis": ConsentBasis.BEST_INTERESTS,
        "decided_by": "Priya Shah",
        "capacity": lacks_capacity(),
        "best_interests": best_interests(),
        "advocate_name": "Sam Okafor (IMCA)",
    }
    values.update(overrides)
    return given(**values)


def test_the_whole_record_is_kept_and_read_back(store: Store) -> None:
    story = make_story(store)
    wanted = best_interests_consent()
    with store.write(actor="test") as session:
        recorded = consent.record_consent(session, story.id, wanted)
    with store.read() as session:
        (read,) = consent.consent_history(session, story.id)
    assert read == recorded
    assert read.capacity == wanted.capacity
    assert read.best_interests == wanted.best_interests
    assert read.advocate_name == "Sam Okafor (IMCA)"
    assert read.representative_reference == ""


def test_the_stored_documents_are_canonical_json(store: Store) -> None:
    """Sorted keys, no spaces, steps sorted: the same record is always the same text."""
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, best_interests_consent())
    with store.engine.connect() as connection:
        capacity, interests = connection.execute(
            text("SELECT capacity_assessment, best_interests FROM consent_records")
        ).one()
    for stored in (capacity, interests):
        assert stored == json.dumps(
            json.loads(stored), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
    assert json.loads(capacity)["steps_taken"] == ["other_form", "trusted_person"]
    assert [p["name"] for p in json.loads(interests)["consulted"]] == ["Ann Crisp", "Tom Hughes"]


def test_a_version_without_the_record_reads_as_not_recorded(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    with store.engine.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT capacity_assessment, best_interests, advocate_name, "
                "representative_reference FROM consent_records"
            )
        ).one()
    assert tuple(stored) == ("", "", "", "")
    with store.read() as session:
        (read,) = consent.consent_history(session, story.id)
    assert (read.capacity, read.best_interests, read.advocate_name) == (None, None, "")


def test_texts_are_cleaned_like_other_consent_texts(store: Store) -> None:
    story = make_story(store)
    messy = best_interests(
        decision_maker="  Priya\u0007  Shah ",
        consulted=(PersonConsulted(" Ann  Crisp", "her\ndaughter", "Yes\u0000."),),
    )
    with store.write(actor="test") as session:
        recorded = consent.record_consent(
            session, story.id, best_interests_consent(best_interests=messy)
        )
    assert recorded.best_interests is not None
    assert recorded.best_interests.decision_maker == "Priya Shah"
    assert recorded.best_interests.consulted == (
        PersonConsulted("Ann Crisp", "her daughter", "Yes."),
    )


def refused(store: Store, wanted: consent.ConsentInput) -> ValidationError:
    story = make_story(store)
    with pytest.raises(ValidationError) as refusal, store.write(actor="test") as session:
        consent.record_consent(session, story.id, wanted)
    with store.read() as session:
        assert consent.consent_history(session, story.id) == []
    return refusal.value


def test_a_person_found_to_lack_capacity_cannot_be_recorded_as_deciding_themselves(
    store: Store,
) -> None:
    for basis in (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION):
        error = refused(store, given(basis=basis, capacity=lacks_capacity()))
        assert error.field == "basis"
        assert "cannot make this decision at this time" in str(error)
        assert "attorney" in str(error)


def test_an_assessment_that_found_capacity_lets_the_person_decide(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        recorded = consent.record_consent(
            session,
            story.id,
            given(basis=ConsentBasis.SUPPORTED_DECISION, capacity=has_capacity()),
        )
    assert recorded.capacity is not None
    assert recorded.capacity.outcome is CapacityOutcome.HAS_CAPACITY


def test_an_outcome_that_contradicts_the_answers_is_refused(store: Store) -> None:
    unable = has_capacity(retain=FunctionalAnswer(Ability.NO, "Forgot at once."))
    error = refused(store, given(capacity=unable))
    assert (error.field, str(error).split(",")[0]) == (
        "capacity.outcome",
        "The assessment says the person cannot retain it",
    )
    able = lacks_capacity(
        retain=FunctionalAnswer(Ability.YES), use_or_weigh=FunctionalAnswer(Ability.YES)
    )
    assert refused(store, best_interests_consent(capacity=able)).field == "capacity.outcome"


def test_a_best_interests_record_needs_its_decision_maker_and_reasons(store: Store) -> None:
    error = refused(store, best_interests_consent(best_interests=best_interests(why="  ")))
    assert error.field == "best_interests.why"
    error = refused(store, best_interests_consent(best_interests=best_interests(decision_maker="")))
    assert error.field == "best_interests.decision_maker"


def test_a_best_interests_record_belongs_to_a_best_interests_decision(store: Store) -> None:
    wanted = given(
        basis=ConsentBasis.DEPUTY, decided_by="Ray Finch", best_interests=best_interests()
    )
    assert refused(store, wanted).field == "best_interests"


def test_a_reference_belongs_to_an_attorney_or_deputy(store: Store) -> None:
    assert refused(store, given(representative_reference="LPA 7000-1234")).field == (
        "representative_reference"
    )
    story = make_story(store)
    with store.write(actor="test") as session:
        recorded = consent.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
                decided_by="Ann Crisp",
                capacity=lacks_capacity(),
                representative_reference="  7000-1234-5678 ",
            ),
        )
    assert recorded.representative_reference == "7000-1234-5678"


def test_assessment_dates_are_checked(store: Store) -> None:
    future = lacks_capacity(assessed_on=dt.date.today() + dt.timedelta(days=3))
    assert refused(store, best_interests_consent(capacity=future)).field == "capacity.assessed_on"
    after = best_interests_consent(decided_on=dt.date(2026, 11, 1))  # assessed 2 November
    error = refused(store, after)
    assert error.field == "capacity.assessed_on"
    assert "dated after the decision" in str(error)
    slip = lacks_capacity(assessed_on=dt.date(926, 11, 2))
    assert refused(store, best_interests_consent(capacity=slip)).field == "capacity.assessed_on"


def test_over_long_texts_are_refused_naming_the_field(store: Store) -> None:
    long_name = "A" * (consent.PERSON_NAME_MAX + 1)
    cases = {
        "capacity.assessed_by": best_interests_consent(
            capacity=lacks_capacity(assessed_by=long_name)
        ),
        "capacity.decision": best_interests_consent(
            capacity=lacks_capacity(decision="d" * (consent.CAPACITY_DECISION_MAX + 1))
        ),
        "capacity.steps_note": best_interests_consent(
            capacity=lacks_capacity(steps_note="n" * (consent.TEXT_MAX + 1))
        ),
        "capacity.retain": best_interests_consent(
            capacity=lacks_capacity(
                retain=FunctionalAnswer(Ability.NO, "n" * (consent.TEXT_MAX + 1))
            )
        ),
        "best_interests.consulted": best_interests_consent(
            best_interests=best_interests(
                consulted=(PersonConsulted("Ann", "r" * (consent.RELATIONSHIP_MAX + 1), ""),)
            )
        ),
        "advocate_name": best_interests_consent(advocate_name=long_name),
        "representative_reference": given(
            basis=ConsentBasis.DEPUTY,
            decided_by="Ray Finch",
            representative_reference="9" * (consent.REFERENCE_MAX + 1),
        ),
    }
    for field, wanted in cases.items():
        error = refused(store, wanted)
        assert error.field == field, field
        assert "too long" in str(error)


def test_too_many_people_consulted_is_refused(store: Store) -> None:
    crowd = tuple(
        PersonConsulted(f"Person {n}", "neighbour", "") for n in range(consent.CONSULTED_MAX + 1)
    )
    wanted = best_interests_consent(best_interests=best_interests(consulted=crowd))
    assert refused(store, wanted).field == "best_interests.consulted"


def test_a_declined_best_interests_decision_needs_no_reasons(store: Store) -> None:
    """Saying no is always honoured (MCA 2005 s.1(6))."""
    story = make_story(store)
    with store.write(actor="test") as session:
        recorded = consent.record_consent(
            session,
            story.id,
            best_interests_consent(
                decision=ConsentDecision.DECLINED, scopes=frozenset(), best_interests=None
            ),
        )
    assert recorded.decision is ConsentDecision.DECLINED


# --- content digests -----------------------------------------------------------------------


def test_a_changed_capacity_note_is_found_by_check(store: Store) -> None:
    story = make_story(store, title="The bus")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, best_interests_consent())
    assert check_store(store).problems == ()
    change_with_plain_sql(
        store.paths.database,
        "UPDATE consent_records SET capacity_assessment = "
        "replace(capacity_assessment, 'Had forgotten', 'Remembered') WHERE id = 1",
    )
    change_with_plain_sql(
        store.paths.database,
        "UPDATE consent_records SET advocate_name = 'Someone else' WHERE id = 1",
    )
    assert [(p.area, p.message) for p in check_store(store).problems] == [
        (
            "consent",
            f"consent version 1 of story {story.id[:8]} “The bus”: capacity assessment and "
            "advocate or IMCA changed outside Storykeeper since it was saved",
        )
    ]


def test_a_version_without_the_record_keeps_the_digest_it_had_before(store: Store) -> None:
    """Versions recorded before 0016 keep their digests and check clean; a version recorded
    now without the record has the very same digest as then."""
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given(capacity_notes="Understood well."))
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM consent_records")).mappings().one()
    before_0016 = tuple(
        name for name in DIGESTED_FIELDS[ConsentRecordRow] if name not in DIGESTED_WHEN_RECORDED
    )
    assert row["content_digest"] == field_digests(dict(row), before_0016)
    assert check_store(store).problems == ()


def test_a_record_filled_into_an_old_version_is_found(store: Store) -> None:
    """A version recorded without the record has no digest of it: what appears there later
    was written outside Storykeeper."""
    story = make_story(store, title="The bus")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    change_with_plain_sql(
        store.paths.database,
        "UPDATE consent_records SET representative_reference = 'LPA 1' WHERE id = 1",
    )
    assert [p.message for p in check_store(store).problems] == [
        f"consent version 1 of story {story.id[:8]} “The bus”: LPA or court order reference "
        "changed outside Storykeeper since it was saved"
    ]


def test_a_damaged_stored_document_reads_as_not_recorded_and_check_names_it(store: Store) -> None:
    story = make_story(store, title="The bus")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, best_interests_consent())
    change_with_plain_sql(
        store.paths.database,
        "UPDATE consent_records SET best_interests = substr(best_interests, 1, 20) WHERE id = 1",
    )
    with store.read() as session:
        (read,) = consent.consent_history(session, story.id)
    assert read.best_interests is None
    assert read.capacity == lacks_capacity()
    assert [p.message for p in check_store(store).problems] == [
        f"consent version 1 of story {story.id[:8]} “The bus”: best-interests record changed "
        "outside Storykeeper since it was saved"
    ]


def test_verbal_consent_to_recording_keeps_the_advocate_and_reference(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
                decided_by="Ann Crisp",
                capacity=lacks_capacity(),
                advocate_name="Sam Okafor",
                representative_reference="7000-1234-5678",
            ),
        )
        recorded = recording_consent.record_verbal_recording_consent(
            session, story.id, decided_by="Ann Crisp", basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY
        )
    assert (recorded.advocate_name, recorded.representative_reference) == (
        "Sam Okafor",
        "7000-1234-5678",
    )
    # An assessment is of one decision; recording the voice is another.
    assert recorded.capacity is None


def test_records_compare_by_value() -> None:
    assert dataclasses.replace(lacks_capacity()) == lacks_capacity()


def test_a_withdrawal_by_the_attorney_keeps_the_lpa_reference(store: Store) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
                decided_by="Ann Crisp",
                representative_reference="7000-1234-5678",
            ),
        )
        by_attorney = consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="Ann Crisp",
                basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
                method=ConsentMethod.VERBAL,
                scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}),
                advocate_name="Sam Okafor",
            ),
        )
        # Taken back by the person themselves (they can decide again): no reference.
        by_the_person = consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="Margaret Evans",
                basis=ConsentBasis.OWN_CONSENT,
                method=ConsentMethod.VERBAL,
            ),
        )
    assert (by_attorney.representative_reference, by_attorney.advocate_name) == (
        "7000-1234-5678",
        "Sam Okafor",
    )
    assert by_the_person.representative_reference == ""
