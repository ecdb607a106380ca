"""Writing bundles: only what consent allows leaves, the layout is exact, and nothing half-written
is ever left behind."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from storykeeper.core import consent
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.writer import (
    ExportCancelled,
    ExportError,
    Selection,
    plan_export,
    record_export,
    write_bundle,
)
from storykeeper.core.db import Store
from storykeeper.core.errors import DiskFullError
from storykeeper.core.vocabulary import ConsentDecision, ConsentScope
from tests.factories import given, make_story

SHARE = ConsentScope.SHARE_WITH_COORDINATOR


def scoped(*scopes: ConsentScope) -> frozenset[ConsentScope]:
    return frozenset({SHARE, *scopes})


@pytest.fixture
def coordinator() -> x25519.Identity:
    return x25519.Identity.generate()


def export(
    store: Store,
    out: Path,
    coordinator: x25519.Identity,
    selection: Selection = Selection.ALL,
    **options: object,
) -> tuple[object, dict[str, bytes]]:
    """Plan, write and record one export; return the result and the zip's files by name."""
    plain = bool(options.get("plain"))
    with store.read() as session:
        plan = plan_export(
            session,
            selection,
            recipients=["plain"] if plain else [str(coordinator.to_public())],
        )
    result = write_bundle(
        plan,
        keys=store.keys,
        media=store.media,
        out=out,
        recipients=[str(coordinator.to_public())],
        **options,  # type: ignore[arg-type]
    )
    with store.write(actor="test") as session:
        record_export(session, result)
    data = result.path.read_bytes()
    if not result.plain:
        data = pyrage.decrypt(data, [coordinator])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    return result, files


def stories_in(files: dict[str, bytes]) -> dict[str, dict[str, object]]:
    return {
        json.loads(data)["id"]: json.loads(data)
        for name, data in files.items()
        if "/data/stories/" in name
    }


def test_only_what_each_storys_consent_allows_leaves(
    store: Store, tmp_path: Path, coordinator: x25519.Identity
) -> None:
    named = make_story(store, teller="Ann Jones", title="Ann's garden", own_words="Ann Jones here.")
    anonymous = make_story(store, teller="Bob Price", title="Bob's bus", own_words="I'm Bob Price.")
    not_shared = make_story(store, teller="Cat Hill", own_words="Cat's words.")
    no_consent = make_story(store, teller="Dan Ray", own_words="Dan's words.")
    photo = tmp_path / "drawing.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"drawing" * 100)
    media = store.media
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            named.id,
            given(scopes=scoped(ConsentScope.PUBLISH_WITH_NAME, ConsentScope.SHARE_MEDIA)),
        )
        consent.record_consent(session, anonymous.id, given(scopes=scoped()))
        consent.record_consent(
            session, not_shared.id, given(scopes=frozenset({ConsentScope.ANONYMISED_IN_REPORTS}))
        )
        add_attachment(session, media, named.id, photo)
        add_attachment(session, media, anonymous.id, photo)
    out = tmp_path / "out"
    out.mkdir()
    result, files = export(store, out, coordinator)
    sent = stories_in(files)
    assert set(sent) == {named.id, anonymous.id}
    assert sent[named.id]["storyteller"] == {
        "id": named.storyteller.id,
        "name": "Ann Jones",
        "is_real_name": True,
    }
    assert "Ann Jones" in str(sent[named.id]["own_words"])
    bob = json.dumps(sent[anonymous.id])
    assert "Bob" not in bob and "Price" not in bob  # the pseudonym instead, everywhere
    assert sent[anonymous.id]["storyteller"]["name"] == anonymous.storyteller_pseudonym  # type: ignore[index]
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    media_files = [n for n in files if "/data/media/" in n]
    assert media_files == [f"{result.path.name.removesuffix('.zip.age')}/data/media/{digest}"]  # type: ignore[attr-defined]
    assert sent[anonymous.id]["attachments"] == []  # no share_media: the photo stays here
    assert {w.story_id for w in result.left_out} == {not_shared.id, no_consent.id}  # type: ignore[attr-defined]
    assert "Cat" not in str(files) and "Dan" not in str(files)


def test_the_bag_is_complete_and_its_manifests_match(
    store: Store, tmp_path: Path, coordinator: x25519.Identity
) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    result, files = export(store, tmp_path, coordinator)
    bag = f"storykeeper-{result.bundle_id}"  # type: ignore[attr-defined]
    assert {n.split("/", 1)[0] for n in files} == {bag}  # one top-level folder
    assert sorted(n.split("/", 1)[1] for n in files if "/data/" not in n) == [
        "bag-info.txt",
        "bagit.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha512.txt",
        "tagmanifest-sha512.txt.minisig",
    ]
    manifest = dict(
        reversed(line.split("  ", 1))
        for line in files[f"{bag}/manifest-sha512.txt"].decode().splitlines()
    )
    payload = {n.split("/", 1)[1]: d for n, d in files.items() if "/data/" in n}
    assert set(manifest) == set(payload)
    for path, data in payload.items():
        assert manifest[path] == hashlib.sha512(data).hexdigest()
    info = files[f"{bag}/bag-info.txt"].decode()
    assert f"External-Identifier: {result.bundle_id}" in info  # type: ignore[attr-defined]
    assert f"Payload-Oxum: {sum(map(len, payload.values()))}.{len(payload)}" in info
    summary = json.loads(files[f"{bag}/data/bundle.json"])
    assert summary["stories"] == [{"id": story.id, "revision": story.revision + 1}]
    assert summary["format"] == 2


