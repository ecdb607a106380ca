"""The story document (``data/stories/<id>.json``): the one place a story becomes its document,
and a document becomes a story's checked values again.

Its limits are the store's own constants (a test holds the published schemas to them), so a
story the store accepts is a story the coordinator accepts. ``problem_with`` is the check both
ends make of a document — the schema, then the values as the importer cleans them: the writer
makes it before it signs anything, so a story the coordinator would refuse never leaves.

The document is built field by field rather than by dumping the core's dataclasses, so the
bundle format changes only when this module and its schema (``schemas/``) change together.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import orjson

from storykeeper.core.attachments import (
    MEDIA_TYPE_MAX,
    ORIGINAL_NAME_MAX,
    Attachment,
)
from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.envelope import MAX_AGE_STANZAS
from storykeeper.core.bundle.reader import MAX_JSON
from storykeeper.core.bundle.report import excerpt
from storykeeper.core.bundle.schema import schema_problem
from storykeeper.core.consent import (
    DECIDED_BY_MAX,
    PERSON_NAME_MAX,
    REFERENCE_MAX,
    BestInterests,
    CapacityAssessment,
    ConsentRecord,
    ConsentStep,
    DerivedConsent,
    best_interests_document,
    best_interests_from_document,
    capacity_document,
    capacity_from_document,
    clean_best_interests,
    clean_capacity,
    derive_consent,
)
from storykeeper.core.consent import TEXT_MAX as CONSENT_TEXT_MAX
from storykeeper.core.errors import ValidationError
from storykeeper.core.export_policy import ExportableStory
from storykeeper.core.people import NAME_MAX
from storykeeper.core.stories import NOTES_MAX, OWN_WORDS_MAX, TITLE_MAX
from storykeeper.core.themes import THEME_NAME_MAX
from storykeeper.core.validation import (
    clean_line,
    clean_text,
    language_tag,
)
from storykeeper.core.vocabulary import ConsentDecision

# Limits of the format alone: what a bundle holds that the store does not limit. A story past
# one of them is refused at export (``problem_with``), naming the story.
PROGRAM_MAX = 100
#: An ISO 8601 time as text.
TIME_TEXT_MAX = 40
#: As many as the reader takes: it refuses more stanzas in an age header before decrypting.
RECIPIENTS_MAX = MAX_AGE_STANZAS
#: Stories (and, separately, withdrawals) in one bundle.
BUNDLE_STORIES_MAX = 1_000_000
#: The most withdrawals one bundle may carry, unless it carries more stories than that. An
#: advocate sends each withdrawal once, in the next bundle after it, so this is years of them;
#: without a bound, one trusted sender could fill the store with tombstones (issue 16). The
#: writer sends at most this many and keeps the rest for the next bundle.
WITHDRAWALS_MAX = 10_000


def withdrawals_allowed(stories: int) -> int:
    """How many withdrawals a bundle carrying ``stories`` stories may carry."""
    return max(WITHDRAWALS_MAX, stories)


THEMES_MAX = 200
CONSENT_VERSIONS_MAX = 1000
ATTACHMENTS_MAX = 1000
#: The largest revision, consent version or file size a bundle may carry: the largest whole
#: number every JSON reader keeps exactly (2^53 − 1), far below SQLite's 2^63.
WHOLE_NUMBER_MAX = 2**53 - 1
#: The reader's cap on one JSON file: a document must stay under it.
DOCUMENT_BYTES_MAX = MAX_JSON


#: orjson's options for the canonical form. Dataclasses and dates pass to ``default`` (none), so
#: a value the json module cannot write is refused as it refuses it, never written another way.
_CANONICAL = (
    orjson.OPT_INDENT_2
    | orjson.OPT_SORT_KEYS
    | orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)


def canonical(document: dict[str, Any]) -> bytes:
    """Sorted keys, UTF-8, two-space indent and a final newline: the same story, the same bytes.

    The form is the json module's (``sort_keys``, ``indent=2``, ``ensure_ascii=False``); orjson
    writes the same bytes for every value a document holds (tests/core/test_export_speedups.py)
    in a fraction of the time, as the json module indents in pure Python. What orjson will not
    write (a lone surrogate, a whole number past 64 bits) goes the json module's way, so it
    fails, or is written, exactly as it was. The format holds no fractions, whose shortest
    forms the two would write differently.
    """
    try:
        return orjson.dumps(document, option=_CANONICAL)
    except orjson.JSONEncodeError:
        return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def _date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def time_text(moment: dt.datetime) -> str:
    """A moment as the bundle writes it: ISO 8601 in UTC, with Z."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _consent(record: ConsentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "version": record.version,
        "decision": record.decision.value,
        "basis": record.basis.value,
        "decided_by": record.decided_by,
        "method": record.method.value,
        "scopes": sorted(s.value for s in record.scopes),
        "persons_words": record.persons_words,
        "conditions": record.conditions,
        "capacity_notes": record.capacity_notes,
        "witness": None
        if record.witness_id is None
        else {"id": record.witness_id, "name": record.witness_name},
        "consulted": record.consulted,
        "advocate_involved": record.advocate_involved,
        "best_interests_reasons": record.best_interests_reasons,
        "decided_on": record.decided_on.isoformat(),
        "review_by": _date(record.review_by),
        "recorded_at": time_text(record.recorded_at),
        # Format 2: the Mental Capacity Act record (null and "" when not recorded).
        "capacity_assessment": None
        if record.capacity is None
        else capacity_document(record.capacity),
        "best_interests": None
        if record.best_interests is None
        else best_interests_document(record.best_interests),
        "advocate_name": record.advocate_name,
        "representative_reference": record.representative_reference,
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "kind": attachment.kind.value,
        "sha256": attachment.sha256,
        "size": attachment.size,
        "media_type": attachment.media_type,
        "original_name": attachment.original_name,
        "file": f"media/{attachment.sha256}",
    }


