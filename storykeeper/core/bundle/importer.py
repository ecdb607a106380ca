"""Importing a bundle: read it as the reader checks it, then apply it in one transaction.

The order (BUNDLE.md, "Import rules"):

1. the reader decrypts it with this computer's age identities and checks the zip, the
   signature against the trusted signers (and this computer's own key), every hash and the
   summary's schema — a refusal ends here, kept in the ledger with its one reason;
2. the import ledger: a bundle already imported from the same signer changes nothing and
   says so (a bundle id belongs to its signer);
3. in **one** write transaction, every story file is read, hash-checked and validated, then
   merged (``merge.Merger``), then the withdrawals applied; media are staged and hash-checked
   first and put under their names only just before the commit;
4. the report is kept in the ledger in that same transaction.

Any failure after step 1 rolls everything back, removes the staged media, and keeps only the
refusal. A dry run does all of it and then rolls back. A process killed part-way leaves the
database as it was (SQLite's transaction) and, at worst, staged files that a later import sweeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock, trust
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bundle import report as ledger
from storykeeper.core.bundle.document import WITHDRAWALS_MAX, withdrawals_allowed
from storykeeper.core.bundle.incoming import place_all
from storykeeper.core.bundle.merge import Merger
from storykeeper.core.bundle.merge_people import Sender
from storykeeper.core.bundle.reader import (
    BundleRefused,
    OpenedBundle,
    UntrustedSigner,
    authenticates,
    check_story,
    encrypted_file_digest,
    open_bundle,
)
from storykeeper.core.bundle.report import REASON_MAX, ImportReport, Outcome, StoryLine, excerpt
from storykeeper.core.db import Store, refresh_planner_statistics
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.models import AttachmentRow
from storykeeper.core.stories import merge_search_index

Progress = Callable[[int, int], None]
#: Story files read and checked before the people they name are looked up together.
READ_BATCH = 500
THIS_COMPUTER = "this computer"


class ImportCancelled(StorykeeperError):
    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing changed.")


class _AlreadyImported(Exception):
    """Raised from the reader once the bundle proves to be one imported before."""

    def __init__(self, bundle_id: str, key_id: str, first: dt.datetime) -> None:
        self.bundle_id = bundle_id
        self.key_id = key_id
        self.first = first


class _DryRunDone(Exception):
    """Raised to roll the transaction back at the end of a dry run."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report


