"""`storykeeper insight`: the theme table with the people behind it and what was left out, the
story list's filters, small counts hidden, and the same numbers as the core (issue 18)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storykeeper.__main__ import main
from storykeeper.core import consent
from storykeeper.core.db import Store
from storykeeper.core.insight import EVERY_STORY, Period, disclosed, insight
from storykeeper.core.search import StoryFilter
from storykeeper.core.vocabulary import Polarity, StoryStatus
from storykeeper.paths import resolve_paths
from tests.factories import given, make_story
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_store(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "demo-data", "--stories", "300", "--seed", "4")
    assert code == 0


def core_figures(
    wanted: StoryFilter = EVERY_STORY, period: Period = Period.QUARTER
) -> dict[str, Any]:
    with open_as_the_program(resolve_paths()) as store, store.read() as session:
        return disclosed(insight(session, wanted, period), threshold=1)


def test_json_holds_the_cores_numbers_exactly_with_the_threshold_at_one(
    capsys: pytest.CaptureFixture[str], demo_store: None
) -> None:
    code, out, _ = run(capsys, "insight", "--json", "--threshold", "1", "--period", "month")
    assert code == 0
    printed = json.loads(out)
    expected = core_figures(period=Period.MONTH)
    assert {k: v for k, v in printed.items() if k in expected} == expected
    assert printed["counted"]["stories"] > 0 and printed["left_out"]["total"] > 0
    assert printed["what_it_counts"].startswith(f"{printed['counted']['stories']:,} stories")


def test_the_story_lists_filters_narrow_it(
    capsys: pytest.CaptureFixture[str], demo_store: None
) -> None:
    code, out, _ = run(
        capsys,
        "insight",
        "--json",
        "--threshold",
        "1",
        "--theme",
        "advocacy",
        "--polarity",
        "barrier",
        "--status",
        "final",
    )
    assert code == 0
    printed = json.loads(out)
    expected = core_figures(
        StoryFilter(theme="advocacy", polarity=Polarity.BARRIER, status=StoryStatus.FINAL)
    )
    assert printed["themes"] == expected["themes"]
    advocacy = next(t for t in printed["themes"] if t["theme"] == "Advocacy")
    assert advocacy["barrier"] == advocacy["mentioned"]
    assert advocacy["enabler"]["stories"] == advocacy["mixed"]["stories"] == 0
    assert advocacy["mentioned"]["stories"] == printed["counted"]["stories"] > 0


def test_the_text_says_what_it_counts_and_hides_small_counts(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    counted = make_story(store, title="The bus")
    make_story(store, title="Not yet asked", teller="Siân Llŷr")
    with store.write(actor="test") as session:
        consent.record_consent(session, counted.id, given())
    code, out, err = run(capsys, "insight")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        "Fewer than 5 stories from fewer than 5 people.",
        "Fewer than 5 stories left out: fewer than 5 because no consent recorded yet.",
    ]
    stories_table = lines[lines.index("Stories marking each theme, the most mentioned first:") :]
    people_table = lines[
        lines.index(next(line for line in lines if line.startswith("The people"))) :
    ]
    assert stories_table[2].split() == ["THEME", "STORIES", "SHARE", "ENABLER", "BARRIER", "MIXED"]
    # The one counted story is "fewer than 5" everywhere, and its share (100%) is not shown.
    assert stories_table[3].split("  ")[0] == "Getting out and about"
    assert stories_table[3].split()[4:] == [
        "fewer",
        "than",
        "5",
        "–",
        "fewer",
        "than",
        "5",
        "0",
        "0",
    ]
    assert people_table[2].split() == ["THEME", "PEOPLE", "ENABLER", "BARRIER", "MIXED"]
    assert people_table[3].split()[4:] == ["fewer", "than", "5", "fewer", "than", "5", "0", "0"]
    # A theme nobody mentions is 0, which says nothing about anyone.
    assert stories_table[4].split()[-5:] == ["0", "0.0%", "0", "0", "0"]

    code, out, _ = run(capsys, "insight", "--threshold", "1")
    lines = out.splitlines()
    assert lines[:2] == [
        "1 story from 1 person.",
        "1 story left out: 1 because no consent recorded yet.",
    ]
    bus = next(line for line in lines if line.startswith("Getting out and about"))
    assert bus.split()[-5:] == ["1", "100.0%", "1", "0", "0"]


def test_nothing_counted_says_so_without_a_table(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    make_story(store, title="Not yet asked")
    code, out, _ = run(capsys, "insight")
    assert code == 0
    assert out == (
        "0 stories from 0 people.\n"
        "Fewer than 5 stories left out: fewer than 5 because no consent recorded yet.\n"
    )


def test_bad_input_is_one_line_never_a_traceback(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, err = run(capsys, "insight", "--theme", "No such theme")
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "There is no theme called “No such theme”" in err
    with pytest.raises(SystemExit) as stopped:
        main(["insight", "--threshold", "0"])
    assert stopped.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_insight_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["insight", "--help"])
    assert stopped.value.code == 0
    shown = capsys.readouterr().out
    assert "--theme" in shown and "--threshold" in shown and "fewer than 5" in shown
