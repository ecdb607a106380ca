"""The one place the core asks what time it is, so every stored time is aware UTC."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The local calendar date: what a person means by "today" when they record a story."""
    return dt.date.today()
