"""Bringing a checked bundle's stories and withdrawals into the store (BUNDLE.md, import rules).

Runs inside the importer's one write transaction, on documents the reader has already checked
against the signature, the manifests and the schema. It still trusts nothing the schema cannot
say: dates are parsed, text is cleaned as typed text is, media are hashed against their names,
and a story whose own consent history does not allow it to be here is not taken in.

- Stories are matched by UUID: a newer revision updates, an equal or older one is skipped. Only
  the sender a story came from may update or withdraw it, and a story withdrawn or deleted here
  never comes back.
- Storytellers and supporters are matched by UUID, themes by name (new ones are created).
- Consent is merged version by version: versions already here stay as they are (the history is
  append-only). A version here that the update holds under another id is a conflict, reported;
  the same version with other contents is a rewrite, and refuses the bundle. An update whose own
  newest consent no longer lets the coordinator hold the story, or its media or the name, is
  applied as that consent says: purged, or redacted to what may still be held.
- Media are copied to staged files, hashed, and put under their hash only when the importer
  commits; those no story uses any more afterwards are listed for removal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from storykeeper.core import clock
from storykeeper.core.attachments import MediaStore
from storykeeper.core.bundle.consent_check import (
    consent_gate,
    held_fields,
    held_words,
    mca_columns,
    reworded_only_by_names,
    same_but_words,
    sent_fields,
    sent_words,
    stand_ins,
)
from storykeeper.core.bundle.document import (
    AttachmentValues,
    ConsentValues,
    StoryValues,
    read_consent,
    read_story,
)
from storykeeper.core.bundle.incoming import IncomingMedia
from storykeeper.core.bundle.merge_people import IncomingPeople, Sender
from storykeeper.core.bundle.reader import (
    BundleRefused,
    OpenedBundle,
)
from storykeeper.core.bundle.report import QUOTE_MAX, Action, StoryLine, excerpt
from storykeeper.core.consent import AGREEING
from storykeeper.core.errors import ValidationError
from storykeeper.core.models import (
    AttachmentRow,
    ConsentRecordRow,
    StoryOriginRow,
    StoryRow,
    StoryThemeRow,
    StoryVersionRow,
    ThemeRow,
    TombstoneRow,
    with_content_digests,
)
from storykeeper.core.stories import delete_story, keep_version, story_from_row, version_details
from storykeeper.core.vocabulary import (
    AttachmentKind,
    ConsentScope,
    TombstoneReason,
)

#: Stories looked up per query when the bundle is read.
LOOKUP_BATCH = 500


#: New stories inserted together, a table at a time.
INSERT_BATCH = 500


@dataclass(frozen=True)
class _Pending:
    """A new story's rows, waiting for its batch to be inserted."""

    id: int
    uuid: str
    values: dict[str, Any]
    themes: list[tuple[ThemeRow, str]]
    consent: list[dict[str, Any]]
    attachments: list[dict[str, Any]]


