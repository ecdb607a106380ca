"""The one reason a bundle is refused, and how a refusal quotes a name from the bundle."""

from __future__ import annotations

from storykeeper.core.errors import StorykeeperError


class BundleRefused(StorykeeperError):
    """The bundle is refused; the message is the one reason, in words."""


NAME_SHOWN_MAX = 60


def name_shown(name: str) -> str:
    """A file name from the bundle as a refusal quotes it: at most 60 characters."""
    return name if len(name) <= NAME_SHOWN_MAX else name[: NAME_SHOWN_MAX - 1] + "…"