def story_document(story: ExportableStory) -> dict[str, Any]:
    """``data/stories/<id>.json``: one story, exactly as ``export_view`` lets it leave."""
    return {
        "format": FORMAT,
        "id": story.story_id,
        "revision": story.revision,
        "storyteller": {
            "id": story.storyteller_id,
            "name": story.storyteller,
            "is_real_name": story.storyteller_named,
        },
        "supporter": None
        if story.supporter is None
        else {"id": story.supporter.id, "name": story.supporter.name},
        "title": story.title,
        "own_words": story.own_words,
        "recorder_notes": story.recorder_notes,
        "told_on": _date(story.told_on),
        "setting": None if story.setting is None else story.setting.value,
        "how_told": None if story.how_told is None else story.how_told.value,
        "language": story.language,
        "status": story.status.value,
        "themes": [{"name": t.theme, "polarity": t.polarity.value} for t in story.themes],
        "consent": {
            "scopes": sorted(s.value for s in story.scopes),
            "conditions": story.conditions,
            "history": [_consent(r) for r in story.consent_history],
        },
        "attachments": [_attachment(a) for a in story.attachments],
    }


# --- and back: a document's values, cleaned as typed text is ---


@dataclass(frozen=True, slots=True)
class PersonValues:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ConsentValues:
    id: str
    version: int
    decision: ConsentDecision
    basis: str
    decided_by: str
    method: str
    scopes: frozenset[str]
    persons_words: str
    conditions: str
    capacity_notes: str
    witness: PersonValues | None
    consulted: str
    advocate_involved: bool | None
    best_interests_reasons: str
    decided_on: dt.date
    review_by: dt.date | None
    recorded_at: dt.datetime
    # Format 2; a format-1 document reads as not recorded.
    capacity: CapacityAssessment | None = None
    best_interests: BestInterests | None = None
    advocate_name: str = ""
    representative_reference: str = ""


@dataclass(frozen=True, slots=True)
class AttachmentValues:
    id: str
    kind: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    file: str


@dataclass(frozen=True, slots=True)
class StoryValues:
    """A story document's values, each checked and cleaned as the store cleans typed text."""

    id: str
    revision: int
    storyteller: PersonValues
    storyteller_named: bool
    supporter: PersonValues | None
    title: str
    own_words: str
    recorder_notes: str
    told_on: dt.date | None
    setting: str | None
    how_told: str | None
    language: str
    status: str
    #: (name, polarity), in the document's order.
    themes: tuple[tuple[str, str], ...]
    #: Oldest first.
    consent: tuple[ConsentValues, ...]
    attachments: tuple[AttachmentValues, ...]

    @property
    def derived_consent(self) -> DerivedConsent:
        return derive_consent(ConsentStep(c.version, c.decision, c.review_by) for c in self.consent)


