"""What an import did, and the import ledger that keeps it (tables ``imports``, ``import_items``).

Every attempt is kept — imported, already imported, or refused with its one reason — so a
coordinator can look back at what came from whom. The ledger holds no story content: titles are
looked up when a report is shown, so a story purged later leaves nothing behind here.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core.bulk import insert_in_slices
from storykeeper.core.models import ImportItemRow, ImportRow, SettingRow, StoryRow
from storykeeper.core.stories import WITHDRAWN_TITLE
from storykeeper.core.vocabulary import ConsentState

#: The most of a reason shown or kept anywhere: a sentence or two, never a story. A reason
#: quotes values from the bundle only as a short ``excerpt``; this cap is the last guard.
REASON_MAX = 500
#: The most of a value from a bundle that a reason quotes.
QUOTE_MAX = 30


def excerpt(text: str, limit: int = QUOTE_MAX) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…" when longer.

    Every refusal and story line goes through this before it is shown or kept, so a hostile or
    careless bundle cannot put a person's words (or megabytes of anything) into the ledger.
    """
    # Only the head is looked at: a million characters need not be split to show eighty.
    head = " ".join(text[: limit * 4].split())
    if len(head) <= limit and len(text) <= limit * 4:
        return head
    return head[: limit - 1].rstrip() + "…"


class Outcome(enum.StrEnum):
    IMPORTED = "imported"
    ALREADY_IMPORTED = "already_imported"
    REFUSED = "refused"


