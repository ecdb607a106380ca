"""Writing a bundle: plan what may leave, then bag, sign, zip and encrypt it — all or nothing.

``plan_export`` decides, in a read transaction, what goes: every story only through
``export_policy.export_view`` (the one rule for what may leave), plus the withdrawal notices
owed to the bundle's recipients (``withdrawal_notices``: only to those that were sent the story).
``write_bundle`` then writes the file without touching the database, and ``record_export`` notes
it in the export ledger and marks the notices sent to those recipients.

The file appears only once whole, and no plaintext is ever written outside the data folder: the
zip is written to the data folder's private ``tmp/`` (``staging.py``), then encrypted from there
into a hidden partial file in the target folder (ciphertext only) and renamed into place. A
plain bundle, which the person asked for, is moved out only once whole. A failure or a cancel
leaves nothing behind; a crash leaves its partial files until the next start removes them.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pyrage
from pyrage import x25519
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper import __version__
from storykeeper.core import audit, clock, faults
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bulk import insert_in_slices
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.document import (
    BUNDLE_STORIES_MAX,
    RECIPIENTS_MAX,
    canonical,
    withdrawals_allowed,
)
from storykeeper.core.bundle.payload import PlannedStory, bundle_document
from storykeeper.core.bundle.reader import CHUNK as READER_CHUNK
from storykeeper.core.bundle.reader import MAX_RATIO
from storykeeper.core.bundle.schema import schema_problem
from storykeeper.core.bundle.staging import (
    PARTIAL_PREFIX,
    ExportStaging,
    staging_folder,
    staging_key,
)
from storykeeper.core.consent import WithdrawalNotice, consent_histories
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.export_policy import (
    ExportableStory,
    WithdrawalOnly,
    Withheld,
    export_view,
    export_view_for,
)
from storykeeper.core.keys import KeyStore
from storykeeper.core.mentioned import mentioned_by_story
from storykeeper.core.models import (
    AttachmentRow,
    ExportItemRow,
    ExportRow,
    StoryRow,
    StorytellerRow,
    StoryThemeRow,
    SupporterRow,
    ThemeRow,
)
from storykeeper.core.pseudonyms import storyteller_keys
from storykeeper.core.sealed_files import SealedFileError, SealingWriter, open_sealed
from storykeeper.core.stories import Story, story_from_row
from storykeeper.core.withdrawal_notices import bundle_recipients, mark_sent, notices_for

#: Every entry's time in the zip: fixed, so the same bundle makes the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20
#: Stories planned per round of queries.
PLAN_BATCH = 500


class ExportError(StorykeeperError):
    """The bundle could not be written; nothing was left behind."""


class ExportCancelled(ExportError):
    def __init__(self) -> None:
        super().__init__("The export was cancelled; no bundle was written.")


class Selection(enum.StrEnum):
    ALL = "all"
    SINCE_LAST = "since_last"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class ExportPlan:
    stories: list[PlannedStory]
    withdrawals: list[WithdrawalNotice]
    #: Stories chosen that may not leave, each with the reason in words.
    left_out: list[Withheld]
    #: Withdrawals waiting beyond what one bundle may carry: the next export sends them.
    withdrawals_waiting: int = 0
    #: Whom the plan is for, as the ledger names them ("plain" for a plain bundle): the notices
    #: above are only for them, so the plan is written for no one else.
    recipients: tuple[str, ...] = ()
    #: Withdrawals owed to one of the recipients but held back: another recipient of this
    #: bundle never had the story, and would learn from the notice that it existed.
    withdrawals_held_back: int = 0
    #: Withdrawals owed only to recipients this bundle does not go to.
    withdrawals_for_others: int = 0

    @property
    def media_left_out(self) -> int:
        return sum(s.media_left_out for s in self.stories)

    @property
    def empty(self) -> bool:
        return not self.stories and not self.withdrawals


@dataclass(frozen=True)
class ExportResult:
    bundle_id: str
    path: Path
    stories: list[tuple[str, int]]
    withdrawals: list[str]
    recipients: list[str]
    plain: bool
    media_files: int
    size: int
    left_out: list[Withheld] = field(default_factory=list)
    #: Attachments of the stories sent that stayed here: consent does not share media.
    media_left_out: int = 0
    #: Withdrawals left for the next bundle: one carries at most ``withdrawals_allowed``.
    withdrawals_waiting: int = 0
    #: Withdrawals held back: a recipient of this bundle never had their stories.
    withdrawals_held_back: int = 0
    #: Withdrawals owed only to recipients this bundle does not go to.
    withdrawals_for_others: int = 0


def _chosen_ids(session: Session, selection: Selection, story_ids: Iterable[str]) -> list[str]:
    if selection is Selection.CHOSEN:
        return list(dict.fromkeys(story_ids))
    if selection is Selection.ALL:
        return list(session.scalars(select(StoryRow.uuid).order_by(StoryRow.id)))
    # New or changed since last exported: never exported, or a newer revision than was sent.
    sent = (
        select(ExportItemRow.story_uuid, func.max(ExportItemRow.revision).label("revision"))
        .group_by(ExportItemRow.story_uuid)
        .subquery()
    )
    stmt = (
        select(StoryRow.uuid)
        .outerjoin(sent, sent.c.story_uuid == StoryRow.uuid)
        .where((sent.c.revision.is_(None)) | (StoryRow.revision > sent.c.revision))
        .order_by(StoryRow.id)
    )
    return list(session.scalars(stmt))


def _stories(session: Session, story_ids: Sequence[str]) -> dict[str, Story]:
    """``get_stories`` for an export, from plain rows: each story's columns with its
    storyteller's and supporter's in one joined query, then its themes and attachments.

    Made into stories by ``story_from_row``, the one conversion, from rows shaped as the ORM's
    (the attributes it reads, no more). Loading, identifying and tracking an ORM object for
    every story, storyteller, supporter and theme link was a quarter of planning an export of
    100,000 stories (issue 21); the plan's test compares every decision with one made from
    ``get_story`` (tests/core/test_export_speedups.py).
    """
    stories, tellers, supporters = (
        StoryRow.__table__,
        StorytellerRow.__table__,
        SupporterRow.__table__,
    )
    rows = session.execute(
        select(
            stories,
            tellers.c.uuid.label("teller_uuid"),
            tellers.c.display_name.label("teller_name"),
            tellers.c.pseudonym.label("teller_pseudonym"),
            supporters.c.uuid.label("supporter_uuid"),
            supporters.c.name.label("supporter_name"),
        )
        .join(tellers, tellers.c.id == stories.c.storyteller_id)
        .outerjoin(supporters, supporters.c.id == stories.c.supporter_id)
        .where(stories.c.uuid.in_(story_ids))
    ).all()
    themes: dict[int, list[SimpleNamespace]] = {row.id: [] for row in rows}
    for link in session.execute(
        select(StoryThemeRow.story_id, StoryThemeRow.polarity, ThemeRow.name)
        .join(ThemeRow, ThemeRow.id == StoryThemeRow.theme_id)
        .where(StoryThemeRow.story_id.in_(list(themes)))
    ):
        themes[link.story_id].append(
            SimpleNamespace(theme=SimpleNamespace(name=link.name), polarity=link.polarity)
        )
    attachments: dict[int, list[Any]] = {row.id: [] for row in rows}
    for attachment in session.execute(
        select(AttachmentRow.__table__)
        .where(AttachmentRow.story_id.in_(list(attachments)))
        .order_by(AttachmentRow.id)
    ):
        attachments[attachment.story_id].append(attachment)
    found = {}
    for row in rows:
        shaped = SimpleNamespace(
            **row._mapping,
            storyteller=SimpleNamespace(
                uuid=row.teller_uuid, display_name=row.teller_name, pseudonym=row.teller_pseudonym
            ),
            supporter=None
            if row.supporter_uuid is None
            else SimpleNamespace(uuid=row.supporter_uuid, name=row.supporter_name),
            themes=themes[row.id],
        )
        found[row.uuid] = story_from_row(cast(StoryRow, shaped), attachments[row.id])
    return found


def plan_export(
    session: Session,
    selection: Selection,
    story_ids: Iterable[str] = (),
    *,
    recipients: Sequence[str] = (),
) -> ExportPlan:
    """What would leave for ``recipients`` (age recipients, or ``["plain"]`` for a plain
    bundle), and what would not and why. Reads only. A plan for nobody carries no withdrawal
    notices: a notice goes only to those who were sent its story."""
    stories: list[PlannedStory] = []
    left_out: list[Withheld] = []
    keys_of = storyteller_keys(session)

    def take(decision: ExportableStory | Withheld | WithdrawalOnly) -> None:
        if isinstance(decision, ExportableStory):
            key = None if decision.storyteller_named else keys_of(decision.storyteller_id)
            stories.append(PlannedStory.of(decision, key))
        elif isinstance(decision, Withheld):
            left_out.append(decision)
        # WithdrawalOnly: its notice is in the queue below, sent whether chosen or not.

    chosen = _chosen_ids(session, selection, story_ids)
    if selection is Selection.CHOSEN:
        # A person's few ids, perhaps shortened: resolved one by one, with a message if unknown.
        for story_id in chosen:
            take(export_view_for(session, story_id))
    else:
        for start in range(0, len(chosen), PLAN_BATCH):
            batch = chosen[start : start + PLAN_BATCH]
            found = _stories(session, batch)
            histories = consent_histories(session, batch)
            mentioned = mentioned_by_story(session, batch)
            for i in batch:
                take(export_view(found[i], histories.get(i, []), mentioned.get(i, ())))
            session.expunge_all()  # keep the session small over 100,000 stories
    # Oldest first, as many as the coordinator takes in one bundle; the rest stay pending.
    notices = notices_for(session, recipients)
    pending = notices.pending
    room = withdrawals_allowed(len(stories))
    return ExportPlan(
        stories,
        pending[:room],
        left_out,
        max(0, len(pending) - room),
        recipients=tuple(bundle_recipients(recipients, plain=False)),
        withdrawals_held_back=notices.held_back,
        withdrawals_for_others=notices.for_others,
    )


def parse_recipients(texts: Iterable[str]) -> list[x25519.Recipient]:
    recipients = []
    for text in texts:
        try:
            recipients.append(x25519.Recipient.from_str(text.strip()))
        except Exception as exc:  # pyrage's RecipientError
            raise ExportError(f"“{text}” is not an age recipient (age1…).") from exc
    return recipients


def _method(data: bytes) -> int:
    """Deflate, unless the data would shrink so much that the reader takes it for a zip bomb
    (a long story of few distinct words can): such a file is stored as it is."""
    if len(data) <= READER_CHUNK:
        return zipfile.ZIP_DEFLATED  # the reader does not weigh small files
    # zlib's header and trailer (6 bytes) are not in the zip: count them as deflated bytes.
    if len(data) > MAX_RATIO * (len(zlib.compress(data)) - 6):
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


class _Bag:
    """Writes a bag's files into the zip under one top-level folder, hashing as it goes."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive = archive
        self.name = name
        self.payload: dict[str, str] = {}  # path in the bag → sha512
        self.octets = 0

    def _info(self, path: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.name}/{path}", date_time=ZIP_TIME)
        info.compress_type = compress
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        info.create_system = 3  # Unix, so the mode above means what it says
        return info

    def add(self, path: str, data: bytes) -> str:
        digest = hashlib.sha512(data).hexdigest()
        self.archive.writestr(self._info(path, _method(data)), data)
        if path.startswith("data/"):
            self.payload[path] = digest
            self.octets += len(data)
        return digest

    def add_file(
        self, path: str, media: MediaStore, sha256: str, worker: ThreadPoolExecutor | None = None
    ) -> None:
        """Copy a media file in (its plaintext, read through ``media``: decrypted as it is read
        in an encrypted store, never written anywhere in the clear), checking it is still the
        file its name promises.

        With a ``worker``, the SHA-512 (for the manifest) runs on it while this thread does the
        SHA-256 and the copy: hashlib lets go of the GIL, so on two cores they overlap.
        """
        check, digest, size = hashlib.sha256(), hashlib.sha512(), 0
        pending: Future[None] | None = None
        source = media.path_for(sha256)
        damaged = ExportError(
            f"The media file {source} is damaged (its content no longer matches its name). "
            "Run “storykeeper check” to find every damaged file."
        )
        try:
            inside = media.open(sha256)
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise ExportError(
                f"The media file {source} is missing. Run “storykeeper check” to see what else is."
            ) from exc
        # Media are compressed already: stored, not deflated.
        try:
            with (
                inside,
                self.archive.open(
                    self._info(path, zipfile.ZIP_STORED), "w", force_zip64=True
                ) as out,
            ):
                while chunk := inside.read(CHUNK):
                    if worker is None:
                        digest.update(chunk)
                    else:
                        if pending is not None:
                            pending.result()  # in order: each update after the one before
                        pending = worker.submit(digest.update, chunk)
                    check.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except SealedFileError as exc:
            raise damaged from exc
        if pending is not None:
            pending.result()
        if check.hexdigest() != sha256:
            raise damaged
        self.payload[path] = digest.hexdigest()
        self.octets += size


