"""The one rule for what may leave the machine, checked for any consent history (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hmac
import json
import re
import uuid
import zlib
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storykeeper.core.attachments import Attachment
from storykeeper.core.bundle.document import canonical
from storykeeper.core.bundle.payload import PlannedStory
from storykeeper.core.consent import ConsentRecord
from storykeeper.core.export_policy import (
    ExportableStory,
    WithdrawalOnly,
    Withheld,
    export_view,
    export_view_for,
)
from storykeeper.core.mentioned import PersonMentioned
from storykeeper.core.pseudonyms import pseudonymous_id
from storykeeper.core.stories import PersonRef, Story
from storykeeper.core.vocabulary import (
    AttachmentKind,
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    StoryStatus,
)

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéñłØ"
NOW = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)

name_part = st.text(alphabet=LETTERS, min_size=2, max_size=9)
filler = st.text(alphabet=LETTERS + " .,'-\n", max_size=30)
#: What stands in for a mentioned person; drawn names never use these words (assumed below).
ROLES = ("her daughter", "a neighbour", "a care worker", "his son")
PSEUDONYM = "Quiet Heron 42"
#: Where a name would end in a file name too: an underscore or a dash does not join words.
BOUNDARY_BEFORE, BOUNDARY_AFTER = r"(?<![^\W_])", r"(?![^\W_])"


def text_with(parts: list[str], joiner: str = " ") -> st.SearchStrategy[str]:
    """Free text that mentions the names, their parts, in any case, among other words. ``parts``
    holds whole names (several words) as well as single words."""
    mention = st.sampled_from(parts).flatmap(
        lambda p: st.sampled_from([p, p.upper(), p.lower(), p.title()])
    )
    return st.lists(st.one_of(mention, filler), max_size=8).map(joiner.join)


def file_name_with(parts: list[str]) -> st.SearchStrategy[str]:
    """An attachment's file name that may hold a name, spelt as people name files."""
    return st.tuples(
        st.sampled_from([" ", "_", "-", "."]).flatmap(lambda j: text_with(parts, j)),
        st.sampled_from([".pdf", ".jpg", ".png", ""]),
    ).map("".join)


@st.composite
def consent_records(draw: st.DrawFn, parts: list[str]) -> list[ConsentRecord]:
    count = draw(st.integers(0, 4))
    records = []
    for version in range(1, count + 1):
        records.append(
            ConsentRecord(
                id=f"c{version}",
                story_id="s",
                version=version,
                decision=draw(st.sampled_from(list(ConsentDecision))),
                basis=draw(st.sampled_from(list(ConsentBasis))),
                decided_by=draw(text_with(parts)),
                method=draw(st.sampled_from(list(ConsentMethod))),
                scopes=frozenset(draw(st.sets(st.sampled_from(list(ConsentScope))))),
                persons_words=draw(text_with(parts)),
                conditions=draw(text_with(parts)),
                capacity_notes=draw(text_with(parts)),
                witness_id=None,
                witness_name=None,
                consulted=draw(text_with(parts)),
                advocate_involved=None,
                best_interests_reasons=draw(text_with(parts)),
                decided_on=dt.date(2026, 1, version),
                review_by=None,
                recorded_at=NOW,
            )
        )
    return draw(st.permutations(records))  # the rule must not depend on the order given


Case = tuple[Story, list[ConsentRecord], list[PersonMentioned], list[str]]


