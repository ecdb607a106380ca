"""Demo storytellers' pseudonyms at benchmark scale: unique, clear of the real name, numbered
only once most plain ones are in use (issue 21 made them stop searching every plain one)."""

from __future__ import annotations

import random

from storykeeper.core.demo import PLAIN_PSEUDONYMS_USED, _Pseudonyms
from storykeeper.core.demo_text import load_demo_text
from storykeeper.core.pseudonyms import shares_a_part


def test_ten_thousand_demo_pseudonyms_are_unique_and_clear_of_each_name() -> None:
    text = load_demo_text()
    rng = random.Random(5)
    already = {"Mary K. 2", "Mary K. 3"}  # numbered ones another seed made
    pseudonyms = _Pseudonyms(set(already), rng)
    made: list[tuple[str, str]] = []
    for _ in range(10_000):
        name = f"{rng.choice(text.first_names)} {rng.choice(text.surnames)}"
        made.append((name, pseudonyms.new(name)))
    given = [p for _, p in made]
    assert len(set(given)) == len(given)
    assert not set(given) & already
    assert [(n, p) for n, p in made if shares_a_part(p, n)] == []
    # Plain ones first: none numbered before most plain ones were given.
    first_numbered = next(i for i, p in enumerate(given) if p not in pseudonyms.plain)
    assert first_numbered >= PLAIN_PSEUDONYMS_USED * len(pseudonyms.plain) - 1
    assert all(p in pseudonyms.plain for p in given[:first_numbered])
