"""Stories: the person's own words, kept apart from the recorder's notes, with their themes.

A story is identified by its UUID wherever it travels. Its revision goes up by one with every
saved change to it or to its consent, so the newest copy always wins on import.

Each create and each saved change also keeps a version of the story's wording and fields (its
history), coalescing saves by one person less than ``VERSION_COALESCE`` apart into one version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, func, select, text
from sqlalchemy.orm import Session, aliased, selectinload

from storykeeper.core import audit, clock
from storykeeper.core.attachments import Attachment, attachment_from_row
from storykeeper.core.errors import StorykeeperError, ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.models import (
    AttachmentRow,
    ConsentRecordRow,
    StoryOriginRow,
    StoryRow,
    StorytellerRow,
    StoryThemeRow,
    StoryVersionRow,
    SupporterRow,
    TombstoneRow,
)
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.themes import theme_row
from storykeeper.core.validation import clean_line, clean_text, language_tag, not_in_future
from storykeeper.core.vocabulary import (
    ConsentDecision,
    ConsentState,
    HowTold,
    Polarity,
    Setting,
    StoryStatus,
    TombstoneReason,
)

TITLE_MAX = 200
#: Shown instead of the title of a story whose consent was withdrawn: its content is not shown.
WITHDRAWN_TITLE = "(consent withdrawn: content hidden)"
# About 150,000 words: room for a whole life told over many visits, small enough to keep the
# store healthy. Bundles carry the same limits (bundle/document.py, and a test holds the schema
# to them): a story saved here can always be sent, and the coordinator takes it.
OWN_WORDS_MAX = 1_000_000
NOTES_MAX = 200_000
# Saves by the same person closer together than this overwrite the newest version rather than
# adding one: the window autosaves every couple of seconds while someone types.
VERSION_COALESCE = dt.timedelta(minutes=10)


class RevisionConflictError(StorykeeperError):
    """The story changed since it was read (in another window or by an import)."""


@dataclass(frozen=True, slots=True)
class ThemeLink:
    theme: str
    polarity: Polarity


@dataclass(frozen=True)
class StoryFields:
    """Everything a person edits about a story. ``Story.fields`` gives the current values."""

    storyteller_id: str
    title: str = ""
    own_words: str = ""
    recorder_notes: str = ""
    supporter_id: str | None = None
    told_on: dt.date | None = None
    setting: Setting | None = None
    how_told: HowTold | None = None
    language: str = "en"
    status: StoryStatus = StoryStatus.DRAFT
    themes: tuple[ThemeLink, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonRef:
    """Who a story is by or was recorded by, as shown beside it."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    storyteller: PersonRef
    storyteller_pseudonym: str
    supporter: PersonRef | None
    title: str
    own_words: str
    recorder_notes: str
    told_on: dt.date | None
    setting: Setting | None
    how_told: HowTold | None
    language: str
    status: StoryStatus
    themes: tuple[ThemeLink, ...]
    revision: int
    origin_device: str
    created_at: dt.datetime
    updated_at: dt.datetime
    consent_state: ConsentState
    consent_review_by: dt.date | None
    attachments: tuple[Attachment, ...] = field(default=())

    @property
    def fields(self) -> StoryFields:
        return StoryFields(
            storyteller_id=self.storyteller.id,
            title=self.title,
            own_words=self.own_words,
            recorder_notes=self.recorder_notes,
            supporter_id=self.supporter.id if self.supporter else None,
            told_on=self.told_on,
            setting=self.setting,
            how_told=self.how_told,
            language=self.language,
            status=self.status,
            themes=self.themes,
        )


@dataclass(frozen=True)
class StoryVersion:
    """One saved version of a story, as ``story_versions`` returns it (newest first).

    ``fields`` holds every field as it was then, ready to give to ``update_story`` to bring that
    wording back (a theme renamed or removed since is not found by its old name, and says so).
    """

    revision: int
    saved_at: dt.datetime
    actor: str
    title: str
    own_words: str
    recorder_notes: str
    fields: StoryFields


@dataclass(frozen=True)
class Tombstone:
    story_id: str
    storyteller_id: str | None
    reason: TombstoneReason
    note: str
    last_revision: int
    occurred_at: dt.datetime
    actor: str


