"""How the consent dialogs say that a write did not happen, in one line a person can act on.

The commonest passing fault in the middle of a conversation with the person is another
Storykeeper holding the store (an import, ``demo-data``): that is said as such, with what to do,
and everything typed stays where it is. Anything else is said by ``plain_error``, the window's
one way of saying an error.
"""

from __future__ import annotations

from storykeeper.core import faults
from storykeeper.gui.error_text import plain_error
from storykeeper.paths import DataPaths

BUSY = "Storykeeper is busy in another window (an import, perhaps)."


def not_written(error: BaseException, paths: DataPaths, retry: str) -> str:
    """``retry`` says how to try again ("Press Save again in a moment."), for a held lock."""
    if faults.is_locked(error):
        return f"{BUSY} {retry}"
    return plain_error(error, paths)
