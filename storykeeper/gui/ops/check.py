"""“Check this computer’s stories” in the window: the health check, and the removal of files no
story refers to once the person has confirmed it.

Both take the ``Store`` rather than a session: the check opens its own read transactions step
by step (it hashes every attached file, which takes a while), and the removal needs its own
write transaction so that no add can be between storing a file and committing its row
(``core.check.repair_store``). The removal goes to ``TaskRunner.write_own``, the check to
``TaskRunner.run``.
"""

from __future__ import annotations

from collections.abc import Callable

from storykeeper.core.check import CheckReport, RepairReport, check_store, repair_store
from storykeeper.core.db import Store
from storykeeper.gui.ops.changes import Change

#: The removal takes away only files no attachment row refers to (and half-made copies): no
#: story, attachment or other record any view shows changes, so nothing is announced.
REMOVAL_CHANGES: tuple[Change, ...] = ()


def check(store: Store, on_step: Callable[[str], None] | None = None) -> CheckReport:
    """Everything the check finds; ``on_step`` hears the name of each step as it starts."""
    return check_store(store, on_step)


def quiet_check(store: Store, cancelled: Callable[[], bool]) -> CheckReport:
    """The check the window runs by itself after it opens: everything but hashing each attached
    file (their presence and sizes are looked at), so a start never reads every recording.
    Raises ``CheckCancelled`` once ``cancelled`` says so (the window is closing)."""
    return check_store(store, hash_files=False, cancelled=cancelled)


def remove_unused_files(store: Store, actor: str) -> RepairReport:
    """Remove the media files no story refers to and unfinished copies, as ``actor``."""
    return repair_store(store, actor=actor)
