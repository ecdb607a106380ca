"""What of a story may leave this machine: the one function every export must go through.

The rules (PRODUCT.md, issue 4), decided from the story's *current* consent — its newest version:

- no consent yet, or consent without ``share_with_coordinator``: nothing leaves;
- declined or withdrawn: nothing of the story leaves — only a withdrawal notice, if it was ever
  agreed to before (so a coordinator who may hold a copy purges it);
- without ``publish_with_name``: the storyteller's name never leaves. The pseudonym stands in for
  it in the storyteller field *and* wherever the name, or a part of it, appears as a whole word in
  the title, the words, the notes or the consent records;
- without ``share_media``: no audio, photo or document leaves;
- ``record_audio`` lets a recording be made on this computer and nothing more: it never lets
  anything leave (a story whose consent allows recording alone is withheld like any other
  story without ``share_with_coordinator``). It travels in the consent history like every scope.

It works on the frozen dataclasses the domain modules return, so it can be tested for any
history without a database (tests/core/test_export_policy.py does so with hypothesis).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from storykeeper.core.attachments import Attachment
from storykeeper.core.consent import AGREEING, ConsentRecord, allows_sharing, consent_history
from storykeeper.core.mentioned import PersonMentioned, people_mentioned
from storykeeper.core.stories import PersonRef, Story, ThemeLink, get_story, shown
from storykeeper.core.vocabulary import (
    ConsentDecision,
    ConsentScope,
    HowTold,
    Setting,
    StoryStatus,
)

#: Name parts shorter than this are not replaced on their own (an initial would erase letters
#: all through the text); the whole name always is.
MIN_NAME_PART = 2


@dataclass(frozen=True, slots=True)
class ExportableStory:
    """Exactly what may leave the machine for one story."""

    story_id: str
    revision: int
    storyteller_id: str
    #: The display name when ``publish_with_name`` allows it, else the pseudonym.
    storyteller: str
    storyteller_named: bool
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
    #: What the coordinator may do with it (and must honour).
    scopes: frozenset[ConsentScope]
    conditions: str
    consent_history: tuple[ConsentRecord, ...]
    attachments: tuple[Attachment, ...]
    #: Attachments left behind because ``share_media`` is not given.
    media_left_out: int


@dataclass(frozen=True, slots=True)
class Withheld:
    """Nothing of this story may leave; ``reason`` says why in words a person can act on."""

    story_id: str
    reason: str
    #: For the person exporting (it never leaves): which story this is.
    title: str = ""


@dataclass(frozen=True)
class WithdrawalOnly:
    """Consent is withdrawn (or declined after being given): only the notice leaves."""

    story_id: str
    decided_on: dt.date
    decision: ConsentDecision


ExportDecision = ExportableStory | Withheld | WithdrawalOnly
_Record = TypeVar("_Record")


#: Where a name starts and ends: not inside a run of letters or digits. An underscore or a dash
#: separates words too, so "Letter_from_Margaret_Evans.pdf" loses the name as prose does.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


def _parts(name: str) -> list[str]:
    """The whole name, then each part of it long enough to be replaced on its own."""
    whole = " ".join(name.split())
    return [whole, *(p for p in whole.split() if len(p) >= MIN_NAME_PART)] if whole else []


def _stand_ins_by_word(names: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """What each word of the names (case-folded: a whole name, then its parts) becomes.

    Whole names outrank parts, and the first pair outranks later ones for a shared part (the
    storyteller comes first): a daughter "Jane Evans" of "Margaret Evans" becomes her role, not
    "Jane <pseudonym>".
    """
    replacement: dict[str, str] = {}
    for whole_names in (True, False):
        for name, stand_in in names:
            parts = _parts(name)
            for word in parts[:1] if whole_names else parts[1:]:
                replacement.setdefault(word.casefold(), stand_in)
    return replacement


@functools.lru_cache(maxsize=4096)  # a storyteller usually has several stories in an export
def _names_pattern(
    names: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One pattern for every (name, replacement) pair, and what each matched word becomes.

    Longest words first in the alternation, so a longer name is never cut short by a shorter
    one it starts with, and all are replaced in one pass: a replacement is never searched again.
    """
    replacement = _stand_ins_by_word(names)
    if not replacement:
        return None
    words = sorted(replacement, key=len, reverse=True)
    # A name typed with one space may be written with several, across a line break, or with
    # underscores in a file name.
    alternatives = "|".join(r"[\s_]+".join(re.escape(w) for w in word.split()) for word in words)
    return re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", re.IGNORECASE), replacement


