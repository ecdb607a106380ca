"""Every number and date a bundle carries is bounded, and every reason is short.

Hostile or mistaken values from a *trusted* sender (re-signed with its real key, so only the
importer stands guard): a revision past what SQLite holds, a number of thousands of digits, a
date no calendar has, a string of 50 MB. Each is refused with one specific line, kept in the
ledger, and the store is exactly as before — never "something unexpected went wrong".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storykeeper.__main__ import main
from storykeeper.core import consent
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import REASON_MAX, Outcome, history
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from tests.core.plain_bundles import write_plain
from tests.exchange import snapshot, trust_advocate
from tests.factories import given, make_story
from tests.forgery import Payload, edit_story, resign, story_paths

HUGE = 2**63
#: A string of 50 MB: under the reader's cap on one JSON file, far over any field's limit.
FIFTY_MB = 50 << 20


@pytest.fixture
def sent(store: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, KeyStore]:
    """A plain bundle of one story with consent to share; the coordinator trusts its sender."""
    story = make_story(store, title="The bus")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    out = tmp_path / "out"
    out.mkdir()
    trust_advocate(store, coordinator)
    return write_plain(store, out)


def refused_and_kept(coordinator: Store, bundle: Path) -> str:
    """Import ``bundle``: refused, nothing changed but one ledger entry with the same reason."""
    before = snapshot(coordinator)
    report = import_bundle(coordinator, bundle, actor="c", accept_plain=True)
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert snapshot(coordinator) == before
    with coordinator.read() as session:
        (entry,) = history(session)
    assert entry.report.outcome is Outcome.REFUSED
    assert entry.report.reason == report.reason
    assert "unexpected" not in report.reason
    return report.reason


def with_summary_revision(revision: int) -> Callable[[Payload], None]:
    """The story and the summary both at ``revision``, so only the bound can refuse it."""

    def change(payload: Payload) -> None:
        edit_story(payload, lambda d: d.update(revision=revision))
        summary = json.loads(payload["data/bundle.json"])
        summary["stories"][0]["revision"] = revision
        payload["data/bundle.json"] = json.dumps(summary).encode()

    return change


def on_story(edit: Callable[[dict[str, Any]], None]) -> Callable[[Payload], None]:
    return lambda payload: edit_story(payload, edit)


def consent_field(name: str, value: object) -> Callable[[Payload], None]:
    return on_story(lambda d: d["consent"]["history"][0].update({name: value}))


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (with_summary_revision(HUGE), "revision"),
        (on_story(lambda d: d["consent"]["history"][0].update(version=HUGE)), "version"),
        (consent_field("decided_on", "99999-01-01"), "decided_on"),
        (consent_field("decided_on", "2026-13-01"), "decided_on"),
        (consent_field("review_by", "2026-13-01"), "review_by"),
        (consent_field("recorded_at", "99999-01-01T00:00:00Z"), "recorded_at"),
        (consent_field("recorded_at", "0001-01-01T00:00:00+14:00"), "recorded_at"),
        (consent_field("recorded_at", "9999-12-31T23:59:59-14:00"), "recorded_at"),
        (on_story(lambda d: d.update(told_on="0001-01-01")), "told_on"),
        (on_story(lambda d: d.update(told_on="２０２６-01-01")), "told_on"),
    ],
    ids=[
        "revision 2^63",
        "consent version 2^63",
        "year 99999",
        "month 13",
        "review month 13",
        "recorded in year 99999",
        "recorded before year 1 in UTC",
        "recorded after year 9999 in UTC",
        "told in year 1",
        "wide digits",
    ],
)
def test_a_number_or_date_out_of_bounds_is_refused_naming_it(
    sent: tuple[Path, KeyStore],
    coordinator: Store,
    change: Callable[[Payload], None],
    where: str,
) -> None:
    path, keys = sent
    reason = refused_and_kept(coordinator, resign(path, keys, change))
    assert where in reason, reason


def test_a_number_of_5000_digits_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """Python's own JSON reader stops at 4,300 digits with a ValueError of its own."""
    path, keys = sent
    story_path: list[str] = []

    def long_number(payload: Payload) -> None:
        (story,) = story_paths(payload)
        story_path.append(story)
        document = json.loads(payload[story])
        text = json.dumps(document).replace(f'"format": {FORMAT}', '"format": ' + "9" * 5000)
        payload[story] = text.encode()

    reason = refused_and_kept(coordinator, resign(path, keys, long_number))
    assert reason == f"'{story_path[0]}' holds a number of 5,000 digits; it may have at most 19."


def test_a_number_with_a_fraction_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """The format has only whole numbers: 2.0 would pass the schema's "integer" and be stored
    as a real number."""
    path, keys = sent

    def fraction(payload: Payload) -> None:
        (story,) = story_paths(payload)
        text = payload[story].decode().replace(f'"format": {FORMAT}', f'"format": {FORMAT}.0')
        payload[story] = text.encode()

    reason = refused_and_kept(coordinator, resign(path, keys, fraction))
    assert reason.endswith("holds a number that is not a whole number; the format has none.")


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("2026-13-45", "withdrawals/0/decided_on"),
        ("2026-02-30", "is dated 2026-02-30, which is no real date"),
    ],
    ids=["no such month", "no such day"],
)
def test_a_withdrawal_notice_with_an_impossible_date_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store, day: str, said: str
) -> None:
    """Its date went into the tombstone's note unread."""
    path, keys = sent

    def notice(payload: Payload) -> None:
        document = json.loads(payload[story_paths(payload)[0]])
        summary = json.loads(payload["data/bundle.json"])
        summary["withdrawals"] = [
            {
                "story_id": document["id"],
                "consent_id": document["consent"]["history"][0]["id"],
                "decision": "withdrawn",
                "decided_on": day,
            }
        ]
        payload["data/bundle.json"] = json.dumps(summary).encode()

    reason = refused_and_kept(coordinator, resign(path, keys, notice))
    assert said in reason, reason


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(setting="s" * FIFTY_MB),
        lambda d: d.update({"k" * FIFTY_MB: 1}),
        lambda d: d.update(id="a" * FIFTY_MB),
        lambda d: d["consent"]["history"][0].update(recorded_at="2" * FIFTY_MB),
    ],
    ids=["enum", "field name", "id", "time"],
)
def test_a_50_mb_string_makes_a_short_reason_everywhere(
    sent: tuple[Path, KeyStore],
    coordinator: Store,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[dict[str, Any]], None],
) -> None:
    path, keys = sent
    forged = resign(path, keys, on_story(edit))
    reason = refused_and_kept(coordinator, forged)
    report = import_bundle(coordinator, forged, actor="c", accept_plain=True)
    with coordinator.read() as session:
        kept = [entry.report.reason for entry in history(session)]
    assert len(reason) <= REASON_MAX
    assert len(report.summary()) <= REASON_MAX + len("Refused: ")
    assert all(len(reason) <= REASON_MAX for reason in kept)

    capsys.readouterr()
    data_dir = str(coordinator.paths.data_dir)
    assert main(["--data-dir", data_dir, "import", str(forged), "--accept-plain"]) == 1
    out, err = capsys.readouterr()
    assert len(out) + len(err) < 2 * REASON_MAX + len(str(forged)) + 200
    assert main(["--data-dir", data_dir, "imports"]) == 0
    out, _ = capsys.readouterr()
    assert len(out) < 4 * (REASON_MAX + 200)
