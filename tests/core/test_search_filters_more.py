"""The filters the insight and the story list share (issue 18 §1): sender, own or imported,
setting and how told. Imported stories are marked as a bundle import marks them (a row of
``story_origins`` naming the trusted signer), in a real SQLite store."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from storykeeper.core import clock, stories
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.insight import insight
from storykeeper.core.models import StoryOriginRow, StoryRow, TrustedSignerRow
from storykeeper.core.search import (
    StoryFilter,
    StorySource,
    count_stories,
    resolve_sender,
    search_stories,
    senders_here,
)
from storykeeper.core.vocabulary import HowTold, Setting
from tests.exchange import export, trust_advocate
from tests.gui.insight_stories import REPORTS, SHARING, TRANSPORT, B, E, tell, teller

PRIYA, TOM = "AAAA1111BBBB2222", "CCCC3333DDDD4444"


def _story(
    store: Store, name: str, *, setting: Setting | None = None, how: HowTold | None = None
) -> str:
    story_id = tell(store, teller(store, name), {TRANSPORT: B})
    with store.write(actor="test") as session:
        current = stories.get_story(session, story_id)
        changed = dataclasses.replace(current.fields, setting=setting, how_told=how)
        stories.update_story(session, story_id, changed, expected_revision=current.revision)
    return story_id


def _imported_from(store: Store, story_id: str, key_id: str, label: str) -> None:
    """Marks the story as a bundle signed by ``key_id`` would have brought it."""
    with store.write(actor="test") as session:
        if session.query(TrustedSignerRow).filter_by(key_id=key_id).first() is None:
            session.add(
                TrustedSignerRow(
                    key_id=key_id, public_key="-", label=label, added_at=clock.now(), added_by="t"
                )
            )
        row = session.query(StoryRow).filter_by(uuid=story_id).one()
        session.add(
            StoryOriginRow(
                story_id=row.id, signer_key_id=key_id, bundle_id="b", imported_at=clock.now()
            )
        )


@pytest.fixture
def mixed(store: Store) -> dict[str, str]:
    made = {
        "own_home": _story(store, "Ann", setting=Setting.HOME, how=HowTold.OWN_WORDS_WRITTEN),
        "own_care": _story(store, "Bob", setting=Setting.CARE_HOME, how=HowTold.PROXY_ACCOUNT),
        "priya1": _story(store, "Cal", setting=Setting.HOME, how=HowTold.PROXY_ACCOUNT),
        "priya2": _story(store, "Dee", setting=Setting.HOSPITAL),
        "tom": _story(store, "Eve", how=HowTold.SPOKEN_WRITTEN_DOWN),
    }
    _imported_from(store, made["priya1"], PRIYA, "Priya (advocate)")
    _imported_from(store, made["priya2"], PRIYA, "Priya (advocate)")
    _imported_from(store, made["tom"], TOM, "Tom (advocate)")
    return made


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
