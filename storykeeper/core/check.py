"""`storykeeper check`: is the store whole and untampered?

Looks at everything that can go wrong underneath the program: the SQLite file itself, foreign
keys, the search index, the schema version, the audit chain, the derived consent state, and every
attachment's file and hash.

``repair_store`` (``check --repair``, and the window's check after a confirmation) removes what
no story needs: media files no attachment refers to, and copies an interrupted import or a crash
left half-way. It never touches a file an attachment refers to, damaged or not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from storykeeper.core import audit
from storykeeper.core.attachments import MediaStore, size_in_words
from storykeeper.core.audit import verify_chain
from storykeeper.core.db import Store, current_revision, head_revision
from storykeeper.core.errors import StoreError
from storykeeper.core.models import AttachmentRow

ProgressCallback = Callable[[str], None]
#: What ``check_store`` tells its progress callback, in this order (a progress bar counts them).
STEPS = ("database file", "audit log", "consent", "attachments", "search index")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    area: str
    message: str
    severity: Severity = Severity.ERROR


#: Areas whose errors mean the database cannot be trusted to say which files are in use: no
#: file is removed then (a damaged attachments table could make every file look unused).
_REPAIR_BLOCKERS = frozenset({"database", "schema"})


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    checked: dict[str, int] = field(default_factory=dict)
    #: What ``repair_store`` would remove now: media files no attachment refers to, and copies
    #: an interrupted import or a crash left (how many, and their size in bytes).
    removable_files: int = 0
    removable_bytes: int = 0

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def repair_refused(self) -> str | None:
        """Why unused files must not be removed after this check (None: they may be)."""
        blockers = [p for p in self.problems if p.area in _REPAIR_BLOCKERS]
        if not blockers:
            return None
        return (
            "Unused files are not removed while the database itself has problems: it cannot be "
            "trusted to say which files are still in use. Restore a backup first."
        )


@dataclass(frozen=True)
class RepairReport:
    """What ``repair_store`` removed."""

    #: Media files no attachment referred to.
    unused_files: int
    unused_bytes: int
    #: Copies an interrupted import or a crash left half-way.
    partial_copies: int
    partial_bytes: int

    @property
    def files(self) -> int:
        return self.unused_files + self.partial_copies

    @property
    def bytes(self) -> int:
        return self.unused_bytes + self.partial_bytes

    def summary(self) -> str:
        if not self.files:
            return "Nothing needed removing."
        return (
            f"Removed {self.files} unused {'file' if self.files == 1 else 'files'} "
            f"({size_in_words(self.bytes)}) that no story refers to."
        )


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
        media = MediaStore(store.paths.media_dir)
        attachment_problems, checked["attachment files"] = _attachments(session, media)
        problems += attachment_problems
        removable_problems, removable = _removable(session, media)
        problems += removable_problems
        checked["stories"] = session.execute(text("SELECT count(*) FROM stories")).scalar_one()
    say("search index")
    problems += _search_index(store)
    return CheckReport(
        tuple(problems),
        checked,
        removable_files=len(removable),
        removable_bytes=sum(removable.values()),
    )


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
    return problems, len(hashes)


def _unused(session: Session, media: MediaStore) -> dict[str, int]:
    """Media files no attachment refers to, by hash, with their sizes."""
    used = set(session.scalars(select(AttachmentRow.sha256).distinct()))
    unused: dict[str, int] = {}
    for sha in sorted(set(media.stored_hashes()) - used):
        try:
            unused[sha] = media.path_for(sha).stat().st_size
        except FileNotFoundError:
            continue  # removed while we looked
    return unused


def _removable(session: Session, media: MediaStore) -> tuple[list[Problem], dict[str, int]]:
    """What ``repair_store`` would remove (by file name, with sizes), each kind said as a
    warning: nothing is wrong with the stories, the files only take up room."""
    unused = _unused(session, media)
    partial = {temp.name: size for temp, size in media.stale_staging()}
    problems = []
    if unused:
        count = len(unused)
        problems.append(
            Problem(
                "attachments",
                f"{count} media {'file belongs' if count == 1 else 'files belong'} to no story "
                f"any more ({size_in_words(sum(unused.values()))}) and can be removed",
                Severity.WARNING,
            )
        )
    if partial:
        count = len(partial)
        problems.append(
            Problem(
                "attachments",
                f"{count} unfinished {'copy' if count == 1 else 'copies'} left by an interrupted "
                f"import or a crash ({size_in_words(sum(partial.values()))}) can be removed",
                Severity.WARNING,
            )
        )
    return problems, unused | partial


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


def repair_store(store: Store, actor: str = "check") -> RepairReport:
    """Remove media files no attachment refers to, and unfinished copies a crash left.

    Every file that is in use got there inside a write transaction that also committed its row:
    ``add_attachment`` stores the file and then adds the row in the caller's transaction, and an
    import puts its files in place just before its commit. So the look at what is in use, and
    the removal, happen inside a write transaction of our own: while it is open no other write
    (in this program or another copy of it, SQLite's lock spans processes) can be between
    storing a file and committing the row that refers to it. That is exact, where an age-based
    grace period would only be likely: a file stored a moment ago but never committed is
    removable (its transaction is over), and one being stored now waits for us to finish.
    Unfinished copies (``.incoming-*``) are removed only once an hour old, as the importer does.
    """
    media = MediaStore(store.paths.media_dir)
    unused_files = unused_bytes = 0
    try:
        with store.write(actor=actor) as session:
            for sha, size in _unused(session, media).items():
                try:
                    media.path_for(sha).unlink()
                except FileNotFoundError:
                    continue  # discarded meanwhile by the window, after a story was deleted
                unused_files += 1
                unused_bytes += size
            partial = media.sweep_staging()
            if unused_files or partial.files:
                audit.record(
                    session,
                    "media.unused_removed",
                    "media",
                    None,
                    {
                        "files": unused_files,
                        "bytes": unused_bytes,
                        "unfinished_copies": partial.files,
                    },
                )
    except OperationalError as exc:
        if "locked" not in str(exc.orig):
            raise
        raise StoreError(
            "Another Storykeeper window or command is saving to this store right now, so no "
            "file was removed. Try again in a minute."
        ) from exc
    return RepairReport(
        unused_files=unused_files,
        unused_bytes=unused_bytes,
        partial_copies=partial.files,
        partial_bytes=partial.bytes,
    )
