"""The import looks up what is already here a batch at a time, not once per story (issue 21):
at 10,000 stories one query per storyteller, supporter and witness was 16,000 queries."""

from __future__ import annotations

import gc
import hashlib
import os
import random
import uuid
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from storykeeper.core import clock, demo
from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle import importer, merge_people
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.merge_people import IncomingPeople
from storykeeper.core.bundle.report import Action, Outcome
from storykeeper.core.db import Store
from storykeeper.core.models import StorytellerRow, SupporterRow
from storykeeper.core.pseudonyms import GIVEN_NAMES, INITIALS, shares_a_part, unique_pseudonym
from storykeeper.core.vocabulary import ConsentScope
from tests.exchange import export, shared, trust_advocate
from tests.factories import given


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement the store's connections run meanwhile."""
    seen: list[str] = []

    def executed(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", executed)


def test_people_are_looked_up_a_batch_at_a_time(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    demo.generate(store, stories=300, seed=4)
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")
    with statements(coordinator) as seen:
        report = import_bundle(coordinator, bundle, actor="coordinator")
    assert report.outcome is Outcome.IMPORTED
    assert report.count(Action.NEW) > 100
    with coordinator.read() as session:
        people = session.scalar(select(func.count(StorytellerRow.id))) + session.scalar(  # type: ignore[operator]
            select(func.count(SupporterRow.id))
        )
    assert people > 100
    lookups = [
        s
        for s in seen
        if s.lstrip().upper().startswith("SELECT")
        and ("FROM storytellers" in s or "FROM supporters" in s)
    ]
    # Storytellers and supporters, each in one batch (under 500 of each), and the pseudonyms
    # taken here: a handful, whatever the number of people the bundle names.
    assert len(lookups) <= 6, lookups[:10]


class CountingRandom(random.Random):
    """A seeded generator that counts its draws (each choice, shuffled place or index)."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.draws = 0

    def _randbelow(self, n: int) -> int:
        self.draws += 1
        return super()._randbelow(n)  # type: ignore[misc]


def test_a_new_pseudonym_in_a_crowded_store_takes_a_draw_per_name_not_per_initial() -> None:
    """A coordinator's store of thousands of storytellers has every "Name X." taken: each
    storyteller an import brings then cost a shuffle of the initials per given name (2,600
    draws from the system's random source, 4.6 ms), 7.7 s of a 10,000-story import."""
    taken = {f"{name} {initial}." for name in GIVEN_NAMES for initial in INITIALS}
    rng = CountingRandom(7)
    chosen = unique_pseudonym(taken, rng, avoiding="Mary Smith")
    assert chosen not in taken
    # A draw per name, then none among pseudonyms all found taken: the base of the number.
    assert rng.draws <= len(GIVEN_NAMES) + 2
    # One name left free: it is found, with the one initial it has free.
    taken.discard("Ruth B.")
    assert unique_pseudonym(taken, CountingRandom(7), avoiding="Mary Smith") == "Ruth B."


def test_media_folders_are_synced_once_each_not_once_per_file(
    store: Store, coordinator: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three photos whose hashes share a media folder: one sync of that folder after the three
    are in place (one each cost 3 ms on this disk, 3 s of 1,000 files), and every photo's own
    bytes synced before it gets its name."""
    folder = hashlib.sha256(b"\x89PNG a sketch 0").hexdigest()[:2]
    contents = [
        c
        for n in range(100_000)
        if hashlib.sha256(c := b"\x89PNG a sketch %d" % n).hexdigest()[:2] == folder
    ][:3]
    scopes = given().scopes | {ConsentScope.SHARE_MEDIA}
    story = shared(store, "The bus", scopes=scopes)
    for number, content in enumerate(contents):
        photo = tmp_path / f"sketch{number}.png"
        photo.write_bytes(content)
        with store.write(actor="test") as session:
            add_attachment(session, store.media, story.id, photo)
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    report = import_bundle(coordinator, bundle, actor="coordinator")
    assert report.media_files == 3
    media_folder = str(coordinator.media.root / folder)
    assert synced.count(media_folder) == 1
    placed = {str(coordinator.media.path_for(hashlib.sha256(c).hexdigest())) for c in contents}
    staged_synced = [p for p in synced if Path(p).name.startswith(".incoming-")]
    assert len(staged_synced) == 3 and not placed & set(synced)


def test_the_people_of_earlier_batches_are_not_held_in_memory(
    store: Store, coordinator: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 stories every storyteller and supporter the bundle named stayed in memory as
    an ORM row to the end (the import peaked at 600 MB): only a batch's people are kept."""
    demo.generate(store, stories=300, seed=4)
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")
    monkeypatch.setattr(importer, "READ_BATCH", 20)
    held: list[int] = []
    real_preload = IncomingPeople.preload

    def preload(people: IncomingPeople, documents: Iterable[dict[str, Any]]) -> None:
        gc.collect()
        held.append(sum(isinstance(o, StorytellerRow | SupporterRow) for o in gc.get_objects()))
        real_preload(people, documents)

    monkeypatch.setattr(IncomingPeople, "preload", preload)
    report = import_bundle(coordinator, bundle, actor="coordinator")
    assert report.count(Action.NEW) > 100
    with coordinator.read() as session:
        people = session.scalar(select(func.count(StorytellerRow.id))) + session.scalar(  # type: ignore[operator]
            select(func.count(SupporterRow.id))
        )
    assert people > 150 and len(held) > 5
    # A batch of 20 stories names at most 20 storytellers, 20 supporters and their witnesses.
    assert max(held) <= 80, held


def test_once_every_plain_pseudonym_is_taken_a_new_one_is_numbered_straight_away(
    store: Store, coordinator: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coordinator of 100,000 stories has every "Name X." in use: each named storyteller then
    searched all 136 names in vain before taking a number (19 s of cProfile at 100,000)."""
    demo.generate(store, stories=300, seed=4)
    trust_advocate(store, coordinator)
    bundle = export(store, coordinator, tmp_path / "out")
    plain = [f"{name} {initial}." for name in GIVEN_NAMES for initial in INITIALS]
    now = clock.now()
    with coordinator.write(actor="test") as session:
        session.execute(
            insert(StorytellerRow),
            [
                {"uuid": str(uuid.uuid4()), "display_name": p, "pseudonym": p}
                | {"created_at": now, "updated_at": now}
                for p in plain
            ],
        )
    searched: list[str] = []

    def searching(taken: Container[str], rng: object = None, avoiding: str = "") -> str:
        searched.append(avoiding)
        return unique_pseudonym(taken, avoiding=avoiding)

    monkeypatch.setattr(merge_people, "unique_pseudonym", searching)
    report = import_bundle(coordinator, bundle, actor="coordinator")
    assert report.outcome is Outcome.IMPORTED
    with coordinator.read() as session:
        made = session.execute(
            select(StorytellerRow.display_name, StorytellerRow.pseudonym).where(
                StorytellerRow.pseudonym.not_in(plain)
            )
        ).all()
    numbered = [p for name, p in made if name != p]
    assert len(numbered) > 20 and searched == []
    assert all(p.rsplit(" ", 1)[1].isdigit() for p in numbered)
    assert all(not shares_a_part(p, name) for name, p in made if name != p)