@functools.lru_cache(maxsize=16384)  # first names and surnames recur across a whole store
def _word_alone(piece: str) -> re.Pattern[str]:
    """One word of a name standing as a whole word, matched as ``_names_pattern`` matches it."""
    return re.compile(f"{_BEFORE}{re.escape(piece)}{_AFTER}", re.IGNORECASE)


def names_redactor(names: Sequence[tuple[str, str]]) -> Callable[[str], str]:
    """Replace each name, and each part of it, wherever it stands as a whole word."""
    names = tuple(names)
    replacement = _stand_ins_by_word(names)
    if not replacement:
        return lambda text: text
    # Every match of the one pattern begins with a word of a name standing alone: its first
    # word is followed by a space, an underscore or the end of the name, each a word's end. So
    # a text in which no such word stands alone holds no name, and is returned as it is without
    # compiling that pattern, which took 0.4 ms a story: most of an export's redaction at
    # 100,000 stories, each storyteller's names being their own (issue 21).
    words_alone = [_word_alone(p) for p in {p for word in replacement for p in word.split()}]
    # Should a letter match without ignoring case the way casefold() does, the first stand-in
    # (the storyteller's pseudonym) replaces it: a match is a name either way.
    first = names[0][1]

    def stand_in(match: re.Match[str]) -> str:
        key = " ".join(match.group().replace("_", " ").split()).casefold()
        return replacement.get(key, first)

    def redact(text: str) -> str:
        if not any(word.search(text) for word in words_alone):
            return text
        compiled = _names_pattern(names)
        assert compiled is not None  # there are words to replace
        # A function, not a template: nothing in a replacement is read as a group reference.
        return compiled[0].sub(stand_in, text)

    return redact


def name_redactor(display_name: str, pseudonym: str) -> Callable[[str], str]:
    """Replace the storyteller's name, and each part of it, wherever it stands as a whole word."""
    return names_redactor(((display_name, pseudonym),))


def role_shown(role: str) -> str:
    """How a mentioned person's role stands in for their name: "[her daughter]"."""
    return f"[{role}]"


