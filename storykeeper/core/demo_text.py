"""The word pools for synthetic demo data and benchmarks, read from ``resources/demo/en.json``.

The pools are data, not code: invented sentences, names and organisations about no real person,
place or organisation. :mod:`storykeeper.core.demo` combines them with a seeded
``random.Random``, so the same seed always gives the same stories.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from storykeeper.core.resources import shipped_folder


@dataclass(frozen=True, slots=True)
class DemoText:
    theme_sentences: dict[str, dict[str, tuple[str, ...]]]
    openings: tuple[str, ...]
    closings: tuple[str, ...]
    connectives: tuple[str, ...]
    title_templates: dict[str, tuple[str, ...]]
    theme_topics: dict[str, tuple[str, ...]]
    recorder_notes: tuple[str, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    organisations: tuple[str, ...]
    consent_words_yes: tuple[str, ...]
    consent_words_no: tuple[str, ...]
    observed_assent: tuple[str, ...]
    conditions: tuple[str, ...]


@cache
def load_demo_text() -> DemoText:
    raw = json.loads((shipped_folder("demo") / "en.json").read_text(encoding="utf-8"))
    return DemoText(
        theme_sentences={
            theme: {polarity: tuple(lines) for polarity, lines in pools.items()}
            for theme, pools in raw["theme_sentences"].items()
        },
        title_templates={k: tuple(v) for k, v in raw["title_templates"].items()},
        theme_topics={k: tuple(v) for k, v in raw["theme_topics"].items()},
        **{
            name: tuple(raw[name])
            for name in (
                "openings",
                "closings",
                "connectives",
                "recorder_notes",
                "first_names",
                "surnames",
                "organisations",
                "consent_words_yes",
                "consent_words_no",
                "observed_assent",
                "conditions",
            )
        },
    )
