"""`storykeeper check`: is the store whole and untampered?

Looks at everything that can go wrong underneath the program: the SQLite file itself, foreign
keys, the search index, the schema version, the audit chain, the derived consent state, and every
attachment's file and hash.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from storykeeper.core.attachments import MediaStore
from storykeeper.core.audit import verify_chain
from storykeeper.core.db import Store, current_revision, head_revision
from storykeeper.core.models import AttachmentRow

ProgressCallback = Callable[[str], None]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    area: str
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)


def check_store(store: Store, progress: ProgressCallback | None = None) -> CheckReport:
    say = progress or (lambda _step: None)
    problems: list[Problem] = []
    checked: dict[str, int] = {}

    say("database file")
    with store.read() as session:
        problems += _sqlite_integrity(session)
        problems += _foreign_keys(session)
        revision = current_revision(store.engine)
        if revision != head_revision():
            problems.append(
                Problem(
                    "schema", f"the schema is at {revision}, not the newest ({head_revision()})"
                )
            )
        say("audit log")
        problems += [Problem("audit", p.message) for p in verify_chain(session)]
        checked["audit events"] = session.execute(
            text("SELECT count(*) FROM audit_events")
        ).scalar_one()
        say("consent")
        problems += _derived_consent(session)
        say("attachments")
        attachment_problems, checked["attachment files"] = _attachments(
            session, MediaStore(store.paths.media_dir)
        )
        problems += attachment_problems
        checked["stories"] = session.execute(text("SELECT count(*) FROM stories")).scalar_one()
    say("search index")
    problems += _search_index(store)
    return CheckReport(tuple(problems), checked)


def _sqlite_integrity(session: Session) -> list[Problem]:
    try:
        rows = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
    except DatabaseError as exc:
        return [Problem("database", f"SQLite cannot read the database: {exc.orig}")]
    if rows == ["ok"]:
        return []
    return [Problem("database", f"SQLite integrity check: {message}") for message in rows[:20]]


def _foreign_keys(session: Session) -> list[Problem]:
    rows = session.execute(text("PRAGMA foreign_key_check")).all()
    return [
        Problem("database", f"row {rowid} of {table} refers to a missing row in {parent}")
        for table, rowid, parent, _fk in rows[:20]
    ]


def _derived_consent(session: Session) -> list[Problem]:
    """The story's consent_state must equal its newest consent version's decision."""
    rows = session.execute(
        text(
            """
            SELECT s.uuid, s.consent_state,
                   coalesce(c.decision, 'none') AS newest
            FROM stories AS s
            LEFT JOIN consent_records AS c
              ON c.story_id = s.id
             AND c.version = (SELECT max(version) FROM consent_records WHERE story_id = s.id)
            WHERE s.consent_state IS NOT coalesce(c.decision, 'none')
               OR s.consent_review_by IS NOT c.review_by
            LIMIT 20
            """
        )
    ).all()
    return [
        Problem(
            "consent",
            f"story {uuid[:8]} shows consent “{shown}” "
            f"but its newest consent record says “{newest}”",
        )
        for uuid, shown, newest in rows
    ]


def _attachments(session: Session, media: MediaStore) -> tuple[list[Problem], int]:
    problems: list[Problem] = []
    hashes = set(session.scalars(select(AttachmentRow.sha256).distinct()))
    for sha in sorted(hashes):
        try:
            trouble = media.verify(sha)
        except OSError as exc:
            trouble = f"unreadable ({exc.strerror})"
        if trouble:
            names = ", ".join(
                session.scalars(
                    select(AttachmentRow.original_name).where(AttachmentRow.sha256 == sha).limit(3)
                )
            )
            problems.append(
                Problem("attachments", f"attachment file {sha[:12]}… ({names}) is {trouble}")
            )
    orphans = sorted(set(media.stored_hashes()) - hashes)
    if orphans:
        problems.append(
            Problem(
                "attachments",
                f"{len(orphans)} media file(s) belong to no story any more and can be removed",
                Severity.WARNING,
            )
        )
    return problems, len(hashes)


def _search_index(store: Store) -> list[Problem]:
    # FTS5's integrity check is written as an INSERT, so it needs the writer's lock; it changes
    # nothing.
    try:
        with store.write(actor="check") as session:
            session.execute(
                text("INSERT INTO story_fts (story_fts, rank) VALUES ('integrity-check', 1)")
            )
    except DatabaseError as exc:
        if isinstance(exc.orig, sqlite3.DatabaseError):
            return [
                Problem("search", "the search index no longer matches the stories (rebuild it)")
            ]
        raise
    return []
