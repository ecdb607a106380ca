"""After a realistic session in an encrypted store — a story with its consent, a photo, a
recording kept and one a crash interrupted, unsaved words kept as a draft, an export and its
import at the coordinator — no file under either data folder (database, WAL, media, recordings,
drafts, staging, keys, logs) holds the people's words, names, photo or voice in the clear.

The raw bytes of every file are searched, as someone who copied the folder would search them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storykeeper import __main__ as program
from storykeeper.core import consent, recordings, stories
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.export import export_bundle
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.drafts import DraftStore
from storykeeper.core.models import StoryRow
from storykeeper.core.vocabulary import ConsentScope
from tests.exchange import export, trust_advocate
from tests.factories import given, make_story

TELLER = "Blodwen Ystradgynlais"
SUPPORTER_WORDS = "Yes, Blodwen says tell them about Taffy and the chapel."
TITLE = "Sundays at Penrhyndeudraeth"
OWN_WORDS = (
    "Every Sunday I walked to Penrhyndeudraeth chapel with my marmalade cat Taffy, "
    "and the minister pretended not to see him."
)
NOTES = "She hummed Calon Lân while we talked about the quarry."
DRAFT_WORDS = "Afterwards we had bara brith at Auntie Gwenllian's."
#: Words that appear nowhere in the program's own files: finding one means a person's words.
DISTINCTIVE = (
    "Blodwen",
    "Ystradgynlais",
    "Penrhyndeudraeth",
    "marmalade",
    "Taffy",
    "Calon",
    "quarry",
    "Gwenllian",
    "bara brith",
)
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(300_000)
#: What the encoder wrote: a pretend FLAC (only its bytes matter here).
FLAC = b"fLaC" + os.urandom(200_000)
#: The microphone's samples, 16 kHz mono, three seconds.
VOICE = os.urandom(3 * 16000 * 2)
INTERRUPTED_VOICE = os.urandom(2 * 16000 * 2)


def needles() -> Iterator[tuple[str, bytes]]:
    """What must not be found, named (the name goes in a failure, never the bytes)."""
    for word in DISTINCTIVE:
        yield f"the word {word!r} (UTF-8)", word.encode("utf-8")
        yield f"the word {word!r} (UTF-16)", word.encode("utf-16-le")
    for name, media in (
        ("the photo", PHOTO),
        ("the kept recording", FLAC),
        ("the kept recording's voice", VOICE),
        ("the interrupted recording's voice", INTERRUPTED_VOICE),
    ):
        for at in (16, len(media) // 2, len(media) - 48):
            yield f"{name} (bytes at {at})", media[at : at + 32]


def every_file(*folders: Path) -> list[Path]:
    return sorted({p for folder in folders for p in folder.rglob("*") if p.is_file()})


def found_in_the_clear(*folders: Path) -> list[str]:
    found = []
    for path in every_file(*folders):
        data = path.read_bytes()
        found += [f"{name} in {path}" for name, needle in needles() if needle in data]
    return found


@pytest.fixture
def logged(store: Store) -> Iterator[None]:
    """The program's own log, in the advocate's log folder, as a start sets it up."""
    program.setup_logging(store.paths)
    try:
        yield
    finally:
        handler = program._log_handler
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
            program._log_handler = None


def test_after_a_realistic_session_no_file_holds_words_names_or_media_in_the_clear(
    store: Store, coordinator: Store, tmp_path: Path, logged: None
) -> None:
    assert store.encrypted and coordinator.encrypted
    story = make_story(store, title=TITLE, own_words=OWN_WORDS, notes=NOTES, teller=TELLER)
    with store.write(actor="advocate") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                persons_words=SUPPORTER_WORDS,
                scopes=frozenset(
                    {
                        ConsentScope.SHARE_WITH_COORDINATOR,
                        ConsentScope.SHARE_MEDIA,
                        ConsentScope.RECORD_AUDIO,
                        ConsentScope.ANONYMISED_IN_REPORTS,
                    }
                ),
            ),
        )
    photo = tmp_path / "outside" / "Blodwen and Taffy.jpg"
    photo.parent.mkdir()
    photo.write_bytes(PHOTO)
    with store.write(actor="advocate") as session:
        add_attachment(session, store.media, story.id, photo)

    # A recording made and kept, the way the recorder does it.
    folder = recordings.RecordingsFolder(
        store.paths.recordings_dir, store.sealing_key("recordings")
    )
    active = folder.begin(story.id)
    os.write(active.encoded.fileno(), FLAC)
    active.start_spool(16000, 1)
    for start in range(0, len(VOICE), 640):
        active.spool(VOICE[start : start + 640])
    active.close_spool()
    with store.write(actor="advocate") as session:
        recordings.keep(session, store.media, active.recording)
    recordings.forget(active.recording)
    active.release()
    # And one a crash interrupted: its safety copy waits in recordings/ for the next start.
    interrupted = folder.begin(story.id)
    interrupted.start_spool(16000, 1)
    for start in range(0, len(INTERRUPTED_VOICE), 640):
        interrupted.spool(INTERRUPTED_VOICE[start : start + 640])
    interrupted.release()

    # Words typed but not yet saved, kept as a draft across a crash.
    with store.read() as session:
        now = stories.get_story(session, story.id)
    fields = dataclasses.replace(now.fields, own_words=OWN_WORDS + " " + DRAFT_WORDS)
    DraftStore.of_store(store).keep(story.id, now.revision, fields)

    # Sent to the coordinator, and imported there, media and all.
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "usb")
    report = import_bundle(coordinator, bundle, actor="coordinator")
    assert report.outcome.value == "imported", report
    with coordinator.read() as session:
        assert session.scalar(select(func.count(StoryRow.id))) == 1
    assert len(list(coordinator.media.stored_hashes())) == 2  # the photo and the recording

    # The bundle itself is encrypted to the coordinator too.
    assert found_in_the_clear(bundle.parent) == []
    searched = every_file(store.paths.data_dir, coordinator.paths.data_dir, store.paths.log_dir)
    assert any(p.parent.name == "recordings" and p.suffix == ".pcm" for p in searched)
    assert any(p.parent.name == "drafts" for p in searched)
    assert store.paths.log_file in searched
    assert (
        found_in_the_clear(store.paths.data_dir, coordinator.paths.data_dir, store.paths.log_dir)
        == []
    )
    # Nor the keys that sign as the advocate and open what is sent to the coordinator.
    secrets = {
        "the advocate's signing key": bytes(store.keys.secret_key()).splitlines()[1],
        "the coordinator's receiving key": str(coordinator.keys.age_identities()[0]).encode(),
    }
    assert [
        f"{name} in {path}"
        for path in every_file(store.paths.data_dir, coordinator.paths.data_dir)
        for name, secret in secrets.items()
        if secret in path.read_bytes()
    ] == []


def test_an_import_under_way_stages_nothing_in_the_clear(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """While a bundle is being imported its decrypted zip is in the coordinator's tmp/ (where a
    kill would leave it): sealed with a key only the importing process holds."""
    story = make_story(store, title=TITLE, own_words=OWN_WORDS, notes=NOTES, teller=TELLER)
    with store.write(actor="advocate") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                scopes=frozenset({ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.SHARE_MEDIA})
            ),
        )
    photo = tmp_path / "Taffy.jpg"
    photo.write_bytes(PHOTO)
    with store.write(actor="advocate") as session:
        add_attachment(session, store.media, story.id, photo)
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "usb")
    staging = coordinator.paths.data_dir / "tmp"
    seen: list[list[str]] = []

    def mid_way(_done: int, _total: int) -> None:
        staged = list(staging.glob("import-*.zip"))
        assert staged, "the decrypted zip is staged while the import checks it"
        seen.append(found_in_the_clear(staging))

    report = import_bundle(coordinator, bundle, actor="coordinator", checking=mid_way)
    assert report.outcome.value == "imported", report
    assert seen and seen[0] == [], seen
    assert not list(staging.glob("import-*.zip"))


def test_an_export_under_way_stages_nothing_in_the_clear(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    """While the bundle's zip is written it is in the advocate's tmp/ (where a kill would leave
    it): sealed with a key only the exporting process holds."""
    for n in range(3):
        story = make_story(
            store, title=f"{TITLE} {n}", own_words=OWN_WORDS, notes=NOTES, teller=TELLER
        )
        with store.write(actor="advocate") as session:
            consent.record_consent(
                session,
                story.id,
                given(
                    scopes=frozenset(
                        {ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.SHARE_MEDIA}
                    )
                ),
            )
            photo = tmp_path / f"Taffy {n}.jpg"
            photo.write_bytes(PHOTO[:-1] + bytes([n]))
            add_attachment(session, store.media, story.id, photo)
    staging = store.paths.data_dir / "tmp"
    seen: list[list[str]] = []

    def mid_way(_done: int, _total: int) -> None:
        assert list(staging.glob("*.zip")), "the zip is staged while it is written"
        seen.append(found_in_the_clear(staging))

    recipient = coordinator.keys.ensure().age_recipient
    (tmp_path / "usb").mkdir()
    export_bundle(
        store, actor="advocate", out=tmp_path / "usb", recipients=[recipient], progress=mid_way
    )
    assert len(seen) > 3 and all(found == [] for found in seen), seen
    assert not list(staging.glob("*.zip"))
