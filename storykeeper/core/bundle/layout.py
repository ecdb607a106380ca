"""The bundle format's exact layout, and the declarations it makes in more than one place.

A bag may hold files the format does not name (fetch.txt, more manifests, anything) and repeat
a declaration with another value elsewhere; a bundle may do neither (BUNDLE.md, import rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storykeeper.core.bundle.refused import BundleRefused, name_shown

#: The tag files the format names, as a tag manifest lists them (the manifest and its signature
#: are beside it). A bag can hold others (fetch.txt, more manifests, anything): a bundle may not.
_FORMAT_TAG_FILES = frozenset({"bagit.txt", "bag-info.txt", "manifest-sha512.txt"})
_SIGNATURE_FILES = frozenset({"tagmanifest-sha512.txt", "tagmanifest-sha512.txt.minisig"})
#: Where the format puts a payload file: the summary, a story by its id, a medium by its SHA-256.
_PAYLOAD_LAYOUT = re.compile(
    r"data/(bundle\.json"
    r"|stories/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json"
    r"|media/[0-9a-f]{64})"
)


def only_format_files(paths: Iterable[str]) -> None:
    """Refuse a file the format does not name, even one the signature covers: a reader (or
    bagit.py) could act on it — fetch.txt asks to download files — and nothing here reads it."""
    for path in paths:
        if path.startswith("data/"):
            if _PAYLOAD_LAYOUT.fullmatch(path) is None:
                raise BundleRefused(
                    f"The bundle holds '{name_shown(path)}', which is not where the bundle "
                    "format puts any file."
                )
        elif path == "fetch.txt":
            raise BundleRefused(
                "The bundle holds 'fetch.txt': a bundle must carry all its files itself, and "
                "none is fetched from elsewhere."
            )
        elif path not in _FORMAT_TAG_FILES and path not in _SIGNATURE_FILES:
            raise BundleRefused(
                f"The bundle holds '{name_shown(path)}', which is not one of the bundle "
                "format's files."
            )


#: The writer's trusted comment: "storykeeper bundle <id> format <n> to <recipients>".
_TRUSTED_COMMENT = re.compile(r"storykeeper bundle (\S+) format (\S+) to (.+)")
#: ``bag-info.txt``'s fields that repeat a declaration of ``bundle.json``, and what they say.
_BAG_INFO_DECLARATIONS = {
    "External-Identifier": "bundle id",
    "Storykeeper-Bundle-Format": "format",
    "Storykeeper-Signer-Key-Id": "signer key id",
}


def _short(value: str) -> str:
    """A declared value as a refusal quotes it: one line, at most 40 characters."""
    line = " ".join(value.split())
    return line if len(line) <= 40 else line[:39] + "…"


def declarations_agree(summary: dict[str, Any], bag_info: bytes, trusted_comment: str) -> None:
    """Every declaration made in more than one place (format, bundle id, signer key id) says
    the same in ``bag-info.txt`` and the signature's trusted comment as in ``bundle.json``
    (whose signer key id is already the signature's): a reader trusting one place must never
    be told something else by another. A place that does not declare a thing (a bag made by
    bagit.py, a comment written by the stock minisign) says nothing to disagree with; a
    trusted comment in Storykeeper's own words must be whole."""
    names = {"bundle id": "bundle_id", "format": "format", "signer key id": "signer_key_id"}
    # Only what ``summary`` holds is compared (before its schema is checked, only the id).
    expected = {what: str(summary[key]) for what, key in names.items() if key in summary}

    def agree(place: str, what: str, said: str) -> None:
        wanted = expected.get(what)
        if wanted is None:
            return
        if what == "signer key id":
            said, wanted = said.upper(), wanted.upper()
        if said != wanted:
            raise BundleRefused(
                f"The bundle contradicts itself: {place} says {what} {_short(said)}, "
                f"bundle.json says {_short(wanted)}."
            )

    seen: set[str] = set()
    for raw in bag_info.decode("utf-8", "replace").splitlines():
        name, colon, value = raw.partition(":")
        what = _BAG_INFO_DECLARATIONS.get(name.strip())
        if not colon or what is None:
            continue
        if what in seen:  # two lines for one declaration: which would a reader believe?
            raise BundleRefused(f"The bundle contradicts itself: bag-info.txt gives {what} twice.")
        seen.add(what)
        agree("bag-info.txt", what, value.strip())
    if trusted_comment.startswith("storykeeper "):
        found = _TRUSTED_COMMENT.fullmatch(trusted_comment)
        if found is None:
            raise BundleRefused(
                "The bundle contradicts itself: its signature's trusted comment is not in "
                "Storykeeper's form (storykeeper bundle ID format N to RECIPIENTS)."
            )
        agree("the signature's trusted comment", "bundle id", found[1])
        agree("the signature's trusted comment", "format", found[2])
