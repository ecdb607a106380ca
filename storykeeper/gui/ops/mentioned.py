"""The people a story mentions, and what of a story will leave, for the story page.

Saving the list changes ``Kind.STORIES`` for that story (``saved_changes``): the list is part of
what the story says, and what leaves with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import consent, export_policy, mentioned, stories
from storykeeper.core.attachments import Attachment
from storykeeper.core.consent import ConsentRecord
from storykeeper.core.mentioned import PersonMentioned
from storykeeper.core.stories import StoryFields
from storykeeper.gui.ops.changes import Change, Kind


def people_mentioned(session: Session, story_id: str) -> list[PersonMentioned]:
    return mentioned.people_mentioned(session, story_id)


def save_people_mentioned(
    session: Session, story_id: str, people: Sequence[PersonMentioned]
) -> list[PersonMentioned]:
    """Replace the story's list (checked as the core checks it); returns what was kept."""
    return mentioned.set_people_mentioned(session, story_id, people)


def saved_changes(story_id: str) -> list[Change]:
    return [Change.of(Kind.STORIES, story_id)]


@dataclass(frozen=True)
class LeavePreview:
    """A story as it is here beside what of it would leave in a bundle, as plain text."""

    title: str
    here: str
    #: None when nothing of the story would leave; ``reason`` then says why.
    leaving: str | None
    reason: str = ""


def _written(
    title: str,
    storyteller: str,
    own_words: str,
    notes: str,
    attachments: Sequence[Attachment],
    current: ConsentRecord | None,
) -> str:
    """One story's words as the preview shows them, the same headings on both sides."""
    names = "\n".join(f"  {a.original_name}" for a in attachments) or "  (none)"
    parts = [
        f"Title: {title or '(untitled)'}",
        f"Storyteller: {storyteller}",
        f"In their own words:\n{own_words or '(none)'}",
        f"Recorder’s notes:\n{notes or '(none)'}",
        f"Photos, documents and recordings:\n{names}",
    ]
    if current is not None:
        parts.append(f"Conditions: {current.conditions or '(none)'}")
        parts.append(f"The person’s words about consent: {current.persons_words or '(none)'}")
    return "\n\n".join(parts)


def what_will_leave(
    session: Session, story_id: str, typed: StoryFields | None = None
) -> LeavePreview:
    """The story here beside exactly what an export would carry (``export_policy`` decides).

    ``typed``: the words on the page, perhaps not saved yet, shown as they would leave once saved.
    """
    story = stories.get_story(session, story_id)
    if typed is not None and not stories.content_hidden(story):
        story = dataclasses.replace(
            story,
            title=typed.title,
            own_words=typed.own_words,
            recorder_notes=typed.recorder_notes,
        )
    story = stories.shown(story)
    history = consent.consent_history(session, story.id)
    current = history[-1] if history else None
    here = _written(
        story.title,
        story.storyteller.name,
        story.own_words,
        story.recorder_notes,
        story.attachments,
        current,
    )
    decision = export_policy.export_view(
        story, history, mentioned.people_mentioned(session, story.id)
    )
    if isinstance(decision, export_policy.Withheld):
        return LeavePreview(
            story.title, here, None, f"Nothing of this story leaves. {decision.reason}"
        )
    if isinstance(decision, export_policy.WithdrawalOnly):
        return LeavePreview(
            story.title,
            here,
            None,
            "Nothing of this story leaves: consent was withdrawn, so only a notice goes, telling "
            "the coordinator to remove their copy.",
        )
    sent_current = decision.consent_history[-1] if decision.consent_history else None
    leaving = _written(
        decision.title,
        decision.storyteller,
        decision.own_words,
        decision.recorder_notes,
        decision.attachments,
        sent_current,
    )
    reason = ""
    if decision.media_left_out:
        reason = (
            f"{decision.media_left_out} photos, documents or recordings stay here: consent does "
            "not share them."
        )
    return LeavePreview(story.title, here, leaving, reason)


def story_titles(session: Session, story_ids: Sequence[str]) -> dict[str, str]:
    """The titles of stories an export would send, as shown (for the export dialog's list)."""
    found = stories.get_stories(session, list(story_ids))
    return {story_id: stories.shown(story).title for story_id, story in found.items()}
