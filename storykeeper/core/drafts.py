"""Words typed but not yet in the store, kept in a small file per story that survives a crash.

While the store cannot take a save (another Storykeeper holds its write lock for an import, the
disk is full) the words would otherwise live only in the window, and a crash or a kill would
lose them. The editor keeps a draft each time it saves (at most 2 s after a change) and removes
it once the store has the words; at the next start a draft whose words differ from the stored
story's is offered back.

Each draft is ``drafts/<story id>.json`` in the data folder, owner-only (0600, folder 0700),
written atomically: a temporary file in the same folder, flushed to the disk, renamed over the
old draft, and the folder flushed too, so after a crash or a power cut there is either the old
draft or the new one, never half of one.

In an encrypted store a draft is sealed (``sealed_files.seal_bytes``, the store's key for
"drafts"): its words are a person's, and the folder may be copied. A plain draft there (one an
older version wrote) is still read, and replaced sealed when the draft is next kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storykeeper.core import clock
from storykeeper.core.sealed_files import SealedFileError, is_sealed, seal_bytes, unseal_bytes
from storykeeper.core.stories import StoryFields, ThemeLink
from storykeeper.core.vocabulary import HowTold, Polarity, Setting, StoryStatus

if TYPE_CHECKING:
    from storykeeper.core.db import Store

log = logging.getLogger(__name__)

DRAFTS_FOLDER = "drafts"
#: The draft file's own format, for a later program to read an older draft.
FORMAT = 1


@dataclass(frozen=True)
class Draft:
    story_id: str
    #: The story's revision in the store when these words were typed over it.
    base_revision: int
    fields: StoryFields
    written_at: dt.datetime


def fields_to_json(fields: StoryFields) -> dict[str, Any]:
    return {
        "storyteller_id": fields.storyteller_id,
        "title": fields.title,
        "own_words": fields.own_words,
        "recorder_notes": fields.recorder_notes,
        "supporter_id": fields.supporter_id,
        "told_on": fields.told_on.isoformat() if fields.told_on else None,
        "setting": fields.setting.value if fields.setting else None,
        "how_told": fields.how_told.value if fields.how_told else None,
        "language": fields.language,
        "status": fields.status.value,
        "themes": [[link.theme, link.polarity.value] for link in fields.themes],
    }


def fields_from_json(data: dict[str, Any]) -> StoryFields:
    told_on = data.get("told_on")
    setting = data.get("setting")
    how_told = data.get("how_told")
    return StoryFields(
        storyteller_id=str(data["storyteller_id"]),
        title=str(data.get("title", "")),
        own_words=str(data.get("own_words", "")),
        recorder_notes=str(data.get("recorder_notes", "")),
        supporter_id=data.get("supporter_id"),
        told_on=dt.date.fromisoformat(told_on) if told_on else None,
        setting=Setting(setting) if setting else None,
        how_told=HowTold(how_told) if how_told else None,
        language=str(data.get("language", "en")),
        status=StoryStatus(data.get("status", StoryStatus.DRAFT.value)),
        themes=tuple(ThemeLink(theme, Polarity(polarity)) for theme, polarity in data["themes"]),
    )


class DraftStore:
    """The drafts folder of one data folder; with a ``key`` (the store's for "drafts") every
    draft is written sealed."""

    def __init__(self, folder: Path, key: bytes | None = None) -> None:
        self.folder = folder
        self._key = key

    @classmethod
    def in_data_folder(cls, data_dir: Path, key: bytes | None = None) -> DraftStore:
        return cls(data_dir / DRAFTS_FOLDER, key)

    @classmethod
    def of_store(cls, store: Store) -> DraftStore:
        """The drafts of ``store``'s data folder, sealed when the store is encrypted."""
        return cls(store.paths.data_dir / DRAFTS_FOLDER, store.sealing_key("drafts"))

    def path_of(self, story_id: str) -> Path:
        # A story id is a UUID: parsing it keeps any other text from naming a path.
        return self.folder / f"{uuid.UUID(story_id)}.json"

    def keep(self, story_id: str, base_revision: int, fields: StoryFields) -> None:
        """Write the draft of ``story_id`` atomically and durably (see the module's note).

        Raises ``OSError`` (a full disk among them) with nothing half-written left behind.
        """
        document = {
            "format": FORMAT,
            "story_id": story_id,
            "base_revision": base_revision,
            "written_at": clock.now().isoformat(),
            "fields": fields_to_json(fields),
        }
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        if self._key is not None:
            data = seal_bytes(self._key, data)
        target = self.path_of(story_id)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.folder / f".{target.stem}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            temporary.replace(target)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        _sync_folder(self.folder)

    def discard(self, story_id: str) -> None:
        """The store has the words: the draft is no longer needed.

        Not flushed to the disk: a draft that outlives a power cut has the same words as the
        stored story, and the next start removes it without asking.
        """
        try:
            self.path_of(story_id).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            # The words are in the store: a draft that cannot be removed harms nothing (the
            # next start finds the same words and removes it), and a save must not fail on it.
            log.warning("draft of story %s not removed: %s", story_id, exc.strerror)

    def get(self, story_id: str) -> Draft | None:
        return _read(self.path_of(story_id), self._key)

    def all(self) -> list[Draft]:
        """Every readable draft, oldest first. One that cannot be read is left where it is and
        logged (without its contents), never deleted: it may still be rescued by hand."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            draft = _read(path, self._key)
            if draft is not None:
                found.append(draft)
        return sorted(found, key=lambda draft: draft.written_at)


def _read(path: Path, key: bytes | None) -> Draft | None:
    try:
        data = path.read_bytes()
        if is_sealed(data):
            if key is None:
                raise SealedFileError("a sealed draft in a plain store")
            data = unseal_bytes(key, data)
        document = json.loads(data.decode("utf-8"))
        draft = Draft(
            story_id=str(uuid.UUID(document["story_id"])),
            base_revision=int(document["base_revision"]),
            fields=fields_from_json(document["fields"]),
            written_at=dt.datetime.fromisoformat(document["written_at"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, SealedFileError) as exc:
        log.warning("draft %s cannot be read (%s); left in place", path.name, type(exc).__name__)
        return None
    if path.stem != draft.story_id:
        log.warning("draft %s names another story; left in place", path.name)
        return None
    return draft


def _sync_folder(folder: Path) -> None:
    """Flush the folder itself, so the rename survives a power cut (POSIX only)."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open a folder for fsync
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
