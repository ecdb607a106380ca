"""People a story mentions besides the storyteller: the name as written and the role that
stands in for it ("[her daughter]") wherever the story's consent does not allow names to leave.

The advocate confirms the list; ``suggest_names`` only offers names found in the text. It is
simple on purpose: a name it misses is one the advocate adds, a word it offers wrongly is one
the advocate leaves out — it never decides anything itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storykeeper.core import audit
from storykeeper.core.errors import ValidationError
from storykeeper.core.models import PersonMentionedRow, StoryRow
from storykeeper.core.provenance import refuse_if_imported
from storykeeper.core.stories import story_row
from storykeeper.core.validation import clean_line

#: The columns' widths.
NAME_MAX = 200
ROLE_MAX = 100
#: More than any story names; a bound so a pasted list cannot grow the export's pattern forever.
PEOPLE_MAX = 200


@dataclass(frozen=True, slots=True)
class PersonMentioned:
    """Someone named in a story; ``role`` (e.g. "her daughter") is shown as "[her daughter]"."""

    name: str
    role: str


def people_mentioned(session: Session, story_id: str) -> list[PersonMentioned]:
    """The people a story mentions, in the order the advocate listed them."""
    row = story_row(session, story_id)
    return [
        PersonMentioned(r.name, r.role)
        for r in session.scalars(
            select(PersonMentionedRow)
            .where(PersonMentionedRow.story_id == row.id)
            .order_by(PersonMentionedRow.position)
        )
    ]


def mentioned_by_story(
    session: Session, story_ids: Sequence[str]
) -> dict[str, list[PersonMentioned]]:
    """The lists of many stories (by full id) in one query, for an export; only stories that
    mention someone are keys."""
    found: dict[str, list[PersonMentioned]] = {}
    for story_uuid, name, role in session.execute(
        select(StoryRow.uuid, PersonMentionedRow.name, PersonMentionedRow.role)
        .join(StoryRow, StoryRow.id == PersonMentionedRow.story_id)
        .where(StoryRow.uuid.in_(list(story_ids)))
        .order_by(PersonMentionedRow.story_id, PersonMentionedRow.position)
    ):
        found.setdefault(story_uuid, []).append(PersonMentioned(name, role))
    return found


def _cleaned(people: Sequence[PersonMentioned]) -> list[PersonMentioned]:
    if len(people) > PEOPLE_MAX:
        raise ValidationError(
            f"A story can list at most {PEOPLE_MAX} people mentioned: remove some.",
            "people_mentioned",
        )
    cleaned: list[PersonMentioned] = []
    seen: set[str] = set()
    for number, person in enumerate(people, start=1):
        name = clean_line(
            person.name,
            "people_mentioned",
            f"The name of person mentioned {number}",
            max_length=NAME_MAX,
            required=True,
        )
        role = clean_line(
            person.role,
            "people_mentioned",
            f"The role of person mentioned {number} (such as “her daughter”)",
            max_length=ROLE_MAX,
            required=True,
        )
        if name.casefold() in seen:
            # Said without the name: an error line never carries a person's words.
            raise ValidationError(
                f"Person mentioned {number} is already in the list: remove one of them.",
                "people_mentioned",
            )
        seen.add(name.casefold())
        cleaned.append(PersonMentioned(name, role))
    return cleaned


def set_people_mentioned(
    session: Session, story_id: str, people: Sequence[PersonMentioned]
) -> list[PersonMentioned]:
    """Replace the story's list with ``people`` (cleaned and checked); returns what was kept."""
    row = story_row(session, story_id)
    refuse_if_imported(session, row)
    cleaned = _cleaned(people)
    if cleaned == people_mentioned(session, row.uuid):
        return cleaned
    # What leaves with the story changes with the list: a new revision, so the next export
    # sends it again and a coordinator's copy takes the names out (or keeps them) as it says.
    row.bump_revision()
    session.execute(delete(PersonMentionedRow).where(PersonMentionedRow.story_id == row.id))
    session.flush()  # the old positions go before the new take their places
    session.add_all(
        PersonMentionedRow(story_id=row.id, position=position, name=p.name, role=p.role)
        for position, p in enumerate(cleaned)
    )
    # The count only: the audit log never holds a person's name.
    audit.record(
        session,
        "story.people_mentioned",
        "story",
        row.uuid,
        {"count": len(cleaned), "revision": row.revision},
    )
    session.flush()
    return cleaned


# --- suggestions ---

#: A word: a letter, then letters (an apostrophe or hyphen inside, as in O'Brien or Anne-Marie).
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$|^\s*$")

#: Words written with a capital that are not names: sentence starters, days, months, places of
#: the everyday, and the words a story about a life uses most. Checked case-folded.
_COMMON_WORDS_TEXT = """
    i i'm i've i'd i'll a an the and but or so then when where what who why how yes no not
    he she they we you it his her their our my your its this that these those there here
    mr mrs ms miss dr mum mam mom dad mother father nan nana gran granny grandad grandma
    grandpa auntie aunt uncle sister brother son daughter husband wife
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    christmas easter sunday god church chapel school hospital doctor nurse
    england wales scotland ireland britain london english welsh scottish irish british
    after before because if once later now today yesterday tomorrow one two three we'd
    she'd he'd we'll they'd it's that's there's
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


def _sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - 3) : start]) or start == 0)


def _runs(text: str) -> Iterable[tuple[str, bool]]:
    """Runs of 1–3 capitalised words, each with whether it opens a sentence."""
    words = [m for m in _WORD.finditer(text) if m.group()[0].isupper()]
    index = 0
    while index < len(words):
        run = [words[index]]
        while (
            len(run) < 3
            and index + len(run) < len(words)
            and text[run[-1].end() : words[index + len(run)].start()] == " "
        ):
            run.append(words[index + len(run)])
        index += len(run)
        # A common word at the run's start ("The", "Mrs") is not part of the name.
        while run and run[0].group().casefold() in COMMON_WORDS:
            run.pop(0)
        while run and run[-1].group().casefold() in COMMON_WORDS:
            run.pop()
        if run:
            opening = _sentence_start(text, run[0].start())
            yield text[run[0].start() : run[-1].end()], opening


def suggest_names(texts: Iterable[str], known: Iterable[str]) -> list[str]:
    """Name-like runs of capitalised words in ``texts``, not already in ``known``.

    A run that only ever opens a sentence is left out ("Later we moved"), unless the same words
    are seen mid-sentence somewhere. Known names (the storyteller's, those already listed) are
    left out whole and by part. First-seen order, each once.
    """
    known_parts = {
        part.casefold() for name in known for part in [name, *name.split()] if part.strip()
    }
    mid_sentence: set[str] = set()
    order: dict[str, str] = {}
    for text in texts:
        for run, opening in _runs(text):
            key = run.casefold()
            if not opening:
                mid_sentence.add(key)
            order.setdefault(key, run)
    suggestions = []
    for key, run in order.items():
        if key not in mid_sentence:
            continue
        if key in known_parts or all(part.casefold() in known_parts for part in run.split()):
            continue
        suggestions.append(run)
    return suggestions
