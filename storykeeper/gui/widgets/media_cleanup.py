"""After a deletion commits, remove the media files no story uses any more."""

from __future__ import annotations

from functools import partial
from typing import Any

from storykeeper.gui.context import AppContext
from storykeeper.gui.ops import attachments as attachment_ops


def discard_unused_media(context: AppContext, result: Any) -> None:
    """``result`` is the list of SHA-256 digests a delete returned (anything else: nothing).

    On the write queue, and checked again there (``discard_unused_files``): an add of the same
    file queued meanwhile must keep it."""
    if not isinstance(result, list) or not result:
        return
    hashes = [h for h in result if isinstance(h, str)]
    context.tasks.write(
        partial(
            attachment_ops.discard_unused_files,
            media=context.store.media,
            hashes=hashes,
        ),
        # Only files no attachment refers to go: no record any view shows changes.
        changes=(),
    )