def story_from_row(row: StoryRow, attachments: list[AttachmentRow] | None = None) -> Story:
    """The story as the domain sees it; ``attachments`` when already loaded (else one query)."""
    return Story(
        id=row.uuid,
        storyteller=PersonRef(row.storyteller.uuid, row.storyteller.display_name),
        storyteller_pseudonym=row.storyteller.pseudonym,
        supporter=PersonRef(row.supporter.uuid, row.supporter.name) if row.supporter else None,
        title=row.title,
        own_words=row.own_words,
        recorder_notes=row.recorder_notes,
        told_on=row.told_on,
        setting=Setting(row.setting) if row.setting else None,
        how_told=HowTold(row.how_told) if row.how_told else None,
        language=row.language,
        status=StoryStatus(row.status),
        themes=tuple(
            sorted(
                (ThemeLink(link.theme.name, Polarity(link.polarity)) for link in row.themes),
                key=lambda link: link.theme.lower(),
            )
        ),
        revision=row.revision,
        origin_device=row.origin_device,
        created_at=row.created_at,
        updated_at=row.updated_at,
        consent_state=ConsentState(row.consent_state),
        consent_review_by=row.consent_review_by,
        attachments=tuple(
            attachment_from_row(a)
            for a in (row_attachments(row) if attachments is None else attachments)
        ),
    )


def row_attachments(row: StoryRow) -> list[AttachmentRow]:
    session = Session.object_session(row)
    assert session is not None
    return list(
        session.scalars(
            select(AttachmentRow).where(AttachmentRow.story_id == row.id).order_by(AttachmentRow.id)
        )
    )


def story_row(session: Session, story_id: str) -> StoryRow:
    return resolve(session, StoryRow, story_id, "story")


def get_story(session: Session, story_id: str) -> Story:
    row = session.scalar(
        select(StoryRow)
        .where(StoryRow.id == story_row(session, story_id).id)
        .options(selectinload(StoryRow.themes).selectinload(StoryThemeRow.theme))
    )
    assert row is not None
    return story_from_row(row)


def get_stories(session: Session, story_ids: Sequence[str]) -> dict[str, Story]:
    """Many stories by full id in a few queries (for exports), keyed by id; unknown ids left out."""
    rows = session.scalars(
        select(StoryRow)
        .where(StoryRow.uuid.in_(story_ids))
        .options(
            selectinload(StoryRow.themes).selectinload(StoryThemeRow.theme),
            selectinload(StoryRow.storyteller),
            selectinload(StoryRow.supporter),
        )
    ).all()
    attachments: dict[int, list[AttachmentRow]] = {row.id: [] for row in rows}
    for attachment in session.scalars(
        select(AttachmentRow)
        .where(AttachmentRow.story_id.in_(list(attachments)))
        .order_by(AttachmentRow.id)
    ):
        attachments[attachment.story_id].append(attachment)
    return {row.uuid: story_from_row(row, attachments[row.id]) for row in rows}


@dataclass(frozen=True)
class _Cleaned:
    storyteller: StorytellerRow
    supporter: SupporterRow | None
    values: dict[str, object]
    themes: dict[int, str]


def _clean(session: Session, story: StoryFields, consent_state: str) -> _Cleaned:
    storyteller = resolve(session, StorytellerRow, story.storyteller_id, "storyteller")
    supporter = (
        resolve(session, SupporterRow, story.supporter_id, "supporter")
        if story.supporter_id
        else None
    )
    status = StoryStatus(story.status)
    values: dict[str, object] = {
        "title": clean_line(story.title, "title", "The title", max_length=TITLE_MAX),
        "own_words": clean_text(
            story.own_words, "own_words", "The person’s own words", max_length=OWN_WORDS_MAX
        ),
        "recorder_notes": clean_text(
            story.recorder_notes, "recorder_notes", "The recorder’s notes", max_length=NOTES_MAX
        ),
        "told_on": not_in_future(story.told_on, "told_on", "The date the story was told"),
        "setting": Setting(story.setting).value if story.setting else None,
        "how_told": HowTold(story.how_told).value if story.how_told else None,
        "language": language_tag(story.language),
        "status": status.value,
    }
    if status is StoryStatus.FINAL:
        if not str(values["title"]).strip():
            raise ValidationError("A final story needs a title.", "title")
        if not str(values["own_words"]).strip():
            raise ValidationError("A final story needs the person’s own words.", "own_words")
        if consent_state == ConsentState.NONE.value:
            # Consent is part of finishing a story (issue 4), not something to add later.
            raise ValidationError(
                "A story can be final only once consent has been recorded: go through "
                "Consent with the person first.",
                "status",
            )
    themes: dict[int, str] = {}
    for link in story.themes:
        row = theme_row(session, link.theme)
        if row.id in themes:
            raise ValidationError(f"The theme “{row.name}” is given twice; keep one.", "themes")
        themes[row.id] = Polarity(link.polarity).value
    return _Cleaned(storyteller, supporter, values, themes)


