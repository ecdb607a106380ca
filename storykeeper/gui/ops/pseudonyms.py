"""Choosing a storyteller's pseudonym, as the Storytellers dialog's "Choose pseudonym…" does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storykeeper.core import people
from storykeeper.gui.ops.changes import Change, Kind


def pseudonym_choices(session: Session, storyteller_id: str) -> list[str]:
    """A few free pseudonyms to offer, none holding part of the person's name."""
    return people.suggest_pseudonyms(session, storyteller_id)


def choose_pseudonym(session: Session, storyteller_id: str, text: str) -> people.Storyteller:
    """Give the storyteller ``text`` as their pseudonym (checked by ``people.set_pseudonym``)."""
    return people.set_pseudonym(session, storyteller_id, text)


def pseudonym_changes(saved: people.Storyteller) -> list[Change]:
    # People: the list and a story's page show the pseudonym beside the name.
    return [Change.of(Kind.PEOPLE, saved.id)]
