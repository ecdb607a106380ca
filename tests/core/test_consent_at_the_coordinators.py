"""Consent is checked against what the coordinator holds, not only against what a bundle says.

A trusted sender's bundle (re-signed with its real key, so only the importer stands guard) that
rewrites a consent version the coordinator already has, that updates a story whose own newest
consent no longer lets the coordinator hold it, or that sends a "withdrawal" that withdraws
nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storykeeper.core import consent, stories
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.export import Selection
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Action, Outcome, history
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.core.models import AttachmentRow, StoryRow, StorytellerRow
from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, ConsentScope, ConsentState
from tests.core.plain_bundles import write_plain
from tests.exchange import export, shared, snapshot, trust_advocate
from tests.factories import given, make_story
from tests.forgery import Payload, edit_story, resign, story_paths

REAL_NAME = "Margaret Example"


@pytest.fixture
def held(store: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, KeyStore, str]:
    """A story with a photo, shared without the name, that the coordinator already holds; the
    bundle it came in (to forge updates from) and its id."""
    story = make_story(store, title="The bus")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 the minibus at the day centre")
    with store.write(actor="test") as session:
        scopes = given().scopes | {ConsentScope.SHARE_MEDIA}
        consent.record_consent(session, story.id, given(scopes=scopes))
        add_attachment(session, store.media, story.id, photo)
    out = tmp_path / "out"
    out.mkdir()
    trust_advocate(store, coordinator)
    path, keys = write_plain(store, out)
    assert (
        import_bundle(coordinator, path, actor="c", accept_plain=True).outcome is Outcome.IMPORTED
    )
    return path, keys, story.id


def update(edit: Callable[[dict[str, Any]], None]) -> Callable[[Payload], None]:
    """The held story at its next revision (summary and all), changed by ``edit``."""

    def change(payload: Payload) -> None:
        def newer(document: dict[str, Any]) -> None:
            document["revision"] += 1
            edit(document)

        edit_story(payload, newer)
        document = json.loads(payload[story_paths(payload)[0]])
        summary = json.loads(payload["data/bundle.json"])
        summary["stories"] = [{"id": document["id"], "revision": document["revision"]}]
        payload["data/bundle.json"] = json.dumps(summary).encode()
        # An honest sender leaves out media its story no longer carries.
        named = {f"data/{attachment['file']}" for attachment in document["attachments"]}
        for unused in [p for p in payload if p.startswith("data/media/") and p not in named]:
            del payload[unused]

    return change


def next_version(decision: str, scopes: list[str]) -> Callable[[dict[str, Any]], None]:
    """A new consent version appended to the story's history, and carried as its consent."""

    def append(document: dict[str, Any]) -> None:
        history = document["consent"]["history"]
        record = dict(history[-1])
        record.update(
            id=str(uuid.uuid4()),
            version=record["version"] + 1,
            decision=decision,
            scopes=sorted(scopes),
            decided_on="2026-11-02",
            review_by=None,
        )
        history.append(record)
        document["consent"]["scopes"] = sorted(scopes)
        if "share_media" not in scopes:
            document["attachments"] = []

    return append


def stored_name(coordinator: Store, story_id: str) -> str:
    with coordinator.read() as session:
        return str(
            session.scalar(
                select(StorytellerRow.display_name)
                .join(StoryRow, StoryRow.storyteller_id == StorytellerRow.id)
                .where(StoryRow.uuid == story_id)
            )
        )


