"""The JSON Schema of each JSON file in a bundle, per format version, shipped in the package,
and the one check against it that both ends apply: the writer before it signs, the reader
before it trusts a document."""

from __future__ import annotations

import functools
import importlib.resources
import json
from dataclasses import dataclass
from typing import Any

from storykeeper.core.bundle.report import QUOTE_MAX, excerpt

#: Which schema describes which payload file.
DOCUMENTS = ("bundle", "story")
#: jsonschema's own words, kept when they are this short: they quote only a small value.
_SHORT_MESSAGE = 100
_JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "text",
    bool: "true or false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


#: The most digits a number in a bundle may have. Any 64-bit number fits, so a number past the
#: format's bounds (``document.WHOLE_NUMBER_MAX``, 2^53 − 1, 16 digits) but this short meets the
#: schema, which names its field; a longer one is refused as it is read. Python's own JSON
#: reader stops only at 4,300 digits, with an error of its own, and SQLite at 2^63.
NUMBER_DIGITS_MAX = 19


class NumberRefused(ValueError):
    """A number the format can never hold, found while the JSON is parsed."""


def _whole_number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > NUMBER_DIGITS_MAX:
        raise NumberRefused(
            f"holds a number of {digits:,} digits; it may have at most {NUMBER_DIGITS_MAX}"
        )
    return int(text)


def _not_whole(text: str) -> float:
    # Every number in the format is whole; 2.0 would pass the schema's "integer" and be kept as
    # a real number, and NaN and Infinity are not JSON at all.
    raise NumberRefused("holds a number that is not a whole number; the format has none")


def parse_json(text: str) -> Any:
    """A bundle's JSON file as Python values, its numbers bounded as they are read.

    Raises ``NumberRefused`` (a ``ValueError``, as ``json.JSONDecodeError`` is) for a number the
    format cannot hold, before any such number is built.
    """
    return json.loads(
        text, parse_int=_whole_number, parse_float=_not_whole, parse_constant=_not_whole
    )


def load_schema(document: str, format_version: int) -> dict[str, Any]:
    """``schemas/<document>-<format>.schema.json`` (``bundle`` or ``story``)."""
    if document not in DOCUMENTS:
        raise ValueError(f"no schema for {document!r}")
    folder = importlib.resources.files("storykeeper.core.bundle") / "schemas"
    return json.loads((folder / f"{document}-{format_version}.schema.json").read_text("utf-8"))


@functools.cache
def _validator(kind: str, version: int) -> Any:
    # Built once per schema: constructing a validator costs more than validating a story.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind, version))


@functools.cache
def _fast_validator(kind: str, version: int) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(load_schema(kind, version))


def is_valid(document: Any, kind: str, version: int) -> bool:
    """The fast check (jsonschema-rs, compiled): about 0.003 ms a story instead of 0.6 ms."""
    return bool(_fast_validator(kind, version).is_valid(document))


def first_error(document: Any, kind: str, version: int) -> Any:
    """The reference check (the Python jsonschema package), for its clear first error."""
    return next(_validator(kind, version).iter_errors(document), None)


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    #: The path to the value ("consent/history/0/persons_words"), or "the top".
    where: str
    #: What is wrong with it, in a sentence that never quotes more than an excerpt of it.
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def schema_problem(document: Any, kind: str, version: int) -> SchemaProblem | None:
    """Where and how ``document`` breaks its schema, or None when it keeps it.

    Valid documents (nearly all) pass the compiled validator alone; only a document it refuses
    meets the reference validator, whose first error names the problem. The two are checked
    against each other on fuzzed documents (tests/core/test_bundle_fuzz.py).
    """
    if is_valid(document, kind, version):
        return None
    error = first_error(document, kind, version)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the top"
    return SchemaProblem(where, _in_few_words(error))


def _in_few_words(error: Any) -> str:
    """The error without the value it is about: jsonschema quotes the whole value (a story's
    whole text, say), which must never reach a message or the import ledger."""
    value, limit = error.instance, error.validator_value
    if error.validator == "maxLength":
        return f"it is {len(value):,} characters long; the most it may be is {limit:,}."
    if error.validator == "maxItems":
        return f"it holds {len(value):,} items; the most it may hold is {limit:,}."
    if error.validator == "maximum":
        return f"it is more than the most the format allows ({limit:,})."
    if len(error.message) <= _SHORT_MESSAGE:
        return str(error.message)
    if error.validator == "type":
        expected = limit if isinstance(limit, str) else " or ".join(limit)
        return f"it must be {expected}, not {_JSON_TYPES.get(type(value), 'that')}."
    if error.validator == "additionalProperties":
        extra = sorted(k for k in value if k not in error.schema.get("properties", {}))
        return (
            f"it holds {len(extra)} field(s) the format does not have, such as "
            f"“{excerpt(str(extra[0]) if extra else '', QUOTE_MAX)}”."
        )
    if error.validator in ("enum", "const"):
        return "it is not one of the values the format allows."
    if error.validator == "pattern":
        return "it is not in the form the format requires."
    return f"it does not fit the format ({error.validator})."
