"""Themes: the seeded, editable list of what helps or gets in the way, matched by name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.errors import NotFoundError, ValidationError
from storykeeper.core.models import StoryThemeRow, ThemeRow
from storykeeper.core.validation import clean_line, clean_text

THEME_NAME_MAX = 100


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    seeded: bool
    story_count: int


def theme_row(session: Session, name: str) -> ThemeRow:
    """The theme called ``name`` (ignoring case), or a message saying how to add it."""
    row = session.scalar(select(ThemeRow).where(ThemeRow.name == name.strip()))
    if row is None:
        raise NotFoundError(
            f"There is no theme called “{name.strip()}”. Add it to the themes first."
        )
    return row


def list_themes(session: Session) -> list[Theme]:
    counts = (
        select(StoryThemeRow.theme_id, func.count().label("n"))
        .group_by(StoryThemeRow.theme_id)
        .subquery()
    )
    rows = session.execute(
        select(ThemeRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.theme_id == ThemeRow.id)
        .order_by(ThemeRow.name)
    )
    return [Theme(r.name, r.description, r.seeded, n) for r, n in rows]


def _clean_name(name: str) -> str:
    return clean_line(name, "name", "The theme’s name", max_length=THEME_NAME_MAX, required=True)


def _refuse_duplicate(session: Session, name: str, except_id: int | None = None) -> None:
    existing = session.scalar(select(ThemeRow).where(ThemeRow.name == name))
    if existing is not None and existing.id != except_id:
        raise ValidationError(f"There is already a theme called “{existing.name}”.", "name")


def create_theme(session: Session, name: str, description: str = "") -> Theme:
    clean = _clean_name(name)
    _refuse_duplicate(session, clean)
    row = ThemeRow(
        name=clean,
        description=clean_text(description, "description", "Description", max_length=2000),
        seeded=False,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(session, "theme.created", "theme", None, {"name": clean})
    return Theme(row.name, row.description, row.seeded, 0)


def rename_theme(session: Session, old_name: str, new_name: str) -> Theme:
    row = theme_row(session, old_name)
    clean = _clean_name(new_name)
    _refuse_duplicate(session, clean, except_id=row.id)
    previous = row.name
    row.name = clean
    session.flush()
    audit.record(session, "theme.renamed", "theme", None, {"from": previous, "to": clean})
    count = session.scalar(
        select(func.count()).select_from(StoryThemeRow).where(StoryThemeRow.theme_id == row.id)
    )
    return Theme(row.name, row.description, row.seeded, count or 0)


def delete_theme(session: Session, name: str) -> None:
    row = theme_row(session, name)
    count = session.scalar(
        select(func.count()).select_from(StoryThemeRow).where(StoryThemeRow.theme_id == row.id)
    )
    if count:
        raise ValidationError(
            f"“{row.name}” is used by {count} {'story' if count == 1 else 'stories'}; "
            "remove it from them first, or rename it instead."
        )
    audit.record(session, "theme.deleted", "theme", None, {"name": row.name})
    session.delete(row)
    session.flush()
