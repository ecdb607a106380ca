"""The bundle's own document, ``data/bundle.json``, and the stories planned to go in it.

Each story's document is made by ``document.py`` (its one home); this module keeps what the
writer needs around them: the plan's compressed documents and the summary of the bundle.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storykeeper.core.bundle import FORMAT
from storykeeper.core.bundle.document import canonical, problem_with, story_document, time_text
from storykeeper.core.consent import AGREEING, WithdrawalNotice
from storykeeper.core.export_policy import ExportableStory
from storykeeper.core.pseudonyms import linked_person_id, pseudonymous_id
from storykeeper.core.vocabulary import ConsentDecision


@dataclass(frozen=True, slots=True)
class PlannedStory:
    """A story that will leave, as its document: made when the export is planned, kept
    compressed until the bundle is written.

    An export is planned (and shown) before anything is written, so the plan holds every story
    that may leave. As objects, the 72,824 of a 100,000-story store took about 600 MB; as
    compressed documents they take a fraction of it (docs/performance.md).
    """

    story_id: str
    revision: int
    #: SHA-256 of each attachment that goes with it.
    media: tuple[str, ...]
    #: Attachments left behind because consent does not share media.
    media_left_out: int
    compressed: bytes
    #: Why the coordinator would refuse this story's document, naming the story; None (nearly
    #: always) when it would take it. The writer refuses the whole export before signing.
    problem: str | None = None
    #: Sent without the name: the storyteller's per-person key (``pseudonyms.storyteller_keys``)
    #: and the real id the document holds until it is written for its recipients.
    pseudonym_key: bytes | None = None
    storyteller_id: str = ""
    #: Sent without the name: the supporter's and witnesses' real ids, each replaced as the
    #: document is written by one derived for its recipients (``pseudonyms.linked_person_id``).
    linked_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, story: ExportableStory, pseudonym_key: bytes | None = None) -> PlannedStory:
        """``pseudonym_key``: the storyteller's key, for a story that leaves without the name."""
        made = story_document(story)
        data = canonical(made)
        # Checked here, while the document is in hand as a dict, rather than parsed back later.
        problem = problem_with(made, len(data))
        return cls(
            story_id=story.story_id,
            revision=story.revision,
            media=tuple(a.sha256 for a in story.attachments),
            media_left_out=story.media_left_out,
            compressed=zlib.compress(data, 1),
            problem=None
            if problem is None
            else f"“{story.title or 'Untitled'}” ({story.story_id[:8]}): {problem}",
            pseudonym_key=None if story.storyteller_named else pseudonym_key,
            storyteller_id=story.storyteller_id,
            linked_ids=() if story.storyteller_named else _linked_ids(story),
        )

    def document(self, recipients: Sequence[str]) -> bytes:
        """``data/stories/<id>.json``, canonical, as ``story_document`` made it, for a bundle to
        ``recipients`` (as the ledger names them): a story sent without the name carries the
        storyteller id derived for exactly them, never the real one (issue 17)."""
        data = zlib.decompress(self.compressed)
        if self.pseudonym_key is None:
            return data
        # The id stands only as the storyteller's "id" value: a quote inside any text is
        # escaped in JSON, so no text can hold this exact run of bytes. Same length, so the
        # size checked when planned still holds.
        key = self.pseudonym_key
        # A person's id is only ever an "id" value: a quote inside any text is escaped in JSON,
        # so no text holds this exact run of bytes. Same length, so the size checked holds.
        for person_id in self.linked_ids:
            linked = linked_person_id(key, person_id, recipients)
            data = data.replace(f'"id": "{person_id}"'.encode(), f'"id": "{linked}"'.encode())
        derived = pseudonymous_id(key, recipients)
        real = f'"id": "{self.storyteller_id}"'.encode()
        if data.count(real) == 1:
            return data.replace(real, f'"id": "{derived}"'.encode())
        # The same id on a supporter or witness too (never made so here): by the document.
        document = json.loads(data)
        document["storyteller"]["id"] = derived
        return canonical(document)


def _linked_ids(story: ExportableStory) -> tuple[str, ...]:
    """The real ids of the supporter and witnesses a story's document names."""
    ids = {r.witness_id for r in story.consent_history if r.witness_id}
    if story.supporter is not None:
        ids.add(story.supporter.id)
    ids.discard(story.storyteller_id)
    return tuple(sorted(ids))


def withdrawal_document(notice: WithdrawalNotice) -> dict[str, Any]:
    """The coordinator must purge this story: its consent no longer lets them keep it."""
    return {
        "story_id": notice.story_id,
        "consent_id": notice.consent_id,
        # A notice is always a withdrawal: consent given again to uses that leave the coordinator
        # out withdraws the sharing, and the importer refuses a notice that says "given".
        "decision": (
            ConsentDecision.WITHDRAWN if notice.decision in AGREEING else notice.decision
        ).value,
        "decided_on": notice.decided_on.isoformat(),
    }


def bundle_document(
    *,
    bundle_id: str,
    program_version: str,
    created_at: dt.datetime,
    signer_key_id: str,
    recipients: list[str],
    stories: list[PlannedStory],
    withdrawals: list[WithdrawalNotice],
) -> dict[str, Any]:
    """``data/bundle.json``: what the bundle is and what it carries."""
    return {
        "format": FORMAT,
        "bundle_id": bundle_id,
        "program": f"Storykeeper {program_version}",
        "created_at": time_text(created_at),
        "signer_key_id": signer_key_id,
        "recipients": recipients,
        "stories": [{"id": s.story_id, "revision": s.revision} for s in stories],
        "withdrawals": [withdrawal_document(w) for w in withdrawals],
    }