def import_bundle(
    store: Store,
    path: Path,
    *,
    actor: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    checking: Progress | None = None,
    accept_plain: bool = False,
) -> ImportReport:
    """Import one bundle file; the report says what came in, or the one reason it was refused.

    Raises only ``ImportCancelled`` (when ``cancelled`` says so) and errors of the machine
    itself (a full disk, say); every problem with the file is a refused report. ``checking``
    follows the hash check of every file (before the transaction), ``progress`` the stories
    and withdrawals applied (inside it); ``cancelled`` is asked during both. A bundle must be
    addressed to this computer and encrypted; ``accept_plain`` lets a plain one in (a
    coordinator's own tests).
    """

    def signed(bundle_id: str, key_id: str, content_digest: str) -> None:
        # The bundle is authentic; if it is here already, nothing else needs reading.
        with store.read() as session:
            earlier = ledger.imported_contents(session, bundle_id, key_id)
        if earlier is None:
            return
        first, contents = earlier
        if contents is not None and contents != content_digest:
            raise BundleRefused(
                f"The bundle {bundle_id} from {labels.get(key_id, key_id)} was imported on "
                f"{first.date().isoformat()} with other contents: the same bundle id cannot "
                "carry two bundles. Nothing changed; ask the sender which copy is right."
            )
        raise _AlreadyImported(bundle_id, key_id, first)

    def hashed(done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if checking is not None:
            checking(done, total)

    keys = store.keys
    own = keys.ensure().signing
    with store.read() as session:
        signers = trust.list_signers(session)
    labels = {s.key_id: s.label for s in signers if s.active}
    labels.setdefault(own.key_id, THIS_COMPUTER)
    fingerprints = {s.key_id: s.fingerprint for s in signers} | {own.key_id: own.fingerprint}
    revoked = {s.key_id: s for s in signers if not s.active}
    trusted = [keys.public_key(), *(s.minisign_key() for s in signers if s.active)]
    started = clock.now()
    # Taken before a byte is read: a write after it moves the change time, so the identity
    # kept once the file authenticates never stands for bytes that were not checked.
    identity = ledger.file_identity(path)
    digest = encrypted_file_digest(path)

    def already(
        bundle_id: str, key_id: str, first: dt.datetime, label: str, *, authenticated: bool = False
    ) -> ImportReport:
        """The report for a bundle imported before (nothing changes), kept in the ledger;
        ``authenticated``: this file's every byte was checked just now, and is remembered."""
        report = ImportReport(
            file=str(path),
            outcome=Outcome.ALREADY_IMPORTED,
            checked_at=clock.now(),
            bundle_id=bundle_id,
            signer_key_id=key_id,
            signer_label=label,
            signer_fingerprint=fingerprints.get(key_id),
            dry_run=dry_run,
            first_imported_at=first,
            file_digest=digest,
        )
        if not dry_run:
            with store.write(actor=actor) as session:
                ledger.record(session, report, actor)
                _remember(session, path, digest, identity, authenticated)
        return report

    # The very file imported before: known by its age header, without decrypting it.
    if digest is not None:
        with store.read() as session:
            earlier = ledger.imported_file(session, digest)
            known = ledger.authenticated_before(session, digest, identity)
        if earlier is not None:
            assert earlier.signer_key_id is not None and earlier.bundle_id is not None
            label = labels.get(earlier.signer_key_id, earlier.signer_label)
            # This file, unchanged since an import read every byte of it, is not read again;
            # any other copy (or this one written to since) is decrypted to nowhere first.
            verdict = True if known else authenticates(path, keys.age_identities())
            if verdict is False:
                # The header is the intact file's; the bytes after it are not: never "already
                # imported" (exit 0) for a copy that could not be imported at all. (With no key
                # here to check it, the header's answer stands: nothing changes either way.)
                reason = (
                    f"The bundle {earlier.bundle_id} from {label} was imported intact on "
                    f"{earlier.checked_at.date().isoformat()}; this copy is damaged (it cannot "
                    "be authenticated). Nothing changed."
                )
                refused = _refused(path, started, reason, earlier.signer_key_id, label)
                if not dry_run:
                    with store.write(actor=actor) as session:
                        ledger.record(session, refused, actor)
                return refused
            return already(
                earlier.bundle_id,
                earlier.signer_key_id,
                earlier.checked_at,
                label,
                authenticated=verdict is True and not known,
            )
    try:
        # Media are hashed against the manifest as they are copied in (merge.Merger._media), and
        # a media file no story uses is refused, so none goes unchecked: one pass, not two.
        with open_bundle(
            path,
            keys.age_identities(),
            trusted,
            hashed,
            signed,
            hash_later=lambda inside: inside.startswith("data/media/"),
            data_dir=store.paths.data_dir,  # the plaintext stays in the data folder's tmp/
            accept_plain=accept_plain,
        ) as bundle:
            sender = Sender(
                key_id=bundle.signer_key_id,
                label=labels.get(bundle.signer_key_id, bundle.signer_key_id),
                bundle_id=bundle.bundle_id,
                own=bundle.signer_key_id == own.key_id,
            )
            return _apply(
                store, path, bundle, sender, actor, dry_run, progress, cancelled, digest, identity
            )
    except UntrustedSigner as refusal:
        was = revoked.get(refusal.key_id)
        if was is not None and was.revoked_at is not None:
            reason = (
                f"The bundle is signed by the key of {was.label} (key id {was.key_id}), which "
                f"was revoked on {was.revoked_at.date().isoformat()}: bundles it signs are no "
                "longer accepted, whatever date they carry."
            )
            refused = _refused(path, started, reason, refusal.key_id, was.label)
        else:
            refused = _refused(
                path,
                started,
                refusal.message,
                refusal.key_id,
                fingerprint=refusal.fingerprint,
                untrusted_public_key=refusal.public_key,
            )
    except BundleRefused as refusal:
        refused = _refused(path, started, refusal.message)
    except _AlreadyImported as known_bundle:
        # Another encryption of a bundle imported before: the reader stopped at its summary.
        return already(
            known_bundle.bundle_id,
            known_bundle.key_id,
            known_bundle.first,
            labels.get(known_bundle.key_id, known_bundle.key_id),
        )
    if not dry_run:
        with store.write(actor=actor) as session:
            ledger.record(session, refused, actor)
    return refused


def _remember(
    session: Session, path: Path, digest: str | None, identity: str | None, authenticated: bool
) -> None:
    """Keep the identity of a file whose every byte authenticated, if it has not changed since
    it was taken (a file written to meanwhile is simply checked again next time)."""
    unchanged = identity is not None and ledger.file_identity(path) == identity
    if authenticated and digest is not None and identity is not None and unchanged:
        ledger.remember_authenticated(session, digest, identity)


def _refused(
    path: Path,
    started: dt.datetime,
    reason: str,
    key_id: str | None = None,
    label: str = "",
    *,
    fingerprint: str | None = None,
    untrusted_public_key: str | None = None,
) -> ImportReport:
    return ImportReport(
        file=str(path),
        outcome=Outcome.REFUSED,
        checked_at=started,
        reason=excerpt(reason, REASON_MAX),
        signer_key_id=key_id,
        signer_label=label,
        signer_fingerprint=fingerprint,
        untrusted_public_key=untrusted_public_key,
    )


def _story_paths(bundle: OpenedBundle) -> list[str]:
    """The story files the summary lists, each present; any other story file is refused."""
    listed = [f"data/stories/{entry['id']}.json" for entry in bundle.summary["stories"]]
    if len(set(listed)) != len(listed):
        raise BundleRefused("The bundle's summary lists a story twice.")
    for path in listed:
        if path not in bundle.payload:
            raise BundleRefused(f"The bundle's summary lists '{path}', which is not in it.")
    unlisted = {p for p in bundle.payload if p.startswith("data/stories/")} - set(listed)
    if unlisted:
        raise BundleRefused(f"File '{min(unlisted)}' is not listed in the bundle's summary.")
    return listed


def _apply(
    store: Store,
    path: Path,
    bundle: OpenedBundle,
    sender: Sender,
    actor: str,
    dry_run: bool,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    digest: str | None,
    identity: str | None,
) -> ImportReport:
    def finished(outcome: Outcome, **more: object) -> ImportReport:
        return ImportReport(
            file=str(path),
            outcome=outcome,
            checked_at=clock.now(),
            bundle_id=bundle.bundle_id,
            signer_key_id=sender.key_id,
            signer_label=sender.label,
            signer_fingerprint=bundle.signer_fingerprint,
            dry_run=dry_run,
            file_digest=digest,
            content_digest=bundle.content_digest,
            **more,  # type: ignore[arg-type]
        )

    if cancelled is not None and cancelled():
        raise ImportCancelled()
    story_paths = _story_paths(bundle)
    if len(bundle.summary["withdrawals"]) > withdrawals_allowed(len(story_paths)):
        # Each withdrawal of a story not held here leaves a tombstone: refused before anything
        # is looked up, so a flood of them costs neither time nor the store's space.
        raise BundleRefused(
            f"The bundle withdraws {len(bundle.summary['withdrawals']):,} stories, more than the "
            f"{WITHDRAWALS_MAX:,} a bundle may (or than the stories it carries); nothing was "
            "imported."
        )
    revisions = {entry["id"]: entry["revision"] for entry in bundle.summary["stories"]}
    withdrawals = bundle.summary["withdrawals"]
    total = len(story_paths) + len(withdrawals)
    media = store.media  # its key seals the media as they are staged
    merger: Merger | None = None
    try:
        with store.write(actor=actor) as session:
            first = ledger.first_import(session, bundle.bundle_id, sender.key_id)
            if first is not None:
                report = finished(Outcome.ALREADY_IMPORTED, first_imported_at=first)
                if dry_run:
                    raise _DryRunDone(report)
                ledger.record(session, report, actor)
                return report
            media.sweep_staging()
            merger = Merger(session, media, bundle, sender)
            merger.preload([*revisions, *(w["story_id"] for w in withdrawals)])
            lines: list[StoryLine] = []
            for start in range(0, len(story_paths), READ_BATCH):
                # Read and checked a batch at a time, so the people they name are looked up
                # together rather than a query each.
                batch: list[tuple[str, dict[str, Any]]] = []
                for story_path in story_paths[start : start + READ_BATCH]:
                    if cancelled is not None and cancelled():
                        raise ImportCancelled()
                    document = check_story(bundle, story_path)
                    if document["revision"] != revisions[document["id"]]:
                        raise BundleRefused(
                            f"'{story_path}' is at revision {document['revision']}, but the "
                            f"bundle's summary says {revisions[document['id']]}."
                        )
                    batch.append((story_path, document))
                # The batch before is written, so its people need not stay in memory.
                merger.flush_pending()
                merger.people.forget()
                merger.people.preload(document for _, document in batch)
                for done, (story_path, document) in enumerate(batch, start=start):
                    lines.append(merger.story(story_path, document))
                    if progress is not None and done % 100 == 0:
                        progress(done, total)
            merger.flush_pending()
            unused = {
                p[len("data/media/") :] for p in bundle.payload if p.startswith("data/media/")
            } - merger.referenced
            if unused:
                raise BundleRefused(
                    f"File 'data/media/{min(unused)}' is in the bundle but no story uses it."
                )
            for done, notice in enumerate(withdrawals, start=len(story_paths)):
                if cancelled is not None and cancelled():
                    raise ImportCancelled()
                lines.append(merger.withdrawal(notice))
                if progress is not None and done % 100 == 0:
                    progress(done, total)
            if merger.purged:
                merge_search_index(session)
            refresh_planner_statistics(session)  # a large import changes the tables' shape
            report = finished(
                Outcome.IMPORTED, stories=tuple(lines), media_files=len(merger.incoming.staged)
            )
            if dry_run:
                raise _DryRunDone(report)
            ledger.record(session, report, actor)
            # The reader decrypted every byte of the file, each chunk authenticated.
            _remember(session, path, digest, identity, authenticated=True)
            audit.record(
                session,
                "bundle.imported",
                "bundle",
                bundle.bundle_id,
                {
                    "signer": sender.key_id,
                    "format": bundle.format,
                    "stories": {a.value: report.count(a) for a in ledger.Action},
                    "media_files": report.media_files,
                },
            )
            session.flush()
            # Last of all, the media go under their names: if the commit still fails, they are
            # files no story refers to, which `check` reports — never a story without its file.
            place_all(
                media,
                [
                    staged
                    for staged in merger.incoming.staged.values()
                    if staged.sha256 not in merger.incoming.present
                ],
            )
        _discard_unused(store, media, merger.orphans)
        if progress is not None:
            progress(total, total)
        return report
    except _DryRunDone as done_dry:
        if progress is not None:
            progress(total, total)
        return done_dry.report
    except IntegrityError as exc:
        raise BundleRefused(
            "The bundle's records clash with records already here (an id used for two "
            "different things), so nothing was imported."
        ) from exc
    finally:
        if merger is not None:
            merger.close()
            for staged in merger.incoming.staged.values():
                media.unstage(staged)  # a no-op for those placed


def _discard_unused(store: Store, media: MediaStore, hashes: set[str]) -> None:
    """Remove media files no story uses any more, checked again now the import committed."""
    if not hashes:
        return
    with store.read() as session:
        used = set(
            session.scalars(select(AttachmentRow.sha256).where(AttachmentRow.sha256.in_(hashes)))
        )
    for sha in hashes - used:
        media.discard(sha)