def test_a_rewritten_consent_version_is_refused_naming_it(
    held: tuple[Path, KeyStore, str], coordinator: Store
) -> None:
    """Version 1 here forbids the name; the bundle's version 1 (same id) now allows it."""
    path, keys, story_id = held

    def name_allowed(document: dict[str, Any]) -> None:
        scopes = sorted({*document["consent"]["scopes"], "publish_with_name"})
        document["consent"]["history"][0]["scopes"] = scopes
        document["consent"]["scopes"] = scopes
        document["storyteller"].update(name=REAL_NAME, is_real_name=True)

    before, name = snapshot(coordinator), stored_name(coordinator, story_id)
    report = import_bundle(
        coordinator, resign(path, keys, update(name_allowed)), actor="c", accept_plain=True
    )

    assert report.outcome is Outcome.REFUSED, report.summary()
    assert report.reason == (
        f"Story {story_id} changes its consent version 1, which this computer already holds: "
        "a consent version is never changed once recorded, only followed by a new one."
    )
    assert snapshot(coordinator) == before
    assert stored_name(coordinator, story_id) == name != REAL_NAME
    with coordinator.read() as session:
        (entry, _) = history(session)
    assert entry.report.reason == report.reason


@pytest.mark.parametrize(
    ("decision", "scopes", "said"),
    [
        ("withdrawn", [], "its newest consent (version 2) is “withdrawn”"),
        ("declined", [], "its newest consent (version 2) is “declined”"),
        (
            "given",
            ["anonymised_in_reports"],
            "its newest consent (version 2) no longer includes sharing with the coordinator",
        ),
    ],
    ids=["withdrawn", "declined", "no longer shared"],
)
def test_an_update_whose_own_consent_ends_the_sharing_purges_the_story(
    held: tuple[Path, KeyStore, str],
    coordinator: Store,
    decision: str,
    scopes: list[str],
    said: str,
) -> None:
    """Sent without a withdrawal notice, it was skipped and the old content kept as given."""
    path, keys, story_id = held
    report = import_bundle(
        coordinator,
        resign(path, keys, update(next_version(decision, scopes))),
        actor="c",
        accept_plain=True,
    )

    assert report.outcome is Outcome.IMPORTED, report.summary()
    (line,) = report.stories
    assert line.action is Action.WITHDRAWN
    assert line.detail == f"{said}: its content and media go, a tombstone stays"
    with coordinator.read() as session:
        assert session.scalar(select(StoryRow.id).where(StoryRow.uuid == story_id)) is None
        assert session.scalar(select(AttachmentRow.id)) is None
        (tombstone,) = stories.list_tombstones(session)
        assert tombstone.story_id == story_id and tombstone.reason.value == "withdrawn"
    assert not any(p.is_file() for p in coordinator.paths.media_dir.rglob("*"))


def test_an_update_whose_own_consent_no_longer_shares_media_is_redacted(
    held: tuple[Path, KeyStore, str], coordinator: Store
) -> None:
    """The newest consent still shares the story but not its media, yet the update carries
    the photo: the coordinator keeps the consent and the story, and lets the photo go."""
    path, keys, story_id = held
    scopes = sorted(s.value for s in given().scopes)

    def media_kept(document: dict[str, Any]) -> None:
        attachments = document["attachments"]
        next_version("given", scopes)(document)
        document["attachments"] = attachments  # the sender "forgot" to leave it out
        document["own_words"] = "Words the coordinator was never meant to take in this way."

    report = import_bundle(
        coordinator, resign(path, keys, update(media_kept)), actor="c", accept_plain=True
    )

    assert report.outcome is Outcome.IMPORTED, report.summary()
    (line,) = report.stories
    assert line.action is Action.UPDATED
    assert line.detail == (
        "only its consent was taken in (version 2): it carries media without consent to share "
        "media; what that consent no longer allows was removed here"
    )
    with coordinator.read() as session:
        held_now = stories.get_story(session, story_id)
        assert held_now.own_words != "Words the coordinator was never meant to take in this way."
        assert held_now.consent_state is ConsentState.GIVEN
        current = consent.current_consent(session, story_id)
        assert current is not None and current.version == 2
        assert ConsentScope.SHARE_MEDIA not in current.scopes
        assert session.scalar(select(AttachmentRow.id)) is None
    assert not any(p.is_file() for p in coordinator.paths.media_dir.rglob("*"))


