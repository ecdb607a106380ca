"""The export's faster paths (issue 21) make exactly what the plain ones made.

Canonical JSON is written by orjson: its bytes must be the json module's, for any document,
or the signed manifests of two exports of the same story would differ. The names redactor
compiles its pattern only for a text that may hold a name: it must replace what the pattern
would, always.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storykeeper.core import demo
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.document import canonical
from storykeeper.core.bundle.writer import Selection, plan_export
from storykeeper.core.consent import record_consent
from storykeeper.core.db import Store
from storykeeper.core.export_policy import _names_pattern, names_redactor
from storykeeper.core.mentioned import PersonMentioned, set_people_mentioned
from storykeeper.core.models import StoryRow
from storykeeper.core.vocabulary import ConsentBasis, ConsentScope
from tests.factories import given as consent_given
from tests.factories import make_story
from tests.mca_records import has_capacity


def by_json_module(document: dict[str, Any]) -> bytes:
    """The canonical form as the format defines it: the json module's sorted, indented text."""
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


#: Every value a bundle document holds (the format has no fractions): any text, control
#: characters and lone surrogates included, and whole numbers past 64 bits.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_canonical_json_is_the_json_modules_bytes(document: dict[str, Any]) -> None:
    try:
        expected = by_json_module(document)
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for it either way
        with pytest.raises(UnicodeEncodeError):
            canonical(document)
        return
    assert canonical(document) == expected


def test_canonical_json_of_the_characters_json_escapes() -> None:
    every_control = "".join(chr(c) for c in range(0x20)) + '"\\/\x7f\u2028\u2029\ufeff'
    document = {"b": [every_control, {}, [], 2**63 - 1, -(2**63)], "a": {"é": True, "e": None}}
    assert canonical(document) == by_json_module(document)


#: Letters whose case the regular expressions fold otherwise than casefold() does (dotless i,
#: sharp s, the Kelvin sign, long s), and a mark.
TRICKY = "ıIiİßẞKkſsSéÉ'-"
name_word = st.text(alphabet="abcMN" + TRICKY, min_size=1, max_size=5)
names_strategy = st.lists(
    st.tuples(
        st.lists(name_word, min_size=1, max_size=3).map(" ".join),
        st.sampled_from(["Mary K.", "[her daughter]", "[a neighbour]"]),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=1500, deadline=None)
@given(names_strategy, st.data())
def test_the_redactor_replaces_exactly_what_the_one_pattern_replaces(
    names: list[tuple[str, str]], data: st.DataObject
) -> None:
    """The redactor looks for a word of a name standing alone before compiling its pattern:
    what it returns is what that pattern, always applied, returns."""
    words = [w for name, _ in names for w in name.split()] + [name for name, _ in names]
    text = data.draw(
        st.lists(
            st.sampled_from(words) | st.text(alphabet="ab _-\n." + TRICKY, max_size=6),
            max_size=8,
        ).map("".join)
    )
    compiled = _names_pattern(tuple(names))
    if compiled is None:
        expected = text
    else:
        pattern, replacement = compiled

        def stand_in(match: re.Match[str]) -> str:
            key = " ".join(match.group().replace("_", " ").split()).casefold()
            return replacement.get(key, names[0][1])

        expected = pattern.sub(stand_in, text)
    assert names_redactor(names)(text) == expected


def _story_with_every_kind_of_record(store: Store, folder: Path) -> None:
    """A story whose consent names a witness and holds a capacity assessment, which mentions a
    person and has two attachments to share: what demo data does not make."""
    story = make_story(
        store,
        teller="Margaret Evans",
        own_words="Margaret said Jane Evans takes her to the bus.",
    )
    assert story.supporter is not None
    with store.write(actor="test") as session:
        set_people_mentioned(session, story.id, [PersonMentioned("Jane Evans", "her daughter")])
        for name, data in (("Margaret_Evans_bus.jpg", b"\xff\xd8 a photo"), ("notes.txt", b"x")):
            (folder / name).write_bytes(data)
            add_attachment(session, store.media, story.id, folder / name)
        record_consent(
            session,
            story.id,
            consent_given(
                basis=ConsentBasis.SUPPORTED_DECISION,
                capacity=has_capacity(steps_note="Margaret Evans chose the pictures."),
                scopes=frozenset({ConsentScope.SHARE_WITH_COORDINATOR, ConsentScope.SHARE_MEDIA}),
                witness_id=story.supporter.id,
                conditions="Not Margaret's address.",
            ),
        )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_planning_every_story_at_once_decides_as_story_by_story(
    store: Store, tmp_path: Path, seed: int
) -> None:
    """An export of every story reads them in a few queries per batch; one of chosen stories
    reads each on its own (``export_view_for``). Both must plan the same documents and leave
    out the same stories for the same reasons, for stores the demo generator makes (every
    consent situation, witnesses) with a story of every other kind of record."""
    _story_with_every_kind_of_record(store, tmp_path)
    demo.generate(store, stories=60, seed=seed)
    with store.read() as session:
        everything = plan_export(session, Selection.ALL, recipients=["plain"])
        ids = list(session.scalars(select(StoryRow.uuid).order_by(StoryRow.id)))
        one_by_one = plan_export(session, Selection.CHOSEN, ids, recipients=["plain"])
    assert everything.stories == one_by_one.stories
    assert everything.left_out == one_by_one.left_out
    assert len(everything.stories) + len(everything.left_out) < len(ids)  # withdrawals too
    assert any(len(s.media) == 2 for s in everything.stories)