@st.composite
def stories_with_consent(draw: st.DrawFn) -> Case:
    """A story by a named storyteller that mentions others (one may share the storyteller's
    surname), with its consent history and attachments; and every word of every name."""
    teller = draw(st.lists(name_part, min_size=1, max_size=3))
    people = [
        (draw(st.lists(name_part, min_size=1, max_size=3)), draw(st.sampled_from(ROLES)))
        for _ in range(draw(st.integers(0, 3)))
    ]
    if people and len(teller) > 1 and draw(st.booleans()):
        # A daughter with her mother's surname: her whole name must become her role.
        people[0] = ([people[0][0][0], teller[-1]], people[0][1])
    words = [*teller, *(p for name, _ in people for p in name)]
    stand_ins = " ".join([PSEUDONYM, *ROLES]).casefold().split()
    assume(not any(w.casefold() in stand_ins for w in words))
    mentioned = [PersonMentioned(" ".join(name), role) for name, role in people]
    parts = [*words, " ".join(teller), *(p.name for p in mentioned)]
    attachments = tuple(
        Attachment(
            f"a{n}",
            AttachmentKind.DOCUMENT,
            f"{n:064x}",
            10,
            "application/pdf",
            draw(file_name_with(parts)),
            NOW,
        )
        for n in range(draw(st.integers(0, 3)))
    )
    story = Story(
        id="s",
        storyteller=PersonRef("t", " ".join(teller)),
        storyteller_pseudonym=PSEUDONYM,
        supporter=None,
        title=draw(text_with(parts)),
        own_words=draw(text_with(parts)),
        recorder_notes=draw(text_with(parts)),
        told_on=None,
        setting=None,
        how_told=None,
        language="en",
        status=StoryStatus.FINAL,
        themes=(),
        revision=1,
        origin_device="d",
        created_at=NOW,
        updated_at=NOW,
        consent_state=ConsentState.NONE,
        consent_review_by=None,
        attachments=attachments,
    )
    return story, draw(consent_records(parts)), mentioned, words


#: Fields that are never a person's words: ids, codes and the vocabulary.
NOT_FREE_TEXT = frozenset(
    {"id", "story_id", "storyteller_id", "witness_id", "language", "media_type", "sha256"}
)


def all_text(value: Any) -> list[str]:
    """Every piece of free text in ``value``, however deeply it is nested."""
    if isinstance(value, enum.Enum):
        return []
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            t
            for f in dataclasses.fields(value)
            if f.name not in NOT_FREE_TEXT
            for t in all_text(getattr(value, f.name))
        ]
    if isinstance(value, tuple | list | frozenset):
        return [t for item in value for t in all_text(item)]
    return []


@settings(max_examples=400, deadline=None)
@given(stories_with_consent())
def test_the_export_never_holds_what_consent_forbids(case: Case) -> None:
    story, history, mentioned, words = case
    decision = export_view(story, history, mentioned)
    current = max(history, key=lambda r: r.version) if history else None
    agreed = current is not None and current.decision in (
        ConsentDecision.GIVEN,
        ConsentDecision.GIVEN_WITH_CONDITIONS,
    )
    if not isinstance(decision, ExportableStory):
        shared_before = any(
            r.decision in (ConsentDecision.GIVEN, ConsentDecision.GIVEN_WITH_CONDITIONS)
            and ConsentScope.SHARE_WITH_COORDINATOR in r.scopes
            for r in history
            if r is not current
        )
        assert isinstance(decision, WithdrawalOnly if shared_before else Withheld)
        return
    assert current is not None and agreed
    assert ConsentScope.SHARE_WITH_COORDINATOR in current.scopes
    assert decision.scopes == current.scopes
    # The vocabulary survives redaction unchanged: only free text is rewritten.
    kinds = [(type(r.decision), type(r.basis), type(r.method)) for r in decision.consent_history]
    assert kinds == [(ConsentDecision, ConsentBasis, ConsentMethod)] * len(history)
    assert [(r.decision, r.basis, r.method) for r in decision.consent_history] == [
        (r.decision, r.basis, r.method) for r in sorted(history, key=lambda r: r.version)
    ]
    if ConsentScope.SHARE_MEDIA not in current.scopes:
        assert decision.attachments == ()
        assert decision.media_left_out == len(story.attachments)
    else:
        assert [a.sha256 for a in decision.attachments] == [a.sha256 for a in story.attachments]
    if ConsentScope.PUBLISH_WITH_NAME not in current.scopes:
        assert decision.storyteller == story.storyteller_pseudonym
        # Every word of every name (the storyteller's and each mentioned person's), in any
        # field, attachment names included.
        forbidden = re.compile(
            BOUNDARY_BEFORE + "(?:" + "|".join(re.escape(w) for w in words) + ")" + BOUNDARY_AFTER,
            re.IGNORECASE,
        )
        leaks = [t for t in all_text(decision) if forbidden.search(t)]
        assert leaks == []
    else:
        assert decision.storyteller == story.storyteller.name
        assert decision.attachments == (
            story.attachments if ConsentScope.SHARE_MEDIA in current.scopes else ()
        )
        assert (decision.title, decision.own_words) == (story.title, story.own_words)


