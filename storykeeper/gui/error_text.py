"""What the window says about an error: one plain line, never the error's own text.

An exception's message can carry an SQL statement, a file's bytes or a person's words; only a
``StorykeeperError`` is written for people. A full disk is said as such however it arrived
(``core.faults``). Anything else is named by its kind, with the log file to show whoever helps,
and the log gets ``faults.describe`` (types and code locations, never the message).
"""

from __future__ import annotations

import logging

from storykeeper.core import faults
from storykeeper.core.errors import StorykeeperError
from storykeeper.paths import DataPaths

log = logging.getLogger(__name__)


def plain_error(
    error: BaseException, paths: DataPaths, consequence: str = "Nothing was changed."
) -> str:
    """The line to show for ``error``, which may be unexpected; logs the unexpected kind.
    ``consequence`` says what became of the work (for a full disk or an unexpected error)."""
    error = faults.disk_full(error, paths.data_dir, consequence) or error
    if isinstance(error, StorykeeperError):
        return error.message
    log.error("unexpected error shown in the window: %s", faults.describe(error))
    return (
        f"Something unexpected went wrong ({type(error).__name__}). {consequence} Details are "
        f"in {paths.log_file}."
    )
