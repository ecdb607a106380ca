"""Pseudonyms: what a storyteller is called wherever their name may not go, and the
pseudonymous storyteller id a story sent without the name carries.

A pseudonym reads as a person's name, as someone would want to be called in a report about their
life: a common given name and an initial ("Mary K."), from names of many origins. It never
contains any part of the person's own name, and where the store allows it is not the name of
anyone else the store knows either (another storyteller, a supporter, a person mentioned), so a
pseudonym is never read as somebody real. The person or advocate may choose another
(``people.set_pseudonym``). Pseudonyms made before ("Quiet Heron 42") are kept unless changed.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Callable, Container, Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core.models import PersonMentionedRow, SettingRow, StorytellerRow, SupporterRow

if TYPE_CHECKING:
    from storykeeper.core.db import Store

#: Common given names of many origins, as people in Britain today are called.
GIVEN_NAMES = (
    "Aaron", "Abdul", "Ada", "Adam", "Agnes", "Ahmed", "Aisha", "Alan", "Alice", "Amara",
    "Amir", "Amy", "Ana", "Anil", "Arthur", "Asha", "Ayesha", "Barbara", "Beatrice", "Ben",
    "Bernard", "Bridget", "Carlos", "Carol", "Catherine", "Chen", "Chloe", "Clara", "Colin",
    "Dafydd", "Daniel", "David", "Deepa", "Dennis", "Dorothy", "Edith", "Edward", "Eileen",
    "Elena", "Elsie", "Emeka", "Eric", "Esther", "Fatima", "Felix", "Fiona", "Frank", "Gareth",
    "George", "Gloria", "Grace", "Gwen", "Hamid", "Harold", "Hassan", "Hazel", "Helen", "Hui",
    "Ibrahim", "Ida", "Imran", "Irene", "Isaac", "Ivy", "Jack", "Jean", "Joan", "John",
    "Joseph", "Joyce", "Julia", "Kamal", "Kate", "Kemi", "Kenneth", "Kofi", "Lakshmi", "Leila",
    "Leon", "Lily", "Ling", "Louis", "Lucy", "Malik", "Maria", "Marek", "Martha", "Mary",
    "Maureen", "Mei", "Michael", "Mohammed", "Moira", "Nadia", "Nancy", "Nia", "Nikhil", "Nora",
    "Olga", "Oliver", "Omar", "Patrick", "Pauline", "Peter", "Pooja", "Priya", "Rahul", "Ravi",
    "Rhys", "Rita", "Robert", "Rosa", "Ruth", "Samir", "Samuel", "Sara", "Sean", "Sheila",
    "Sian", "Sofia", "Stanley", "Sunita", "Tariq", "Teresa", "Thomas", "Tomasz", "Usha", "Vera",
    "Victor", "Violet", "Walter", "Wei", "Winifred", "Yusuf", "Zainab", "Zofia",
)  # fmt: skip
#: Initials that read plainly aloud ("Mary K."); not the rarer letters.
INITIALS = tuple("ABCDEFGHJKLMNOPRSTW")
#: The shortest part of a name a pseudonym is kept clear of: a single letter is an initial.
NAME_PART_MIN = 2


def name_parts(real_name: str) -> list[str]:
    """The parts of a name a pseudonym must not contain, case-folded."""
    return [p for p in real_name.casefold().split() if len(p) >= NAME_PART_MIN]


def shares_a_part(pseudonym: str, real_name: str) -> bool:
    """Whether ``pseudonym`` holds any part of ``real_name`` (two letters or more), anywhere,
    in any case: "Anna K." holds "Ann"."""
    folded = pseudonym.casefold()
    return any(part in folded for part in name_parts(real_name))


def _choices(real_name: str) -> tuple[Sequence[str], Sequence[str]]:
    parts = name_parts(real_name)
    names = [n for n in GIVEN_NAMES if not any(p in n.casefold() for p in parts)]
    # Not the person's own initials either: a small kindness, and one hint fewer.
    own = {p[0] for p in real_name.casefold().split()}
    initials = [i for i in INITIALS if i.casefold() not in own]
    return names or ["Alex"], initials or list(INITIALS)


def _draw(names: Sequence[str], initials: Sequence[str], rng: random.Random | None) -> str:
    if rng is None:
        return f"{secrets.choice(names)} {secrets.choice(initials)}."
    return f"{rng.choice(names)} {rng.choice(initials)}."


def make_pseudonym(rng: random.Random | None = None, avoiding: str = "") -> str:
    """One pseudonym, clear of every part of ``avoiding`` (the person's real name). Real
    storytellers get a cryptographic choice, demo data a seeded one."""
    return _draw(*_choices(avoiding), rng)


def unique_pseudonym(
    taken: Container[str],
    rng: random.Random | None = None,
    avoiding: str = "",
    borne: Container[str] = frozenset(),
) -> str:
    """A pseudonym not in ``taken``, whose given name is not in ``borne`` (given names real
    people in the store bear) while any is free; once most are in use, one with a number
    ("Mary K. 2").

    In a large coordinator's store every common given name is somebody's, and then a pseudonym
    may share one (never the person's own): it still cannot be read as that person's whole name.
    """
    names, initials = _choices(avoiding)
    source = rng or random.SystemRandom()
    # The names in a random order, each asked about at most once: ``borne`` may be a query.
    # One draw per name and one for the initial among those free (the same choice as trying
    # the initials in a random order): a store with every pseudonym taken is a coordinator's
    # of thousands, and one shuffle of the initials per name cost 2,600 draws a storyteller.
    remaining = list(names)
    passed_over = False
    while remaining:
        name = remaining.pop(source.randrange(len(remaining)))
        if name in borne:
            passed_over = True
            continue
        free = [initial for initial in initials if f"{name} {initial}." not in taken]
        if free:
            return f"{name} {source.choice(free)}."
    # Only a name passed over for being borne can still be free: with none, every pseudonym
    # was found taken above, and 50 random tries among them would fail (5.9 s of cProfile's
    # 25 s in pseudonyms at an import of 100,000 stories).
    for _ in range(50 if passed_over else 0):
        if (candidate := _draw(names, initials, rng)) not in taken:
            return candidate
    base = _draw(names, initials, rng)
    number = 2
    while (candidate := f"{base} {number}") in taken:
        number += 1
    return candidate


class NamesBorne:
    """Whether a real person the store holds bears a given name, asked of the database one name
    at a time: storytellers, supporters and the people mentioned in stories. A match anywhere
    in a name counts ("Ann" in "Joanne Smith"): too careful is cheaper than a pseudonym that
    reads as somebody real."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __contains__(self, given_name: object) -> bool:
        if not isinstance(given_name, str):
            return False
        for column in (
            StorytellerRow.display_name,
            SupporterRow.name,
            PersonMentionedRow.name,
        ):
            found = self._session.scalar(
                select(column).where(column.icontains(given_name, autoescape=True)).limit(1)
            )
            if found is not None:
                return True
        return False


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


def storyteller_keys(session: Session) -> Callable[[str], bytes]:
    """The per-person key a story sent without the name derives its storyteller id from, by
    storyteller id: the secret is read once (and only if a key is asked for), each key made
    once."""
    secret: bytes | None = None

    @functools.cache
    def key_of(storyteller_id: str) -> bytes:
        nonlocal secret
        if secret is None:
            secret = _stored_secret(session)
            if secret is None:
                raise MissingSecretError("the store has no pseudonym secret: open it with Store")
        return hmac.new(secret, f"storyteller:{storyteller_id}".encode(), hashlib.sha256).digest()

    return key_of


def pseudonymous_id(key: bytes, recipients: Iterable[str]) -> str:
    """The storyteller id a bundle to ``recipients`` carries for a story sent without the name.

    Stable for one person and one set of recipients (the coordinator can still count people),
    but without this store's secret it cannot be joined to the person's real id, to the id
    another set of recipients sees, or to another person's: HMAC-SHA256, as a random UUID.
    """
    who = ",".join(sorted(set(recipients)))
    digest = hmac.new(key, f"recipients:{who}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def linked_person_id(storyteller_key: bytes, person_id: str, recipients: Iterable[str]) -> str:
    """The id a bundle to ``recipients`` carries for a supporter or witness of a story sent
    without the name. A carer who supports one person would otherwise carry the same id in her
    named and unnamed stories and join them; derived from the storyteller's key, the id differs
    from the real one, from another recipient's, and from person to person."""
    key = hmac.new(storyteller_key, f"person:{person_id}".encode(), hashlib.sha256).digest()
    return pseudonymous_id(key, recipients)
