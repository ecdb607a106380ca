"""Demo data: deterministic for a seed, varied, every consent situation, and valid."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storykeeper.core import demo
from storykeeper.core.check import check_store
from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.stats import store_stats
from storykeeper.core.vocabulary import ConsentState
from storykeeper.paths import resolve_paths


def _content(store: Store) -> list[tuple[object, ...]]:
    with store.read() as session:
        return [
            tuple(r)
            for r in session.execute(
                text(
                    "SELECT s.uuid, s.title, s.own_words, s.consent_state, t.display_name, "
                    "t.pseudonym FROM stories s JOIN storytellers t ON t.id = s.storyteller_id "
                    "ORDER BY s.id"
                )
            )
        ]


def test_same_seed_same_data_other_seed_other_data(tmp_path: object) -> None:
    made = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        with Store.open(resolve_paths(f"{tmp_path}/{name}")) as store:
            demo.generate(store, stories=60, seed=seed)
            made.append(_content(store))
    assert made[0] == made[1]
    assert made[0] != made[2]


def test_demo_data_covers_every_situation_and_passes_check(store: Store) -> None:
    summary = demo.generate(store, stories=600, seed=3)
    assert (summary.stories, summary.storytellers) == (600, 200)
    with store.read() as session:
        figures = store_stats(session)
    assert all(n > 0 for n in figures.by_consent_state.values()), figures.by_consent_state
    assert all(n > 0 for n in figures.by_status.values())
    with store.read() as session:
        bases = set(session.execute(text("SELECT DISTINCT basis FROM consent_records")).scalars())
        lengths = [len(w) for w in session.execute(text("SELECT own_words FROM stories")).scalars()]
        scopes_off = session.execute(
            text(
                "SELECT count(*) FROM consent_records WHERE decision = 'given' AND share_media = 0"
            )
        ).scalar_one()
        recording = session.execute(
            text(
                "SELECT s.how_told, c.decision, count(*) FROM consent_records c "
                "JOIN stories s ON s.id = c.story_id WHERE c.record_audio "
                "GROUP BY s.how_told, c.decision"
            )
        ).all()
    assert bases == {
        "own_consent",
        "supported_decision",
        "lasting_power_of_attorney",
        "deputy",
        "best_interests",
    }
    assert min(lengths) < 400 < 1500 < max(lengths)
    assert scopes_off > 0
    # Consent to record is there for the stories told with a recording, and only agreed ones.
    assert {(how, decision) for how, decision, _ in recording} <= {
        ("spoken_audio_recorded", "given"),
        ("spoken_audio_recorded", "given_with_conditions"),
    }
    assert sum(n for _, _, n in recording) > 0
    report = check_store(store)
    assert report.problems == ()


def test_running_the_same_seed_twice_is_refused_clearly(store: Store) -> None:
    import pytest

    from storykeeper.core.errors import ValidationError

    demo.generate(store, stories=5, seed=1)
    with pytest.raises(ValidationError, match="already has the demo data made with seed 1"):
        demo.generate(store, stories=5, seed=1)
    demo.generate(store, stories=5, seed=2)


def test_every_demo_story_has_its_first_version_in_the_history(store: Store) -> None:
    from storykeeper.core import stories

    demo.generate(store, stories=20, seed=6)
    with store.read() as session:
        ids = list(session.execute(text("SELECT uuid FROM stories")).scalars())
        assert len(ids) == 20  # the loop below proves nothing about stories that are not there
        shown = 0
        for story_id in ids:
            story = stories.get_story(session, story_id)
            if story.consent_state is ConsentState.WITHDRAWN:
                # Withdrawal hides the earlier versions with the story: asked, it says so.
                with pytest.raises(ValidationError, match="earlier versions are hidden"):
                    stories.story_versions(session, story_id)
                continue
            (version,) = stories.story_versions(session, story_id)
            assert version.own_words == story.own_words
            assert version.fields == story.fields
            shown += 1
        assert shown >= 15  # most demo stories are not withdrawn


def test_demo_withdrawals_are_queued_for_the_coordinator_as_real_ones_are(store: Store) -> None:
    from storykeeper.core import consent
    from storykeeper.core.export_policy import WithdrawalOnly, export_view_for
    from storykeeper.core.search import StoryFilter, search_stories
    from storykeeper.core.vocabulary import ConsentState

    demo.generate(store, stories=300, seed=3)
    with store.read() as session:
        withdrawn = search_stories(
            session, StoryFilter(consent_states=frozenset({ConsentState.WITHDRAWN})), limit=1000
        ).items
        must_tell = {
            s.id for s in withdrawn if isinstance(export_view_for(session, s.id), WithdrawalOnly)
        }
        queued = {n.story_id for n in consent.pending_withdrawals(session)}
    assert must_tell and queued == must_tell
