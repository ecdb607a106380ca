"""Storytellers (the people whose stories these are) and supporters (advocates and carers)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock, stories
from storykeeper.core.errors import ValidationError
from storykeeper.core.ids import resolve
from storykeeper.core.models import StoryRow, StorytellerRow, SupporterRow
from storykeeper.core.pseudonyms import NamesBorne, shares_a_part, unique_pseudonym
from storykeeper.core.validation import clean_line, clean_text
from storykeeper.core.vocabulary import AgeBand, Communication, SupporterRole

NAME_MAX = 200
#: The pseudonym column's width.
PSEUDONYM_MAX = 100


@dataclass(frozen=True)
class Storyteller:
    id: str
    display_name: str
    pseudonym: str
    age_band: AgeBand | None
    communication: tuple[Communication, ...]
    support_needs: str
    story_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class Supporter:
    id: str
    name: str
    role: SupporterRole
    organisation: str
    contact: str
    created_at: dt.datetime
    updated_at: dt.datetime


def _storyteller(
    session: Session, row: StorytellerRow, story_count: int | None = None
) -> Storyteller:
    if story_count is None:
        story_count = (
            session.scalar(
                select(func.count()).select_from(StoryRow).where(StoryRow.storyteller_id == row.id)
            )
            or 0
        )
    return Storyteller(
        id=row.uuid,
        display_name=row.display_name,
        pseudonym=row.pseudonym,
        age_band=AgeBand(row.age_band) if row.age_band else None,
        communication=tuple(Communication(c) for c in json.loads(row.communication)),
        support_needs=row.support_needs,
        story_count=story_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _supporter(row: SupporterRow) -> Supporter:
    return Supporter(
        id=row.uuid,
        name=row.name,
        role=SupporterRole(row.role),
        organisation=row.organisation,
        contact=row.contact,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _communication_json(values: Iterable[Communication]) -> str:
    unique = list(dict.fromkeys(Communication(v) for v in values))
    return json.dumps([v.value for v in unique])


def create_storyteller(
    session: Session,
    display_name: str,
    *,
    age_band: AgeBand | None = None,
    communication: Iterable[Communication] = (),
    support_needs: str = "",
    rng: random.Random | None = None,
) -> Storyteller:
    """Add a storyteller with a freshly generated pseudonym."""
    name = clean_line(
        display_name, "display_name", "The storyteller’s name", max_length=NAME_MAX, required=True
    )
    needs = clean_text(support_needs, "support_needs", "Support needs", max_length=10_000)
    taken = _PseudonymsInUse(session)
    now = clock.now()
    row = StorytellerRow(
        display_name=name,
        pseudonym=unique_pseudonym(taken, rng, avoiding=name, borne=NamesBorne(session)),
        age_band=AgeBand(age_band).value if age_band else None,
        communication=_communication_json(communication),
        support_needs=needs,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, "storyteller.created", "storyteller", row.uuid)
    return _storyteller(session, row, story_count=0)


class _PseudonymsInUse:
    """Asks the database, one pseudonym at a time, whether it is taken."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __contains__(self, pseudonym: object) -> bool:
        return (
            self._session.scalar(
                select(StorytellerRow.id).where(StorytellerRow.pseudonym == pseudonym)
            )
            is not None
        )


