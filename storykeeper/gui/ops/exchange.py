"""Exporting from the window: what may leave, and the export ledger once a bundle is written.

The steps are ``core.bundle.export``'s: this module is its plan and its ledger on a session, so
the dialog can plan on the read pool, write the bundle off both pools (no database), and record
it on the serial writer. Recording changes ``Kind.EXCHANGE``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from storykeeper.core.bundle import export
from storykeeper.core.bundle.export import ExportPlan, ExportResult, Selection
from storykeeper.gui.ops.changes import Change, Kind

#: What recording an export changes: the export ledger (and "since the last export").
EXPORT_RECORDED = (Change(Kind.EXCHANGE),)


def plan_export(
    session: Session,
    selection: Selection,
    story_ids: Sequence[str] = (),
    recipients: Sequence[str] = (),
) -> ExportPlan:
    """What would leave for ``recipients`` (``["plain"]`` for a plain bundle), and what would
    not and why (``export_policy`` decides; withdrawal notices only for those who had the
    story)."""
    return export.plan_export(session, selection, story_ids, recipients=recipients)


def record_export(session: Session, result: ExportResult) -> ExportResult:
    """Note a written bundle in the export ledger and mark its withdrawal notices sent."""
    export.record_export(session, result)
    return result
