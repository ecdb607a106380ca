"""Several stories at once, chosen together in the list (issue 20): deleting them.

Each story goes exactly as a single delete takes it (``stories.delete_story``: a tombstone, an
audit event, its history and consent with it, imported or not), all in one write: they go
together or, should the write fail, none goes. The search index is merged once at the end
instead of once per story (half a second each at 100,000 stories), so its words still leave the
file with the stories. A story someone else deleted meanwhile is counted, not an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storykeeper.core import stories
from storykeeper.core.errors import NotFoundError
from storykeeper.gui.ops.changes import Change, Kind

#: Told (stories done, stories in all) after each story, from the writer's thread.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DeletedSeveral:
    """The stories deleted, how many were already gone, and the media files no story uses
    any more (removed once the deletion has committed)."""

    deleted: tuple[str, ...]
    gone: int
    unused_media: list[str]

    def changes(self) -> list[Change]:
        return [
            Change.of(Kind.STORIES, *self.deleted),
            Change.of(Kind.CONSENT, *self.deleted),
            Change(Kind.ATTACHMENTS),
        ]


def delete_stories(
    session: Session, story_ids: Sequence[str], progress: Progress | None = None
) -> DeletedSeveral:
    deleted: list[str] = []
    unused: set[str] = set()
    gone = 0
    for done, story_id in enumerate(story_ids, start=1):
        try:
            _tombstone, files = stories.delete_story(session, story_id, merge_index=False)
        except NotFoundError:
            gone += 1
        else:
            deleted.append(story_id)
            unused.update(files)
        if progress is not None:
            progress(done, len(story_ids))
    if deleted:
        stories.merge_search_index(session)
    return DeletedSeveral(tuple(deleted), gone, sorted(unused))
