"""The story document: one description of a story in a bundle, with the store's own limits.

A story the store accepts must reach the coordinator; one the coordinator would refuse never
leaves the advocate's computer; and no refusal anywhere quotes a person's words whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from storykeeper.core import attachments, consent, people, stories, themes, validation
from storykeeper.core.bundle import FORMAT, document
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import REASON_MAX, Outcome, excerpt, history
from storykeeper.core.bundle.schema import load_schema
from storykeeper.core.bundle.writer import ExportError
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.export_policy import ExportableStory, export_view_for
from storykeeper.core.keys import KeyStore
from storykeeper.core.vocabulary import ConsentScope, PracticableStep
from tests.exchange import export, shared, snapshot, trust_advocate
from tests.factories import given, make_story
from tests.forgery import edit_story, resign

#: Every length and count limit in the published schemas, and the constant it mirrors: the
#: store's own where the store checks the field, the format's where only a bundle has it.
MIRRORED: dict[str, int] = {
    # data/bundle.json
    "bundle:/properties/program/maxLength": document.PROGRAM_MAX,
    "bundle:/properties/created_at/maxLength": document.TIME_TEXT_MAX,
    "bundle:/properties/recipients/maxItems": document.RECIPIENTS_MAX,
    "bundle:/properties/stories/maxItems": document.BUNDLE_STORIES_MAX,
    "bundle:/properties/withdrawals/maxItems": document.BUNDLE_STORIES_MAX,
    # data/stories/<id>.json
    "story:/properties/title/maxLength": stories.TITLE_MAX,
    "story:/properties/own_words/maxLength": stories.OWN_WORDS_MAX,
    "story:/properties/recorder_notes/maxLength": stories.NOTES_MAX,
    "story:/properties/language/maxLength": validation.LANGUAGE_TAG_MAX,
    "story:/properties/themes/maxItems": document.THEMES_MAX,
    "story:/properties/themes/items/properties/name/maxLength": themes.THEME_NAME_MAX,
    "story:/properties/consent/properties/conditions/maxLength": consent.TEXT_MAX,
    "story:/properties/consent/properties/history/maxItems": document.CONSENT_VERSIONS_MAX,
    "story:/properties/attachments/maxItems": document.ATTACHMENTS_MAX,
    "story:/properties/attachments/items/properties/media_type/maxLength": (
        attachments.MEDIA_TYPE_MAX
    ),
    "story:/properties/attachments/items/properties/original_name/maxLength": (
        attachments.ORIGINAL_NAME_MAX
    ),
    "story:/$defs/name/maxLength": people.NAME_MAX,
    "story:/$defs/scopes/maxItems": len(ConsentScope),
    "story:/$defs/consent_text/maxLength": consent.TEXT_MAX,
    "story:/$defs/consent_record/properties/decided_by/maxLength": consent.DECIDED_BY_MAX,
    "story:/$defs/consent_record/properties/recorded_at/maxLength": document.TIME_TEXT_MAX,
    # Format 2: the Mental Capacity Act record of each consent version.
    "story:/$defs/consent_name/maxLength": consent.PERSON_NAME_MAX,
    "story:/$defs/consent_record/properties/representative_reference/maxLength": (
        consent.REFERENCE_MAX
    ),
    "story:/$defs/capacity_assessment/properties/decision/maxLength": (
        consent.CAPACITY_DECISION_MAX
    ),
    "story:/$defs/capacity_assessment/properties/steps_taken/maxItems": len(PracticableStep),
    "story:/$defs/best_interests/properties/consulted/maxItems": consent.CONSULTED_MAX,
    "story:/$defs/best_interests/properties/consulted/items/properties/relationship/maxLength": (
        consent.RELATIONSHIP_MAX
    ),
    # Every number a bundle carries, bounded (SQLite's integers end at 2^63).
    "bundle:/properties/stories/items/properties/revision/maximum": document.WHOLE_NUMBER_MAX,
    "story:/properties/revision/maximum": document.WHOLE_NUMBER_MAX,
    "story:/properties/attachments/items/properties/size/maximum": document.WHOLE_NUMBER_MAX,
    "story:/$defs/consent_record/properties/version/maximum": document.WHOLE_NUMBER_MAX,
}


def _limits(node: Any, pointer: str) -> Iterator[tuple[str, int]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("maxLength", "maxItems", "maximum"):
                yield f"{pointer}/{key}", value
            else:
                yield from _limits(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _limits(value, f"{pointer}/{index}")


def test_every_limit_in_the_schemas_is_the_constant_it_mirrors() -> None:
    found = {
        f"{kind}:{pointer}": value
        for kind in ("bundle", "story")
        for pointer, value in _limits(load_schema(kind, FORMAT), "")
    }
    assert found == MIRRORED


#: Every date and time pattern in the schemas, by where it is.
DATE_PATTERNS = (
    ("story", ("$defs", "date")),
    ("bundle", ("properties", "withdrawals", "items", "properties", "decided_on")),
)
TIME_PATTERNS = (
    ("story", ("$defs", "consent_record", "properties", "recorded_at")),
    ("bundle", ("properties", "created_at")),
)


def _pattern(kind: str, path: tuple[str, ...]) -> re.Pattern[str]:
    node: Any = load_schema(kind, FORMAT)
    for key in path:
        node = node[key]
    return re.compile(node["pattern"])


@pytest.mark.parametrize(("kind", "path"), DATE_PATTERNS + TIME_PATTERNS)
def test_every_date_in_the_schemas_falls_in_the_years_the_format_allows(
    kind: str, path: tuple[str, ...]
) -> None:
    pattern = _pattern(kind, path)
    time = "T12:30:00Z" if (kind, path) in TIME_PATTERNS else ""
    first, last = validation.DATE_YEAR_MIN, validation.DATE_YEAR_MAX
    for allowed in (f"{first}-01-01", f"{last}-12-31", "2026-02-28"):
        assert pattern.search(allowed + time), allowed
    for refused in (
        f"{first - 1}-12-31",
        f"{last + 1}-01-01",
        "99999-01-01",
        "2026-13-01",
        "2026-00-10",
        "2026-01-32",
        "２０２６-01-01",  # digits of another script, which \d would take
    ):
        assert not pattern.search(refused + time), refused


def life_story(length: int, seed: int = 7) -> str:
    """Exactly ``length`` characters of words as a long life story has them (accents, Welsh
    letters, paragraphs): text that compresses as text does, not one letter repeated."""
    text = (
        "I was born in Merthyr in nineteen forty-eight and my mam worked at the café on the "
        "corner while dad went down the pit every morning before light; we had the bus to "
        "Aberdâr on Saturdays, the chapel on Sundays, and Nain told us stories in Cymraeg by "
        "the fire about the flood, the strike, the day the school closed and the day it opened "
        "again with a new roof and a teacher from Llanelli who could not say our names right "
        "ŵyr ŷd façade naïve"
    )
    words = text.split(" ")
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(words) + ("\n\n" if rng.random() < 0.01 else " ")
        parts.append(word)
        size += len(word)
    # The last character a letter, so that nothing at the end is trimmed away.
    return "".join(parts)[: length - 1] + "a"


def over_and_over(words: str, length: int) -> str:
    return (words * (length // len(words) + 1))[: length - 1] + "!"


@pytest.mark.parametrize(
    ("own_words", "notes"),
    [
        (life_story(stories.OWN_WORDS_MAX), life_story(stories.NOTES_MAX, seed=8)),
        # Over a megabyte that deflate would shrink past the reader's zip-bomb ratio: the
        # document must travel stored, not deflated.
        (
            over_and_over("Nain ŵyr ŷd ", stories.OWN_WORDS_MAX),
            over_and_over("Nain ŵyr ŷd ", stories.NOTES_MAX),
        ),
    ],
    ids=["a life story", "a few words over and over"],
)
def test_a_story_at_the_size_limit_goes_from_advocate_to_coordinator(
    store: Store, coordinator: Store, tmp_path: Path, own_words: str, notes: str
) -> None:
    title = "T" * stories.TITLE_MAX
    story = make_story(store, title=title, own_words=own_words, notes=notes)
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")

    report = import_bundle(coordinator, bundle, actor="coordinator")

    assert report.outcome is Outcome.IMPORTED, report.reason
    with coordinator.read() as session:
        arrived = stories.get_story(session, story.id)
    assert (arrived.title, arrived.own_words, arrived.recorder_notes) == (title, own_words, notes)


def over_the_limit(store: Store, story_id: str, length: int) -> None:
    """Own words longer than the store takes now, as a store written by an older version (with
    a larger limit) or by hand may still hold."""
    with store.write(actor="test") as session:
        session.execute(
            text("UPDATE stories SET own_words = :words WHERE uuid = :id"),
            {"words": life_story(length), "id": story_id},
        )


def test_a_story_over_the_limit_is_refused_at_the_advocates_with_the_story_named(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    shared(store, "Fine as it is")
    long = shared(store, "My whole life")
    over_the_limit(store, long.id, stories.OWN_WORDS_MAX + 1)
    out = tmp_path / "out"

    with pytest.raises(ExportError) as refused:
        export(store, coordinator, out)

    message = str(refused.value)
    assert "“My whole life”" in message
    assert "own words" in message and f"{stories.OWN_WORDS_MAX:,}" in message
    assert "\n" not in message and len(message) < 300
    assert list(out.iterdir()) == []  # nothing written, nothing half-written
    with store.read() as session:
        assert session.scalar(text("SELECT count(*) FROM exports")) == 0


@pytest.fixture
def plain_sent(store: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, KeyStore]:
    """A plain bundle of one shared story; the coordinator trusts its sender."""
    shared(store, "A story to forge")
    trust_advocate(store, coordinator)
    path = export(store, coordinator, tmp_path / "out", plain=True)
    return path, store.keys


#: A person's words no refusal may repeat: recognisable in any excerpt of 20 characters.
SECRET = "Only my sister knows this: " + life_story(300_000, seed=3)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(own_words=SECRET + "x" * (stories.OWN_WORDS_MAX + 1)),
        lambda d: d.update(title={"smuggled": SECRET}),
        lambda d: d.update(language=SECRET),
        lambda d: d["consent"]["history"][0].update(persons_words=SECRET),
        lambda d: d.update(**{SECRET[:5000]: "extra"}),
    ],
    ids=["words too long", "wrong type", "not a language", "consent words too long", "extra"],
)
def test_no_refusal_stores_or_shows_the_words_it_refuses(
    plain_sent: tuple[Path, KeyStore], coordinator: Store, edit: Any
) -> None:
    path, keys = plain_sent
    before = snapshot(coordinator)
    forged = resign(path, keys, lambda payload: edit_story(payload, edit))

    report = import_bundle(coordinator, forged, actor="coordinator", accept_plain=True)

    assert report.outcome is Outcome.REFUSED
    assert snapshot(coordinator) == before
    with coordinator.read() as session:
        (entry,) = history(session)
    for shown in (report.reason, report.summary(), entry.report.reason):
        assert len(shown) <= REASON_MAX + len("Refused: ")
        assert SECRET[30:50] not in shown and SECRET[1000:1020] not in shown, shown[:200]


def test_the_schemas_reason_says_what_is_wrong_in_few_words(
    plain_sent: tuple[Path, KeyStore], coordinator: Store
) -> None:
    path, keys = plain_sent
    words = "w" * (stories.OWN_WORDS_MAX + 1)
    forged = resign(path, keys, lambda p: edit_story(p, lambda d: d.update(own_words=words)))

    reason = import_bundle(coordinator, forged, actor="coordinator", accept_plain=True).reason

    assert reason.endswith(
        f"breaks its format at own_words: it is {stories.OWN_WORDS_MAX + 1:,} characters "
        f"long; the most it may be is {stories.OWN_WORDS_MAX:,}."
    ), reason


def test_excerpt_keeps_short_text_and_cuts_long_text_with_a_mark() -> None:
    assert excerpt("short", 80) == "short"
    cut = excerpt("a" * 500, 80)
    assert len(cut) == 80 and cut.endswith("…")
    assert excerpt("one\ntwo", 80) == "one two"


def test_the_document_of_a_story_reads_back_as_its_checked_values(store: Store) -> None:
    story = make_story(store, title="Round trip", own_words="Ein Stori ni.\n\nMy café days.")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    with store.read() as session:
        view = export_view_for(session, story.id)
    assert isinstance(view, ExportableStory)
    made = json.loads(json.dumps(document.story_document(view)))

    values = document.read_story(made)

    assert (values.title, values.own_words, values.revision) == (
        "Round trip",
        view.own_words,
        view.revision,
    )
    assert document.problem_with(made) is None


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"told_on": "0999-12-31"}, "told_on"),
        ({"decided_on": "0999-12-31"}, "decided_on"),
        ({"review_by": "3000-01-01"}, "review_by"),
    ],
)
def test_the_store_takes_no_date_a_coordinator_would_refuse(
    store: Store, when: dict[str, str], field: str
) -> None:
    """The years a bundle allows are the store's too: a slip of the year ("0999", "3000") is
    refused as it is typed, naming the field, not at the export a month later."""
    day = dt.date.fromisoformat(next(iter(when.values())))
    story = make_story(store)
    with pytest.raises(ValidationError) as refused, store.write(actor="t") as session:
        if field == "told_on":
            fields = stories.get_story(session, story.id).fields
            stories.update_story(session, story.id, dataclasses.replace(fields, told_on=day))
        else:
            consent.record_consent(session, story.id, given(**{field: day}))
    assert refused.value.field == field
    assert refused.value.message.endswith(
        f"({day.isoformat()}) is not in the years 1000–2999: check the year."
    )