def update_storyteller(
    session: Session,
    storyteller_id: str,
    *,
    display_name: str | None = None,
    age_band: AgeBand | None = None,
    clear_age_band: bool = False,
    communication: Iterable[Communication] | None = None,
    support_needs: str | None = None,
) -> Storyteller:
    row = resolve(session, StorytellerRow, storyteller_id, "storyteller")
    changed: list[str] = []
    if display_name is not None:
        row.display_name = clean_line(
            display_name,
            "display_name",
            "The storyteller’s name",
            max_length=NAME_MAX,
            required=True,
        )
        changed.append("display_name")
        if shares_a_part(row.pseudonym, row.display_name):
            # A corrected name the pseudonym now holds part of: it would give the name away
            # wherever it stands in for it, so the person gets a new one (and may choose).
            row.pseudonym = unique_pseudonym(
                _PseudonymsInUse(session), avoiding=row.display_name, borne=NamesBorne(session)
            )
            changed.append("pseudonym")
    if clear_age_band or age_band is not None:
        row.age_band = AgeBand(age_band).value if age_band else None
        changed.append("age_band")
    if communication is not None:
        row.communication = _communication_json(communication)
        changed.append("communication")
    if support_needs is not None:
        row.support_needs = clean_text(
            support_needs, "support_needs", "Support needs", max_length=10_000
        )
        changed.append("support_needs")
    if changed:
        row.updated_at = clock.now()
        session.flush()
        audit.record(session, "storyteller.updated", "storyteller", row.uuid, {"fields": changed})
    return _storyteller(session, row)


def set_pseudonym(session: Session, storyteller_id: str, text: str) -> Storyteller:
    """Give the storyteller the pseudonym the person or their advocate chose.

    Refused, saying why in words a person can act on, when it is empty or too long, already
    someone else's, or holds any part of the person's own name (it stands in for that name).
    """
    row = resolve(session, StorytellerRow, storyteller_id, "storyteller")
    pseudonym = clean_line(
        text, "pseudonym", "The pseudonym", max_length=PSEUDONYM_MAX, required=True
    )
    if shares_a_part(pseudonym, row.display_name):
        raise ValidationError(
            "The pseudonym holds part of the person’s own name, and it stands in for that "
            "name: choose one without it.",
            "pseudonym",
        )
    if pseudonym == row.pseudonym:
        return _storyteller(session, row)
    if pseudonym in _PseudonymsInUse(session):
        raise ValidationError(
            "Another storyteller already goes by that pseudonym: choose another, or add an "
            "initial or a number.",
            "pseudonym",
        )
    row.pseudonym = pseudonym
    row.updated_at = clock.now()
    session.flush()
    # Not the pseudonym itself: the audit log says what changed, not to what.
    audit.record(session, "storyteller.updated", "storyteller", row.uuid, {"fields": ["pseudonym"]})
    return _storyteller(session, row)


def suggest_pseudonyms(session: Session, storyteller_id: str, count: int = 6) -> list[str]:
    """A few free pseudonyms for the person to choose from, none holding part of their name."""
    row = resolve(session, StorytellerRow, storyteller_id, "storyteller")
    taken, borne = _PseudonymsInUse(session), NamesBorne(session)
    offered: list[str] = []
    for _ in range(count * 4):
        candidate = unique_pseudonym(taken, avoiding=row.display_name, borne=borne)
        if candidate not in offered:
            offered.append(candidate)
        if len(offered) == count:
            break
    return offered


def get_storyteller(session: Session, storyteller_id: str) -> Storyteller:
    return _storyteller(session, resolve(session, StorytellerRow, storyteller_id, "storyteller"))


def list_storytellers(session: Session) -> list[Storyteller]:
    counts = (
        select(StoryRow.storyteller_id, func.count().label("n"))
        .group_by(StoryRow.storyteller_id)
        .subquery()
    )
    rows = session.execute(
        select(StorytellerRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.storyteller_id == StorytellerRow.id)
        .order_by(StorytellerRow.display_name)
    )
    return [_storyteller(session, row, story_count=n) for row, n in rows]


def create_supporter(
    session: Session,
    name: str,
    role: SupporterRole,
    *,
    organisation: str = "",
    contact: str = "",
) -> Supporter:
    now = clock.now()
    row = SupporterRow(
        name=clean_line(name, "name", "The supporter’s name", max_length=NAME_MAX, required=True),
        role=SupporterRole(role).value,
        organisation=clean_line(organisation, "organisation", "Organisation", max_length=NAME_MAX),
        contact=clean_line(contact, "contact", "Contact details", max_length=NAME_MAX),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, "supporter.created", "supporter", row.uuid)
    return _supporter(row)


