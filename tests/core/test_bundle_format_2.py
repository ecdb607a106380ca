"""Bundle format 2 (issue 17): each consent version carries its Mental Capacity Act record — the
capacity assessment, the best-interests record with the people consulted, the advocate by name,
the attorney's or deputy's reference — and the coordinator keeps it, as part of the version."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykeeper.core import consent
from storykeeper.core.bundle import document as document_module
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.bundle.schema import first_error, is_valid
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.keys import KeyStore
from storykeeper.core.vocabulary import ConsentBasis
from tests.core.plain_bundles import write_plain
from tests.exchange import export, shared, snapshot, trust_advocate
from tests.forgery import Payload, edit_story, resign, story_paths
from tests.mca_records import best_interests, lacks_capacity


def decided_for_her(store: Store, title: str = "The bus") -> str:
    """A story shared on a best-interests decision, with the whole record."""
    story = shared(
        store,
        title,
        basis=ConsentBasis.BEST_INTERESTS,
        decided_by="Priya Shah",
        capacity=lacks_capacity(),
        best_interests=best_interests(),
        advocate_name="Sam Okafor (IMCA)",
    )
    return story.id


def test_the_record_goes_to_the_coordinator_whole(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    story_id = decided_for_her(store)
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            story_id,
            consent.ConsentInput(
                **{
                    **_as_input(consent.current_consent(session, story_id)),
                    "basis": ConsentBasis.LASTING_POWER_OF_ATTORNEY,
                    "decided_by": "Ann Crisp",
                    "best_interests": None,
                    "representative_reference": "7000-1234-5678",
                }
            ),
        )
        sent = consent.consent_history(session, story_id)
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path), actor="c")
    assert report.outcome is Outcome.IMPORTED, report.summary()
    with coordinator.read() as session:
        held = consent.consent_history(session, story_id)
    assert [
        (v.capacity, v.best_interests, v.advocate_name, v.representative_reference) for v in held
    ] == [(v.capacity, v.best_interests, v.advocate_name, v.representative_reference) for v in sent]
    assert held[0].best_interests == best_interests()
    assert held[1].representative_reference == "7000-1234-5678"
    # Kept with their content digests: the coordinator's check finds the record as it came.
    assert check_store(coordinator).problems == ()


def _as_input(record: consent.ConsentRecord | None) -> dict[str, Any]:
    assert record is not None
    return {
        "decision": record.decision,
        "basis": record.basis,
        "decided_by": record.decided_by,
        "method": record.method,
        "scopes": record.scopes,
        "capacity": record.capacity,
        "best_interests": record.best_interests,
        "advocate_name": record.advocate_name,
    }


def test_the_document_names_each_field(store: Store, tmp_path: Path) -> None:
    decided_for_her(store)
    path, _ = write_plain(store, tmp_path)
    payload = _payload(path)
    document = json.loads(payload[story_paths(payload)[0]])
    assert document["format"] == 2
    (version,) = document["consent"]["history"]
    assert version["advocate_name"] == "Sam Okafor (IMCA)"
    assert version["representative_reference"] == ""
    assert version["capacity_assessment"]["retain"] == {
        "able": "no",
        "note": "Had forgotten the report a minute later.",
    }
    assert version["capacity_assessment"]["outcome"] == "lacks_capacity"
    assert version["best_interests"]["consulted"][0] == {
        "name": "Ann Crisp",
        "relationship": "her daughter",
        "said": "Mum always liked telling that story.",
    }


def test_a_version_without_the_record_carries_nulls(store: Store, tmp_path: Path) -> None:
    shared(store, "Tea")
    path, _ = write_plain(store, tmp_path)
    payload = _payload(path)
    (version,) = json.loads(payload[story_paths(payload)[0]])["consent"]["history"]
    assert (version["capacity_assessment"], version["best_interests"]) == (None, None)
    assert (version["advocate_name"], version["representative_reference"]) == ("", "")


def _payload(path: Path) -> Payload:
    import zipfile

    with zipfile.ZipFile(path) as bundle:
        return {
            info.filename.split("/", 1)[1]: bundle.read(info)
            for info in bundle.infolist()
            if "/data/" in info.filename
        }


@pytest.fixture
def held(store: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, KeyStore, str]:
    """A best-interests story the coordinator holds, and the plain bundle it came in."""
    story_id = decided_for_her(store)
    trust_advocate(store, coordinator)
    path, keys = write_plain(store, tmp_path)
    assert import_bundle(coordinator, path, actor="c", accept_plain=True).ok
    return path, keys, story_id


def resent(edit: Any) -> Any:
    """The held story at its next revision, its first consent version changed by ``edit``."""

    def change(payload: Payload) -> None:
        def newer(document: dict[str, Any]) -> None:
            document["revision"] += 1
            edit(document["consent"]["history"][0])

        edit_story(payload, newer)
        document = json.loads(payload[story_paths(payload)[0]])
        summary = json.loads(payload["data/bundle.json"])
        summary["stories"] = [{"id": document["id"], "revision": document["revision"]}]
        payload["data/bundle.json"] = json.dumps(summary).encode()

    return change


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda v: v["capacity_assessment"]["retain"].update(able="yes", note="Remembered."),
        lambda v: v["best_interests"]["consulted"].pop(),
        lambda v: v.update(advocate_name="Someone else"),
        lambda v: v.update(capacity_assessment=None),
    ],
    ids=["capacity answer", "someone consulted", "advocate", "assessment dropped"],
)
def test_a_held_versions_record_rewritten_is_refused(
    held: tuple[Path, KeyStore, str], coordinator: Store, rewrite: Any
) -> None:
    path, keys, story_id = held
    before = snapshot(coordinator)
    report = import_bundle(
        coordinator, resign(path, keys, resent(rewrite)), actor="c", accept_plain=True
    )
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert report.reason == (
        f"Story {story_id} changes its consent version 1, which this computer already holds: "
        "a consent version is never changed once recorded, only followed by a new one."
    )
    assert snapshot(coordinator) == before


def test_the_same_record_sent_again_is_taken(
    held: tuple[Path, KeyStore, str], coordinator: Store
) -> None:
    """The comparison is of what the record says: resent unchanged, the update is taken."""
    path, keys, _ = held
    report = import_bundle(
        coordinator, resign(path, keys, resent(lambda v: None)), actor="c", accept_plain=True
    )
    assert report.outcome is Outcome.IMPORTED, report.summary()


@pytest.mark.parametrize(
    ("rewrite", "said"),
    [
        (
            lambda v: v["capacity_assessment"].update(assessed_on="2026-02-31"),
            "A capacity assessment’s date is not a real date",
        ),
        (
            lambda v: (
                v["capacity_assessment"]["retain"].update(able="no")
                or v["capacity_assessment"].update(outcome="has_capacity")
            ),
            "The assessment says the person cannot retain it",
        ),
        (lambda v: v["best_interests"].update(why=" "), "Why it is in the person’s interests"),
    ],
    ids=["impossible date", "contradicting outcome", "no reason"],
)
def test_a_record_the_store_would_not_take_is_refused(
    store: Store, coordinator: Store, tmp_path: Path, rewrite: Any, said: str
) -> None:
    decided_for_her(store)
    trust_advocate(store, coordinator)
    path, keys = write_plain(store, tmp_path)

    def change(payload: Payload) -> None:
        edit_story(payload, lambda document: rewrite(document["consent"]["history"][0]))

    before = snapshot(coordinator)
    report = import_bundle(coordinator, resign(path, keys, change), actor="c", accept_plain=True)
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert said in (report.reason or "")
    assert snapshot(coordinator) == before


# --- the new fields, fuzzed -------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
MCA_FIELDS = ("capacity_assessment", "best_interests", "advocate_name", "representative_reference")


def _mutate(value: Any, data: st.DataObject) -> Any:
    """One random change somewhere in a JSON value: replace, delete or add."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        value[key] = _mutate(value[key], data)
        return value
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        value[index] = _mutate(value[index], data)
        return value
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "delete" and isinstance(value, dict) and value:
        del value[data.draw(st.sampled_from(sorted(value)))]
        return value
    if action == "add" and isinstance(value, dict):
        value[data.draw(st.text(max_size=10))] = data.draw(JSON_VALUES)
        return value
    return data.draw(JSON_VALUES)


