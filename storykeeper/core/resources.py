"""Where the shipped resources are: inside the installed package, or in a source checkout."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import storykeeper


def shipped_folder(part: str) -> Path:
    """The folder ``resources/<part>`` as shipped (``storykeeper.resources.<part>``)."""
    try:
        folder = importlib.resources.files(f"storykeeper.resources.{part}")
        return Path(str(folder))
    except ModuleNotFoundError:
        # An editable install runs from the source tree, where resources/ sits beside the package.
        return Path(storykeeper.__file__).resolve().parent.parent / "resources" / part