class Action(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class StoryLine:
    """What the import did with one story, and why."""

    story_id: str
    action: Action
    detail: str
    #: The title as it stands here now ("" when the story is not held here).
    title: str = ""


@dataclass(frozen=True)
class ImportReport:
    file: str
    outcome: Outcome
    checked_at: dt.datetime
    #: For a refused bundle: the one reason, in words.
    reason: str = ""
    bundle_id: str | None = None
    signer_key_id: str | None = None
    signer_label: str = ""
    signer_fingerprint: str | None = None
    stories: tuple[StoryLine, ...] = ()
    media_files: int = 0
    #: True when nothing was kept: a dry run shows what an import would do.
    dry_run: bool = False
    #: A signer not trusted here, whose key the person may choose to trust after checking its
    #: fingerprint with the sender (the .pub line); None when there is nothing to offer.
    untrusted_public_key: str | None = field(default=None, repr=False)
    #: When an earlier import brought this bundle in (outcome ALREADY_IMPORTED).
    first_imported_at: dt.datetime | None = None
    #: ``reader.encrypted_file_digest`` of the file, kept so the same file is known again.
    file_digest: str | None = field(default=None, repr=False)
    #: SHA-256 of the bundle's signed tag manifest (``OpenedBundle.content_digest``): what the
    #: bundle id named when it was imported, so other contents under it are known as such.
    content_digest: str | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.outcome is not Outcome.REFUSED

    def count(self, action: Action) -> int:
        return sum(1 for line in self.stories if line.action is action)

    def summary(self) -> str:
        """One line saying what happened, for the person who imported it."""
        if self.outcome is Outcome.REFUSED:
            return f"Refused: {self.reason}"
        if self.outcome is Outcome.ALREADY_IMPORTED:
            when = (
                self.first_imported_at.date().isoformat() if self.first_imported_at else "earlier"
            )
            return f"Already imported on {when}: nothing changed."
        counts = (
            f"{self.count(Action.NEW)} new, {self.count(Action.UPDATED)} updated, "
            f"{self.count(Action.SKIPPED)} skipped, {self.count(Action.WITHDRAWN)} withdrawn"
        )
        media = f"; {self.media_files} media files" if self.media_files else ""
        prefix = "Dry run, nothing kept — would import: " if self.dry_run else "Imported: "
        return prefix + counts + media + "."


def record(session: Session, report: ImportReport, actor: str) -> int:
    """Keep the report in the ledger; the new entry's id."""
    row = ImportRow(
        file_name=report.file[-500:],
        checked_at=report.checked_at,
        actor=actor,
        outcome=report.outcome.value,
        reason=excerpt(report.reason, REASON_MAX),
        bundle_id=report.bundle_id,
        signer_key_id=report.signer_key_id,
        signer_label=report.signer_label[:200],
        stories_new=report.count(Action.NEW),
        stories_updated=report.count(Action.UPDATED),
        stories_skipped=report.count(Action.SKIPPED),
        stories_withdrawn=report.count(Action.WITHDRAWN),
        media_files=report.media_files,
        file_digest=report.file_digest,
        content_digest=report.content_digest,
    )
    session.add(row)
    session.flush()
    insert_in_slices(
        session,
        ImportItemRow,
        (
            {
                "import_id": row.id,
                "story_uuid": line.story_id,
                "action": line.action.value,
                "detail": excerpt(line.detail, REASON_MAX),
            }
            for line in report.stories
        ),
    )
    return row.id


def first_import(session: Session, bundle_id: str, signer_key_id: str) -> dt.datetime | None:
    """When this signer's bundle was imported here, if it was (the ledger's one question).

    A bundle id is the signer's own: another signer's bundle carrying the same id (copied from
    a file name, say) is a different bundle, and must never make the real one look imported.
    """
    return session.scalar(
        select(ImportRow.checked_at)
        .where(
            ImportRow.bundle_id == bundle_id,
            ImportRow.signer_key_id == signer_key_id,
            ImportRow.outcome == Outcome.IMPORTED.value,
        )
        .order_by(ImportRow.id)
        .limit(1)
    )


def imported_contents(
    session: Session, bundle_id: str, signer_key_id: str
) -> tuple[dt.datetime, str | None] | None:
    """When this signer's bundle was first imported here and the digest of its contents (None
    for an import older than the digest), if it was."""
    row = session.execute(
        select(ImportRow.checked_at, ImportRow.content_digest)
        .where(
            ImportRow.bundle_id == bundle_id,
            ImportRow.signer_key_id == signer_key_id,
            ImportRow.outcome == Outcome.IMPORTED.value,
        )
        .order_by(ImportRow.id)
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def imported_file(session: Session, digest: str) -> ImportRow | None:
    """The ledger's entry for the import of this very file (by its age header), if any."""
    return session.scalar(
        select(ImportRow)
        .where(ImportRow.file_digest == digest, ImportRow.outcome == Outcome.IMPORTED.value)
        .order_by(ImportRow.id)
        .limit(1)
    )


#: The settings key (at most 64 characters) under which an encrypted file's digest is kept
#: with the identity it had when every byte of it was authenticated: no schema change.
_AUTHENTICATED = "import.authenticated:"


def file_identity(path: Path) -> str | None:
    """The file as its file system knows it: device, inode, size, modification and change
    times. Any write to the file moves its change time, which no program can set back (only
    the system clock), so an equal identity is the same bytes; None when it cannot be read."""
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def remember_authenticated(session: Session, digest: str, identity: str) -> None:
    """Keep that the file of this digest, as it is now (``file_identity``), authenticated whole:
    offered again unchanged, it is known without decrypting a gigabyte to nowhere."""
    key = _AUTHENTICATED + digest[: 64 - len(_AUTHENTICATED)]
    session.merge(SettingRow(key=key, value=f"{digest} {identity}"))


def authenticated_before(session: Session, digest: str, identity: str | None) -> bool:
    """Whether this very file, unchanged, was authenticated whole by an earlier import."""
    if identity is None:
        return False
    key = _AUTHENTICATED + digest[: 64 - len(_AUTHENTICATED)]
    kept = session.scalar(select(SettingRow.value).where(SettingRow.key == key))
    return kept == f"{digest} {identity}"


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    report: ImportReport
    actor: str
    counts: dict[Action, int]


def history(session: Session, limit: int = 100) -> list[LedgerEntry]:
    """The newest imports first, with their counts (not their lines: see ``lines``)."""
    rows = session.scalars(select(ImportRow).order_by(ImportRow.id.desc()).limit(limit))
    return [
        LedgerEntry(
            id=row.id,
            report=ImportReport(
                file=row.file_name,
                outcome=Outcome(row.outcome),
                checked_at=row.checked_at,
                reason=row.reason,
                bundle_id=row.bundle_id,
                signer_key_id=row.signer_key_id,
                signer_label=row.signer_label,
                media_files=row.media_files,
            ),
            actor=row.actor,
            counts={
                Action.NEW: row.stories_new,
                Action.UPDATED: row.stories_updated,
                Action.SKIPPED: row.stories_skipped,
                Action.WITHDRAWN: row.stories_withdrawn,
            },
        )
        for row in rows
    ]


def lines(session: Session, import_id: int) -> list[StoryLine]:
    """One import's per-story lines, with each story's title as it stands here now."""
    rows = session.execute(
        select(
            ImportItemRow.story_uuid,
            ImportItemRow.action,
            ImportItemRow.detail,
            StoryRow.title,
            StoryRow.consent_state,
        )
        .outerjoin(StoryRow, StoryRow.uuid == ImportItemRow.story_uuid)
        .where(ImportItemRow.import_id == import_id)
        .order_by(ImportItemRow.id)
    ).all()
    return [
        StoryLine(
            story_id=uuid,
            action=Action(action),
            detail=detail,
            title=titles_shown(title, state),
        )
        for uuid, action, detail, title, state in rows
    ]


def titles_shown(title: str | None, consent_state: str | None) -> str:
    if title is None:
        return ""
    return WITHDRAWN_TITLE if consent_state == ConsentState.WITHDRAWN.value else title
