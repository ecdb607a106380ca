"""A bundle says the same thing everywhere, and nothing the signature does not cover gets in
(issue 16, section 2). Each bundle here is signed properly with the trusted sender's key
(tests/forgery.py), so only the reader's own checks stand between it and the store."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storykeeper.core import consent
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.core.models import ImportRow
from tests.core.plain_bundles import write_plain
from tests.exchange import snapshot, trust_advocate
from tests.factories import given, make_story
from tests.forgery import Payload, resign

OTHER_ID = "0b7c2a1e-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


@pytest.fixture
def sent(store: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, KeyStore]:
    """A plain bundle of one story; the coordinator trusts its signer."""
    story = make_story(store, title="One")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    out = tmp_path / "out"
    out.mkdir()
    trust_advocate(store, coordinator)
    return write_plain(store, out)


def ledger_entries(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ImportRow)) or 0


def refused_unchanged(coordinator: Store, bundle: Path) -> str:
    """Import ``bundle``: refused, the store as it was, the refusal in the ledger; the reason."""
    before, entries = snapshot(coordinator), ledger_entries(coordinator)
    report = import_bundle(coordinator, bundle, actor="c", accept_plain=True)
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert snapshot(coordinator) == before
    assert ledger_entries(coordinator) == entries + 1
    assert "\n" not in report.reason and len(report.reason) <= 300
    return report.reason


def bag_info_line(name: str, value: str) -> Callable[[Payload], None]:
    """A tag change putting ``value`` in ``bag-info.txt``'s field ``name``."""

    def change(tags: Payload) -> None:
        lines = tags["bag-info.txt"].decode().splitlines()
        tags["bag-info.txt"] = "".join(
            f"{name}: {value}\n" if line.startswith(f"{name}:") else f"{line}\n" for line in lines
        ).encode()

    return change


def summary_of(bundle: Path) -> dict[str, object]:
    with zipfile.ZipFile(bundle) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/data/bundle.json")]
        return json.loads(archive.read(name))  # type: ignore[no-any-return]


def test_the_resigned_bundle_with_every_declaration_agreeing_imports(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """The control: forgery.resign keeps the declarations agreeing, as the writer does."""
    path, keys = sent
    report = import_bundle(
        coordinator, resign(path, keys, lambda payload: None), actor="c", accept_plain=True
    )
    assert report.outcome is Outcome.IMPORTED, report.summary()


def test_bag_info_format_999_against_the_summarys_1_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    path, keys = sent
    forged = resign(
        path,
        keys,
        lambda payload: None,
        change_tags=bag_info_line("Storykeeper-Bundle-Format", "999"),
    )
    reason = refused_unchanged(coordinator, forged)
    assert reason == (
        f"The bundle contradicts itself: bag-info.txt says format 999, bundle.json says {FORMAT}."
    )


def test_bag_info_bundle_id_other_than_the_summarys_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    path, keys = sent
    forged = resign(
        path, keys, lambda payload: None, change_tags=bag_info_line("External-Identifier", OTHER_ID)
    )
    bundle_id = summary_of(forged)["bundle_id"]
    reason = refused_unchanged(coordinator, forged)
    assert reason == (
        f"The bundle contradicts itself: bag-info.txt says bundle id {OTHER_ID}, bundle.json "
        f"says {bundle_id}."
    )


def test_bag_info_signer_key_id_other_than_the_signers_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    path, keys = sent
    forged = resign(
        path,
        keys,
        lambda payload: None,
        change_tags=bag_info_line("Storykeeper-Signer-Key-Id", "00112233AABBCCDD"),
    )
    reason = refused_unchanged(coordinator, forged)
    assert reason == (
        "The bundle contradicts itself: bag-info.txt says signer key id 00112233AABBCCDD, "
        f"bundle.json says {keys.ensure().signing.key_id}."
    )


@pytest.mark.parametrize(
    ("comment", "what", "said"),
    [
        ("storykeeper bundle {other} format {format} to nobody (plain)", "bundle id", "{other}"),
        ("storykeeper bundle {id} format 999 to nobody (plain)", "format", "999"),
        ("storykeeper bundle {id} forged", "form", None),
    ],
)
def test_a_trusted_comment_disagreeing_with_the_summary_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store, comment: str, what: str, said: str | None
) -> None:
    path, keys = sent
    # The id resign gives is random: sign once to learn it, then again with the comment.
    first = resign(path, keys, lambda payload: None)
    bundle_id = str(summary_of(first)["bundle_id"])

    def keep_id(payload: Payload) -> None:
        summary = json.loads(payload["data/bundle.json"])
        summary["bundle_id"] = bundle_id
        payload["data/bundle.json"] = json.dumps(summary).encode()

    forged = resign(
        path,
        keys,
        keep_id,
        trusted_comment=comment.format(other=OTHER_ID, id=bundle_id, format=FORMAT),
    )
    reason = refused_unchanged(coordinator, forged)
    if said is None:
        assert reason == (
            "The bundle contradicts itself: its signature's trusted comment is not in "
            "Storykeeper's form (storykeeper bundle ID format N to RECIPIENTS)."
        )
    else:
        value = said.format(other=OTHER_ID)
        expected = bundle_id if what == "bundle id" else str(FORMAT)
        assert reason == (
            f"The bundle contradicts itself: the signature's trusted comment says {what} "
            f"{value}, bundle.json says {expected}."
        )


