"""An advocate with more withdrawals waiting than one bundle may carry (issue 16): the export
sends as many as the coordinator takes, oldest first, and keeps the rest for the next bundle,
instead of making a bundle the coordinator refuses whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.core.bundle.document import WITHDRAWALS_MAX
from storykeeper.core.bundle.export import Selection
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.consent import pending_withdrawals
from storykeeper.core.db import Store
from tests.exchange import export, trust_advocate, withdrawals_waiting

#: How many more than one bundle may carry.
BEYOND = 5


def test_withdrawals_beyond_one_bundles_limit_wait_for_the_next_export(
    store: Store, coordinator: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipient = coordinator.keys.ensure().age_recipient
    story_ids = withdrawals_waiting(store, WITHDRAWALS_MAX + BEYOND, sent_to=[recipient])
    trust_advocate(store, coordinator)

    first = export(store, coordinator, tmp_path / "first", Selection.SINCE_LAST)
    report = import_bundle(coordinator, first, actor="c")
    assert report.outcome is Outcome.IMPORTED, report.summary()
    assert len(report.stories) == WITHDRAWALS_MAX
    with store.read() as session:
        left = [notice.story_id for notice in pending_withdrawals(session)]
    assert left == story_ids[WITHDRAWALS_MAX:]  # the oldest went first

    data_dir = str(store.paths.data_dir)
    recipient_dir = str(coordinator.paths.data_dir)
    capsys.readouterr()
    assert main(["--data-dir", recipient_dir, "keys", "show", "--json"]) == 0
    recipient = json.loads(capsys.readouterr().out)["age_recipient"]
    out = tmp_path / "second"
    out.mkdir()
    assert (
        main(
            ["--data-dir", data_dir, "export", "--since-last", "--to", recipient, "--out", str(out)]
        )
        == 0
    )
    said = capsys.readouterr().out
    assert "Not sent yet" not in said
    (second,) = out.iterdir()
    report = import_bundle(coordinator, second, actor="c")
    assert report.outcome is Outcome.IMPORTED, report.summary()
    assert sorted(line.story_id for line in report.stories) == sorted(story_ids[WITHDRAWALS_MAX:])
    with store.read() as session:
        assert pending_withdrawals(session) == []


def test_the_export_says_how_many_withdrawals_wait(
    store: Store, coordinator: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    withdrawals_waiting(store, WITHDRAWALS_MAX + BEYOND)
    out = tmp_path / "out"
    out.mkdir()
    capsys.readouterr()
    assert (
        main(["--data-dir", str(store.paths.data_dir), "export", "--plain", "--out", str(out)]) == 0
    )
    said = capsys.readouterr().out
    assert f"{WITHDRAWALS_MAX:,} withdrawals." in said
    assert (
        f"Not sent yet: {BEYOND} withdrawals, for the next export (one bundle carries at most "
        f"{WITHDRAWALS_MAX:,})."
    ) in said
