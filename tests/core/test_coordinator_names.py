"""At the coordinator's, a storyteller's name is shown only beside stories whose current consent
allows it (issue 17). The coordinator matches storytellers by id, so a name that came with one
story of a person showed on the same person's other stories, whose consent forbids it. At the
advocate's own computer the advocate sees the name, as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from storykeeper.__main__ import main
from storykeeper.core import clock, consent, stories
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Outcome
from storykeeper.core.db import Store
from storykeeper.core.search import StoryFilter, search_stories
from storykeeper.core.vocabulary import ConsentScope
from storykeeper.gui.ops.stories import load_editor
from tests.exchange import export, trust_advocate
from tests.factories import given, make_story

SHARE = ConsentScope.SHARE_WITH_COORDINATOR
NAMED = frozenset({SHARE, ConsentScope.PUBLISH_WITH_NAME})
UNNAMED = frozenset({SHARE, ConsentScope.ANONYMISED_IN_REPORTS})


def _two_stories_of_one_person(store: Store) -> tuple[stories.Story, stories.Story]:
    """Margaret's story that may carry her name, and another of hers that may not."""
    named = make_story(store, title="With my name", teller="Margaret Evans")
    with store.write(actor="test") as session:
        unnamed = stories.create_story(
            session,
            dataclasses.replace(named.fields, title="Without my name"),
        )
        consent.record_consent(session, named.id, given(scopes=NAMED))
        consent.record_consent(session, unnamed.id, given(scopes=UNNAMED))
    return named, unnamed


def _imported(store: Store, coordinator: Store, out: Path) -> None:
    trust_advocate(store, coordinator)
    report = import_bundle(coordinator, export(store, coordinator, out), actor="coordinator")
    assert report.outcome is Outcome.IMPORTED, report.summary()


def _listed(store: Store) -> dict[str, str]:
    with store.read() as session:
        page = search_stories(session, StoryFilter())
    return {item.title: item.storyteller_name for item in page.items}


def test_the_coordinator_sees_the_name_only_where_consent_allows_it(
    store: Store, coordinator: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named, unnamed = _two_stories_of_one_person(store)
    _imported(store, coordinator, tmp_path / "1")
    with coordinator.read() as session:
        pseudonym = stories.get_story(session, unnamed.id).storyteller_pseudonym
    assert "Margaret" not in pseudonym

    assert _listed(coordinator) == {"With my name": "Margaret Evans", "Without my name": pseudonym}
    with coordinator.read() as session:
        page = load_editor(session, unnamed.id)
        assert page.story.storyteller.name == pseudonym
        assert load_editor(session, named.id).story.storyteller.name == "Margaret Evans"

    capsys.readouterr()
    data_dir = str(coordinator.paths.data_dir)
    assert main(["--data-dir", data_dir, "show", unnamed.id]) == 0
    shown = capsys.readouterr().out
    assert "Margaret" not in shown
    assert pseudonym in shown
    assert main(["--data-dir", data_dir, "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("Margaret Evans") == 1

    # At the advocate's own computer, the advocate sees the name beside both.
    assert _listed(store) == {
        "With my name": "Margaret Evans",
        "Without my name": "Margaret Evans",
    }


def test_an_imported_story_whose_review_is_due_says_it_is_due_at_the_senders(
    store: Store, coordinator: Store, tmp_path: Path
) -> None:
    from storykeeper.gui.models.story_table import Column, _cell

    story = make_story(store, title="Reviewed last year")
    today = clock.today()
    with store.write(actor="test") as session:
        consent.record_consent(
            session,
            story.id,
            given(
                decided_on=today - dt.timedelta(days=400), review_by=today - dt.timedelta(days=30)
            ),
        )
    _imported(store, coordinator, tmp_path / "1")
    with coordinator.read() as session:
        (item,) = search_stories(session, StoryFilter()).items
        page = load_editor(session, story.id)
    assert _cell(item, Column.CONSENT) == "Given — review due at the sender’s"
    assert page.origin is not None
    due = (today - dt.timedelta(days=30)).strftime("%d %b %Y")
    assert (
        f"Its consent review was due on {due}: that is for Priya (advocate) to do with the "
        "person. A reviewed consent arrives in their next bundle."
    ) in page.origin
    # At the advocate's own computer the review is theirs to do: no such words.
    with store.read() as session:
        (own,) = search_stories(session, StoryFilter()).items
    assert _cell(own, Column.CONSENT) == "Given"
