"""The JSON Schema of each JSON file in a bundle, per format version, shipped in the package."""

from __future__ import annotations

import importlib.resources
import json
from typing import Any

#: Which schema describes which payload file.
DOCUMENTS = ("bundle", "story")


def load_schema(document: str, format_version: int) -> dict[str, Any]:
    """``schemas/<document>-<format>.schema.json`` (``bundle`` or ``story``)."""
    if document not in DOCUMENTS:
        raise ValueError(f"no schema for {document!r}")
    folder = importlib.resources.files("storykeeper.core.bundle") / "schemas"
    return json.loads((folder / f"{document}-{format_version}.schema.json").read_text("utf-8"))
