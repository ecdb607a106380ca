"""Small checks shared by the domain modules; each failure names the field and what to do."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from storykeeper.core import clock
from storykeeper.core.errors import ValidationError

# Unicode's control characters (category Cc: U+0000–U+001F and U+007F–U+009F) but tab and
# newline. One regular expression instead of a category lookup per character: an import of
# thousands of stories cleans millions of characters.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# BCP 47 in the simple form people meet: "en", "cy", "en-GB", "pa-Guru-IN".
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
#: The longest language tag kept (the column's width, and the bundle's limit).
LANGUAGE_TAG_MAX = 35


def clean_text(
    value: str, field: str, label: str, *, max_length: int, required: bool = False
) -> str:
    """Normalise to NFC and strip control characters other than newlines and tabs."""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text.", field)
    text = unicodedata.normalize("NFC", value)
    text = _CONTROL.sub("", text)
    if required and not text.strip():
        raise ValidationError(f"{label} is needed: please fill it in.", field)
    if len(text) > max_length:
        raise ValidationError(
            f"{label} is too long ({len(text):,} characters); the most it can hold is "
            f"{max_length:,}.",
            field,
        )
    return text


def clean_line(
    value: str, field: str, label: str, *, max_length: int, required: bool = False
) -> str:
    """A one-line value (a name, a title): no line breaks, no surrounding spaces."""
    text = clean_text(value, field, label, max_length=max_length, required=required)
    return " ".join(text.split())


def language_tag(value: str) -> str:
    tag = value.strip()
    if len(tag) > LANGUAGE_TAG_MAX or not _LANGUAGE_TAG.match(tag):
        raise ValidationError(
            f"“{value[:LANGUAGE_TAG_MAX]}” is not a language code: use a code such as “en” "
            "(English), “cy” (Welsh) or “en-GB”.",
            "language",
        )
    return tag


#: The years a date may fall in, here and in a bundle (its schemas' date patterns): no story or
#: consent falls outside them, and a time at either end still has a year once moved to UTC. A
#: date the store takes is one a coordinator takes.
DATE_YEAR_MIN = 1000
DATE_YEAR_MAX = 2999


def within_years(value: dt.date | None, field: str, label: str) -> dt.date | None:
    """Refuse a date outside the years 1000–2999: a slip of the year, never a real date."""
    if value is not None and not DATE_YEAR_MIN <= value.year <= DATE_YEAR_MAX:
        raise ValidationError(
            f"{label} ({value.isoformat()}) is not in the years {DATE_YEAR_MIN}–{DATE_YEAR_MAX}: "
            "check the year.",
            field,
        )
    return value


def not_in_future(value: dt.date | None, field: str, label: str) -> dt.date | None:
    within_years(value, field, label)
    if value is not None and value > clock.today():
        raise ValidationError(f"{label} ({value.isoformat()}) is in the future.", field)
    return value
