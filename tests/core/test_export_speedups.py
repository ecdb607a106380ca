"""The export's faster paths (issue 21) make exactly what the plain ones made.

Canonical JSON is written by orjson: its bytes must be the json module's, for any document,
or the signed manifests of two exports of the same story would differ. The names redactor
compiles its pattern only for a text that may hold a name: it must replace what the pattern
would, always.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykeeper.core.bundle.document import canonical
from storykeeper.core.export_policy import _names_pattern, names_redactor


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