def _fsync(path: Path) -> None:
    # "r+b": Windows syncs a file only through a handle that may write to it.
    with path.open("r+b") as opened:
        os.fsync(opened.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # a folder cannot be opened for syncing on Windows
        return
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _sweep(folder: Path, staging: Path) -> None:
    """Remove what an earlier, killed export left in ``folder`` (one this program's next start
    did not know of: an older version's, or one of another data folder), but never the partial
    file of an export another process is writing now (it holds its lock in ``staging``)."""
    for leftover in folder.glob(f"{PARTIAL_PREFIX}*"):
        running = [lock for lock in staging.glob("export-*.lock") if lock.stem[7:] in leftover.name]
        if not running:
            leftover.unlink(missing_ok=True)


def _move_out(staged: ExportStaging, target: Path, key: bytes) -> None:
    """Put the finished plain zip (a plain bundle, asked for) at ``target``: decrypted from the
    staged copy into a noted partial file beside ``target`` and renamed, so the name appears
    only once whole."""
    partial = staged.outside(target.parent, ".zip")
    with open_sealed(key, staged.zipped) as zipped, partial.open("wb") as out:
        shutil.copyfileobj(zipped, out, CHUNK)
    _fsync(partial)
    partial.replace(target)


def refuse_unfit(plan: ExportPlan) -> None:
    """Refuse, before anything is written or signed, an export the coordinator would refuse.

    The reader refuses a whole bundle for one story it cannot take; the advocate, who can put
    the story right, is the one to hear which story and why.
    """
    unfit = [s.problem for s in plan.stories if s.problem]
    if unfit:
        more = f" (and {len(unfit) - 1:,} more)" if len(unfit) > 1 else ""
        raise ExportError(
            f"The coordinator would refuse the story {unfit[0]}{more}. Correct it, or export "
            "without it; nothing was written."
        )
    for count, what in ((len(plan.stories), "stories"), (len(plan.withdrawals), "withdrawals")):
        if count > BUNDLE_STORIES_MAX:
            raise ExportError(
                f"A bundle carries at most {BUNDLE_STORIES_MAX:,} {what}; this one would hold "
                f"{count:,}. Export “since the last export”, or in parts."
            )


def bundle_file_name(bundle_id: str, plain: bool) -> str:
    return f"storykeeper-{bundle_id}.zip" + ("" if plain else ".age")


def write_bundle(
    plan: ExportPlan,
    *,
    keys: KeyStore,
    media: MediaStore,
    out: Path,
    recipients: list[str],
    plain: bool = False,
    organisation: str = "Storykeeper",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    staging: Path | None = None,
) -> ExportResult:
    """Write ``plan`` as one bundle. ``out`` is a folder (the file is named by its id) or a file.

    ``staging`` is the data folder's private folder for the plaintext zip (default: the one
    beside ``keys``); nothing but ciphertext, or the finished plain bundle, is written to ``out``.
    """
    if plan.empty:
        raise ExportError("There is nothing to export: no story chosen may leave this computer.")
    refuse_unfit(plan)
    if len(recipients) > RECIPIENTS_MAX:
        raise ExportError(
            f"A bundle can be encrypted to at most {RECIPIENTS_MAX} recipients; choose fewer."
        )
    if not plain and not recipients:
        raise ExportError(
            "Nobody to encrypt the bundle to: add the coordinator's key with "
            "“storykeeper recipients add age1… --label NAME”, or give --to."
        )
    age_recipients = [] if plain else parse_recipients(recipients)
    if plan.withdrawals and set(plan.recipients) != set(
        bundle_recipients([str(r) for r in age_recipients], plain)
    ):
        # Its notices were chosen for those recipients: another could learn a story existed.
        raise ExportError(
            "The chosen recipients changed after the export was planned; plan it again. "
            "Nothing was written."
        )
    # Whom the pseudonymous storyteller ids are derived for: exactly this bundle's recipients.
    sent_to = bundle_recipients([str(r) for r in age_recipients], plain)
    device = keys.ensure()
    signer = keys.secret_key()
    bundle_id = str(uuid.uuid4())
    bag_name = f"storykeeper-{bundle_id}"
    target = out / bundle_file_name(bundle_id, plain) if out.is_dir() else out
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"The folder {folder} does not exist: choose one that does.")
    staging = staging or staging_folder(keys.folder.parent)  # keys/ is in the data folder
    _sweep(folder, staging)
    total = len(plan.stories) + sum(len(s.media) for s in plan.stories) + 2
    done = 0

    def step() -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        done += 1
        if progress is not None:
            progress(done, total)

    media_names: set[str] = set()
    # Which folder is being written at the moment, so a full disk is named as the one it is.
    writing_in = staging
    # The staged zip is sealed as it is written, with a key only this process holds: the
    # people's words and media are never on the disk in the clear (staging.py). The zip module
    # cannot seek back in it, so each entry's sizes follow its data (a data descriptor).
    key = staging_key()
    try:
        with (
            ExportStaging(staging, bundle_id) as staged,
            staged.zipped.open("wb") as zipped_file,
            SealingWriter(key, zipped_file) as sealing,
            zipfile.ZipFile(sealing, "w") as archive,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-hash") as hasher,
        ):
            bag = _Bag(archive, bag_name)
            for story in sorted(plan.stories, key=lambda s: s.story_id):
                bag.add(f"data/stories/{story.story_id}.json", story.document(sent_to))
                step()
                for sha256 in story.media:
                    if sha256 not in media_names:
                        media_names.add(sha256)
                        bag.add_file(f"data/media/{sha256}", media, sha256, hasher)
                    step()
            shown_recipients = [str(r) for r in age_recipients]
            summary = bundle_document(
                bundle_id=bundle_id,
                program_version=__version__,
                created_at=clock.now(),
                signer_key_id=device.signing.key_id,
                recipients=shown_recipients,
                stories=plan.stories,
                withdrawals=plan.withdrawals,
            )
            broken = schema_problem(summary, "bundle", FORMAT)
            if broken is not None:  # a bug here, not the person's doing: never sign it
                raise ExportError(f"The bundle's summary would break its format at {broken}")
            bag.add("data/bundle.json", canonical(summary))
            step()
            info = [
                f"Bagging-Date: {clock.today().isoformat()}",
                f"Payload-Oxum: {bag.octets}.{len(bag.payload)}",
                f"External-Identifier: {bundle_id}",
                f"Source-Organization: {organisation}",
                f"Storykeeper-Bundle-Format: {FORMAT}",
                f"Storykeeper-Signer-Key-Id: {device.signing.key_id}",
                f"Storykeeper-Signer-Public-Key: {device.signing.public_key}",
                *(f"Storykeeper-Recipient: {r}" for r in shown_recipients or ["none (plain)"]),
            ]
            manifest = "".join(f"{h}  {p}\n" for p, h in sorted(bag.payload.items()))
            tags = {
                "bagit.txt": bag.add(
                    "bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
                ),
                "bag-info.txt": bag.add("bag-info.txt", ("\n".join(info) + "\n").encode()),
                "manifest-sha512.txt": bag.add("manifest-sha512.txt", manifest.encode()),
            }
            tag_manifest = "".join(f"{h}  {p}\n" for p, h in sorted(tags.items())).encode()
            bag.add("tagmanifest-sha512.txt", tag_manifest)
            trusted = f"storykeeper bundle {bundle_id} format {FORMAT} to " + (
                ",".join(shown_recipients) or "nobody (plain)"
            )
            signature = signer.sign(
                tag_manifest,
                untrusted_comment="signature from Storykeeper signing key",
                trusted_comment=trusted,
            )
            bag.add("tagmanifest-sha512.txt.minisig", bytes(signature) + b"\n")
            step()
            archive.close()  # whole on disk before any of it goes out
            sealing.close()
            zipped_file.flush()
            os.fsync(zipped_file.fileno())
            writing_in = folder
            if plain:
                _move_out(staged, target, key)
            else:
                sealed = staged.outside(folder, ".age")
                with open_sealed(key, staged.zipped) as zipped, sealed.open("wb") as out:
                    pyrage.encrypt_io(zipped, out, age_recipients)
                _fsync(sealed)
                sealed.replace(target)
            _fsync_folder(folder)
    except (OSError, pyrage.EncryptError) as exc:
        full = faults.disk_full(exc, writing_in, "No bundle was written.")
        if full is not None:
            raise full from exc
        if not isinstance(exc, OSError):
            raise
        raise ExportError(
            f"Could not write the bundle in {writing_in}: {exc.strerror or type(exc).__name__}."
        ) from exc
    return ExportResult(
        bundle_id=bundle_id,
        path=target,
        stories=[(s.story_id, s.revision) for s in plan.stories],
        withdrawals=[n.consent_id for n in plan.withdrawals],
        recipients=[str(r) for r in age_recipients],
        plain=plain,
        media_files=len(media_names),
        size=target.stat().st_size,
        left_out=plan.left_out,
        media_left_out=plan.media_left_out,
        withdrawals_waiting=plan.withdrawals_waiting,
        withdrawals_held_back=plan.withdrawals_held_back,
        withdrawals_for_others=plan.withdrawals_for_others,
    )


def record_export(session: Session, result: ExportResult) -> None:
    """Note the bundle in the export ledger and mark the withdrawal notices it carried as sent."""
    row = ExportRow(
        bundle_id=result.bundle_id,
        created_at=clock.now(),
        created_by=str(session.info.get("actor", "unknown")),
        file_name=result.path.name,
        recipients=json.dumps(result.recipients),
        plain=result.plain,
        withdrawals=len(result.withdrawals),
    )
    session.add(row)
    session.flush()
    # Not as ORM objects: at 100,000 stories they added 140 MB to the export's peak.
    insert_in_slices(
        session,
        ExportItemRow,
        ({"export_id": row.id, "story_uuid": s, "revision": r} for s, r in result.stories),
    )
    if result.withdrawals:
        mark_sent(
            session,
            result.withdrawals,
            result.bundle_id,
            bundle_recipients(result.recipients, result.plain),
        )
    audit.record(
        session,
        "bundle.exported",
        "bundle",
        result.bundle_id,
        {
            "stories": len(result.stories),
            "withdrawals": len(result.withdrawals),
            "plain": result.plain,
            "recipients": result.recipients,
        },
    )