def update_supporter(
    session: Session,
    supporter_id: str,
    *,
    name: str | None = None,
    role: SupporterRole | None = None,
    organisation: str | None = None,
    contact: str | None = None,
) -> Supporter:
    row = resolve(session, SupporterRow, supporter_id, "supporter")
    changed: list[str] = []
    if name is not None:
        row.name = clean_line(
            name, "name", "The supporter’s name", max_length=NAME_MAX, required=True
        )
        changed.append("name")
    if role is not None:
        row.role = SupporterRole(role).value
        changed.append("role")
    if organisation is not None:
        row.organisation = clean_line(
            organisation, "organisation", "Organisation", max_length=NAME_MAX
        )
        changed.append("organisation")
    if contact is not None:
        row.contact = clean_line(contact, "contact", "Contact details", max_length=NAME_MAX)
        changed.append("contact")
    if changed:
        row.updated_at = clock.now()
        session.flush()
        audit.record(session, "supporter.updated", "supporter", row.uuid, {"fields": changed})
    return _supporter(row)


def get_supporter(session: Session, supporter_id: str) -> Supporter:
    return _supporter(resolve(session, SupporterRow, supporter_id, "supporter"))


def list_supporters(session: Session) -> list[Supporter]:
    return [
        _supporter(r) for r in session.scalars(select(SupporterRow).order_by(SupporterRow.name))
    ]


def delete_storyteller(
    session: Session, storyteller_id: str, *, with_stories: bool = False
) -> tuple[list[stories.Tombstone], list[str]]:
    """Remove a storyteller; with ``with_stories``, remove their stories first.

    Without it, a storyteller who still has stories is refused. With it, each story is deleted as
    ``stories.delete_story`` does, leaving its tombstone and audit event. Returns those tombstones
    and the SHA-256 of attachment files no story uses any more, for the caller to remove after
    the transaction commits.
    """
    row = resolve(session, StorytellerRow, storyteller_id, "storyteller")
    story_ids = list(
        session.scalars(
            select(StoryRow.uuid).where(StoryRow.storyteller_id == row.id).order_by(StoryRow.id)
        )
    )
    count = len(story_ids)
    if count and not with_stories:
        raise ValidationError(
            f"{row.display_name} still has {count} {'story' if count == 1 else 'stories'}: "
            "delete those first."
        )
    tombstones: list[stories.Tombstone] = []
    unused_files: set[str] = set()
    for story_id in story_ids:
        tombstone, unused = stories.delete_story(session, story_id)
        tombstones.append(tombstone)
        unused_files.update(unused)
    audit.record(session, "storyteller.deleted", "storyteller", row.uuid, {"stories": count})
    session.delete(row)
    session.flush()
    return tombstones, sorted(unused_files)


def find_storytellers(session: Session, text: str = "", *, limit: int = 50) -> list[Storyteller]:
    """Storytellers whose name or pseudonym contains ``text`` (any case), names starting with it
    first, then alphabetical; at most ``limit``."""
    wanted = " ".join(text.split())
    query = select(StorytellerRow)
    if wanted:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            StorytellerRow.display_name.ilike(pattern, escape="\\")
            | StorytellerRow.pseudonym.ilike(pattern, escape="\\")
        ).order_by(
            StorytellerRow.display_name.ilike(f"{escaped}%", escape="\\").desc(),
            func.lower(StorytellerRow.display_name),
        )
    else:
        query = query.order_by(func.lower(StorytellerRow.display_name))
    rows = list(session.scalars(query.limit(max(1, limit))))
    counts = dict(
        session.execute(
            select(StoryRow.storyteller_id, func.count())
            .where(StoryRow.storyteller_id.in_([r.id for r in rows]))
            .group_by(StoryRow.storyteller_id)
        ).all()
    )
    return [_storyteller(session, row, story_count=counts.get(row.id, 0)) for row in rows]
