"""Hostile payloads from a *trusted* sender (signed properly, so only the import stands guard).

Each is refused with its own reason, or — where the bundle is sound but one story may not come
in — that story is left out with the reason; either way the store and the media folder are
exactly as before.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storykeeper.core import consent
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Action, Outcome
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.core.vocabulary import ConsentScope
from tests.core.plain_bundles import write_plain
from tests.exchange import snapshot, trust_advocate
from tests.factories import given, make_story
from tests.forgery import Payload, edit_story, resign, story_paths


@pytest.fixture
def sent(store: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, KeyStore]:
    """A plain bundle of two stories, the second with a photo; the coordinator trusts its key."""
    first, second = make_story(store, title="One"), make_story(store, title="Two")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the day centre garden")
    with store.write(actor="test") as session:
        for story in (first, second):
            scopes = given().scopes | {ConsentScope.SHARE_MEDIA}
            consent.record_consent(session, story.id, given(scopes=scopes))
        add_attachment(session, store.media, second.id, photo)
    out = tmp_path / "out"
    out.mkdir()
    trust_advocate(store, coordinator)
    return write_plain(store, out)


def media_files(store: Store) -> list[str]:
    root = store.paths.media_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def refused_unchanged(coordinator: Store, bundle: Path) -> str:
    """Import ``bundle``: it must be refused and change nothing; the reason."""
    before, files = snapshot(coordinator), media_files(coordinator)
    report = import_bundle(coordinator, bundle, actor="c", accept_plain=True)
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert snapshot(coordinator) == before
    assert media_files(coordinator) == files
    return report.reason


def forged(sent: tuple[Path, KeyStore], change: Callable[[Payload], None]) -> Path:
    path, keys = sent
    return resign(path, keys, change)


def test_the_unforged_bundle_imports(sent: tuple[Path, KeyStore], coordinator: Store) -> None:
    """The control: the same bundle re-signed unchanged comes in, photo and all."""
    report = import_bundle(
        coordinator, forged(sent, lambda payload: None), actor="c", accept_plain=True
    )
    assert report.outcome is Outcome.IMPORTED and report.count(Action.NEW) == 2
    assert report.media_files == 1


def test_deeply_nested_json_is_refused(sent: tuple[Path, KeyStore], coordinator: Store) -> None:
    def nest(payload: Payload) -> None:
        payload[story_paths(payload)[0]] = b"[" * 200_000 + b"]" * 200_000

    path = story_paths_of(sent)[0]
    assert refused_unchanged(coordinator, forged(sent, nest)) == f"'{path}' is not valid JSON."


def test_huge_json_is_refused_before_it_is_parsed(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    def huge(payload: Payload) -> None:
        payload[story_paths(payload)[0]] = b'{"own_words": "' + b"x" * (65 << 20) + b'"}'

    reason = refused_unchanged(coordinator, forged(sent, huge))
    assert reason.endswith(f"{story_paths_of(sent)[0]}' is larger than it may be.")


def test_a_story_that_is_not_utf8_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    def latin1(payload: Payload) -> None:
        path = story_paths(payload)[0]
        payload[path] = payload[path].replace(b'"title": "', b'"title": "Caf\xe9 ')

    path = story_paths_of(sent)[0]
    assert refused_unchanged(coordinator, forged(sent, latin1)) == f"'{path}' is not UTF-8 text."


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda d: d.update(revision="two"),
            "breaks its format at revision: 'two' is not of type 'integer'",
        ),
        (
            lambda d: d.update(smuggled="extra"),
            "breaks its format at the top: Additional properties are not allowed ('smuggled'",
        ),
        (
            lambda d: d["consent"].update(history=[]),
            "breaks its format at consent/history: [] should be non-empty",
        ),
        (
            lambda d: d.update(told_on="2026-02-30"),
            "holds a value this program cannot take: The day it was told is not a real date",
        ),
        (
            lambda d: d["storyteller"].update(name="   "),
            "holds a value this program cannot take: The storyteller has no name.",
        ),
    ],
    ids=["wrong type", "extra field", "no consent", "impossible date", "blank name"],
)
def test_schema_and_value_violations_are_refused(
    sent: tuple[Path, KeyStore],
    coordinator: Store,
    edit: Callable[[dict[str, Any]], None],
    reason: str,
) -> None:
    assert reason in refused_unchanged(
        coordinator, forged(sent, lambda payload: edit_story(payload, edit))
    )


def test_media_whose_content_does_not_match_its_name_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    def swap(payload: Payload) -> None:
        (media,) = [p for p in payload if p.startswith("data/media/")]
        payload[media] = b"something else entirely"

    reason = refused_unchanged(coordinator, forged(sent, swap))
    assert reason.startswith("File 'data/media/")
    assert "does not match its name: its content's SHA-256 is " in reason


def test_media_no_story_uses_is_refused(sent: tuple[Path, KeyStore], coordinator: Store) -> None:
    def extra(payload: Payload) -> None:
        payload["data/media/" + "0" * 64] = b"smuggled"

    reason = refused_unchanged(coordinator, forged(sent, extra))
    assert reason == f"File 'data/media/{'0' * 64}' is in the bundle but no story uses it."


def test_a_story_file_the_summary_does_not_list_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    def unlisted(payload: Payload) -> None:
        path = story_paths(payload)[0]
        payload["data/stories/" + str(uuid.uuid4()) + ".json"] = payload[path]

    assert "is not listed in the bundle's summary" in refused_unchanged(
        coordinator, forged(sent, unlisted)
    )


def test_a_story_under_another_storys_name_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    def swap(payload: Payload) -> None:
        first, second = story_paths(payload)
        payload[first], payload[second] = payload[second], payload[first]

    assert "holds the story " in refused_unchanged(coordinator, forged(sent, swap))


def test_a_revision_other_than_the_summary_says_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    reason = refused_unchanged(
        coordinator,
        forged(sent, lambda p: edit_story(p, lambda d: d.update(revision=d["revision"] + 5))),
    )
    assert "but the bundle's summary says" in reason


def test_ids_that_clash_with_records_here_are_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """A consent record's id reused for another story: nothing of the bundle comes in."""
    assert import_bundle(
        coordinator, forged(sent, lambda payload: None), actor="c", accept_plain=True
    ).ok

    def reuse(payload: Payload) -> None:
        first_record = json.loads(payload[story_paths(payload)[0]])["consent"]["history"][0]["id"]

        def clash(document: dict[str, Any]) -> None:
            document["id"] = str(uuid.uuid4())
            document["consent"]["history"][0]["id"] = first_record

        path = edit_story(payload, clash, index=1)
        document = json.loads(payload.pop(path))
        payload[f"data/stories/{document['id']}.json"] = json.dumps(document).encode()
        summary = json.loads(payload["data/bundle.json"])
        summary["stories"] = [
            {"id": json.loads(payload[p])["id"], "revision": json.loads(payload[p])["revision"]}
            for p in story_paths(payload)
        ]
        payload["data/bundle.json"] = json.dumps(summary).encode()

    reason = refused_unchanged(coordinator, forged(sent, reuse))
    assert reason.startswith("The bundle's records clash with records already here")


