"""`storykeeper check`: is the store whole and untampered?

Looks at everything that can go wrong underneath the program: the SQLite file itself, foreign
keys, the search index, the schema version, the audit chain, the derived consent state, each
story's, saved version's and consent version's content digest (``core/digests.py``), and every
attachment's file and hash.

Damage is found, never tripped over: SQLite's own integrity check runs first, and if the file is
damaged that is the one problem reported (the other checks would only fail on the same pages).
Every later step is guarded, so a read that still fails becomes a reported problem, not a crash.

``repair_store`` (``check --repair``, and the window's check after a confirmation) removes what
no story needs: media files no attachment refers to, and copies an interrupted import or a crash
left half-way. It never touches a file an attachment refers to, damaged or not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from storykeeper.core import audit, faults
from storykeeper.core.attachments import MediaStore, size_in_words
from storykeeper.core.audit import verify_chain
from storykeeper.core.db import (
    Store,
    current_revision,
    head_revision,
    is_interrupted,
    stopped_when,
)
from storykeeper.core.digests import changed_fields
from storykeeper.core.errors import StoreError
from storykeeper.core.models import (
    DIGESTED_FIELDS,
    AttachmentRow,
    ConsentRecordRow,
    StoryRow,
    StoryVersionRow,
)
from storykeeper.core.sealed_files import CUT_SHORT, SealedFileError
from storykeeper.paths import DataPaths

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str], None]
#: Whether whoever asked for the check no longer wants it.
Cancelled = Callable[[], bool]
#: What ``check_store`` tells its progress callback, in this order (a progress bar counts them).
STEPS = ("database file", "audit log", "consent", "story contents", "attachments", "search index")
#: Problems of one kind listed one by one; more are counted in one line.
LISTED_MAX = 20
#: A title quoted in a problem is cut to this many characters (it may be what was changed).
TITLE_QUOTED_MAX = 30

#: The digested fields as a person would name them.
FIELD_WORDS = {
    "title": "title",
    "own_words": "own words",
    "recorder_notes": "recorder’s notes",
    "told_on": "date told",
    "setting": "setting",
    "how_told": "how it was told",
    "language": "language",
    "status": "draft or final",
    "details": "other details (date told, people, themes)",
    "decision": "decision",
    "basis": "basis of the decision",
    "decided_by": "who decided",
    "capacity_notes": "capacity notes",
    "share_with_coordinator": "agreement to share with the coordinator",
    "anonymised_in_reports": "agreement to appear in reports",
    "quote_anonymised": "agreement to be quoted",
    "publish_with_name": "agreement to publish with their name",
    "share_media": "agreement to share media",
    "record_audio": "agreement to record their voice",
    "method": "how consent was given",
    "persons_words": "person’s words",
    "conditions": "conditions",
    "consulted": "who was consulted",
    "advocate_involved": "whether an advocate took part",
    "best_interests_reasons": "best-interests reasons",
    "decided_on": "date of the decision",
    "review_by": "review date",
    "capacity_assessment": "capacity assessment",
    "best_interests": "best-interests record",
    "advocate_name": "advocate or IMCA",
    "representative_reference": "LPA or court order reference",
}


class CheckCancelled(Exception):
    """The check was stopped part-way: it found nothing worth reporting yet."""


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


def check_store(
    store: Store,
    progress: ProgressCallback | None = None,
    *,
    hash_files: bool = True,
    cancelled: Cancelled | None = None,
) -> CheckReport:
    """Everything that is wrong with the store. ``hash_files`` off looks only at each attached
    file's presence and size, not its hash: the window's quiet check at every start does that,
    rather than read gigabytes of recordings each time (the full check hashes them).

    ``cancelled`` is asked between steps, between rows and files of the longer ones, and by
    SQLite itself inside each statement (``db.stopped_when``: the integrity check alone is one
    statement of some 15 s at 100,000 stories); once it says yes, ``CheckCancelled`` is raised
    within a fraction of a second (the window's quiet check, when the window closes: the whole
    check takes some 17-40 s at 100,000 stories, and closing waits for every task).
    """
    stop = cancelled or (lambda: False)

    def say(step: str) -> None:
        if stop():
            raise CheckCancelled
        if progress is not None:
            progress(step)

    problems: list[Problem] = []
    checked: dict[str, int] = {}
    removable: dict[str, int] = {}

    say("database file")
    damage = _guarded("database", store.paths, lambda: _sqlite_integrity(store, stop))
    if damage:
        # Every other step reads the same damaged pages: it could only fail again, or report
        # as changed words what is a damaged page. The one thing to do is the same either way.
        return CheckReport(tuple(damage), checked)
    with store.read() as session, stopped_when(session, stop):

        def schema() -> list[Problem]:
            revision = current_revision(store.engine)
            if revision == head_revision():
                return []
            return [
                Problem(
                    "schema", f"the schema is at {revision}, not the newest ({head_revision()})"
                )
            ]

        def audit_log() -> list[Problem]:
            checked["audit events"] = session.execute(
                text("SELECT count(*) FROM audit_events")
            ).scalar_one()
            return [Problem("audit", p.message) for p in verify_chain(session)]

        def attachments() -> list[Problem]:
            media = store.media
            found, checked["attachment files"] = _attachments(session, media, hash_files, stop)
            removable_problems, unused = _removable(session, media)
            removable.update(unused)
            return found + _not_yet_sealed(media) + removable_problems

        def story_contents() -> list[Problem]:
            checked["stories"] = session.execute(text("SELECT count(*) FROM stories")).scalar_one()
            return _story_contents(session, stop)

        problems += _guarded("database", store.paths, lambda: _foreign_keys(session))
        problems += _guarded("schema", store.paths, schema)
        say("audit log")
        problems += _guarded("audit", store.paths, audit_log)
        say("consent")
        problems += _guarded("consent", store.paths, lambda: _derived_consent(session))
        problems += _guarded("consent", store.paths, lambda: _consent_contents(session, stop))
        say("story contents")
        problems += _guarded("stories", store.paths, story_contents)
        say("attachments")
        problems += _guarded("attachments", store.paths, attachments)
    say("search index")
    words_changed = any(p.area == "stories" for p in problems)
    problems += _guarded("search", store.paths, lambda: _search_index(store, words_changed, stop))
    return CheckReport(
        # A damaged file found by several steps is one problem, said once.
        tuple(dict.fromkeys(problems)),
        checked,
        removable_files=len(removable),
        removable_bytes=sum(removable.values()),
    )


def damaged_file(paths: DataPaths, pages: int = 0) -> str:
    """What to do about a damaged database file, in one line."""
    how_many = f" ({pages} {'page' if pages == 1 else 'pages'})" if pages else ""
    return (
        f"The database file is damaged{how_many}. Copy the data folder ({paths.data_dir}) "
        f"somewhere safe first, then restore the newest backup from {paths.backups_dir} "
        "(see “To restore a backup” in the README)"
    )


def _is_locked(exc: DatabaseError) -> bool:
    words = str(exc.orig).lower()
    return "locked" in words or "busy" in words


def _guarded(area: str, paths: DataPaths, step: Callable[[], list[Problem]]) -> list[Problem]:
    """Run one step of the check; a database that fails to read becomes a reported problem."""
    try:
        return step()
    except CheckCancelled:
        raise
    except DatabaseError as exc:
        if is_interrupted(exc):
            raise CheckCancelled from exc  # stopped inside a statement (``stopped_when``)
        if _is_locked(exc):
            return [
                Problem(
                    area,
                    "could not be checked: another Storykeeper window or command is saving "
                    "right now. Check again in a minute",
                    Severity.WARNING,
                )
            ]
        # SQLite's words go to the log for whoever supports the person, never to the screen.
        log.warning("the check's %s step could not read the database", area, exc_info=exc)
        return [Problem("database", damaged_file(paths))]
    except Exception:
        # Not the database failing to read but something the check did not expect (a value no
        # version of the program writes): the rest of the check still runs, and says so.
        log.exception("the check's %s step failed", area)
        return [Problem(area, "this part could not be checked; the log file says why")]


def _sqlite_integrity(store: Store, stop: Cancelled) -> list[Problem]:
    rows = store.integrity_check(stop)
    if rows == ["ok"]:
        return []
    log.warning("SQLite's integrity check of the database: %s", " | ".join(rows[:100]))
    pages = {int(n) for line in rows for n in re.findall(r"\bpage (\d+)", line, re.IGNORECASE)}
    return [Problem("database", damaged_file(store.paths, len(pages)))]


def _foreign_keys(session: Session) -> list[Problem]:
    rows = session.execute(text("PRAGMA foreign_key_check")).all()
    return [
        Problem("database", f"row {rowid} of {table} refers to a missing row in {parent}")
        for table, rowid, parent, _fk in rows[:LISTED_MAX]
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


def _attachments(
    session: Session, media: MediaStore, hash_files: bool, stop: Cancelled
) -> tuple[list[Problem], int]:
    problems: list[Problem] = []
    sizes: dict[str, int] = dict(
        session.execute(select(AttachmentRow.sha256, AttachmentRow.size).distinct()).all()
    )
    for sha in sorted(sizes):
        if stop():
            raise CheckCancelled
        try:
            trouble = media.verify(sha) if hash_files else _present(media, sha, sizes[sha])
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
    return problems, len(sizes)


def _present(media: MediaStore, sha: str, size: int) -> str | None:
    """None when the file is there at its recorded size, else what is wrong (no hashing; a
    sealed file's plaintext size is read from its last chunk, so that chunk is checked)."""
    path = media.path_for(sha)
    if not path.is_file():
        return "missing"
    try:
        actual = media.size_of(sha) if media.sealed else path.stat().st_size
    except SealedFileError as exc:
        cut = exc.message == CUT_SHORT
        return "damaged (it is cut short)" if cut else "damaged (it can no longer be decrypted)"
    return None if actual == size else f"damaged (its size is now {actual:,} bytes, not {size:,})"


def _not_yet_sealed(media: MediaStore) -> list[Problem]:
    """In an encrypted store, media files still in the clear (a conversion not finished): a
    warning, as the stories are whole, but whoever copies the folder could open these."""
    plain = media.plain_hashes()
    if not plain:
        return []
    count = len(plain)
    return [
        Problem(
            "attachments",
            f"{count} media {'file is' if count == 1 else 'files are'} not yet encrypted: "
            "converting the store again encrypts them",
            Severity.WARNING,
        )
    ]


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


def _search_index(store: Store, words_changed: bool, stop: Cancelled) -> list[Problem]:
    # FTS5's integrity check is written as an INSERT, so it needs the writer's lock; it changes
    # nothing, so stopping it part-way (rolled back) loses nothing either.
    try:
        with store.write(actor="check") as session, stopped_when(session, stop):
            session.execute(
                text("INSERT INTO story_fts (story_fts, rank) VALUES ('integrity-check', 1)")
            )
    except DatabaseError as exc:
        if is_interrupted(exc):
            raise CheckCancelled from exc  # stopped part-way, not an index that disagrees
        if not isinstance(exc.orig, faults.DRIVER_DATABASE_ERRORS) or _is_locked(exc):
            raise
        if words_changed:
            # Rebuilding the index from changed words would make them look as if saved here.
            return [
                Problem(
                    "search",
                    "the search index no longer matches the stories because their words were "
                    "changed outside Storykeeper (see above): do not rebuild it, restore a backup",
                )
            ]
        return [Problem("search", "the search index no longer matches the stories (rebuild it)")]
    return []


def _quoted(title: str | None) -> str:
    """A title as a problem names it: cut short, control characters shown as “�”."""
    shown = "".join(c if c.isprintable() else "�" for c in str(title or ""))
    if len(shown) > TITLE_QUOTED_MAX:
        shown = shown[: TITLE_QUOTED_MAX - 1] + "…"
    return f" “{shown}”" if shown else ""


def _fields_in_words(fields: Iterable[str]) -> str:
    words = [FIELD_WORDS.get(name, name) for name in fields]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _digest_problems(
    area: str,
    session: Session,
    sql: str,
    fields: tuple[str, ...],
    which: Callable[..., str],
    stop: Cancelled,
) -> list[Problem]:
    """Recompute each row's digests (``sql`` selects the row's naming columns, then
    ``content_digest``, then ``fields``) and name the fields that no longer match."""
    problems: list[Problem] = []
    more = 0
    for row in session.execute(text(sql)):
        if stop():
            raise CheckCancelled
        naming = row[: len(row) - len(fields) - 1]
        stored = row[len(naming)]
        values = dict(zip(fields, row[len(naming) + 1 :], strict=True))
        changed = changed_fields(stored, values, fields)
        if changed == []:
            continue
        if len(problems) >= LISTED_MAX:
            more += 1
            continue
        if changed is None:
            message = (
                f"{which(*naming)} has no record of what was saved (it was written outside "
                "Storykeeper), so it cannot be checked"
            )
        else:
            message = (
                f"{which(*naming)}: {_fields_in_words(changed)} changed outside Storykeeper "
                "since it was saved"
            )
        problems.append(Problem(area, message))
    if more:
        problems.append(Problem(area, f"and {more} more changed outside Storykeeper"))
    return problems


#: A story's title as a problem may quote it: none once consent was withdrawn, whose content is
#: hidden everywhere from then on.
_SHOWN_TITLE = "CASE WHEN s.consent_state = 'withdrawn' THEN NULL ELSE s.title END"


def _story_contents(session: Session, stop: Cancelled) -> list[Problem]:
    """Each story and each of its saved versions against its content digest."""
    story_fields = DIGESTED_FIELDS[StoryRow]
    version_fields = DIGESTED_FIELDS[StoryVersionRow]
    problems = _digest_problems(
        "stories",
        session,
        f"SELECT s.uuid, {_SHOWN_TITLE}, s.content_digest, "
        + ", ".join(f"s.{name}" for name in story_fields)
        + " FROM stories AS s ORDER BY s.id",
        story_fields,
        lambda uuid, title: f"story {uuid[:8]}{_quoted(title)}",
        stop,
    )
    problems += _digest_problems(
        "stories",
        session,
        f"SELECT s.uuid, {_SHOWN_TITLE}, v.revision, v.content_digest, "
        + ", ".join(f"v.{name}" for name in version_fields)
        + " FROM story_versions AS v JOIN stories AS s ON s.id = v.story_id ORDER BY v.id",
        version_fields,
        lambda uuid, title, revision: (
            f"the saved version {revision} of story {uuid[:8]}{_quoted(title)} (in its history)"
        ),
        stop,
    )
    return problems


def _consent_contents(session: Session, stop: Cancelled) -> list[Problem]:
    """Each consent version against its content digest."""
    fields = DIGESTED_FIELDS[ConsentRecordRow]
    return _digest_problems(
        "consent",
        session,
        f"SELECT s.uuid, {_SHOWN_TITLE}, c.version, c.content_digest, "
        + ", ".join(f"c.{name}" for name in fields)
        + " FROM consent_records AS c JOIN stories AS s ON s.id = c.story_id ORDER BY c.id",
        fields,
        lambda uuid, title, version: (
            f"consent version {version} of story {uuid[:8]}{_quoted(title)}"
        ),
        stop,
    )


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
    media = store.media
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