def rezip(bundle: Path, extra: Callable[[zipfile.ZipFile, str], None]) -> Path:
    """The bundle's entries copied into a new zip, then ``extra(archive, top)`` written."""
    with zipfile.ZipFile(bundle) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    top = entries[0][0].filename.split("/")[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as new:
        for info, data in entries:
            new.writestr(info, data)
        extra(new, top)
    out = bundle.with_name(f"rezipped-{bundle.name}")
    out.write_bytes(buffer.getvalue())
    return out


def test_a_contradicting_bundle_is_refused_even_with_an_id_imported_before(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """The ledger is asked only once the bundle agrees with itself: a contradiction carrying an
    imported bundle's id is not passed off as that bundle "already imported"."""
    path, keys = sent
    first = resign(path, keys, lambda payload: None)
    assert (
        import_bundle(coordinator, first, actor="c", accept_plain=True).outcome is Outcome.IMPORTED
    )
    bundle_id = str(summary_of(first)["bundle_id"])

    def keep_id(payload: Payload) -> None:
        summary = json.loads(payload["data/bundle.json"])
        summary["bundle_id"] = bundle_id
        payload["data/bundle.json"] = json.dumps(summary).encode()

    forged = resign(path, keys, keep_id, change_tags=bag_info_line("External-Identifier", OTHER_ID))
    reason = refused_unchanged(coordinator, forged)
    assert reason.startswith(
        f"The bundle contradicts itself: bag-info.txt says bundle id {OTHER_ID}"
    )


def test_a_folder_entry_carrying_bytes_is_refused(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """A zip folder entry is no file: nothing lists or signs its bytes, so it must have none."""
    path, keys = sent

    def hidden(archive: zipfile.ZipFile, top: str) -> None:
        archive.writestr(zipfile.ZipInfo(f"{top}/data/notes/"), b"unsigned words " * 3_000)

    forged = rezip(resign(path, keys, lambda payload: None), hidden)
    reason = refused_unchanged(coordinator, forged)
    assert reason.startswith("The bundle's folder entry '")
    assert reason.endswith(
        "/data/notes/' carries 45,000 bytes, which no manifest lists and no signature covers."
    )


def test_an_empty_folder_entry_is_allowed(sent: tuple[Path, KeyStore], coordinator: Store) -> None:
    """The control: python3 -m zipfile -c writes an empty entry for each folder."""
    path, keys = sent

    def folder(archive: zipfile.ZipFile, top: str) -> None:
        archive.writestr(zipfile.ZipInfo(f"{top}/data/"), b"")

    forged = rezip(resign(path, keys, lambda payload: None), folder)
    assert (
        import_bundle(coordinator, forged, actor="c", accept_plain=True).outcome is Outcome.IMPORTED
    )


@pytest.mark.parametrize("name", ["notes.txt", "fetch.txt", "manifest-md5.txt"])
def test_a_tag_file_the_format_does_not_name_is_refused_even_when_signed(
    sent: tuple[Path, KeyStore], coordinator: Store, name: str
) -> None:
    path, keys = sent

    def add(tags: Payload) -> None:
        tags[name] = b"https://example.org/more 100 data/more.json\n"

    forged = resign(path, keys, lambda payload: None, change_tags=add)
    reason = refused_unchanged(coordinator, forged)
    if name == "fetch.txt":
        assert reason == (
            "The bundle holds 'fetch.txt': a bundle must carry all its files itself, and "
            "none is fetched from elsewhere."
        )
    else:
        assert reason == (
            f"The bundle holds '{name}', which is not one of the bundle format's files."
        )


@pytest.mark.parametrize(
    "inside",
    [
        "data/notes.txt",
        "data/stories/extra/story.json",
        "data/stories/not-a-story-id.json",
        "data/media/photo.jpg",
        "data/other/" + "a" * 40,
    ],
)
def test_a_payload_file_outside_the_layout_is_refused_even_when_signed(
    sent: tuple[Path, KeyStore], coordinator: Store, inside: str
) -> None:
    path, keys = sent

    def add(payload: Payload) -> None:
        payload[inside] = b"words nobody reads\n"

    reason = refused_unchanged(coordinator, resign(path, keys, add))
    assert reason == (
        f"The bundle holds '{inside}', which is not where the bundle format puts any file."
    )


def test_a_long_unknown_name_is_cut_short_in_the_refusal(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    path, keys = sent
    inside = "data/" + "n" * 250

    def add(payload: Payload) -> None:
        payload[inside] = b"words\n"

    reason = refused_unchanged(coordinator, resign(path, keys, add))
    assert reason == (
        f"The bundle holds '{inside[:59]}…', which is not where the bundle format puts any file."
    )


def test_the_same_bundle_id_with_other_content_from_the_same_signer_is_a_conflict(
    sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    """A bundle id names one bundle: the same signer's bundle under that id with other content
    is not the one imported before, and must not be passed off as it."""
    path, keys = sent
    first = resign(path, keys, lambda payload: None)
    imported = import_bundle(coordinator, first, actor="c", accept_plain=True)
    assert imported.outcome is Outcome.IMPORTED
    bundle_id = str(summary_of(first)["bundle_id"])

    def other_content(payload: Payload) -> None:
        summary = json.loads(payload["data/bundle.json"])
        summary["bundle_id"] = bundle_id
        summary["created_at"] = "2026-01-02T03:04:05Z"
        payload["data/bundle.json"] = json.dumps(summary).encode()

    reason = refused_unchanged(coordinator, resign(path, keys, other_content))
    assert reason == (
        f"The bundle {bundle_id} from Priya (advocate) was imported on "
        f"{imported.checked_at.date().isoformat()} with other contents: the same bundle id "
        "cannot carry two bundles. Nothing changed; ask the sender which copy is right."
    )
    # The very bundle again is still only "already imported".
    assert (
        import_bundle(coordinator, first, actor="c", accept_plain=True).outcome
        is Outcome.ALREADY_IMPORTED
    )
