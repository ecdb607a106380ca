"""After a deletion commits, remove the media files no story uses any more."""

from __future__ import annotations

from typing import Any

from storykeeper.core.attachments import MediaStore, discard_if_unused
from storykeeper.gui.context import AppContext


def discard_unused_media(context: AppContext, result: Any) -> None:
    """``result`` is the list of SHA-256 digests a delete returned (anything else: nothing).

    On the write queue, and checked again there (``discard_if_unused``): an add of the same
    file queued meanwhile must keep it."""
    if not isinstance(result, list) or not result:
        return
    media = MediaStore(context.paths.media_dir)
    hashes = [h for h in result if isinstance(h, str)]
    context.tasks.write(lambda session: discard_if_unused(session, media, hashes))
