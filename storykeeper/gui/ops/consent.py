"""Consent in the window: what the consent flow reads before it opens, the story's consent in
words, and the three ways a consent version is written (the flow, a withdrawal, a spoken yes to
recording).

Every write here appends a consent version and raises the story's revision, so it changes both
``Kind.CONSENT`` and ``Kind.STORIES`` for that story (``consent_changes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from storykeeper.core import consent, consent_text, people, recording_consent, stories
from storykeeper.core.consent import ConsentInput, ConsentRecord, Withdrawal
from storykeeper.core.easy_read import ConsentText, load_consent_text
from storykeeper.core.vocabulary import ConsentBasis
from storykeeper.gui.ops.changes import Change, Kind


@dataclass(frozen=True)
class FlowData:
    """What the consent flow (and the person's printed copy) needs, read before it opens."""

    story: stories.Story
    current: ConsentRecord | None
    supporters: list[people.Supporter]
    text: ConsentText


def load_flow_data(session: Session, story_id: str, data_dir: Path) -> FlowData:
    """The story, its consent in force, the possible witnesses, and the easy-read wording in the
    story's language (an organisation's own wording in ``data_dir`` first)."""
    story = stories.get_story(session, story_id)
    return FlowData(
        story=story,
        current=consent.current_consent(session, story_id),
        supporters=people.list_supporters(session),
        text=load_consent_text(story.language, data_dir),
    )


@dataclass(frozen=True)
class ConsentSummary:
    """A story's consent as its page shows it."""

    #: The consent in force, in plain words (or that there is none yet).
    current: str
    #: One line for each earlier version, newest first.
    earlier: list[str]


def consent_summary(session: Session, story_id: str) -> ConsentSummary:
    history = consent.consent_history(session, story_id)
    return ConsentSummary(
        current=consent_text.summary(history),
        earlier=[consent_text.describe(r) for r in reversed(history[:-1])],
    )


def current_consent(session: Session, story_id: str) -> ConsentRecord | None:
    return consent.current_consent(session, story_id)


def may_record_audio(session: Session, story_id: str) -> bool:
    return recording_consent.may_record_audio(session, story_id)


def record_consent(session: Session, story_id: str, answers: ConsentInput) -> ConsentRecord:
    """A new consent version from the flow's answers; the core's rules have the last word."""
    return consent.record_consent(session, story_id, answers)


def withdraw(session: Session, story_id: str, withdrawal: Withdrawal) -> ConsentRecord:
    """The person takes back some or all of their consent (honoured at once)."""
    return consent.withdraw(session, story_id, withdrawal)


def record_spoken_recording_consent(
    session: Session, story_id: str, decided_by: str, basis: ConsentBasis, persons_words: str
) -> ConsentRecord:
    """The person (or whoever decides for them) has just agreed out loud to being recorded."""
    return recording_consent.record_verbal_recording_consent(
        session, story_id, decided_by=decided_by, basis=basis, persons_words=persons_words
    )


def consent_changes(record: ConsentRecord) -> list[Change]:
    # A consent version also raises the story's revision and its consent state in the list.
    return [Change.of(Kind.CONSENT, record.story_id), Change.of(Kind.STORIES, record.story_id)]
