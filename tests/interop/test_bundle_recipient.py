"""A bundle is for the coordinator its sender named (issue 16, section 2): one passed on by
another coordinator, one encrypted afterwards by someone else, or one that arrives plain is
refused, with what to do. The passing-on is done with the stock age tool, as a person would."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519
from sqlalchemy import func, select

from storykeeper.__main__ import main
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.export import export_bundle
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.reader import open_bundle
from storykeeper.core.bundle.refused import BundleRefused
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.db import Store
from storykeeper.core.models import ImportRow
from storykeeper.paths import resolve_paths
from tests.core.plain_bundles import write_plain
from tests.exchange import export, shared, snapshot, trust_advocate
from tests.forgery import Payload, resign
from tests.stock_tools import identity_file_for_age, require

#: Every refusal here asks for the same remedy, in the words the window uses (issue 20).
ASK_AGAIN = (
    "Ask the sender to export it to this computer's receiving key (Exchange → Keys and "
    "coordinators, or “storykeeper keys show”)."
)
OWN_TESTS = "For your own tests, “storykeeper import --accept-plain” takes it."


def age(*args: str | Path) -> None:
    require("age")
    subprocess.run(["age", *map(str, args)], check=True, capture_output=True, timeout=60)


def identity_file(store: Store) -> Path:
    store.keys.ensure()
    return identity_file_for_age(store)


def recipient_of(store: Store) -> str:
    return store.keys.ensure().age_recipient


def ledger_entries(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ImportRow)) or 0


def refused_unchanged(coordinator: Store, bundle: Path, *, accept_plain: bool = False) -> str:
    """Import ``bundle``: refused, the store as it was, the refusal in the ledger; the reason."""
    before, entries = snapshot(coordinator), ledger_entries(coordinator)
    report = import_bundle(coordinator, bundle, actor="c", accept_plain=accept_plain)
    assert report.outcome is Outcome.REFUSED, report.summary()
    assert snapshot(coordinator) == before
    assert ledger_entries(coordinator) == entries + 1
    assert "\n" not in report.reason and len(report.reason) <= 300
    return report.reason


@pytest.fixture
def other_coordinator(tmp_path: Path) -> Iterator[Store]:
    with Store.open(resolve_paths(tmp_path / "other-coordinator")) as opened:
        yield opened


def test_a_bundle_passed_on_by_another_coordinator_is_refused(
    store: Store, coordinator: Store, other_coordinator: Store, tmp_path: Path
) -> None:
    """Made for coordinator A; A decrypts it and encrypts it again to B with the stock age.
    B can decrypt it and trusts the signer, yet the sender never meant it for B."""
    shared(store, "The day centre")
    trust_advocate(store, other_coordinator)
    made_for_a = export(store, coordinator, tmp_path / "out")
    decrypted = tmp_path / "passed.zip"
    age("--decrypt", "-i", identity_file(coordinator), "-o", decrypted, made_for_a)
    passed_on = tmp_path / "passed.zip.age"
    age("-r", recipient_of(other_coordinator), "-o", passed_on, decrypted)

    reason = refused_unchanged(other_coordinator, passed_on)
    a = recipient_of(coordinator)
    assert reason == (
        f"The bundle was made for {a[:10]}…{a[-6:]}, not for this computer: someone passed "
        f"it on. {ASK_AGAIN}"
    )
    # Not even the option for plain bundles lets in a bundle made for someone else.
    assert refused_unchanged(other_coordinator, passed_on, accept_plain=True) == reason
    assert refused_unchanged(other_coordinator, decrypted, accept_plain=True) == reason


def test_the_bundle_imports_where_it_was_meant_to(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """The control for the refusals here: the same export, at the coordinator it names."""
    shared(store, "The day centre")
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, tmp_path / "out"), actor="c")
    assert report.outcome is Outcome.IMPORTED, report.summary()


def test_an_organisations_recovery_key_can_import_what_was_made_for_it_too(
    store: Store, coordinator: Store, other_coordinator: Store, tmp_path: Path
) -> None:
    """A bundle encrypted to the coordinator and the organisation's recovery key is addressed
    to both: the holder of either imports it."""
    shared(store, "The day centre")
    trust_advocate(store, other_coordinator)
    out = tmp_path / "out"
    out.mkdir()
    both = [recipient_of(coordinator), recipient_of(other_coordinator)]
    made = export_bundle(store, actor="test", out=out, recipients=both).path
    report = import_bundle(other_coordinator, made, actor="c")
    assert report.outcome is Outcome.IMPORTED, report.summary()


def test_a_plain_bundle_is_refused_unless_the_coordinator_accepts_plain_ones(
    store: Store, coordinator: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared(store, "The day centre")
    trust_advocate(store, coordinator)
    plain = export(store, coordinator, tmp_path / "out", plain=True)

    reason = refused_unchanged(coordinator, plain)
    assert reason == (
        f"The bundle was made plain, for nobody, and is not encrypted. {ASK_AGAIN} {OWN_TESTS}"
    )
    data_dir = str(coordinator.paths.data_dir)
    capsys.readouterr()
    assert main(["--data-dir", data_dir, "import", str(plain)]) == 1
    assert "The bundle was made plain" in capsys.readouterr().out
    assert main(["--data-dir", data_dir, "import", str(plain), "--accept-plain", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["outcome"] == "imported"


def test_a_plain_bundle_encrypted_afterwards_by_someone_else_is_still_plain(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """Its signed declarations name nobody: whoever wrapped it in age is not its sender."""
    shared(store, "The day centre")
    trust_advocate(store, coordinator)
    plain = export(store, coordinator, tmp_path / "out", plain=True)
    wrapped = tmp_path / "wrapped.zip.age"
    age("-r", recipient_of(coordinator), "-o", wrapped, plain)

    assert refused_unchanged(coordinator, wrapped) == (
        "The bundle was made plain, for nobody, and encrypted afterwards by someone else. "
        f"{ASK_AGAIN} {OWN_TESTS}"
    )
    report = import_bundle(coordinator, wrapped, actor="c", accept_plain=True)
    assert report.outcome is Outcome.IMPORTED, report.summary()


def test_a_bundle_for_this_coordinator_that_arrives_decrypted_is_refused(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """Someone on the way decrypted it (the coordinator's key leaked, or a copy was kept)."""
    shared(store, "The day centre")
    trust_advocate(store, coordinator)
    sealed = export(store, coordinator, tmp_path / "out")
    decrypted = tmp_path / "decrypted.zip"
    age("--decrypt", "-i", identity_file(coordinator), "-o", decrypted, sealed)

    assert refused_unchanged(coordinator, decrypted) == (
        "The bundle was made for this computer but arrived decrypted: anyone could have read "
        f"it on the way. {ASK_AGAIN} {OWN_TESTS}"
    )
    report = import_bundle(coordinator, decrypted, actor="c", accept_plain=True)
    assert report.outcome is Outcome.IMPORTED, report.summary()


OTHER_RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def with_recipient_line(value: str) -> Callable[[Payload], None]:
    def change(tags: Payload) -> None:
        tags["bag-info.txt"] = tags["bag-info.txt"].replace(
            b"Storykeeper-Recipient: none (plain)", f"Storykeeper-Recipient: {value}".encode()
        )

    return change


def test_a_bag_info_naming_another_recipient_is_refused(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "The day centre")
    trust_advocate(store, coordinator)
    path, keys = write_plain(store, tmp_path)
    forged = resign(
        path, keys, lambda payload: None, change_tags=with_recipient_line(OTHER_RECIPIENT)
    )
    assert refused_unchanged(coordinator, forged, accept_plain=True) == (
        "The bundle contradicts itself: bag-info.txt says recipients "
        f"{OTHER_RECIPIENT[:39]}…, bundle.json says nobody."
    )


def test_a_trusted_comment_naming_another_recipient_is_refused(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "The day centre")
    trust_advocate(store, coordinator)
    path, keys = write_plain(store, tmp_path)
    first = resign(path, keys, lambda payload: None)
    with zipfile.ZipFile(first) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/data/bundle.json")]
        bundle_id = json.loads(archive.read(name))["bundle_id"]

    def keep_id(payload: Payload) -> None:
        summary = json.loads(payload["data/bundle.json"])
        summary["bundle_id"] = bundle_id
        payload["data/bundle.json"] = json.dumps(summary).encode()

    forged = resign(
        path,
        keys,
        keep_id,
        trusted_comment=f"storykeeper bundle {bundle_id} format {FORMAT} to {OTHER_RECIPIENT}",
    )
    assert refused_unchanged(coordinator, forged, accept_plain=True) == (
        "The bundle contradicts itself: the signature's trusted comment says recipients "
        f"{OTHER_RECIPIENT[:39]}…, bundle.json says nobody."
    )


def test_verify_says_whom_a_bundle_was_made_for(
    store: Store,
    coordinator: Store,
    other_coordinator: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """verify checks a bundle without importing it: it says whom it is for, and refuses nothing
    for that, so a coordinator can see why an import would be refused."""
    shared(store, "The day centre")
    trust_advocate(store, other_coordinator)
    decrypted = tmp_path / "passed.zip"
    age(
        "--decrypt",
        "-i",
        identity_file(coordinator),
        "-o",
        decrypted,
        export(store, coordinator, tmp_path / "out"),
    )
    capsys.readouterr()
    assert (
        main(["--data-dir", str(other_coordinator.paths.data_dir), "verify", str(decrypted)]) == 0
    )
    said = capsys.readouterr().out
    assert "  Made for:      someone else: “storykeeper import” here would refuse it\n" in said


def test_a_bundle_encrypted_to_other_keys_is_refused_in_the_windows_words(
    tmp_path: Path,
) -> None:
    """What the import dialog shows for the commonest refusal names no tool (issue 20)."""
    other = x25519.Identity.generate()
    bundle = tmp_path / "Storykeeper stories from south-laptop 2026-12-07.zip.age"
    bundle.write_bytes(pyrage.encrypt(b"not for this coordinator", [other.to_public()]))
    with (
        pytest.raises(BundleRefused) as refused,
        open_bundle(bundle, [x25519.Identity.generate()], [], data_dir=tmp_path),
    ):
        pass
    reason = str(refused.value)
    assert reason.startswith("This bundle is not for this computer")
    assert reason.endswith(ASK_AGAIN)
    assert not re.search(r"\b(age|minisign|recipients?)\b", reason, re.IGNORECASE), reason
