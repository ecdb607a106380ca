"""Importing a bundle as the import dialog does, without a window: the progress it reports, Cancel,
and what each kind of import says it changed. An advocate's store and the coordinator's, real."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storykeeper.core.bundle.importer import ImportCancelled
from storykeeper.core.bundle.report import Outcome, history
from storykeeper.core.db import Store
from storykeeper.core.models import StoryRow
from storykeeper.gui.ops import imports as import_ops
from storykeeper.gui.ops.changes import Change, Kind
from storykeeper.paths import resolve_paths
from tests.exchange import export, shared, trust_advocate


@pytest.fixture
def advocate(tmp_path: Path) -> Iterator[Store]:
    with Store.open(resolve_paths(tmp_path / "advocate")) as opened:
        yield opened


def titles(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.scalars(select(StoryRow.title)))


def test_an_import_reports_its_progress_and_names_the_stories_it_changed(
    advocate: Store, coordinator: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, coordinator)
    bus, garden = shared(advocate, "The bus"), shared(advocate, "The garden")
    bundle = export(advocate, coordinator, tmp_path / "out")
    heard: list[tuple[int, int]] = []

    report = import_ops.import_file(
        coordinator, bundle, actor="coordinator", dry_run=False, progress=lambda *p: heard.append(p)
    )

    assert report.outcome is Outcome.IMPORTED
    assert titles(coordinator) == ["The bus", "The garden"]
    # The hash check fills the first half of the file's share, the stories the second.
    shares = [done / total for done, total in heard]
    assert shares == sorted(shares) and all(0 <= share <= 1 for share in shares)
    assert any(share < 0.5 for share in shares) and any(share >= 0.5 for share in shares)
    ids = frozenset({bus.id, garden.id})
    assert import_ops.changes_of(report) == [
        Change(Kind.STORIES, ids),
        Change(Kind.CONSENT, ids),
        Change(Kind.ATTACHMENTS, ids),
        Change(Kind.PEOPLE),
        Change(Kind.THEMES),
        Change(Kind.EXCHANGE),
    ]

    again = import_ops.import_file(coordinator, bundle, actor="coordinator", dry_run=False)
    assert again.outcome is Outcome.ALREADY_IMPORTED
    assert import_ops.changes_of(again) == [Change(Kind.EXCHANGE)]  # kept in the ledger only


def test_a_dry_run_keeps_nothing_and_changes_nothing(
    advocate: Store, coordinator: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, coordinator)
    shared(advocate, "The bus")
    bundle = export(advocate, coordinator, tmp_path / "out")

    report = import_ops.import_file(coordinator, bundle, actor="coordinator", dry_run=True)

    assert report.outcome is Outcome.IMPORTED and report.dry_run
    assert titles(coordinator) == []
    with coordinator.read() as session:
        assert history(session) == []
    assert import_ops.changes_of(report) == []


def test_a_refused_bundle_changes_only_the_ledger(
    advocate: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(advocate, "The bus")
    bundle = export(advocate, coordinator, tmp_path / "out")  # the advocate is not trusted

    report = import_ops.import_file(coordinator, bundle, actor="coordinator", dry_run=False)

    assert report.outcome is Outcome.REFUSED and report.untrusted_public_key is not None
    assert titles(coordinator) == []
    assert import_ops.changes_of(report) == [Change(Kind.EXCHANGE)]


def test_cancel_keeps_nothing_from_the_file(
    advocate: Store, coordinator: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, coordinator)
    shared(advocate, "The bus")
    bundle = export(advocate, coordinator, tmp_path / "out")

    with pytest.raises(ImportCancelled):
        import_ops.import_file(
            coordinator, bundle, actor="coordinator", dry_run=False, cancelled=lambda: True
        )

    assert titles(coordinator) == []
    with coordinator.read() as session:
        assert history(session) == []
