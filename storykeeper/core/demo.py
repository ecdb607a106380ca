"""Synthetic demo data: varied, realistic, deterministic for a seed, and fast.

For trying the program, for screenshots and for benchmarks. Every person and story is invented
(see ``demo_text``). Rows are inserted in bulk with SQLAlchemy Core rather than through the
per-record services, because 100,000 stories must take well under a minute; the values obey the
same rules the services enforce, and ``storykeeper check`` passes on the result.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from storykeeper.core import audit
from storykeeper.core.consent import ConsentStep, add_months, derive_consent
from storykeeper.core.db import Store, refresh_planner_statistics
from storykeeper.core.demo_text import load_demo_text
from storykeeper.core.errors import ValidationError
from storykeeper.core.models import (
    ConsentRecordRow,
    StoryRow,
    StorytellerRow,
    StoryThemeRow,
    StoryVersionRow,
    SupporterRow,
    ThemeRow,
    WithdrawalNoticeRow,
    with_content_digests,
)
from storykeeper.core.pseudonyms import GIVEN_NAMES, INITIALS, make_pseudonym, unique_pseudonym
from storykeeper.core.vocabulary import (
    AgeBand,
    Communication,
    ConsentBasis,
    ConsentDecision,
    ConsentMethod,
    ConsentScope,
    HowTold,
    Polarity,
    Setting,
    StoryStatus,
    SupporterRole,
)

# Fixed, so the same seed makes the same stories whatever day it is run.
ANCHOR = dt.date(2026, 10, 31)
SPAN_DAYS = 3 * 365
BATCH = 5000
MAX_STORIES = 1_000_000

T = TypeVar("T")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    stories: int
    storytellers: int
    supporters: int
    consent_records: int


def _weighted(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


# (situation, weight): every consent situation the program must handle.
SITUATIONS: list[tuple[str, float]] = [
    ("none", 8),
    ("own", 28),
    ("supported", 14),
    ("conditions", 8),
    ("attorney", 8),
    ("deputy", 4),
    ("best_interests", 10),
    ("declined", 7),
    ("withdrawn", 6),
    ("reviewed", 7),
]
BASIS_OF = {
    "own": ConsentBasis.OWN_CONSENT,
    "supported": ConsentBasis.SUPPORTED_DECISION,
    "conditions": ConsentBasis.OWN_CONSENT,
    "attorney": ConsentBasis.LASTING_POWER_OF_ATTORNEY,
    "deputy": ConsentBasis.DEPUTY,
    "best_interests": ConsentBasis.BEST_INTERESTS,
    "declined": ConsentBasis.OWN_CONSENT,
    "withdrawn": ConsentBasis.SUPPORTED_DECISION,
    "reviewed": ConsentBasis.OWN_CONSENT,
}
SCOPE_CHANCE = {
    ConsentScope.SHARE_WITH_COORDINATOR: 0.92,
    ConsentScope.ANONYMISED_IN_REPORTS: 0.85,
    ConsentScope.QUOTE_ANONYMISED: 0.6,
    ConsentScope.PUBLISH_WITH_NAME: 0.15,
    ConsentScope.SHARE_MEDIA: 0.3,
}
SUPPORT_NEEDS = (
    "",
    "",
    "Needs short sessions with breaks.",
    "Hears better on the left side; sit close.",
    "Uses a picture board for yes and no.",
    "Best in the morning; tires in the afternoon.",
    "Likes a familiar person present.",
    "Reads large print only.",
    "Uses British Sign Language; book an interpreter.",
    "May repeat questions; give time and reassurance.",
)


#: The share of the plain pseudonyms ("Mary K.") in use after which a demo storyteller gets a
#: numbered one ("Mary K. 2"), as ``unique_pseudonym`` gives once most are in use.
PLAIN_PSEUDONYMS_USED = 0.9


class _Pseudonyms:
    """Demo storytellers' pseudonyms: unique, clear of every part of the person's name.

    ``unique_pseudonym`` looks at every plain pseudonym before it numbers one, so that none is
    numbered while a plain one is free. There are about 2,800 of them: at 33,333 storytellers
    nearly every later one searched them all in vain (two thirds of ``demo-data``'s time at
    20,000 stories, under the profiler). Once most are in use, these are numbered straight
    away, each name counting on from its last number.
    """

    def __init__(self, taken: set[str], rng: random.Random) -> None:
        self.taken = taken
        self.rng = rng
        self.plain = {f"{name} {initial}." for name in GIVEN_NAMES for initial in INITIALS}
        self.plain_used = len(self.plain & taken)
        self.next_number: dict[str, int] = {}

    def new(self, real_name: str) -> str:
        if self.plain_used < PLAIN_PSEUDONYMS_USED * len(self.plain):
            pseudonym = unique_pseudonym(self.taken, self.rng, avoiding=real_name)
        else:
            base = make_pseudonym(self.rng, avoiding=real_name)
            number = self.next_number.get(base, 2)
            while (pseudonym := f"{base} {number}") in self.taken:
                number += 1
            self.next_number[base] = number + 1
        self.taken.add(pseudonym)
        self.plain_used += pseudonym in self.plain
        return pseudonym


class _Generator:
    def __init__(self, session: Session, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text = load_demo_text()
        self.session = session
        self.now = dt.datetime.combine(ANCHOR, dt.time(12), dt.UTC)
        self.next_id = {
            row: (session.scalar(select(func.max(row.id))) or 0) + 1
            for row in (StorytellerRow, SupporterRow, StoryRow, ConsentRecordRow)
        }
        self.pseudonyms = _Pseudonyms(
            set(session.scalars(select(StorytellerRow.pseudonym))), self.rng
        )
        themes = dict(session.execute(select(ThemeRow.name, ThemeRow.id)).all())
        # Only themes the word pools know: a renamed or added theme has no sentences to use.
        self.themes = [(name, themes[name]) for name in self.text.theme_sentences if name in themes]

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def take_id(self, row: type) -> int:
        value = self.next_id[row]
        self.next_id[row] = value + 1
        return value

    def moment(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9), dt.UTC) + dt.timedelta(
            minutes=self.rng.randrange(10 * 60)
        )

    def person_name(self) -> str:
        return f"{self.rng.choice(self.text.first_names)} {self.rng.choice(self.text.surnames)}"

    def supporters(self, count: int) -> list[dict[str, Any]]:
        rows = []
        for _ in range(count):
            name = self.person_name()
            rows.append(
                {
                    "id": self.take_id(SupporterRow),
                    "uuid": self.uuid(),
                    "name": name,
                    "role": self.rng.choice(list(SupporterRole)).value,
                    "organisation": self.rng.choice(self.text.organisations),
                    "contact": name.lower().replace(" ", ".").replace("’", "") + "@example.org",
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
        return rows

    def storytellers(self, count: int) -> list[dict[str, Any]]:
        rows = []
        for _ in range(count):
            name = self.person_name()
            pseudonym = self.pseudonyms.new(name)
            ways = self.rng.sample(list(Communication), k=self.rng.randint(1, 3))
            rows.append(
                {
                    "id": self.take_id(StorytellerRow),
                    "uuid": self.uuid(),
                    "display_name": name,
                    "pseudonym": pseudonym,
                    "age_band": _weighted(
                        self.rng,
                        [
                            (None, 1),
                            (AgeBand.AGE_18_39.value, 1),
                            (AgeBand.AGE_40_64.value, 2),
                            (AgeBand.AGE_65_79.value, 4),
                            (AgeBand.AGE_80_PLUS.value, 4),
                        ],
                    ),
                    "communication": json.dumps([w.value for w in ways]),
                    "support_needs": self.rng.choice(SUPPORT_NEEDS),
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
        return rows

    def own_words(self, links: list[tuple[str, Polarity]]) -> str:
        rng, text = self.rng, self.text
        sentences: list[str] = []
        if rng.random() < 0.7:
            sentences.append(rng.choice(text.openings))
        long_story = rng.random() < 0.1
        for theme, polarity in links:
            pools = text.theme_sentences[theme]
            sides = ["enabler", "barrier"] if polarity is Polarity.MIXED else [polarity.value]
            for side in sides:
                count = rng.randint(3, 8) if long_story else rng.randint(1, 3)
                for sentence in rng.sample(pools[side], k=min(count, len(pools[side]))):
                    if rng.random() < 0.2:
                        sentence = rng.choice(text.connectives) + sentence[0].lower() + sentence[1:]
                    sentences.append(sentence)
        if rng.random() < 0.5:
            sentences.append(rng.choice(text.closings))
        paragraphs, start = [], 0
        while start < len(sentences):
            size = rng.randint(2, 4)
            paragraphs.append(" ".join(sentences[start : start + size]))
            start += size
        return "\n\n".join(paragraphs)

    def title(self, theme: str, polarity: Polarity) -> str:
        template = self.rng.choice(self.text.title_templates[polarity.value])
        title = template.format(topic=self.rng.choice(self.text.theme_topics[theme]))
        return title[0].upper() + title[1:]

    def consent_versions(
        self, story_id: int, told_on: dt.date, witness_ids: list[int]
    ) -> list[dict[str, Any]]:
        rng = self.rng
        situation = _weighted(rng, SITUATIONS)
        if situation == "none":
            return []
        basis = BASIS_OF[situation]
        decided_on = min(told_on + dt.timedelta(days=rng.randint(0, 3)), ANCHOR)
        scopes = {s: rng.random() < p for s, p in SCOPE_CHANCE.items()}
        if not any(scopes.values()):
            scopes[ConsentScope.ANONYMISED_IN_REPORTS] = True
        first = self._consent(story_id, basis, decided_on, scopes, witness_ids)
        if situation == "declined":
            first.update(self._refusal(ConsentDecision.DECLINED))
        if situation == "conditions":
            first["decision"] = ConsentDecision.GIVEN_WITH_CONDITIONS.value
            first["conditions"] = rng.choice(self.text.conditions)
        versions = [first]
        if situation in ("withdrawn", "reviewed"):
            later = min(add_months(decided_on, rng.randint(2, 7)), ANCHOR)
            second = self._consent(story_id, basis, later, scopes, witness_ids)
            second["version"] = 2
            if situation == "withdrawn":
                second.update(self._refusal(ConsentDecision.WITHDRAWN))
            versions.append(second)
        return versions

    def _refusal(self, decision: ConsentDecision) -> dict[str, Any]:
        refusal: dict[str, Any] = {s.value: False for s in ConsentScope}
        refusal.update(
            decision=decision.value,
            review_by=None,
            persons_words=self.rng.choice(self.text.consent_words_no),
        )
        return refusal

    def _consent(
        self,
        story_id: int,
        basis: ConsentBasis,
        decided_on: dt.date,
        scopes: dict[ConsentScope, bool],
        witness_ids: list[int],
    ) -> dict[str, Any]:
        rng = self.rng
        best_interests = basis is ConsentBasis.BEST_INTERESTS
        if basis in (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION):
            decided_by = "The storyteller"
        elif basis is ConsentBasis.LASTING_POWER_OF_ATTORNEY:
            decided_by = f"{self.person_name()} (attorney for health and welfare)"
        elif basis is ConsentBasis.DEPUTY:
            decided_by = f"{self.person_name()} (deputy)"
        else:
            decided_by = f"{self.person_name()} (social worker)"
        method = (
            ConsentMethod.OBSERVED_ASSENT
            if best_interests and rng.random() < 0.6
            else rng.choice(
                [
                    ConsentMethod.VERBAL,
                    ConsentMethod.SIGNED_FORM,
                    ConsentMethod.EASY_READ_FORM,
                    ConsentMethod.AUDIO_RECORDED,
                ]
            )
        )
        words = (
            rng.choice(self.text.observed_assent)
            if method is ConsentMethod.OBSERVED_ASSENT
            else rng.choice(self.text.consent_words_yes)
        )
        return {
            "id": self.take_id(ConsentRecordRow),
            "uuid": self.uuid(),
            "story_id": story_id,
            "version": 1,
            "decision": ConsentDecision.GIVEN.value,
            "basis": basis.value,
            "decided_by": decided_by,
            "capacity_notes": (
                "Could not retain the information long enough to decide, after two visits "
                "with easy-read materials."
                if best_interests
                else ""
            ),
            **{s.value: allowed for s, allowed in scopes.items()},
            # Set by ``story`` once it knows how the story was told (see there).
            ConsentScope.RECORD_AUDIO.value: False,
            "method": method.value,
            "persons_words": words,
            "witness_id": rng.choice(witness_ids),
            "conditions": "",
            "consulted": "Daughter and key worker at the care home." if best_interests else "",
            "advocate_involved": (rng.random() < 0.7) if best_interests else None,
            "best_interests_reasons": (
                "Sharing her experience anonymously reflects what she has always valued: "
                "helping others in the same position."
                if best_interests
                else ""
            ),
            "decided_on": decided_on,
            # Consent is revisited as time goes on: most reviews lie ahead, some are overdue.
            "review_by": max(
                add_months(decided_on, 6)
                if decided_on > ANCHOR - dt.timedelta(days=150)
                else ANCHOR + dt.timedelta(days=rng.randint(-30, 300)),
                decided_on,
            ),
            "recorded_at": self.moment(decided_on),
        }

    def story(
        self, storyteller_ids: list[int], supporter_ids: list[int]
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        story_id = self.take_id(StoryRow)
        told_on = ANCHOR - dt.timedelta(days=rng.randrange(SPAN_DAYS))
        picked = rng.sample(
            self.themes, k=min(len(self.themes), _weighted(rng, [(1, 4), (2, 4), (3, 2)]))
        )
        links = [
            (
                name,
                theme_id,
                _weighted(rng, [(Polarity.ENABLER, 5), (Polarity.BARRIER, 4), (Polarity.MIXED, 2)]),
            )
            for name, theme_id in picked
        ]
        consent = self.consent_versions(story_id, told_on, supporter_ids)
        newest = consent[-1] if consent else None
        derived = derive_consent(
            ConsentStep(v["version"], ConsentDecision(v["decision"]), v["review_by"])
            for v in consent
        )
        # A story without consent is always a draft (it cannot be final without it).
        draft = newest is None or rng.random() < 0.08
        created = self.moment(told_on)
        story = {
            "id": story_id,
            "uuid": self.uuid(),
            "storyteller_id": rng.choice(storyteller_ids),
            "supporter_id": rng.choice(supporter_ids),
            "title": self.title(links[0][0], links[0][2]) if links else "My story",
            "own_words": self.own_words([(name, polarity) for name, _, polarity in links])
            if links
            else "",
            "recorder_notes": " ".join(
                rng.sample(
                    self.text.recorder_notes, k=_weighted(rng, [(0, 2), (1, 4), (2, 3), (3, 1)])
                )
            ),
            "told_on": told_on,
            "setting": _weighted(
                rng,
                [
                    (Setting.HOME, 5),
                    (Setting.CARE_HOME, 4),
                    (Setting.DAY_CENTRE, 2),
                    (Setting.HOSPITAL, 1),
                    (Setting.COMMUNITY, 2),
                    (Setting.OTHER, 0.5),
                ],
            ).value,
            "how_told": _weighted(
                rng,
                [
                    (HowTold.SPOKEN_WRITTEN_DOWN, 6),
                    (HowTold.OWN_WORDS_WRITTEN, 2),
                    (HowTold.SPOKEN_AUDIO_RECORDED, 2),
                    (HowTold.PROXY_ACCOUNT, 1),
                ],
            ).value,
            "language": "en",
            "status": (StoryStatus.DRAFT if draft else StoryStatus.FINAL).value,
            "revision": 1 + len(consent) + rng.randint(0, 3),
            "origin_device": str(self.session.info.get("device_id", "")),
            "created_at": created,
            "updated_at": max(created, newest["recorded_at"]) if newest else created,
            "consent_state": derived.state.value,
            "consent_review_by": derived.review_by,
        }
        # A story told "spoken and audio-recorded" was recorded with the person's agreement.
        # Derived, not drawn: another draw from the generator would change every story after.
        recorded = story["how_told"] == HowTold.SPOKEN_AUDIO_RECORDED.value
        for version in consent:
            agreed = version["decision"] in (
                ConsentDecision.GIVEN.value,
                ConsentDecision.GIVEN_WITH_CONDITIONS.value,
            )
            version[ConsentScope.RECORD_AUDIO.value] = recorded and agreed
        theme_rows = [
            {"story_id": story_id, "theme_id": tid, "polarity": p.value} for _, tid, p in links
        ]
        story["_themes"] = [[name, p.value] for name, _, p in links]
        return story, theme_rows, consent


def _withdrawal_notice(story_uuid: str, versions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The notice ``consent.record_consent`` would have queued: shared once, no longer."""
    if len(versions) < 2:
        return None
    agreeing = (ConsentDecision.GIVEN.value, ConsentDecision.GIVEN_WITH_CONDITIONS.value)
    *earlier, last = versions
    shared = ConsentScope.SHARE_WITH_COORDINATOR.value
    if last["decision"] in agreeing and last[shared]:
        return None
    if not any(v["decision"] in agreeing and v[shared] for v in earlier):
        return None
    return {
        "story_uuid": story_uuid,
        "consent_uuid": last["uuid"],
        "decision": last["decision"],
        "decided_on": last["decided_on"],
        "recorded_at": last["recorded_at"],
    }


