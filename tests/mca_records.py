"""Mental Capacity Act records for tests: a capacity assessment and a best-interests record that
the store accepts, to be varied with ``dataclasses.replace``."""

from __future__ import annotations

import datetime as dt

from storykeeper.core.consent import (
    BestInterests,
    CapacityAssessment,
    FunctionalAnswer,
    PersonConsulted,
)
from storykeeper.core.vocabulary import Ability, CapacityOutcome, PracticableStep


def lacks_capacity(**overrides: object) -> CapacityAssessment:
    """An assessment that found the person cannot decide about sharing their story today."""
    values: dict[str, object] = {
        "decision": "Sharing her story with the coordinator",
        "assessed_by": "Priya Shah",
        "assessed_on": dt.date(2026, 11, 2),
        "steps_taken": frozenset({PracticableStep.OTHER_FORM, PracticableStep.TRUSTED_PERSON}),
        "steps_note": "Pictures of the report; her daughter sat with her; tried after lunch.",
        "understand": FunctionalAnswer(Ability.YES, "Knew we were talking about her bus story."),
        "retain": FunctionalAnswer(Ability.NO, "Had forgotten the report a minute later."),
        "use_or_weigh": FunctionalAnswer(Ability.NOT_SURE, ""),
        "communicate": FunctionalAnswer(Ability.YES, "Nodded and pointed to the yes card."),
        "outcome": CapacityOutcome.LACKS_CAPACITY,
    }
    values.update(overrides)
    return CapacityAssessment(**values)  # type: ignore[arg-type]


def has_capacity(**overrides: object) -> CapacityAssessment:
    """An assessment that found the person can decide (with the help it lists)."""
    answer = FunctionalAnswer(Ability.YES, "")
    values: dict[str, object] = {
        "understand": answer,
        "retain": answer,
        "use_or_weigh": answer,
        "communicate": answer,
        "outcome": CapacityOutcome.HAS_CAPACITY,
    }
    values.update(overrides)
    return lacks_capacity(**values)


def best_interests(**overrides: object) -> BestInterests:
    values: dict[str, object] = {
        "decision_maker": "Priya Shah",
        "consulted": (
            PersonConsulted("Ann Crisp", "her daughter", "Mum always liked telling that story."),
            PersonConsulted("Tom Hughes", "key worker", "She talks about the bus every week."),
        ),
        "wishes_and_values": "She has always wanted the day centre to keep its bus.",
        "why": "Her story may help keep the bus running, and her name will not be used.",
    }
    values.update(overrides)
    return BestInterests(**values)  # type: ignore[arg-type]
