"""What the first day needs to know from the store: whether the data folder is new, and the
person's own supporter entry (to fill in again when they change their answers later).

The own entry itself is written by ``ops.people.save_supporter``, as any supporter is.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import people
from storykeeper.core.errors import NotFoundError
from storykeeper.core.models import StoryRow, TombstoneRow


def is_new_data_folder(session: Session) -> bool:
    """No story was ever kept here: none now, and none deleted (a tombstone stays)."""
    for kept in (StoryRow.id, TombstoneRow.id):
        if session.scalar(select(kept).limit(1)) is not None:
            return False
    return True


def own_entry(session: Session, supporter_id: str | None) -> people.Supporter | None:
    """The person's own supporter entry, if they have one and it was not deleted since."""
    if not supporter_id:
        return None
    try:
        return people.get_supporter(session, supporter_id)
    except NotFoundError:
        return None  # removed in the People dialog: the first day offers to add it again
