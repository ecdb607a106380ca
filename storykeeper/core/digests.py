"""Content digests: what a story, a saved version or a consent version said when it was written.

Each such row carries ``content_digest``, a small JSON object with one digest per field. `check`
recomputes them from what the database holds now, so a word or a date changed outside
Storykeeper (a damaged disk, an edit with another program) is named by story and field rather
than only hinted at by the search index.

A digest is not a seal against someone set on forging: whoever can change the database can
recompute the digests too. It catches change nobody meant, and change made without the program.

FROZEN. The canonical form below is part of the stored data, and migration 0013 imports
``field_digests`` to fill the digests of rows written before it. Changing anything here makes
every stored digest look wrong: a new form needs a new function, a migration that rewrites the
digests, and this one kept as it is for the migrations already released.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping

#: The encoder ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` makes anew on
#: every call, made once: the same bytes, without building one per field (270,000 at an import
#: of 10,000 stories, a third of their digests' time).
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

#: Hex characters kept of each field's SHA-256: 64 bits tells an accidental change apart with
#: certainty in practice, and keeps a story's digests near 200 bytes instead of 600.
DIGEST_HEX = 16


def canonical(value: object) -> str:
    """A field's value in the one form both sides agree on: the program writes Python values
    (dates, booleans) and the check and the migrations read SQLite's stored ones (ISO text,
    0 and 1). A date becomes its ISO text and a boolean its integer, as SQLite stores them."""
    if isinstance(value, bool):
        value = int(value)
    elif isinstance(value, dt.datetime):
        raise TypeError("time stamps are not part of a content digest")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return _CANONICAL_JSON.encode(value)


def field_digest(name: str, value: object) -> str:
    """SHA-256 of the field's name and canonical value (the name, so that two fields swapped
    show as changed)."""
    data = f"{name}\x00{canonical(value)}".encode()
    return hashlib.sha256(data).hexdigest()[:DIGEST_HEX]


def field_digests(values: Mapping[str, object], fields: Iterable[str]) -> str:
    """The ``content_digest`` of a row: ``{"field": digest, ...}`` as compact JSON, sorted."""
    return json.dumps(
        {name: field_digest(name, values[name]) for name in fields},
        sort_keys=True,
        separators=(",", ":"),
    )


def changed_fields(
    stored: str | None, values: Mapping[str, object], fields: Iterable[str]
) -> list[str] | None:
    """Those of ``fields`` whose value no longer matches the stored digest, in their order.

    A field the digest has no entry for was empty when the row was written (a field added to a
    table later, digested only once it holds something): it has changed unless still empty.

    None when the stored digest itself cannot be read (missing or not a digest object): then
    nothing can be said about any one field.
    """
    try:
        digests = json.loads(stored) if stored else None
    except ValueError:
        return None
    if not isinstance(digests, dict) or not digests:
        return None
    return [
        name
        for name in fields
        if (
            digests[name] != field_digest(name, values[name])
            if name in digests
            else values[name] not in (None, "")
        )
    ]
