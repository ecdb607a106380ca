"""Exporting a bundle, start to end: plan what may leave, write it, note it in the export ledger.

The one way every caller exports (the command line, the window, the tests), as ``importer``
is for import. ``export_bundle`` does all three steps with a ``Store``. A caller that must keep
database work on its own queues (the window: reads on its read pool, the ledger on its serial
writer) runs the same steps itself — ``plan_export``, then ``write_planned`` (no database),
then ``record_export`` — and nothing else.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from storykeeper.core import clock
from storykeeper.core import recipients as recipients_module
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bundle.writer import (
    ExportPlan,
    ExportResult,
    Selection,
    bundle_file_name,
    plan_export,
    record_export,
    write_bundle,
)
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.core.withdrawal_notices import bundle_recipients

__all__ = [
    "ExportPlan",
    "ExportResult",
    "Selection",
    "bundle_path",
    "bundle_recipients",
    "configured_recipients",
    "export_bundle",
    "plan_export",
    "record_export",
    "write_planned",
]

Progress = Callable[[int, int], None]


def configured_recipients(session: Session) -> list[str]:
    """The age recipients added on this computer: whom a bundle goes to when none is chosen."""
    return [r.age_recipient for r in recipients_module.list_recipients(session)]


#: What a sender's name may keep in a file name on every desktop: letters, digits, spaces and
#: a few marks. Anything else (a slash, a colon Windows refuses, a control character) goes.
_UNSAFE_IN_NAMES = re.compile(r"[^\w .-]+")
SENDER_NAME_MAX = 40


def _sender_words(sender: str | None) -> str:
    """The sender as it may stand in a file name: ``sender``, else this computer's name."""
    cleaned = _UNSAFE_IN_NAMES.sub(" ", sender or platform.node()).strip(" .")
    return " ".join(cleaned.split())[:SENDER_NAME_MAX].strip(" .") or "this computer"


def bundle_path(folder: Path, *, plain: bool, sender: str | None = None) -> Path:
    """Where a bundle exported into ``folder`` goes: named by who sent it and when.

    "Storykeeper stories from North laptop 2026-12-07.zip.age" tells the coordinator's inbox
    and file manager what it is; a bare id did not. The name holds only the sender (a label of
    this computer, never a storyteller or a title) and the date; the extension is the one the
    importer and the registered file type expect. A second export on the same day gets " (2)",
    never the first one's name: the writer's final rename would replace it.
    """
    extension = bundle_file_name("", plain).removeprefix("storykeeper-")
    stem = f"Storykeeper stories from {_sender_words(sender)} {clock.today().isoformat()}"
    candidate = folder / f"{stem}{extension}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){extension}"
        number += 1
    return candidate


def write_planned(
    keys: KeyStore,
    plan: ExportPlan,
    *,
    media: MediaStore,
    out: Path,
    recipients: list[str],
    plain: bool = False,
    organisation: str = "Storykeeper",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    sender: str | None = None,
) -> ExportResult:
    """Write ``plan`` as one bundle with this computer's ``keys`` and ``media`` (the store's,
    ``store.keys`` and ``store.media``, whose key reads sealed files); no database.

    ``out`` is a file, or a folder the bundle is put in under ``bundle_path``'s name.
    """
    return write_bundle(
        plan,
        keys=keys,
        media=media,
        out=bundle_path(out, plain=plain, sender=sender) if out.is_dir() else out,
        recipients=[] if plain else recipients,
        plain=plain,
        organisation=organisation,
        progress=progress,
        cancelled=cancelled,
    )


def export_bundle(
    store: Store,
    *,
    actor: str,
    out: Path,
    selection: Selection = Selection.ALL,
    story_ids: Iterable[str] = (),
    recipients: list[str] | None = None,
    plain: bool = False,
    organisation: str = "Storykeeper",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Plan, write and record one bundle; ``recipients`` None means every configured one.

    Raises ``ExportError`` (nothing written, nothing recorded) for anything a person can put
    right: nothing to send, nobody to encrypt to, a story the coordinator would refuse, a
    folder that cannot be written, a cancel.
    """
    with store.read() as session:
        if recipients is None and not plain:
            recipients = configured_recipients(session)
        # Planned for exactly whom it goes to: withdrawal notices go only to those who had the
        # story.
        plan = plan_export(
            session, selection, story_ids, recipients=bundle_recipients(recipients or [], plain)
        )
    result = write_planned(
        store.keys,
        plan,
        media=store.media,
        out=out,
        recipients=recipients or [],
        plain=plain,
        organisation=organisation,
        progress=progress,
        cancelled=cancelled,
    )
    with store.write(actor=actor) as session:
        record_export(session, result)
    return result
