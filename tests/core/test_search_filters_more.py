"""The filters the insight and the story list share (issue 18 §1): sender, own or imported,
setting and how told. Imported stories are marked as a bundle import marks them (a row of
``story_origins`` naming the trusted signer), in a real SQLite store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.insight import insight
from storykeeper.core.search import (
    StoryFilter,
    StorySource,
    count_stories,
    resolve_sender,
    search_stories,
    senders_here,
)
from storykeeper.core.vocabulary import HowTold, Setting
from tests.core.filtered_stories import PRIYA, TOM, imported_from, stories_from_everywhere
from tests.exchange import export, trust_advocate
from tests.gui.insight_stories import REPORTS, SHARING, TRANSPORT, B, E, tell, teller


@pytest.fixture
def mixed(store: Store) -> dict[str, str]:
    return stories_from_everywhere(store)


def _found(store: Store, made: dict[str, str], wanted: StoryFilter) -> set[str]:
    with store.read() as session:
        ids = {item.id for item in search_stories(session, wanted, limit=100).items}
        assert count_stories(session, wanted) == len(ids)
    return {name for name, story_id in made.items() if story_id in ids}


def test_sender_finds_the_stories_its_key_signed(store: Store, mixed: dict[str, str]) -> None:
    assert _found(store, mixed, StoryFilter(sender=PRIYA)) == {"priya1", "priya2"}
    assert _found(store, mixed, StoryFilter(sender=TOM)) == {"tom"}


def test_own_or_imported(store: Store, mixed: dict[str, str]) -> None:
    assert _found(store, mixed, StoryFilter(source=StorySource.OWN)) == {"own_home", "own_care"}
    assert _found(store, mixed, StoryFilter(source=StorySource.IMPORTED)) == {
        "priya1",
        "priya2",
        "tom",
    }


def test_setting_and_how_told(store: Store, mixed: dict[str, str]) -> None:
    assert _found(store, mixed, StoryFilter(setting=Setting.HOME)) == {"own_home", "priya1"}
    assert _found(store, mixed, StoryFilter(how_told=HowTold.PROXY_ACCOUNT)) == {
        "own_care",
        "priya1",
    }
    both = StoryFilter(setting=Setting.HOME, how_told=HowTold.PROXY_ACCOUNT, sender=PRIYA)
    assert _found(store, mixed, both) == {"priya1"}
    assert _found(store, mixed, StoryFilter(setting=Setting.DAY_CENTRE)) == set()


def test_senders_are_listed_by_label_and_found_by_label_or_key_id(
    store: Store, mixed: dict[str, str]
) -> None:
    with store.read() as session:
        listed = senders_here(session)
        assert [(s.key_id, s.label) for s in listed] == [
            (PRIYA, "Priya (advocate)"),
            (TOM, "Tom (advocate)"),
        ]
        assert resolve_sender(session, "priya (ADVOCATE)") == PRIYA
        assert resolve_sender(session, TOM.lower()) == TOM
        with pytest.raises(ValidationError) as raised:
            resolve_sender(session, "Nobody")
    assert str(raised.value.message) == (
        "“Nobody” sent no story here; the senders are: Priya (advocate), Tom (advocate)."
    )


def test_the_insights_senders_agree_with_the_sender_filter(
    store: Store, mixed: dict[str, str]
) -> None:
    with store.read() as session:
        everything = insight(session)
        by_sender = [insight(session, StoryFilter(sender=s.key_id)) for s in senders_here(session)]
        own = insight(session, StoryFilter(source=StorySource.OWN))
        imported = insight(session, StoryFilter(source=StorySource.IMPORTED))
    assert everything.senders == len([f for f in by_sender if f.stories]) == 2
    assert all(f.senders == 1 for f in by_sender)
    assert sum(f.stories for f in by_sender) == everything.imported == imported.stories == 3
    assert own.stories == everything.own == 2
    assert (own.senders, imported.senders) == (0, 2)


def test_a_real_import_is_found_by_its_senders_label(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    ann = teller(store, "Ann Jones")
    tell(store, ann, {TRANSPORT: E}, scopes=SHARING | REPORTS, told_on=dt.date(2026, 3, 1))
    trust_advocate(store, coordinator, "Priya (advocate)")
    import_bundle(coordinator, export(store, coordinator, tmp_path / "out"), actor="c")
    coordinator_own = teller(coordinator, "Zed")
    tell(coordinator, coordinator_own, {TRANSPORT: B})
    with coordinator.read() as session:
        key_id = resolve_sender(session, "Priya (advocate)")
        assert count_stories(session, StoryFilter(sender=key_id)) == 1
        assert count_stories(session, StoryFilter(sender="PRIYA (advocate)")) == 1
        assert count_stories(session, StoryFilter(source=StorySource.OWN)) == 1
        assert insight(session, StoryFilter(sender=key_id)).senders == 1


def test_two_senders_trusted_under_one_name_are_told_apart_by_key_id(
    store: Store, mixed: dict[str, str]
) -> None:
    other = tell(store, teller(store, "Fay"), {TRANSPORT: B})
    imported_from(store, other, "EEEE5555FFFF6666", "Tom (advocate)")
    with store.read() as session:
        with pytest.raises(ValidationError) as raised:
            resolve_sender(session, "Tom (advocate)")
        assert resolve_sender(session, "eeee5555ffff6666") == "EEEE5555FFFF6666"
        assert [sender.label for sender in senders_here(session)] == [
            "Priya (advocate)",
            "Tom (advocate) (CCCC3333DDDD4444)",
            "Tom (advocate) (EEEE5555FFFF6666)",
        ]
    assert raised.value.message == (
        "Two or more senders are trusted as “Tom (advocate)”: give the key id instead, one of "
        "CCCC3333DDDD4444, EEEE5555FFFF6666."
    )