def _redact_value(value: object, redact: Callable[[str], str]) -> object:
    # Free text only: the vocabulary's values are strings too (StrEnum), but never a name, and
    # must stay themselves. Nested records (a capacity assessment, the people consulted) are
    # redacted field by field, whatever their shape.
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, tuple):
        return tuple(_redact_value(v, redact) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _replaced(
            value,
            {
                f.name: _redact_value(getattr(value, f.name), redact)
                for f in dataclasses.fields(value)
            },
        )
    return value


def _replaced(record: _Record, changes: dict[str, object]) -> _Record:
    """``record`` with ``changes``; itself when none changes anything (the redactor returns a
    text without a name as it is): no copy of every record of 100,000 stories for nothing."""
    if all(new is getattr(record, name) for name, new in changes.items()):
        return record
    return dataclasses.replace(record, **changes)  # type: ignore[type-var]


#: A consent record's fields that may hold words: all but its ids and its witness, whose name
#: has a rule of its own (looked up once: ``dataclasses.fields`` is slow for every record).
_RECORD_TEXTS = tuple(
    f.name
    for f in dataclasses.fields(ConsentRecord)
    if f.name not in ("id", "story_id", "witness_id", "witness_name")
)


def _redact_record(
    record: ConsentRecord,
    redact: Callable[[str], str],
    stand_ins: Sequence[tuple[str, str]] | None = None,
) -> ConsentRecord:
    changes = {name: _redact_value(getattr(record, name), redact) for name in _RECORD_TEXTS}
    if stand_ins is not None and record.witness_name:
        changes["witness_name"] = _person_name_shown(record.witness_name, stand_ins, "a witness")
    return _replaced(record, changes)


def _words(name: str) -> set[str]:
    return {w for w in name.casefold().split() if len(w) >= MIN_NAME_PART}


def _person_name_shown(name: str, stand_ins: Sequence[tuple[str, str]], role: str) -> str:
    """A supporter's or witness's own name, unless the name rule hides it: someone the story
    mentions goes by their stand-in, and anyone whose name shares a word with a hidden name (a
    son with his mother's surname) by their part in the story alone — their name would give
    hers away, and cut to pieces it would read "John Mary K."."""
    key = " ".join(name.split()).casefold()
    for hidden, stand_in in stand_ins:
        if " ".join(hidden.split()).casefold() == key:
            return stand_in
    words = _words(name)
    if any(words & _words(hidden) for hidden, _ in stand_ins):
        return role_shown(role)
    return name


def _supporter_shown(
    supporter: PersonRef | None, stand_ins: Sequence[tuple[str, str]]
) -> PersonRef | None:
    """The supporter who recorded the story goes by their own name, unless they are someone
    the name rule hides (``_person_name_shown``)."""
    if supporter is None:
        return None
    shown_as = _person_name_shown(supporter.name, stand_ins, "a supporter")
    return (
        supporter if shown_as == supporter.name else dataclasses.replace(supporter, name=shown_as)
    )


def _without_final_dot(pseudonym: str) -> str:
    return pseudonym.rstrip(".") or pseudonym


def _redact_attachment(attachment: Attachment, redact: Callable[[str], str]) -> Attachment:
    return dataclasses.replace(attachment, original_name=redact(attachment.original_name))


def name_stand_ins(
    story: Story, mentioned: Sequence[PersonMentioned] = ()
) -> tuple[tuple[str, str], ...]:
    """Each name the name rule hides, with what stands in for it: the storyteller's pseudonym
    first (it outranks a mentioned person for a shared word), then each person mentioned by
    their role. ``names_redactor`` of these is how a story's words read without the name, in an
    export and in every report (``insight_policy``)."""
    return (
        (story.storyteller.name, story.storyteller_pseudonym),
        *((p.name, role_shown(p.role)) for p in mentioned),
    )


def export_view(
    story: Story,
    history: Sequence[ConsentRecord],
    mentioned: Sequence[PersonMentioned] = (),
) -> ExportDecision:
    """Decide what of ``story`` may leave, from its consent ``history`` (oldest first) and the
    people it mentions (each replaced by its role without ``publish_with_name``)."""
    if not history:
        return Withheld(story.id, "No consent has been recorded yet.", shown(story).title)
    current = max(history, key=lambda r: r.version)
    if not allows_sharing(current.decision, current.scopes):
        # A coordinator who may hold an earlier copy is told to purge it; nothing else leaves.
        if any(allows_sharing(r.decision, r.scopes) for r in history if r is not current):
            return WithdrawalOnly(story.id, current.decided_on, current.decision)
        if current.decision not in AGREEING:
            return Withheld(
                story.id,
                "The person declined: the story stays on this computer.",
                shown(story).title,
            )
        return Withheld(
            story.id,
            "Consent does not include sharing with the coordinator.",
            shown(story).title,
        )
    named = ConsentScope.PUBLISH_WITH_NAME in current.scopes
    stand_ins = name_stand_ins(story, mentioned)
    redact: Callable[[str], str] = (lambda text: text) if named else names_redactor(stand_ins)
    # In a file name the pseudonym's closing dot would meet the extension's ("Grace T..pdf").
    # Made only when files go: each redactor is a pattern to build.
    in_file_names = (
        redact
        if named or not (ConsentScope.SHARE_MEDIA in current.scopes and story.attachments)
        else names_redactor(
            (
                (story.storyteller.name, _without_final_dot(story.storyteller_pseudonym)),
                *stand_ins[1:],
            )
        )
    )
    media = ConsentScope.SHARE_MEDIA in current.scopes
    ordered = sorted(history, key=lambda r: r.version)
    return ExportableStory(
        story_id=story.id,
        revision=story.revision,
        storyteller_id=story.storyteller.id,
        storyteller=story.storyteller.name if named else story.storyteller_pseudonym,
        storyteller_named=named,
        supporter=story.supporter if named else _supporter_shown(story.supporter, stand_ins),
        title=redact(story.title),
        own_words=redact(story.own_words),
        recorder_notes=redact(story.recorder_notes),
        told_on=story.told_on,
        setting=story.setting,
        how_told=story.how_told,
        language=story.language,
        status=story.status,
        themes=story.themes,
        scopes=current.scopes,
        conditions=redact(current.conditions),
        # With the name nothing is redacted: the records leave as they are.
        consent_history=tuple(ordered)
        if named
        else tuple(_redact_record(r, redact, stand_ins) for r in ordered),
        attachments=tuple(_redact_attachment(a, in_file_names) for a in story.attachments)
        if media
        else (),
        media_left_out=0 if media else len(story.attachments),
    )


def export_view_for(session: Session, story_id: str) -> ExportDecision:
    """``export_view`` for a stored story."""
    story = get_story(session, story_id)
    return export_view(
        story, consent_history(session, story.id), people_mentioned(session, story.id)
    )
