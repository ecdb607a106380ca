"""Generated pseudonyms: what a storyteller is called wherever their name may not go.

Made from gentle, common English words and a number ("Quiet Heron 42"), so they are easy to say
and to read aloud, carry no hint of the person, and give 270,000 combinations.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Callable, Container, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core.models import SettingRow

if TYPE_CHECKING:
    from storykeeper.core.db import Store

ADJECTIVES = (
    "Amber",
    "Autumn",
    "Bright",
    "Brisk",
    "Calm",
    "Clear",
    "Copper",
    "Cosy",
    "Crisp",
    "Dappled",
    "Dawn",
    "Early",
    "Evening",
    "Fair",
    "Gentle",
    "Golden",
    "Green",
    "Hazel",
    "Hidden",
    "Honey",
    "Kind",
    "Late",
    "Light",
    "Lively",
    "Lucky",
    "Meadow",
    "Merry",
    "Misty",
    "Morning",
    "Mossy",
    "Noble",
    "Patient",
    "Quiet",
    "Rosy",
    "Rustling",
    "Sandy",
    "Silver",
    "Snowy",
    "Soft",
    "Spring",
    "Steady",
    "Still",
    "Summer",
    "Sunny",
    "Swift",
    "Tall",
    "Tidy",
    "True",
    "Velvet",
    "Warm",
    "Wild",
    "Willow",
    "Windy",
    "Winter",
    "Wise",
    "Woolly",
    "Young",
    "Zesty",
    "Brave",
    "Cheerful",
)
NOUNS = (
    "Alder",
    "Ash",
    "Badger",
    "Beech",
    "Birch",
    "Blackbird",
    "Bluebell",
    "Bramble",
    "Brook",
    "Bunting",
    "Clover",
    "Cove",
    "Crocus",
    "Daisy",
    "Dove",
    "Elm",
    "Fern",
    "Finch",
    "Foxglove",
    "Glade",
    "Hare",
    "Harbour",
    "Hawthorn",
    "Heath",
    "Heron",
    "Holly",
    "Ivy",
    "Kestrel",
    "Lark",
    "Linnet",
    "Maple",
    "Marigold",
    "Meadowlark",
    "Moor",
    "Oak",
    "Orchard",
    "Otter",
    "Owl",
    "Pebble",
    "Pine",
    "Plover",
    "Poppy",
    "Primrose",
    "Robin",
    "Rowan",
    "Sparrow",
    "Starling",
    "Swallow",
    "Thistle",
    "Thrush",
    "Valley",
    "Violet",
    "Wagtail",
    "Wren",
    "Yarrow",
    "Yew",
    "Harebell",
    "Kingfisher",
    "Teasel",
    "Sorrel",
)
NUMBERS = range(10, 85)


def make_pseudonym(rng: random.Random | None = None) -> str:
    """One pseudonym. Real storytellers get a cryptographic choice, demo data a seeded one."""
    choose: Callable[[tuple[str, ...] | range], object] = (
        rng.choice if rng is not None else secrets.choice  # type: ignore[assignment]
    )
    return f"{choose(ADJECTIVES)} {choose(NOUNS)} {choose(NUMBERS)}"


def unique_pseudonym(taken: Container[str], rng: random.Random | None = None) -> str:
    """A pseudonym not in ``taken``; widens with a letter in the unlikely case all tries collide."""
    for _ in range(50):
        candidate = make_pseudonym(rng)
        if candidate not in taken:
            return candidate
    suffix = 0
    base = make_pseudonym(rng)
    while (candidate := f"{base}{chr(ord('a') + suffix % 26)}{suffix // 26 or ''}") in taken:
        suffix += 1
    return candidate


# --- pseudonymous storyteller ids ---

#: The settings key of this store's secret for pseudonymous storyteller ids. It never leaves the
#: store: not in a bundle, not in a log, not in the audit log.
SECRET_SETTING = "pseudonym_secret"  # noqa: S105 (the row's name, not the secret)
SECRET_BYTES = 32


class MissingSecretError(RuntimeError):
    """The store was opened without ``Store``, which makes the secret: a program error."""


def _stored_secret(session: Session) -> bytes | None:
    value = session.scalar(select(SettingRow.value).where(SettingRow.key == SECRET_SETTING))
    return None if value is None else bytes.fromhex(value)


def ensure_secret(store: Store) -> None:
    """Make this store's secret on first use (every ``Store`` does, as it opens)."""
    with store.read() as session:
        if _stored_secret(session) is not None:
            return
    # Look again under the write lock: another process may have made it in between.
    with store.write(actor="storykeeper") as session:
        if _stored_secret(session) is None:
            made = secrets.token_bytes(SECRET_BYTES).hex()
            session.add(SettingRow(key=SECRET_SETTING, value=made))


def storyteller_key(session: Session, storyteller_id: str) -> bytes:
    """The per-person key a story sent without the name derives its storyteller id from."""
    secret = _stored_secret(session)
    if secret is None:
        raise MissingSecretError("the store has no pseudonym secret: open it with Store.open")
    return hmac.new(secret, f"storyteller:{storyteller_id}".encode(), hashlib.sha256).digest()


def pseudonymous_id(key: bytes, recipients: Iterable[str]) -> str:
    """The storyteller id a bundle to ``recipients`` carries for a story sent without the name.

    Stable for one person and one set of recipients (the coordinator can still count people),
    but without this store's secret it cannot be joined to the person's real id, to the id
    another set of recipients sees, or to another person's: HMAC-SHA256, as a random UUID.
    """
    who = ",".join(sorted(set(recipients)))
    digest = hmac.new(key, f"recipients:{who}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
