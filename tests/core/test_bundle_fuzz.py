"""Fuzzing the reader and the importer (hypothesis): whatever the file holds, the import ends in a
report — imported or refused with a reason — and never in an unhandled exception.

Two kinds of input: the raw bytes of a real bundle, damaged at random (so the zip wall, the
signature and the manifests meet garbage), and story documents rewritten at random and signed
again with a trusted key (so the schema and the merge meet anything JSON can say).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storykeeper.core import consent
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.bundle.schema import first_error, is_valid
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.paths import resolve_paths
from tests.core.plain_bundles import write_plain
from tests.exchange import trust_advocate
from tests.factories import given as consent_given
from tests.factories import make_story
from tests.forgery import Payload, resign, story_paths

# CI runs a short round; a longer one by hand: STORYKEEPER_FUZZ_EXAMPLES=2000 pytest this file.
FUZZ = settings(
    max_examples=int(os.environ.get("STORYKEEPER_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


def setup(store: Store, tmp_path: Path) -> tuple[Path, KeyStore, Store]:
    story = make_story(store, title="Fuzzed")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, consent_given())
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    bundle, keys = write_plain(store, out)
    coordinator = Store.open(resolve_paths(tmp_path / "coordinator"))
    trust_advocate(store, coordinator)
    return bundle, keys, coordinator


@FUZZ
@given(data=st.data())
def test_damaged_bytes_end_in_a_report(store: Store, tmp_path: Path, data: st.DataObject) -> None:
    bundle, _, coordinator = _shared(store, tmp_path)
    raw = bytearray(bundle.read_bytes())
    for _ in range(data.draw(st.integers(1, 8), label="changes")):
        where = data.draw(st.integers(0, len(raw) - 1), label="where")
        how = data.draw(st.sampled_from(["flip", "cut", "insert", "zero run"]), label="how")
        if how == "flip":
            raw[where] ^= data.draw(st.integers(1, 255), label="bits")
        elif how == "cut":
            del raw[where : where + data.draw(st.integers(1, 200))]
        elif how == "insert":
            raw[where:where] = data.draw(st.binary(min_size=1, max_size=50))
        else:
            raw[where : where + 16] = bytes(16)
        if not raw:
            raw = bytearray(b"\x00")
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    report = import_bundle(coordinator, damaged, actor="fuzz")
    # Any change the signature covers is refused; a change it cannot see (in the zip's own
    # bookkeeping, say) may still import — but whatever happens is a report.
    assert report.outcome in (Outcome.REFUSED, Outcome.IMPORTED, Outcome.ALREADY_IMPORTED)
    if report.outcome is Outcome.REFUSED:
        assert report.reason


def _mutate(document: Any, data: st.DataObject) -> Any:
    """One random change somewhere in a JSON document: replace, delete or add a value."""
    if isinstance(document, dict) and document and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(document)))
        document[key] = _mutate(document[key], data)
        return document
    if isinstance(document, list) and document and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(document) - 1))
        document[index] = _mutate(document[index], data)
        return document
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "delete" and isinstance(document, dict) and document:
        del document[data.draw(st.sampled_from(sorted(document)))]
        return document
    if action == "add" and isinstance(document, dict):
        document[data.draw(st.text(max_size=10))] = data.draw(json_values)
        return document
    return data.draw(json_values)


@FUZZ
@given(data=st.data())
def test_any_signed_json_ends_in_a_report(
    store: Store, tmp_path: Path, data: st.DataObject
) -> None:
    bundle, keys, coordinator = _shared(store, tmp_path)
    target = data.draw(st.sampled_from(["story", "summary"]))

    def change(payload: Payload) -> None:
        path = story_paths(payload)[0] if target == "story" else "data/bundle.json"
        document = json.loads(payload[path])
        for _ in range(data.draw(st.integers(1, 3))):
            document = _mutate(document, data)
        payload[path] = json.dumps(document).encode()

    forged = resign(bundle, keys, change)
    try:
        report = import_bundle(coordinator, forged, actor="fuzz")
    finally:
        forged.unlink()
    assert report.outcome in (Outcome.REFUSED, Outcome.IMPORTED)
    if report.outcome is Outcome.REFUSED:
        assert report.reason
    # Whatever came in is whole: the store passes every check `storykeeper check` makes.
    checked = check_store(coordinator)
    assert checked.ok, checked.problems


_cache: dict[Path, tuple[Path, KeyStore, Store]] = {}


def _shared(store: Store, tmp_path: Path) -> tuple[Path, KeyStore, Store]:
    """One advocate bundle and coordinator per test function (hypothesis calls it many times)."""
    if tmp_path not in _cache:
        for old in list(_cache.values()):
            old[2].close()
        _cache.clear()
        _cache[tmp_path] = setup(store, tmp_path)
    return _cache[tmp_path]


def teardown_module() -> None:
    for _, _, coordinator in _cache.values():
        coordinator.close()
    _cache.clear()


@settings(max_examples=int(os.environ.get("STORYKEEPER_FUZZ_EXAMPLES", "200")), deadline=None)
@given(data=st.data())
def test_the_fast_and_the_reference_validator_agree(data: st.DataObject) -> None:
    """The compiled validator decides; the reference one words the refusal. They must agree."""
    assert is_valid(VALID_STORY, "story", 1)  # the starting point is a real story
    document = json.loads(json.dumps(VALID_STORY))
    for _ in range(data.draw(st.integers(0, 3))):
        document = _mutate(document, data)
    assert is_valid(document, "story", 1) == (first_error(document, "story", 1) is None)


VALID_STORY: dict[str, Any] = {
    "format": 1,
    "id": "0b7f0f5e-8d1c-4f55-9d55-2a4b0b6d4e11",
    "revision": 3,
    "storyteller": {
        "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "name": "Rowan Ash",
        "is_real_name": False,
    },
    "supporter": {"id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60", "name": "Priya Shah"},
    "title": "The day centre bus",
    "own_words": "The minibus comes every Tuesday.",
    "recorder_notes": "",
    "told_on": "2026-10-01",
    "setting": "day_centre",
    "how_told": "spoken_written_down",
    "language": "en",
    "status": "final",
    "themes": [{"name": "Getting out and about", "polarity": "enabler"}],
    "consent": {
        "scopes": ["share_with_coordinator"],
        "conditions": "",
        "history": [
            {
                "id": "3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b",
                "version": 1,
                "decision": "given",
                "basis": "own_consent",
                "decided_by": "The storyteller",
                "method": "verbal",
                "scopes": ["share_with_coordinator"],
                "persons_words": "Yes.",
                "conditions": "",
                "capacity_notes": "",
                "witness": None,
                "consulted": "",
                "advocate_involved": None,
                "best_interests_reasons": "",
                "decided_on": "2026-10-01",
                "review_by": "2027-04-01",
                "recorded_at": "2026-10-01T10:00:00Z",
            }
        ],
    },
    "attachments": [],
}