def _format_2_document() -> dict[str, Any]:
    """A story document as the writer makes it, on a best-interests decision with the record."""
    record = consent.ConsentRecord(
        id="3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b",
        story_id="0b7f0f5e-8d1c-4f55-9d55-2a4b0b6d4e11",
        version=1,
        decision=consent.ConsentDecision.GIVEN,
        basis=ConsentBasis.BEST_INTERESTS,
        decided_by="Priya Shah",
        method=consent.ConsentMethod.VERBAL,
        scopes=frozenset({consent.ConsentScope.SHARE_WITH_COORDINATOR}),
        persons_words="",
        conditions="",
        capacity_notes="",
        witness_id=None,
        witness_name=None,
        consulted="",
        advocate_involved=None,
        best_interests_reasons="",
        decided_on=dt.date(2026, 11, 3),
        review_by=None,
        recorded_at=dt.datetime(2026, 11, 3, 10, tzinfo=dt.UTC),
        capacity=lacks_capacity(),
        best_interests=best_interests(),
        advocate_name="Sam Okafor",
        representative_reference="",
    )
    return {
        "format": 2,
        "id": record.story_id,
        "revision": 2,
        "storyteller": {
            "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "name": "Rowan Ash",
            "is_real_name": False,
        },
        "supporter": None,
        "title": "The day centre bus",
        "own_words": "The minibus comes every Tuesday.",
        "recorder_notes": "",
        "told_on": None,
        "setting": None,
        "how_told": None,
        "language": "en",
        "status": "final",
        "themes": [],
        "consent": {
            "scopes": ["share_with_coordinator"],
            "conditions": "",
            "history": [document_module._consent(record)],
        },
        "attachments": [],
    }


FORMAT_2_STORY = _format_2_document()


def test_the_writers_consent_record_is_a_valid_format_2_document() -> None:
    assert document_module.problem_with(FORMAT_2_STORY) is None
    read = document_module.read_story(FORMAT_2_STORY).consent[0]
    assert (read.capacity, read.best_interests) == (lacks_capacity(), best_interests())


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_changed_record_is_read_or_refused_in_words(data: st.DataObject) -> None:
    """Whatever a sender puts in the new fields: both validators agree, and a document the
    schema passes is read or refused with a ValidationError (never a crash)."""
    document = json.loads(json.dumps(FORMAT_2_STORY))
    version = document["consent"]["history"][0]
    for _ in range(data.draw(st.integers(1, 3))):
        field = data.draw(st.sampled_from(MCA_FIELDS))
        if field in version:
            version[field] = _mutate(version[field], data)
    valid = is_valid(document, "story", 2)
    assert valid == (first_error(document, "story", 2) is None)
    if valid:
        try:
            document_module.read_story(document)
        except ValidationError as refusal:
            assert str(refusal)