@pytest.mark.parametrize(
    ("edit", "detail"),
    [
        (
            lambda d: d["consent"]["history"][-1].update(decision="withdrawn", scopes=[]),
            "not taken in: its newest consent is “withdrawn”: it may not be shared",
        ),
        (
            lambda d: d["storyteller"].update(is_real_name=True),
            "not taken in: it names the storyteller without consent to use the name",
        ),
        (
            lambda d: d["consent"].update(scopes=["share_with_coordinator", "publish_with_name"]),
            "not taken in: the consent it carries does not match its newest consent version",
        ),
    ],
    ids=["withdrawn", "named without consent", "scopes disagree"],
)
def test_a_story_its_own_consent_forbids_is_left_out(
    sent: tuple[Path, KeyStore],
    coordinator: Store,
    edit: Callable[[dict[str, Any]], None],
    detail: str,
) -> None:
    report = import_bundle(
        coordinator,
        forged(sent, lambda payload: edit_story(payload, edit)),
        actor="c",
        accept_plain=True,
    )
    assert report.outcome is Outcome.IMPORTED
    skipped = [line for line in report.stories if line.action is Action.SKIPPED]
    assert [line.detail for line in skipped] == [detail]
    assert skipped[0].title == ""  # not even its title is kept
    assert report.count(Action.NEW) == 1


def story_paths_of(sent: tuple[Path, KeyStore]) -> list[str]:
    import zipfile

    with zipfile.ZipFile(sent[0]) as archive:
        names = [n.split("/", 1)[1] for n in archive.namelist()]
    return sorted(n for n in names if n.startswith("data/stories/"))


def test_a_media_file_changed_after_signing_is_refused_while_copied_in(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """Media are hashed as they are copied in, not before: a change is caught all the same,
    inside the transaction, and nothing of the bundle is kept."""
    from tests.core.plain_bundles import rewrite

    path, _ = sent
    changed: dict[str, str] = {}

    def flip(name: str, data: bytes) -> tuple[str, bytes]:
        if "/data/media/" in name:
            changed["path"] = name.split("/", 1)[1]
            return name, data[:-1] + bytes([data[-1] ^ 1])
        return name, data

    rewrite(path, flip)
    assert refused_unchanged(coordinator, path) == (
        f"File '{changed['path']}' was changed after signing."
    )


@pytest.mark.parametrize("version", [False, True, 0, -1, "1", None])
def test_a_summary_without_a_real_format_version_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store, version: object
) -> None:
    """Found by fuzzing: ``"format": false`` passed for a number and crashed the reader."""

    def change(payload: Payload) -> None:
        summary = json.loads(payload["data/bundle.json"])
        summary["format"] = version
        payload["data/bundle.json"] = json.dumps(summary).encode()

    assert refused_unchanged(coordinator, forged(sent, change)) == (
        "The bundle's summary (data/bundle.json) has no format version."
    )