@pytest.mark.parametrize("decision", ["given", "given_with_conditions"])
def test_a_withdrawal_notice_that_withdraws_nothing_is_refused(
    held: tuple[Path, KeyStore, str], coordinator: Store, decision: str
) -> None:
    path, keys, story_id = held

    def notice(payload: Payload) -> None:
        document = json.loads(payload[story_paths(payload)[0]])
        summary = json.loads(payload["data/bundle.json"])
        summary["withdrawals"] = [
            {
                "story_id": story_id,
                "consent_id": document["consent"]["history"][0]["id"],
                "decision": decision,
                "decided_on": "2026-11-02",
            }
        ]
        payload["data/bundle.json"] = json.dumps(summary).encode()

    before = snapshot(coordinator)
    report = import_bundle(coordinator, resign(path, keys, notice), actor="c", accept_plain=True)

    assert report.outcome is Outcome.REFUSED, report.summary()
    assert "withdrawals/0/decision" in report.reason
    assert snapshot(coordinator) == before
    with coordinator.read() as session:
        assert session.scalar(select(StoryRow.id).where(StoryRow.uuid == story_id)) is not None


def test_an_honest_notice_that_ends_only_the_sharing_still_crosses(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """Consent given again, to uses that no longer include the coordinator: the advocate's
    notice is a withdrawal of the sharing, and the coordinator purges the story."""
    story = shared(store, "The bus")
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    with store.write(actor="test") as session:
        consent.record_consent(
            session, story.id, given(scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}))
        )

    bundle = export(store, coordinator, tmp_path / "b", Selection.SINCE_LAST)
    report = import_bundle(coordinator, bundle, actor="c")

    assert report.outcome is Outcome.IMPORTED, report.summary()
    (line,) = report.stories
    assert line.action is Action.WITHDRAWN
    with coordinator.read() as session:
        assert session.scalar(select(StoryRow.id).where(StoryRow.uuid == story.id)) is None


def test_a_name_no_longer_allowed_is_not_kept_at_the_coordinators(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """The storyteller takes back the use of their name: the honest update carries the
    pseudonym, and the name the coordinator was given before goes too."""
    story = shared(store, "The bus", scopes=given().scopes | {ConsentScope.PUBLISH_WITH_NAME})
    trust_advocate(store, coordinator)
    assert import_bundle(coordinator, export(store, coordinator, tmp_path / "a"), actor="c").ok
    real_name = stored_name(coordinator, story.id)
    assert real_name == story.storyteller.name
    with store.write(actor="test") as session:
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="The storyteller",
                basis=ConsentBasis.OWN_CONSENT,
                method=ConsentMethod.VERBAL,
                scopes=frozenset({ConsentScope.PUBLISH_WITH_NAME}),
            ),
        )

    bundle = export(store, coordinator, tmp_path / "b", Selection.SINCE_LAST)
    (line,) = import_bundle(coordinator, bundle, actor="c").stories

    assert line.action is Action.UPDATED
    assert stored_name(coordinator, story.id) != real_name


def test_an_update_naming_the_storyteller_after_consent_to_the_name_ended_is_redacted(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """The newest consent no longer gives the name, yet the update still carries it: only the
    consent comes in, and the name held here from before goes too."""
    story = shared(store, "The bus", scopes=given().scopes | {ConsentScope.PUBLISH_WITH_NAME})
    trust_advocate(store, coordinator)
    path = export(store, coordinator, tmp_path / "a", plain=True)
    assert import_bundle(coordinator, path, actor="c", accept_plain=True).ok
    real_name = stored_name(coordinator, story.id)
    keys = store.keys
    scopes = sorted(s.value for s in given().scopes)

    report = import_bundle(
        coordinator,
        resign(path, keys, update(next_version("given", scopes))),
        actor="c",
        accept_plain=True,
    )

    (line,) = report.stories
    assert line.action is Action.UPDATED
    assert "it names the storyteller without consent to use the name" in line.detail
    assert stored_name(coordinator, story.id) != real_name
