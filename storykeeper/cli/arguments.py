"""Argument types the command groups share: each refuses bad text with a message argparse shows
on one line with the usage (exit status 2), never a traceback."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable

from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import Vocabulary


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a date: write it as YYYY-MM-DD, for example 2026-03-31"
        ) from None


def vocabulary_argument(kind: type[Vocabulary]) -> Callable[[str], Vocabulary]:
    def parse(text: str) -> Vocabulary:
        try:
            return kind.parse(text)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None

    # argparse names the type in its own messages ("invalid <name> value").
    parse.__name__ = kind.__doc__ or kind.__name__
    return parse


def count_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value
