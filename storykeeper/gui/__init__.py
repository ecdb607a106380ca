"""Everything Qt. Talks to the store only through ``tasks.TaskRunner``, never on its own thread."""

# First, before any window: PySide6 6.12.0 loses references to None and True (see the module).
from storykeeper.gui import pyside_refcounts as _pyside_refcounts  # noqa: F401