@dataclass
class Merger:
    """Applies one bundle's documents in one session; collects what the importer must finish."""

    session: Session
    media: MediaStore
    bundle: OpenedBundle
    sender: Sender
    now: dt.datetime = field(default_factory=clock.now)
    #: Hashes of files no story may use any more once this commits.
    orphans: set[str] = field(default_factory=set)
    #: Every media file some story in the bundle names, taken in or not.
    referenced: set[str] = field(default_factory=set)
    purged: int = 0

    def __post_init__(self) -> None:
        self._themes = {row.name.casefold(): row for row in self.session.scalars(select(ThemeRow))}
        self.people = IncomingPeople(self.session, self.sender, self.now)
        self._stories: dict[str, StoryRow] = {}
        self._origins: dict[int, str] = {}
        self._tombstones: dict[str, TombstoneRow] = {}
        #: New stories by UUID → the id given them (inserted, or waiting in ``_pending``).
        self._new: dict[str, int] = {}
        self._pending: list[_Pending] = []
        self._next_id: int | None = None
        #: The bundle's media, checked against their names and staged as stories name them.
        self.incoming = IncomingMedia(self.bundle, self.media)

    def close(self) -> None:
        self.incoming.close()

    # --- looking up what is already here, a batch at a time ---

    def preload(self, story_ids: Iterable[str]) -> None:
        """Find the stories (and tombstones) with these ids in a few queries, not one each."""
        ids = list(story_ids)
        for start in range(0, len(ids), LOOKUP_BATCH):
            chunk = ids[start : start + LOOKUP_BATCH]
            for row in self.session.scalars(select(StoryRow).where(StoryRow.uuid.in_(chunk))):
                self._stories[row.uuid] = row
            for row in self.session.scalars(
                select(TombstoneRow).where(TombstoneRow.story_uuid.in_(chunk))
            ):
                self._tombstones[row.story_uuid] = row
        pks = [row.id for row in self._stories.values()]
        for start in range(0, len(pks), LOOKUP_BATCH):
            chunk_pks = pks[start : start + LOOKUP_BATCH]
            for story_pk, key_id in self.session.execute(
                select(StoryOriginRow.story_id, StoryOriginRow.signer_key_id).where(
                    StoryOriginRow.story_id.in_(chunk_pks)
                )
            ):
                self._origins[story_pk] = key_id

    def _origin_problem(self, story_pk: int) -> str | None:
        origin = self._origins.get(story_pk)
        if origin is None:
            return "a story with the same id was written on this computer; it was left as it is"
        if origin != self.sender.key_id:
            return (
                f"it came from another sender (key {origin}, {self.people.label_of(origin)}); only "
                f"they can change it, not {excerpt(self.sender.label, QUOTE_MAX)} "
                f"(key {self.sender.key_id})"
            )
        return None

    # --- one story ---

    def story(self, path: str, document: dict[str, Any]) -> StoryLine:
        story_id = document["id"]
        title = document["title"]
        self.referenced.update(a["sha256"] for a in document["attachments"])
        if path != f"data/stories/{story_id}.json":
            raise BundleRefused(
                f"'{path}' holds the story {story_id}, not the one it is named for."
            )
        refusal = consent_gate(document)
        # A story held here from this sender is an update: its own consent may end what the
        # coordinator holds, which is applied below once the update is known to be newer.
        held = self._stories.get(story_id)
        if refusal and (held is None or self._origin_problem(held.id) is not None):
            return StoryLine(story_id, Action.SKIPPED, f"not taken in: {refusal}")
        gone = self._tombstones.get(story_id)
        if gone is not None and gone.signer_key_id in (None, self.sender.key_id):
            when = gone.occurred_at.date().isoformat()
            return StoryLine(
                story_id,
                Action.SKIPPED,
                f"it was {gone.reason} here on {when}; it is not brought back",
            )
        if gone is not None:
            # Another signer withdrew a story of this id before any arrived: that withdrawal
            # was theirs alone, and the id now belongs to this signer's story.
            self.session.delete(gone)
            del self._tombstones[story_id]
        row = self._stories.get(story_id)
        if row is not None:
            problem = self._origin_problem(row.id)
            if problem:
                return StoryLine(story_id, Action.SKIPPED, problem, title)
            if row.revision >= document["revision"]:
                same = "the same" if row.revision == document["revision"] else "a newer"
                return StoryLine(
                    story_id,
                    Action.SKIPPED,
                    f"this computer already has {same} revision ({row.revision})",
                    row.title,
                )
            conflict = self._consent_conflict(
                path, row, document["consent"]["history"], stand_ins(document, row)
            )
            if conflict:
                return StoryLine(story_id, Action.SKIPPED, conflict, row.title)
            if refusal:
                return self._consent_ended(path, row, document, refusal)
        before = None if row is None else row.revision
        try:
            values = read_story(document)
            # Lookups must not flush the rows waiting for the next batch, one by one.
            with self.session.no_autoflush:
                if row is None:
                    self._add(values)
                else:
                    self._update(row, values)
        except ValidationError as exc:
            raise BundleRefused(f"'{path}' holds a value this program cannot take: {exc}") from exc
        action = Action.NEW if row is None else Action.UPDATED
        # Worded to read true both after an import and in a dry run's report.
        detail = f"revision {document['revision']}" + (
            f" in place of revision {before}" if before is not None else ""
        )
        return StoryLine(story_id, action, detail, title)

    def _consent_conflict(
        self, path: str, row: StoryRow, history: list[dict[str, Any]], stand_ins: list[str]
    ) -> str | None:
        """Why the update's consent history cannot follow the one here, or None.

        The history here is what the coordinator holds and checks against: a version here that
        the update has under another id is a conflict to settle (the story is skipped); the same
        version, same id, with other contents is a rewrite, and refuses the bundle.
        """
        here = {
            record.version: record
            for record in self.session.scalars(
                select(ConsentRecordRow).where(ConsentRecordRow.story_id == row.id)
            )
        }
        incoming = {record["version"]: record for record in history}
        # Words may differ where a name rule was at work, here or there (consent_check.sent_words).
        named = ConsentScope.PUBLISH_WITH_NAME.value
        names_sent = named in max(history, key=lambda r: r["version"])["scopes"]
        names_held = bool(here) and getattr(here[max(here)], named)
        reworded: list[tuple[ConsentRecordRow, dict[str, str]]] = []
        for version, held in sorted(here.items()):
            if version not in incoming:
                return (
                    f"not updated: consent version {version} was recorded here and the sender "
                    "does not have it; settle the consent with the sender first"
                )
            if incoming[version]["id"] != held.uuid:
                return (
                    f"not updated: its consent version {version} differs from the one here; "
                    "settle the consent with the sender first"
                )
            try:
                sent = read_consent(incoming[version])
            except ValidationError as exc:
                raise BundleRefused(
                    f"'{path}' holds a value this program cannot take: {exc}"
                ) from exc
            if sent_fields(sent) != held_fields(held):
                if (
                    (names_sent and names_held)
                    or not same_but_words(sent, held)
                    or not reworded_only_by_names(held_words(held), sent_words(sent), stand_ins)
                ):
                    raise BundleRefused(
                        f"Story {row.uuid} changes its consent version {version}, which this "
                        "computer already holds: a consent version is never changed once "
                        "recorded, only followed by a new one."
                    )
                reworded.append((held, sent_words(sent)))
        # The words held follow the sender's rule now in force: without the name, the name
        # goes from the versions held too; with it again, the words come back as recorded.
        for held, words in reworded:
            for column, value in words.items():
                setattr(held, column, value)
        return None

    def _consent_ended(
        self, path: str, row: StoryRow, document: dict[str, Any], refusal: str
    ) -> StoryLine:
        """An update of a story held here whose own newest consent does not let it be here.

        Sent without a withdrawal notice, it would have left the old content here marked as
        given. What its consent history says is applied instead: consent that no longer shares
        with the coordinator purges the story, as a notice would; consent that still shares but
        that the update breaks (media or the name without consent) is taken in alone, and what
        it no longer allows is removed. The update's own content never comes in.
        """
        try:
            values = read_story(document)
        except ValidationError as exc:
            raise BundleRefused(f"'{path}' holds a value this program cannot take: {exc}") from exc
        newest = values.consent[-1]
        said = f"its newest consent (version {newest.version})"
        if newest.decision not in AGREEING:
            said += f" is “{newest.decision.value}”"
        elif ConsentScope.SHARE_WITH_COORDINATOR.value not in newest.scopes:
            said += " no longer includes sharing with the coordinator"
        else:
            return self._consent_only(row, values, refusal)
        self.flush_pending()
        _, orphans = delete_story(
            self.session,
            row.uuid,
            reason=TombstoneReason.WITHDRAWN,
            note=(
                f"Consent {newest.decision.value} on {newest.decided_on.isoformat()} (version "
                f"{newest.version}); the update that said so came in bundle "
                f"{self.sender.bundle_id} from {self.sender.label}, without a withdrawal notice."
            ),
            merge_index=False,
        )
        self._stories.pop(row.uuid, None)
        self.orphans.update(orphans)
        self.purged += 1
        return StoryLine(
            values.id, Action.WITHDRAWN, f"{said}: its content and media go, a tombstone stays"
        )

    def _consent_only(self, row: StoryRow, values: StoryValues, refusal: str) -> StoryLine:
        """Take in the update's new consent versions, and remove what they no longer allow."""
        newest = values.consent[-1]
        have = set(
            self.session.scalars(
                select(ConsentRecordRow.version).where(ConsentRecordRow.story_id == row.id)
            )
        )
        with self.session.no_autoflush:
            for record in self._consent_rows(values.consent, have):
                self.session.add(ConsentRecordRow(**record, story_id=row.id))
        derived = values.derived_consent
        row.consent_state = derived.state.value
        row.consent_review_by = derived.review_by
        row.updated_at = self.now
        teller = row.storyteller
        if (
            ConsentScope.PUBLISH_WITH_NAME.value not in newest.scopes
            and teller.display_name != teller.pseudonym
            and not self.people.name_allowed(teller, row.uuid)
        ):
            # The name the coordinator was given goes; its own pseudonym stands in for it.
            teller.display_name = teller.pseudonym
            teller.updated_at = self.now
        if ConsentScope.SHARE_MEDIA.value not in newest.scopes:
            for attachment in self.session.scalars(
                select(AttachmentRow).where(AttachmentRow.story_id == row.id)
            ):
                self.orphans.add(attachment.sha256)
                self.session.delete(attachment)
        self.session.flush()
        return StoryLine(
            values.id,
            Action.UPDATED,
            f"only its consent was taken in (version {newest.version}): {refusal}; what that "
            "consent no longer allows was removed here",
            row.title,
        )

    def _story_values(self, story: StoryValues) -> dict[str, Any]:
        """The story's columns (people and themes as rows)."""
        derived = story.derived_consent
        return {
            "storyteller": self.people.storyteller(
                story.storyteller, story.storyteller_named, story_uuid=story.id
            ),
            "supporter": self.people.supporter(story.supporter),
            "title": story.title,
            "own_words": story.own_words,
            "recorder_notes": story.recorder_notes,
            "told_on": story.told_on,
            "setting": story.setting,
            "how_told": story.how_told,
            "language": story.language,
            "status": story.status,
            "revision": story.revision,
            "consent_state": derived.state.value,
            "consent_review_by": derived.review_by,
            "updated_at": self.now,
        }

    def _themes_of(self, story: StoryValues) -> dict[str, tuple[ThemeRow, str]]:
        links: dict[str, tuple[ThemeRow, str]] = {}
        for name, polarity in story.themes:
            theme = self._theme(name)
            links.setdefault(theme.name.casefold(), (theme, polarity))
        return links

    def _add(self, story: StoryValues) -> None:
        """A story new here: its rows wait in ``_pending`` and go in with a batch's others."""
        if self._next_id is None:
            self._next_id = (self.session.scalar(select(func.max(StoryRow.id))) or 0) + 1
        story_pk, self._next_id = self._next_id, self._next_id + 1
        pending = _Pending(
            id=story_pk,
            uuid=story.id,
            values=self._story_values(story),
            themes=list(self._themes_of(story).values()),
            consent=self._consent_rows(story.consent, have=set()),
            attachments=self._attachment_rows(story.id, story.attachments),
        )
        self._pending.append(pending)
        self._new[pending.uuid] = story_pk
        self._origins[story_pk] = self.sender.key_id
        if len(self._pending) >= INSERT_BATCH:
            self.flush_pending()

    def flush_pending(self) -> None:
        """Insert the waiting new stories and everything of theirs, a table at a time.

        One executemany per table instead of an ORM flush per story: at 10,000 stories the
        difference is most of the import's time (docs/performance.md).
        """
        if not self._pending:
            return
        self.session.flush()  # storytellers, supporters and themes made for them get their ids
        actor = f"{self.sender.label} (imported)"[:200]
        rows: dict[type, list[dict[str, Any]]] = {
            StoryRow: [],
            StoryThemeRow: [],
            ConsentRecordRow: [],
            AttachmentRow: [],
            StoryOriginRow: [],
            StoryVersionRow: [],
        }
        for pending in self._pending:
            values = dict(pending.values)
            storyteller, supporter = values.pop("storyteller"), values.pop("supporter")
            rows[StoryRow].append(
                {
                    **values,
                    "id": pending.id,
                    "uuid": pending.uuid,
                    "storyteller_id": storyteller.id,
                    "supporter_id": supporter.id if supporter else None,
                    "origin_device": self.sender.key_id,
                    "created_at": self.now,
                }
            )
            rows[StoryThemeRow].extend(
                {"story_id": pending.id, "theme_id": theme.id, "polarity": polarity}
                for theme, polarity in pending.themes
            )
            for record in pending.consent:
                witness = record["witness"]
                rows[ConsentRecordRow].append(
                    {
                        **{k: v for k, v in record.items() if k != "witness"},
                        "story_id": pending.id,
                        "witness_id": witness.id if witness else None,
                    }
                )
            rows[AttachmentRow].extend({**a, "story_id": pending.id} for a in pending.attachments)
            rows[StoryOriginRow].append(
                {
                    "story_id": pending.id,
                    "signer_key_id": self.sender.key_id,
                    "bundle_id": self.sender.bundle_id,
                    "imported_at": self.now,
                }
            )
            # Each revision that comes in is its own version, saved by whoever sent it.
            rows[StoryVersionRow].append(
                {
                    "story_id": pending.id,
                    "revision": values["revision"],
                    "saved_at": self.now,
                    "actor": actor,
                    "title": values["title"],
                    "own_words": values["own_words"],
                    "recorder_notes": values["recorder_notes"],
                    "details": version_details(
                        how_told=values["how_told"],
                        language=values["language"],
                        setting=values["setting"],
                        status=values["status"],
                        storyteller_uuid=storyteller.uuid,
                        supporter_uuid=supporter.uuid if supporter else None,
                        themes=[(theme.name, polarity) for theme, polarity in pending.themes],
                        told_on=values["told_on"],
                    ),
                }
            )
        for model, table_rows in rows.items():
            if table_rows:
                # A bulk insert skips the ORM's events: the digests are added here.
                self.session.execute(insert(model), with_content_digests(model, table_rows))
        self._pending.clear()

    def _update(self, row: StoryRow, story: StoryValues) -> None:
        """A newer revision of a story here (rare: one ORM flush each is fine)."""
        before = row.storyteller
        for name, value in self._story_values(story).items():
            setattr(row, name, value)
        if row.storyteller is not before:  # sent with or without the name since, say
            self.people.left(before, row.uuid)
        self.session.execute(delete(StoryThemeRow).where(StoryThemeRow.story_id == row.id))
        self.session.expire(row, ["themes"])
        row.themes = [
            StoryThemeRow(theme=theme, polarity=polarity)
            for theme, polarity in self._themes_of(story).values()
        ]
        have = set(
            self.session.scalars(
                select(ConsentRecordRow.version).where(ConsentRecordRow.story_id == row.id)
            )
        )
        for record in self._consent_rows(story.consent, have):
            self.session.add(ConsentRecordRow(**record, story_id=row.id))
        self._replace_attachments(row, story.attachments)
        origin = self.session.get(StoryOriginRow, row.id)
        assert origin is not None  # only the story's own sender reaches here
        origin.bundle_id = self.sender.bundle_id
        origin.imported_at = self.now
        self.session.flush()
        keep_version(
            self.session,
            row.id,
            story_from_row(row, []),
            actor=f"{self.sender.label} (imported)"[:200],
            coalesce=False,
        )

    # --- themes ---

    def _theme(self, clean: str) -> ThemeRow:
        row = self._themes.get(clean.casefold())
        if row is None:
            row = ThemeRow(name=clean, created_at=self.now)
            self.session.add(row)
            self._themes[clean.casefold()] = row
        return row

    # --- consent and media ---

    def _consent_rows(
        self, history: tuple[ConsentValues, ...], have: set[int]
    ) -> list[dict[str, Any]]:
        """The consent versions not yet here, as column values (the witness as a row)."""
        rows = []
        for record in history:
            if record.version in have:
                continue  # the history is append-only: a version here stays as it is
            rows.append(
                {
                    "uuid": record.id,
                    "version": record.version,
                    "decision": record.decision.value,
                    "basis": record.basis,
                    "decided_by": record.decided_by,
                    "method": record.method,
                    "persons_words": record.persons_words,
                    "conditions": record.conditions,
                    "capacity_notes": record.capacity_notes,
                    "witness": self.people.supporter(record.witness),
                    "consulted": record.consulted,
                    "advocate_involved": record.advocate_involved,
                    "best_interests_reasons": record.best_interests_reasons,
                    "decided_on": record.decided_on,
                    "review_by": record.review_by,
                    "recorded_at": record.recorded_at,
                    **mca_columns(record),
                    **{scope.value: scope.value in record.scopes for scope in ConsentScope},
                }
            )
        return rows

    def _attachment_rows(
        self, story_id: str, attachments: tuple[AttachmentValues, ...]
    ) -> list[dict[str, Any]]:
        """Each attachment's columns, its file checked against its name and staged."""
        rows = []
        for attachment in attachments:
            sha = attachment.sha256
            if attachment.file != f"media/{sha}":
                raise BundleRefused(
                    f"An attachment of story {story_id} names its file "
                    f"'{excerpt(attachment.file, QUOTE_MAX)}' but its hash {sha[:12]}…."
                )
            size = self.incoming.check(sha)
            if size != attachment.size:
                raise BundleRefused(
                    f"File 'data/media/{sha}' is {size:,} bytes, not the {attachment.size:,} "
                    "its story says."
                )
            rows.append(
                {
                    "uuid": attachment.id,
                    "kind": AttachmentKind(attachment.kind).value,
                    "sha256": sha,
                    "size": size,
                    "media_type": attachment.media_type,
                    "original_name": attachment.original_name,
                    "created_at": self.now,
                }
            )
        return rows

    def _replace_attachments(
        self, row: StoryRow, attachments: tuple[AttachmentValues, ...]
    ) -> None:
        here = {
            a.uuid: a
            for a in self.session.scalars(
                select(AttachmentRow).where(AttachmentRow.story_id == row.id)
            )
        }
        wanted = set()
        for values in self._attachment_rows(row.uuid, attachments):
            wanted.add(values["uuid"])
            if values["uuid"] not in here:
                self.session.add(AttachmentRow(**values, story_id=row.id))
        for uuid, old in here.items():
            if uuid not in wanted:
                # Consent no longer shares it, or the sender removed it: it goes here too.
                self.orphans.add(old.sha256)
                self.session.delete(old)

    # --- withdrawals ---

    def withdrawal(self, notice: dict[str, Any]) -> StoryLine:
        story_id = notice["story_id"]
        decided_on = notice["decided_on"]
        try:
            # The schema's pattern allows a day the month lacks; the date goes into a tombstone.
            dt.date.fromisoformat(decided_on)
        except ValueError as exc:
            raise BundleRefused(
                f"The withdrawal of story {story_id} is dated {excerpt(decided_on, QUOTE_MAX)}, "
                "which is no real date."
            ) from exc
        row = self._stories.get(story_id)
        story_pk = self._new.get(story_id, row.id if row is not None else None)
        if story_pk is not None:
            problem = self._origin_problem(story_pk)
            if problem:
                return StoryLine(story_id, Action.SKIPPED, f"withdrawal not applied: {problem}")
            self.flush_pending()
            _, orphans = delete_story(
                self.session,
                story_id,
                reason=TombstoneReason.WITHDRAWN,
                note=(
                    f"Consent {notice['decision']} on {decided_on}; the withdrawal came in "
                    f"bundle {self.sender.bundle_id} from {self.sender.label}."
                ),
                merge_index=False,
            )
            self._stories.pop(story_id, None)
            self._new.pop(story_id, None)
            self.orphans.update(orphans)
            self.purged += 1
            return StoryLine(
                story_id,
                Action.WITHDRAWN,
                f"consent {notice['decision']} on {decided_on}: its content and media go, a "
                "tombstone stays",
            )
        gone = self._tombstones.get(story_id)
        if gone is not None:
            if gone.signer_key_id not in (None, self.sender.key_id):
                # Two signers have withdrawn a story of this id, neither held here: the one
                # tombstone now keeps it out whoever sends it, as both asked.
                gone.signer_key_id = None
            when = gone.occurred_at.date().isoformat()
            return StoryLine(story_id, Action.SKIPPED, f"already removed here on {when}")
        tombstone = TombstoneRow(
            story_uuid=story_id,
            storyteller_uuid=None,
            reason=TombstoneReason.WITHDRAWN.value,
            note=(
                f"Consent {notice['decision']} on {decided_on}, before the story reached this "
                f"computer (bundle {self.sender.bundle_id} from {self.sender.label})."
            ),
            last_revision=0,
            occurred_at=self.now,
            actor=str(self.session.info.get("actor", "unknown")),
            # It keeps out this signer's story of that id only, never another signer's.
            signer_key_id=self.sender.key_id,
        )
        self.session.add(tombstone)
        self._tombstones[story_id] = tombstone
        return StoryLine(
            story_id,
            Action.WITHDRAWN,
            f"consent {notice['decision']} on {decided_on}; not held here, so only a tombstone "
            "is kept, and the story can never be imported later",
        )