def test_withdrawals_go_once_and_since_last_sends_only_what_changed(
    store: Store, tmp_path: Path, coordinator: x25519.Identity
) -> None:
    first, second = make_story(store, title="One"), make_story(store, title="Two")
    with store.write(actor="test") as session:
        consent.record_consent(session, first.id, given())
        consent.record_consent(session, second.id, given())
    result, _ = export(store, tmp_path, coordinator, Selection.SINCE_LAST)
    assert len(result.stories) == 2  # type: ignore[attr-defined]
    with store.read() as session:
        assert plan_export(session, Selection.SINCE_LAST).empty
    with store.write(actor="test") as session:
        consent.record_consent(
            session, first.id, given(decision=ConsentDecision.WITHDRAWN, scopes=frozenset())
        )
    result, files = export(store, tmp_path, coordinator, Selection.SINCE_LAST)
    assert result.stories == []  # type: ignore[attr-defined]
    summary = json.loads(next(d for n, d in files.items() if n.endswith("/data/bundle.json")))
    assert [w["story_id"] for w in summary["withdrawals"]] == [first.id]
    with store.read() as session:
        assert consent.pending_withdrawals(session) == []
        assert plan_export(session, Selection.SINCE_LAST).empty


def test_a_plain_bundle_only_when_asked_and_never_without_recipients(
    store: Store, tmp_path: Path
) -> None:
    story = make_story(store)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        plan = plan_export(session, Selection.ALL)
    keys, media = store.keys, store.media
    with pytest.raises(ExportError, match="Nobody to encrypt the bundle to"):
        write_bundle(plan, keys=keys, media=media, out=tmp_path, recipients=[])
    plain = write_bundle(plan, keys=keys, media=media, out=tmp_path, recipients=[], plain=True)
    assert plain.path.name.endswith(".zip") and zipfile.is_zipfile(plain.path)
    with pytest.raises(ExportError, match="is not an age recipient"):
        write_bundle(plan, keys=keys, media=media, out=tmp_path, recipients=["age1nope"])


def test_a_cancelled_or_failed_export_leaves_nothing(
    store: Store, tmp_path: Path, coordinator: x25519.Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        story = make_story(store, title=f"Story {n}")
        with store.write(actor="test") as session:
            consent.record_consent(session, story.id, given())
    with store.read() as session:
        plan = plan_export(session, Selection.ALL)
    out = tmp_path / "out"
    out.mkdir()
    steps: list[int] = []
    with pytest.raises(ExportCancelled):
        write_bundle(
            plan,
            keys=store.keys,
            media=store.media,
            out=out,
            recipients=[str(coordinator.to_public())],
            progress=lambda done, total: steps.append(done),
            cancelled=lambda: len(steps) >= 3,
        )
    assert list(out.iterdir()) == []

    def broken(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pyrage, "encrypt_io", broken)
    with pytest.raises(DiskFullError, match=f"The disk holding {out} is full"):
        write_bundle(
            plan,
            keys=store.keys,
            media=store.media,
            out=out,
            recipients=[str(coordinator.to_public())],
        )
    assert list(out.iterdir()) == []
    with store.read() as session:
        assert not plan_export(session, Selection.SINCE_LAST).empty  # nothing was recorded


def test_every_json_file_matches_its_published_schema(
    store: Store, tmp_path: Path, coordinator: x25519.Identity
) -> None:
    from jsonschema import Draft202012Validator, FormatChecker

    from storykeeper.core import demo
    from storykeeper.core.bundle import FORMAT
    from storykeeper.core.bundle.schema import load_schema

    demo.generate(store, stories=150, seed=11)
    photo = tmp_path / "p.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nphoto")
    with store.read() as session:
        shared = plan_export(session, Selection.ALL).stories[0].story_id
    with store.write(actor="test") as session:
        add_attachment(session, store.media, shared, photo)
        consent.record_consent(session, shared, given(scopes=scoped(ConsentScope.SHARE_MEDIA)))
    _, files = export(store, tmp_path, coordinator)
    validators = {}
    for document in ("bundle", "story"):
        schema = load_schema(document, FORMAT)
        Draft202012Validator.check_schema(schema)
        validators[document] = Draft202012Validator(schema, format_checker=FormatChecker())
    checked = 0
    for name, data in files.items():
        if name.endswith(".json"):
            kind = "bundle" if name.endswith("/data/bundle.json") else "story"
            errors = list(validators[kind].iter_errors(json.loads(data)))
            assert errors == [], (name, errors[0].message)
            checked += 1
    assert checked > 100
    # And the schema does refuse what is not a story.
    bad = json.loads(next(d for n, d in files.items() if "/data/stories/" in n))
    bad["consent"]["scopes"].append("sell_it")
    assert list(validators["story"].iter_errors(bad))