def create_story(session: Session, story: StoryFields) -> Story:
    cleaned = _clean(session, story, ConsentState.NONE.value)
    now = clock.now()
    row = StoryRow(
        storyteller=cleaned.storyteller,
        supporter=cleaned.supporter,
        revision=1,
        origin_device=str(session.info.get("device_id", "")),
        created_at=now,
        updated_at=now,
        consent_state=ConsentState.NONE.value,
        **cleaned.values,
    )
    row.themes = [StoryThemeRow(theme_id=t, polarity=p) for t, p in cleaned.themes.items()]
    session.add(row)
    session.flush()
    audit.record(session, "story.created", "story", row.uuid, {"revision": 1})
    created = get_story(session, row.uuid)
    keep_version(session, row.id, created)
    return created


def update_story(
    session: Session, story_id: str, story: StoryFields, *, expected_revision: int | None = None
) -> Story:
    """Save new values for every field. Nothing changed: nothing written, revision kept."""
    row = story_row(session, story_id)
    refuse_if_imported(session, row)
    if expected_revision is not None and row.revision != expected_revision:
        raise RevisionConflictError(
            f"“{row.title or 'This story'}” was changed elsewhere (now revision {row.revision}, "
            f"you had {expected_revision}). Reopen it to see the newest version."
        )
    if row.consent_state == ConsentState.WITHDRAWN.value:
        raise ValidationError(
            "Consent for this story was withdrawn, so its content can no longer be changed. "
            "Remove it from this computer, or record new consent with the person first."
        )
    cleaned = _clean(session, story, row.consent_state)
    changed = [name for name, value in cleaned.values.items() if getattr(row, name) != value]
    if row.storyteller_id != cleaned.storyteller.id:
        row.storyteller = cleaned.storyteller
        changed.append("storyteller")
    new_supporter_id = cleaned.supporter.id if cleaned.supporter else None
    if row.supporter_id != new_supporter_id:
        row.supporter = cleaned.supporter
        changed.append("supporter")
    current_themes = {link.theme_id: link.polarity for link in row.themes}
    if current_themes != cleaned.themes:
        row.themes = [StoryThemeRow(theme_id=t, polarity=p) for t, p in cleaned.themes.items()]
        changed.append("themes")
    if not changed:
        return get_story(session, row.uuid)
    for name, value in cleaned.values.items():
        setattr(row, name, value)
    row.bump_revision()
    session.flush()
    audit.record(
        session, "story.updated", "story", row.uuid, {"revision": row.revision, "fields": changed}
    )
    updated = get_story(session, row.uuid)
    keep_version(session, row.id, updated)
    return updated


def _version_details(story: Story) -> str:
    return version_details(
        how_told=story.how_told,
        language=story.language,
        setting=story.setting,
        status=story.status,
        storyteller_uuid=story.storyteller.id,
        supporter_uuid=story.supporter.id if story.supporter else None,
        themes=[(link.theme, link.polarity) for link in story.themes],
        told_on=story.told_on,
    )


