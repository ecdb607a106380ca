"""Bundles of format 1, made by the Storykeeper before issue 17 and kept as made
(tests/fixtures/bundles), still import: their consent versions read as they were, with the
Mental Capacity Act record of format 2 "not recorded"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from storykeeper.core import consent, trust
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.keys import FOLDER
from storykeeper.core.models import StoryRow, TombstoneRow
from storykeeper.core.vocabulary import ConsentBasis, TombstoneReason
from storykeeper.paths import resolve_paths

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bundles"


@pytest.fixture
def coordinator_of_format_1(tmp_path: Path) -> Store:
    """The coordinator the format-1 bundles were made for: their key, and the advocate trusted."""
    paths = resolve_paths(tmp_path / "coordinator-1")
    keys = paths.data_dir / FOLDER
    keys.mkdir(parents=True, mode=0o700)
    shutil.copy(FIXTURES / "coordinator-keys" / "age-identity.txt", keys / "age-identity.txt")
    (keys / "age-identity.txt").chmod(0o600)
    store = Store.open(paths)
    with store.write(actor="test") as session:
        trust.add_signer(session, (FIXTURES / "advocate.pub").read_text("ascii"), "Advocate")
    return store


def test_this_storykeeper_writes_a_newer_format() -> None:
    assert FORMAT == 2


def test_format_1_bundles_import_with_their_consent_as_recorded(
    coordinator_of_format_1: Store,
) -> None:
    with coordinator_of_format_1 as store:
        first = import_bundle(store, FIXTURES / "format-1-first.bundle", actor="coordinator")
        assert first.ok, first
        second = import_bundle(store, FIXTURES / "format-1-second.bundle", actor="coordinator")
        assert second.ok, second
        with store.read() as session:
            (story_id,) = session.scalars(select(StoryRow.uuid)).all()
            (withdrawn,) = session.scalars(select(TombstoneRow.reason)).all()
            bus = consent.consent_history(session, story_id)
        # The second story's withdrawal notice came in: the coordinator purged it.
        assert withdrawn == TombstoneReason.WITHDRAWN.value
        assert [(v.version, v.basis) for v in bus] == [
            (1, ConsentBasis.OWN_CONSENT),
            (2, ConsentBasis.BEST_INTERESTS),
        ]
        newest = bus[-1]
        assert newest.capacity_notes == "Could not retain the information on the day."
        assert newest.consulted == "Her daughter Ann; her key worker Tom."
        assert newest.advocate_involved is True
        assert newest.best_interests_reasons == "She has always wanted the bus kept running."
        for version in bus:
            assert (version.capacity, version.best_interests) == (None, None)
            assert (version.advocate_name, version.representative_reference) == ("", "")