def _first_version(story: dict[str, Any], uuids: dict[tuple[str, int], str]) -> dict[str, Any]:
    """The story's history entry, in the same form ``stories`` writes (so "History" has one)."""
    details = {
        "how_told": story["how_told"],
        "language": story["language"],
        "setting": story["setting"],
        "status": story["status"],
        "storyteller_uuid": uuids[("teller", story["storyteller_id"])],
        "supporter_uuid": uuids[("supporter", story["supporter_id"])],
        "themes": sorted(story.pop("_themes"), key=lambda link: link[0].lower()),
        "told_on": story["told_on"].isoformat(),
    }
    return {
        "story_id": story["id"],
        "revision": story["revision"],
        "saved_at": story["updated_at"],
        "actor": "demo-data",
        "title": story["title"],
        "own_words": story["own_words"],
        "recorder_notes": story["recorder_notes"],
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    }


def generate(
    store: Store, *, stories: int, seed: int = 1, progress: Progress | None = None
) -> DemoSummary:
    """Add ``stories`` synthetic stories (with their people and consent) in one transaction."""
    if stories > MAX_STORIES:
        raise ValidationError(f"Ask for at most {MAX_STORIES:,} demo stories at a time.", "stories")
    with store.write(actor="demo-data") as session:
        gen = _Generator(session, seed)
        supporters = gen.supporters(min(400, max(3, stories // 100)))
        tellers = gen.storytellers(max(1, stories // 3) if stories else 0)
        if supporters and session.scalar(
            select(SupporterRow.id).where(SupporterRow.uuid == supporters[0]["uuid"])
        ):
            raise ValidationError(
                f"This store already has the demo data made with seed {seed}: "
                "use another --seed, or a fresh --data-dir.",
                "seed",
            )
        # Into the tables, not through the ORM's bulk insert: its bookkeeping for each row was
        # about a quarter of demo-data's time (the same rows; values are given, none generated).
        session.execute(insert(SupporterRow.__table__), supporters)
        if tellers:
            session.execute(insert(StorytellerRow.__table__), tellers)
        supporter_ids = [r["id"] for r in supporters]
        teller_ids = [r["id"] for r in tellers]
        consent_count = 0
        uuids = {("teller", r["id"]): r["uuid"] for r in tellers}
        uuids.update({("supporter", r["id"]): r["uuid"] for r in supporters})
        for start in range(0, stories, BATCH):
            batch = [
                gen.story(teller_ids, supporter_ids) for _ in range(min(BATCH, stories - start))
            ]
            versions = [_first_version(s, uuids) for s, _, _ in batch]
            # Bulk inserts skip the ORM's events, so each row's content digest is added here.
            session.execute(
                insert(StoryRow.__table__), with_content_digests(StoryRow, [s for s, _, _ in batch])
            )
            session.execute(
                insert(StoryVersionRow.__table__), with_content_digests(StoryVersionRow, versions)
            )
            links = [link for _, theme_rows, _ in batch for link in theme_rows]
            if links:
                session.execute(insert(StoryThemeRow.__table__), links)
            consent = [c for _, _, versions in batch for c in versions]
            if consent:
                session.execute(
                    insert(ConsentRecordRow.__table__),
                    with_content_digests(ConsentRecordRow, consent),
                )
            notices = [n for s, _, v in batch if (n := _withdrawal_notice(s["uuid"], v))]
            if notices:
                session.execute(insert(WithdrawalNoticeRow.__table__), notices)
            consent_count += len(consent)
            if progress:
                progress(start + len(batch), stories)
        summary = DemoSummary(seed, stories, len(tellers), len(supporters), consent_count)
        refresh_planner_statistics(session)
        audit.record(
            session,
            "demo_data.added",
            "store",
            None,
            {
                "seed": seed,
                "stories": stories,
                "storytellers": len(tellers),
                "supporters": len(supporters),
            },
        )
    return summary
