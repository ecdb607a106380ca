"""Exporting a bundle, start to end: plan what may leave, write it, note it in the export ledger.

The one way every caller exports (the command line, the window, the tests), as ``importer``
is for import. ``export_bundle`` does all three steps with a ``Store``. A caller that must keep
database work on its own queues (the window: reads on its read pool, the ledger on its serial
writer) runs the same steps itself — ``plan_export``, then ``write_planned`` (no database),
then ``record_export`` — and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from storykeeper.core import recipients as recipients_module
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bundle.writer import (
    ExportPlan,
    ExportResult,
    Selection,
    plan_export,
    record_export,
    write_bundle,
)
from storykeeper.core.db import Store
from storykeeper.core.keys import KeyStore
from storykeeper.core.withdrawal_notices import bundle_recipients
from storykeeper.paths import DataPaths

__all__ = [
    "ExportPlan",
    "ExportResult",
    "Selection",
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


def write_planned(
    paths: DataPaths,
    plan: ExportPlan,
    *,
    media: MediaStore,
    out: Path,
    recipients: list[str],
    plain: bool = False,
    organisation: str = "Storykeeper",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write ``plan`` as one bundle with this data folder's keys and ``media`` (the store's,
    ``store.media``, whose key reads sealed files); no database."""
    return write_bundle(
        plan,
        keys=KeyStore(paths.data_dir),
        media=media,
        out=out,
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
        store.paths,
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
