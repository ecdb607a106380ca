"""A store worth backing up, for the backup tests: stories with consent, an audit chain and
media files, and what it holds, to compare a restored store with."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from storykeeper.core import attachments, audit, consent, stories
from storykeeper.core.attachments import MediaStore
from storykeeper.core.db import Store
from storykeeper.core.models import StoryRow
from storykeeper.core.vocabulary import StoryStatus
from tests.factories import make_story


@dataclass(frozen=True)
class Holdings:
    """What a store holds, as the tests compare it."""

    stories: dict[str, tuple[str, str]]
    consent: dict[str, list[str]]
    audit_events: int
    media: dict[str, bytes]


def media_of(store: Store) -> MediaStore:
    # The store's own (sealed in an encrypted store) once it has one.
    return getattr(store, "media", None) or MediaStore(store.paths.media_dir)


def attach(store: Store, story_id: str, folder: Path, name: str, content: bytes) -> str:
    source = folder / name
    source.write_bytes(content)
    with store.write(actor="test") as session:
        attachments.add_attachment(session, media_of(store), story_id, source)
    return hashlib.sha256(content).hexdigest()


def fill(store: Store, folder: Path) -> list[str]:
    """Two stories (one final, with consent), each with a file; their ids."""
    folder.mkdir(parents=True, exist_ok=True)
    first = make_story(store, title="The allotment", own_words="Tomatoes every August.")
    second = make_story(
        store,
        title="The day centre bus",
        teller="Arthur Penhaligon",
        status=StoryStatus.FINAL,
    )
    attach(store, first.id, folder, "allotment.jpg", b"\xff\xd8 a photo of the allotment" * 500)
    attach(store, second.id, folder, "bus.flac", b"fLaC the bus recording" * 3000)
    return [first.id, second.id]


def holdings(store: Store) -> Holdings:
    with store.read() as session:
        ids = session.scalars(select(StoryRow.uuid)).all()
        found = {}
        consents = {}
        media = {}
        for story_id in ids:
            story = stories.get_story(session, story_id)
            found[story_id] = (story.title, story.own_words)
            consents[story_id] = [
                f"{c.decision}:{c.persons_words}"
                for c in consent.consent_history(session, story_id)
            ]
            for item in attachments.list_attachments(session, story_id):
                media[item.sha256] = item.sha256
        problems = list(audit.verify_chain(session))
        assert problems == [], problems
        events = len(audit.recent_events(session, limit=100_000))
    contents = {sha: read_media(store, sha) for sha in media}
    return Holdings(found, consents, events, contents)


def read_media(store: Store, sha256: str) -> bytes:
    media = media_of(store)
    opener = getattr(media, "open", None)
    if opener is not None:
        with opener(sha256) as stream:
            return bytes(stream.read())
    return media.path_for(sha256).read_bytes()