def test_a_withdrawn_story_sends_only_its_withdrawal(store: object) -> None:
    from storykeeper.core import consent
    from tests.factories import given as consent_given
    from tests.factories import make_story

    made = make_story(store, own_words="Private words.")  # type: ignore[arg-type]
    with store.write(actor="test") as session:  # type: ignore[attr-defined]
        assert isinstance(export_view_for(session, made.id), Withheld)
        consent.record_consent(session, made.id, consent_given())
        shared = export_view_for(session, made.id)
        assert isinstance(shared, ExportableStory)
        assert shared.own_words == "Private words."
        assert shared.storyteller == made.storyteller_pseudonym
        consent.record_consent(
            session,
            made.id,
            consent_given(decision=ConsentDecision.WITHDRAWN, scopes=frozenset()),
        )
        gone = export_view_for(session, made.id)
    assert isinstance(gone, WithdrawalOnly)
    assert "Private" not in repr(gone)


recipient_sets = st.lists(
    st.sampled_from(["plain", "age1north", "age1south", "age1east"]), min_size=1, max_size=3
)


def sharing(named: bool) -> ConsentRecord:
    """A consent version that lets the story go to the coordinator, with or without the name."""
    scopes = {ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.SHARE_MEDIA}
    return ConsentRecord(
        id="c9",
        story_id="s",
        version=9,
        decision=ConsentDecision.GIVEN,
        basis=ConsentBasis.OWN_CONSENT,
        decided_by="",
        method=ConsentMethod.VERBAL,
        scopes=frozenset(scopes | ({ConsentScope.PUBLISH_WITH_NAME} if named else set())),
        persons_words="",
        conditions="",
        capacity_notes="",
        witness_id=None,
        witness_name=None,
        consulted="",
        advocate_involved=None,
        best_interests_reasons="",
        decided_on=dt.date(2026, 2, 1),
        review_by=None,
        recorded_at=NOW,
    )


@settings(max_examples=150, deadline=None)
@given(
    stories_with_consent(),
    st.booleans(),
    recipient_sets,
    recipient_sets,
    st.binary(min_size=32, max_size=32),
)
def test_a_story_sent_without_the_name_carries_an_id_no_one_can_join(
    case: Case, named: bool, to: list[str], others: list[str], secret: bytes
) -> None:
    """The document as written for its recipients: the real storyteller id only with the name;
    without it an id that is the same for the same person and recipients (in any order), and
    another for other recipients or another person."""
    story, history, mentioned, _ = case
    decision = export_view(story, [*history, sharing(named)], mentioned)
    assert isinstance(decision, ExportableStory) and decision.storyteller_named == named
    key = hmac.new(secret, b"storyteller:" + story.storyteller.id.encode(), "sha256").digest()
    planned = PlannedStory.of(decision, key)

    def sent_id(recipients: list[str]) -> str:
        return str(json.loads(planned.document(recipients))["storyteller"]["id"])

    if decision.storyteller_named:
        assert sent_id(to) == story.storyteller.id
        return
    pseudonymous = sent_id(to)
    assert pseudonymous != story.storyteller.id
    assert uuid.UUID(pseudonymous).version == 4
    assert sent_id(list(reversed(to)) + to[:1]) == pseudonymous
    assert (sent_id(others) == pseudonymous) == (set(others) == set(to))
    another = hmac.new(secret, b"storyteller:someone else", "sha256").digest()
    assert pseudonymous_id(another, to) != pseudonymous
    # Everything but the id is the document as planned.
    document = json.loads(planned.document(to))
    document["storyteller"]["id"] = story.storyteller.id
    assert canonical(document) == zlib.decompress(planned.compressed)
