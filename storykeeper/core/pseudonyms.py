"""Generated pseudonyms: what a storyteller is called wherever their name may not go.

Made from gentle, common English words and a number ("Quiet Heron 42"), so they are easy to say
and to read aloud, carry no hint of the person, and give 270,000 combinations.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Container

ADJECTIVES = (
    "Amber",
    "Autumn",
    "Bright",
    "Brisk",
    "Calm",
    "Clear",
    "Copper",
    "Cosy",
    "Crisp",
    "Dappled",
    "Dawn",
    "Early",
    "Evening",
    "Fair",
    "Gentle",
    "Golden",
    "Green",
    "Hazel",
    "Hidden",
    "Honey",
    "Kind",
    "Late",
    "Light",
    "Lively",
    "Lucky",
    "Meadow",
    "Merry",
    "Misty",
    "Morning",
    "Mossy",
    "Noble",
    "Patient",
    "Quiet",
    "Rosy",
    "Rustling",
    "Sandy",
    "Silver",
    "Snowy",
    "Soft",
    "Spring",
    "Steady",
    "Still",
    "Summer",
    "Sunny",
    "Swift",
    "Tall",
    "Tidy",
    "True",
    "Velvet",
    "Warm",
    "Wild",
    "Willow",
    "Windy",
    "Winter",
    "Wise",
    "Woolly",
    "Young",
    "Zesty",
    "Brave",
    "Cheerful",
)
NOUNS = (
    "Alder",
    "Ash",
    "Badger",
    "Beech",
    "Birch",
    "Blackbird",
    "Bluebell",
    "Bramble",
    "Brook",
    "Bunting",
    "Clover",
    "Cove",
    "Crocus",
    "Daisy",
    "Dove",
    "Elm",
    "Fern",
    "Finch",
    "Foxglove",
    "Glade",
    "Hare",
    "Harbour",
    "Hawthorn",
    "Heath",
    "Heron",
    "Holly",
    "Ivy",
    "Kestrel",
    "Lark",
    "Linnet",
    "Maple",
    "Marigold",
    "Meadowlark",
    "Moor",
    "Oak",
    "Orchard",
    "Otter",
    "Owl",
    "Pebble",
    "Pine",
    "Plover",
    "Poppy",
    "Primrose",
    "Robin",
    "Rowan",
    "Sparrow",
    "Starling",
    "Swallow",
    "Thistle",
    "Thrush",
    "Valley",
    "Violet",
    "Wagtail",
    "Wren",
    "Yarrow",
    "Yew",
    "Harebell",
    "Kingfisher",
    "Teasel",
    "Sorrel",
)
NUMBERS = range(10, 85)


def make_pseudonym(rng: random.Random | None = None) -> str:
    """One pseudonym. Real storytellers get a cryptographic choice, demo data a seeded one."""
    choose: Callable[[tuple[str, ...] | range], object] = (
        rng.choice if rng is not None else secrets.choice  # type: ignore[assignment]
    )
    return f"{choose(ADJECTIVES)} {choose(NOUNS)} {choose(NUMBERS)}"


def unique_pseudonym(taken: Container[str], rng: random.Random | None = None) -> str:
    """A pseudonym not in ``taken``; widens with a letter in the unlikely case all tries collide."""
    for _ in range(50):
        candidate = make_pseudonym(rng)
        if candidate not in taken:
            return candidate
    suffix = 0
    base = make_pseudonym(rng)
    while (candidate := f"{base}{chr(ord('a') + suffix % 26)}{suffix // 26 or ''}") in taken:
        suffix += 1
    return candidate