def version_details(
    *,
    how_told: str | None,
    language: str,
    setting: str | None,
    status: str,
    storyteller_uuid: str,
    supporter_uuid: str | None,
    themes: Iterable[tuple[str, str]],
    told_on: dt.date | None,
) -> str:
    """The fields other than the three texts, as compact JSON with sorted keys (themes sorted
    by name, as a story shows them). Vocabulary values may be given as enums or their values."""
    return json.dumps(
        {
            "how_told": how_told,
            "language": language,
            "setting": setting,
            "status": status,
            "storyteller_uuid": storyteller_uuid,
            "supporter_uuid": supporter_uuid,
            "themes": [[str(t), str(p)] for t, p in sorted(themes, key=lambda tp: tp[0].lower())],
            "told_on": told_on.isoformat() if told_on else None,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def keep_version(
    session: Session,
    story_pk: int,
    story: Story,
    *,
    actor: str | None = None,
    coalesce: bool = True,
) -> None:
    """Record the story as just saved: overwrite the newest version if the same actor saved it
    less than VERSION_COALESCE ago (unless ``coalesce`` is off), otherwise add a version."""
    actor = actor or str(session.info.get("actor", "unknown"))
    saved_at = story.updated_at
    newest = (
        session.scalar(
            select(StoryVersionRow)
            .where(StoryVersionRow.story_id == story_pk)
            .order_by(StoryVersionRow.id.desc())
            .limit(1)
        )
        if coalesce
        else None
    )
    # A newest version dated after now (the clock was put back) is never overwritten: we cannot
    # tell how long ago it was saved, and keeping one more version loses nothing.
    if (
        newest is None
        or not coalesce
        or newest.actor != actor
        or not dt.timedelta(0) <= saved_at - newest.saved_at < VERSION_COALESCE
    ):
        newest = StoryVersionRow(story_id=story_pk, actor=actor)
        session.add(newest)
    newest.revision = story.revision
    newest.saved_at = saved_at
    newest.title = story.title
    newest.own_words = story.own_words
    newest.recorder_notes = story.recorder_notes
    newest.details = _version_details(story)
    if coalesce:
        session.flush()  # (an import adds many at once and flushes them together)


def _version(row: StoryVersionRow) -> StoryVersion:
    details = json.loads(row.details)
    told_on = details.get("told_on")
    setting = details.get("setting")
    how_told = details.get("how_told")
    fields = StoryFields(
        storyteller_id=details["storyteller_uuid"],
        title=row.title,
        own_words=row.own_words,
        recorder_notes=row.recorder_notes,
        supporter_id=details.get("supporter_uuid"),
        told_on=dt.date.fromisoformat(told_on) if told_on else None,
        setting=Setting(setting) if setting else None,
        how_told=HowTold(how_told) if how_told else None,
        language=details.get("language", "en"),
        status=StoryStatus(details.get("status", StoryStatus.DRAFT.value)),
        themes=tuple(
            sorted(
                (
                    ThemeLink(name, Polarity(polarity))
                    for name, polarity in details.get("themes", [])
                ),
                key=lambda link: link.theme.lower(),
            )
        ),
    )
    return StoryVersion(
        revision=row.revision,
        saved_at=row.saved_at,
        actor=row.actor,
        title=row.title,
        own_words=row.own_words,
        recorder_notes=row.recorder_notes,
        fields=fields,
    )


def story_versions(session: Session, story_id: str) -> list[StoryVersion]:
    """The story's saved versions, newest first; the first is what the story says now, unless
    it was saved outside ``create_story``/``update_story`` (demo data keeps no history)."""
    row = story_row(session, story_id)
    if row.consent_state == ConsentState.WITHDRAWN.value:
        raise ValidationError(
            "Consent for this story was withdrawn: its earlier versions are hidden with it."
        )
    rows = session.scalars(
        select(StoryVersionRow)
        .where(StoryVersionRow.story_id == row.id)
        .order_by(StoryVersionRow.id.desc())
    )
    return [_version(r) for r in rows]


def delete_story(
    session: Session,
    story_id: str,
    *,
    reason: TombstoneReason = TombstoneReason.DELETED,
    note: str = "",
    merge_index: bool = True,
) -> tuple[Tombstone, list[str]]:
    """Remove a story and its content (with its history), leaving a tombstone and an audit event.

    Returns the tombstone and the SHA-256 of attachment files no story uses any more: the caller
    removes those files after the transaction commits (never before, so a rollback loses nothing).
    """
    row = story_row(session, story_id)
    hashes = {a.sha256 for a in row_attachments(row)}
    tombstone = TombstoneRow(
        story_uuid=row.uuid,
        storyteller_uuid=row.storyteller.uuid,
        reason=TombstoneReason(reason).value,
        note=clean_text(note, "note", "The note", max_length=2000),
        last_revision=row.revision,
        occurred_at=clock.now(),
        actor=str(session.info.get("actor", "unknown")),
    )
    session.add(tombstone)
    session.delete(row)
    session.flush()
    # FTS5 only marks a deleted row's words as deleted; they stay in the index until its
    # segments are merged. Merge now, so the words leave the file with the story (the rows
    # themselves are overwritten: the store runs with secure_delete). Rare, and about half a
    # second at 100,000 stories (docs/performance.md), in the writer thread.
    # An import purging many stories passes merge_index=False and merges once at the end.
    if merge_index:
        merge_search_index(session)
    audit.record(
        session,
        f"story.{tombstone.reason}",
        "story",
        tombstone.story_uuid,
        {"revision": tombstone.last_revision},
    )
    still_used = set(
        session.scalars(select(AttachmentRow.sha256).where(AttachmentRow.sha256.in_(hashes)))
    )
    return _tombstone(tombstone), sorted(hashes - still_used)


def merge_search_index(session: Session) -> None:
    session.execute(text("INSERT INTO story_fts(story_fts) VALUES('optimize')"))


def _tombstone(row: TombstoneRow) -> Tombstone:
    return Tombstone(
        story_id=row.story_uuid,
        storyteller_id=row.storyteller_uuid,
        reason=TombstoneReason(row.reason),
        note=row.note,
        last_revision=row.last_revision,
        occurred_at=row.occurred_at,
        actor=row.actor,
    )


def list_tombstones(session: Session) -> list[Tombstone]:
    rows = session.scalars(select(TombstoneRow).order_by(TombstoneRow.occurred_at))
    return [_tombstone(r) for r in rows]


def theme_links(pairs: Iterable[tuple[str, Polarity | str]]) -> tuple[ThemeLink, ...]:
    """Build theme links from (name, polarity) pairs, parsing polarity words as people type them."""
    return tuple(ThemeLink(name, Polarity.parse(str(p))) for name, p in pairs)  # type: ignore[arg-type]


def content_hidden(story: Story) -> bool:
    """Whether the story's content may no longer be shown: its consent was withdrawn."""
    return story.consent_state is ConsentState.WITHDRAWN


def shown(story: Story) -> Story:
    """The story as it may be shown: a withdrawn story without its title, words, notes or media.

    The content stays in the store only until the person at the keyboard confirms the purge
    (``consent.purge_withdrawn_story``); until then nothing of it is displayed or printed.
    """
    if not content_hidden(story):
        return story
    return dataclasses.replace(
        story, title=WITHDRAWN_TITLE, own_words="", recorder_notes="", attachments=()
    )


def name_withheld_clause() -> ColumnElement[bool]:
    """SQL over ``StoryRow``: the story came in a bundle and its newest consent version does not
    let the storyteller's name be used, so the name is not shown beside it.

    The coordinator matches storytellers by id: a name that came with one story of a person
    would otherwise show on that person's other stories, whose consent forbids it. At the
    advocate's own computer (a story made here) the advocate knows the person, and sees the name.
    """
    newest = aliased(ConsentRecordRow)
    newest_version = (
        select(func.max(newest.version))
        .where(newest.story_id == StoryRow.id)
        .correlate(StoryRow)
        .scalar_subquery()
    )
    allowed = exists(
        select(ConsentRecordRow.id)
        .where(
            ConsentRecordRow.story_id == StoryRow.id,
            ConsentRecordRow.version == newest_version,
            ConsentRecordRow.publish_with_name.is_(True),
            ConsentRecordRow.decision.in_(
                [ConsentDecision.GIVEN.value, ConsentDecision.GIVEN_WITH_CONDITIONS.value]
            ),
        )
        .correlate(StoryRow)
    )
    # Correlated by StoryRow only: a query that joins the origins itself (the list) still asks
    # about this story's own origin row.
    origin = aliased(StoryOriginRow)
    imported = exists(
        select(origin.story_id).where(origin.story_id == StoryRow.id).correlate(StoryRow)
    )
    return and_(imported, ~allowed)


def name_withheld(session: Session, story_id: str) -> bool:
    """Whether the storyteller's name may not be shown beside this story (see the clause)."""
    story = resolve(session, StoryRow, story_id, "story")
    return bool(
        session.scalar(
            select(name_withheld_clause()).select_from(StoryRow).where(StoryRow.id == story.id)
        )
    )


def with_name_as_allowed(story: Story, withheld: bool) -> Story:
    """The story as shown: with the storyteller's pseudonym in place of the name when
    ``withheld`` (``name_withheld``). Only for showing: never saved, never exported."""
    if not withheld:
        return story
    return dataclasses.replace(
        story, storyteller=PersonRef(story.storyteller.id, story.storyteller_pseudonym)
    )


def shown_here(session: Session, story_id: str) -> Story:
    """The story as it may be shown on this computer: ``shown`` (withdrawn content hidden), with
    the storyteller's name only where the story's own consent allows it at a coordinator's."""
    return with_name_as_allowed(
        shown(get_story(session, story_id)), name_withheld(session, story_id)
    )