def _read_date(value: str | None, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{where} is not a real date ({excerpt(value, 20)}).") from exc


def _read_moment(value: str, where: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{where} is not a real time ({excerpt(value, 40)}).") from exc
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _name(value: str, label: str, missing: str) -> str:
    name = clean_line(value, "name", label, max_length=NAME_MAX)
    if not name:
        raise ValidationError(missing, "name")
    return name


def _person(person: dict[str, Any] | None, label: str, missing: str) -> PersonValues | None:
    if person is None:
        return None
    return PersonValues(person["id"], _name(person["name"], label, missing))


def _theme_name(name: str) -> str:
    clean = clean_line(name, "theme", "A theme’s name", max_length=THEME_NAME_MAX)
    if not clean:
        raise ValidationError("A theme has no name.", "theme")
    return clean


def _consent_text(value: str, field: str, label: str) -> str:
    return clean_text(value, field, label, max_length=CONSENT_TEXT_MAX)


def read_consent(record: dict[str, Any]) -> ConsentValues:
    """One consent version of a document, cleaned as typed text is (``ValidationError``)."""
    decided_on = _read_date(record["decided_on"], "A consent decision's date")
    assert decided_on is not None  # the schema requires a date
    return ConsentValues(
        id=record["id"],
        version=record["version"],
        decision=ConsentDecision(record["decision"]),
        basis=record["basis"],
        decided_by=clean_line(
            record["decided_by"], "decided_by", "Who decided", max_length=DECIDED_BY_MAX
        ),
        method=record["method"],
        scopes=frozenset(record["scopes"]),
        persons_words=_consent_text(record["persons_words"], "persons_words", "The words"),
        conditions=_consent_text(record["conditions"], "conditions", "Conditions"),
        capacity_notes=_consent_text(record["capacity_notes"], "capacity_notes", "Notes"),
        witness=_person(record["witness"], "A supporter’s name", "A supporter has no name."),
        consulted=_consent_text(record["consulted"], "consulted", "Who was consulted"),
        advocate_involved=record["advocate_involved"],
        best_interests_reasons=_consent_text(
            record["best_interests_reasons"], "best_interests_reasons", "Reasons"
        ),
        decided_on=decided_on,
        review_by=_read_date(record["review_by"], "A review date"),
        recorded_at=_read_moment(record["recorded_at"], "When consent was recorded"),
        # Absent from a format-1 document: not recorded.
        capacity=_read_capacity(record.get("capacity_assessment")),
        best_interests=_read_best_interests(record.get("best_interests")),
        advocate_name=clean_line(
            record.get("advocate_name", ""),
            "advocate_name",
            "The advocate’s or IMCA’s name",
            max_length=PERSON_NAME_MAX,
        ),
        representative_reference=clean_line(
            record.get("representative_reference", ""),
            "representative_reference",
            "The LPA or court order reference",
            max_length=REFERENCE_MAX,
        ),
    )


def _read_capacity(document: dict[str, Any] | None) -> CapacityAssessment | None:
    if document is None:
        return None
    # The schema has vouched for its shape; its date (first: the schema's pattern lets
    # 31 February through) and its texts are checked as the store checks them.
    assessed_on = _read_date(document["assessed_on"], "A capacity assessment’s date")
    assert assessed_on is not None
    return clean_capacity(
        capacity_from_document({**document, "assessed_on": assessed_on.isoformat()})
    )


def _read_best_interests(document: dict[str, Any] | None) -> BestInterests | None:
    return (
        None if document is None else clean_best_interests(best_interests_from_document(document))
    )


def _read_attachment(attachment: dict[str, Any]) -> AttachmentValues:
    return AttachmentValues(
        id=attachment["id"],
        kind=attachment["kind"],
        sha256=attachment["sha256"],
        size=attachment["size"],
        media_type=clean_line(
            attachment["media_type"], "media_type", "A media type", max_length=MEDIA_TYPE_MAX
        )
        or "application/octet-stream",
        original_name=clean_line(
            attachment["original_name"],
            "original_name",
            "A file name",
            max_length=ORIGINAL_NAME_MAX,
        ),
        file=attachment["file"],
    )


def read_story(document: dict[str, Any]) -> StoryValues:
    """The values of a document that keeps its schema, cleaned as typed text is.

    Raises ``ValidationError`` for a value the store would not take (an impossible date, a
    blank name, a language that is no language code…), with a message that quotes at most a
    short excerpt of it.
    """
    history = document["consent"]["history"]
    versions = [record["version"] for record in history]
    if len(set(versions)) != len(versions):
        raise ValidationError("The consent history holds the same version twice.")
    storyteller = _person(
        document["storyteller"], "The storyteller’s name", "The storyteller has no name."
    )
    assert storyteller is not None  # the schema requires a storyteller
    return StoryValues(
        id=document["id"],
        revision=document["revision"],
        storyteller=storyteller,
        storyteller_named=document["storyteller"]["is_real_name"],
        supporter=_person(document["supporter"], "A supporter’s name", "A supporter has no name."),
        title=clean_line(document["title"], "title", "The title", max_length=TITLE_MAX),
        own_words=clean_text(
            document["own_words"], "own_words", "The words", max_length=OWN_WORDS_MAX
        ),
        recorder_notes=clean_text(
            document["recorder_notes"], "recorder_notes", "The notes", max_length=NOTES_MAX
        ),
        told_on=_read_date(document["told_on"], "The day it was told"),
        setting=document["setting"],
        how_told=document["how_told"],
        language=language_tag(document["language"]),
        status=document["status"],
        themes=tuple((_theme_name(t["name"]), t["polarity"]) for t in document["themes"]),
        consent=tuple(
            read_consent(record) for record in sorted(history, key=lambda r: r["version"])
        ),
        attachments=tuple(_read_attachment(a) for a in document["attachments"]),
    )


def problem_with(document: dict[str, Any], size: int = 0) -> str | None:
    """Why a reader would refuse this story document, in a few words, or None.

    The same checks the coordinator's import makes: the schema of this format, then every
    value as ``read_story`` cleans it. ``size`` is the document's size in bytes, when known.
    """
    if size > DOCUMENT_BYTES_MAX:
        return (
            f"it is {size / (1 << 20):,.0f} MB as a document; a bundle carries at most "
            f"{DOCUMENT_BYTES_MAX >> 20} MB a story"
        )
    broken = schema_problem(document, "story", FORMAT)
    if broken is not None:
        where = broken.where.replace("/", " ").replace("_", " ")
        return f"in {where}, {broken.what.rstrip('.')}"
    try:
        read_story(document)
    except ValidationError as exc:
        return str(exc).rstrip(".")
    return None
