"""A bundle's file is named by who sent it and when, never by a bare id or a person's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storykeeper.core import clock, consent
from storykeeper.core.bundle import export as export_module
from storykeeper.core.bundle.export import export_bundle
from storykeeper.core.db import Store
from tests.factories import given, make_story

DAY = dt.date(2026, 12, 7)


@pytest.fixture
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: DAY)


def consented_story(store: Store) -> None:
    story = make_story(store, title="Tuesdays at the lido", teller="Margaret Evans")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())


def test_a_bundle_is_named_by_its_sender_and_date_and_two_the_same_day_do_not_collide(
    store: Store, tmp_path: Path, fixed_day: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module.platform, "node", lambda: "north-laptop")
    consented_story(store)
    out = tmp_path / "out"
    out.mkdir()

    first = export_bundle(store, actor="test", out=out, plain=True)
    second = export_bundle(store, actor="test", out=out, plain=True)

    assert first.path.name == "Storykeeper stories from north-laptop 2026-12-07.zip"
    assert second.path.name == "Storykeeper stories from north-laptop 2026-12-07 (2).zip"
    assert sorted(p.name for p in out.iterdir()) == sorted([first.path.name, second.path.name])
    for bundle in (first.path, second.path):
        assert "Margaret" not in bundle.name and "lido" not in bundle.name


def test_an_encrypted_bundle_keeps_the_extension_the_importer_expects(
    tmp_path: Path, fixed_day: None
) -> None:
    path = export_module.bundle_path(tmp_path, plain=False, sender="North office")
    assert path.name == "Storykeeper stories from North office 2026-12-07.zip.age"


@pytest.mark.parametrize(
    ("computer", "shown"),
    [
        ("ward/3: laptop", "ward 3 laptop"),  # a slash or colon would make a folder or fail
        ("\x07..", "this computer"),  # nothing left that names it
        ("", "this computer"),
    ],
)
def test_a_computer_name_that_cannot_stand_in_a_file_name_is_cleaned(
    tmp_path: Path, fixed_day: None, monkeypatch: pytest.MonkeyPatch, computer: str, shown: str
) -> None:
    monkeypatch.setattr(export_module.platform, "node", lambda: computer)
    path = export_module.bundle_path(tmp_path, plain=True)
    assert path.parent == tmp_path
    assert path.name == f"Storykeeper stories from {shown} 2026-12-07.zip"
