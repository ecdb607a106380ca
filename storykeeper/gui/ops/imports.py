"""Importing a bundle file in the window, and what that import changed.

``import_file`` takes the ``Store`` rather than a session: the importer opens its own
transactions (it checks every file's hash before its one write transaction), so the import
dialog hands it to ``TaskRunner.write_own``, with ``changes=changes_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Action, ImportReport, Outcome
from storykeeper.core.db import Store
from storykeeper.gui.ops.changes import Change, Kind

#: How far one file has got: done of total. The hash check of every file in the bundle fills
#: the first half, bringing the stories in the second.
Progress = Callable[[int, int], None]


def import_file(
    store: Store,
    path: Path,
    *,
    actor: str,
    dry_run: bool,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import (or for a dry run only check) one bundle file, in one transaction of its own.

    Every problem with the file comes back as a refused report; only ``ImportCancelled`` and the
    machine's own errors (a full disk) are raised, and then nothing from the file is kept."""

    def checking(done: int, total: int) -> None:
        if progress is not None:
            progress(done, 2 * total)

    def bringing_in(done: int, total: int) -> None:
        if progress is not None:
            progress(total + done, 2 * total)

    return import_bundle(
        store,
        path,
        actor=actor,
        dry_run=dry_run,
        checking=checking,
        progress=bringing_in,
        cancelled=cancelled,
    )


def changes_of(report: ImportReport) -> list[Change]:
    """What the import behind ``report`` changed, for the task runner to announce."""
    if report.dry_run:
        return []
    # Every import that is not a dry run is kept in the import ledger, a refusal too.
    changed = [Change(Kind.EXCHANGE)]
    if report.outcome is not Outcome.IMPORTED:
        return changed
    touched = [line.story_id for line in report.stories if line.action is not Action.SKIPPED]
    if not touched:
        return changed
    return [
        Change.of(Kind.STORIES, *touched),
        Change.of(Kind.CONSENT, *touched),
        Change.of(Kind.ATTACHMENTS, *touched),
        # Storytellers and themes come in with the stories; the report does not name them.
        Change(Kind.PEOPLE),
        Change(Kind.THEMES),
        *changed,
    ]
