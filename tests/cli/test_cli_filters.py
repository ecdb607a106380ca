"""The filters ``list``, ``insight`` and ``report`` share take the sender, own or imported,
setting and how told (issue 18 §1, §5), and refuse an unknown value in one line."""

from __future__ import annotations

import json

import pytest

from storykeeper.__main__ import main
from storykeeper.core.db import Store
from storykeeper.core.insight import disclosed, insight
from storykeeper.core.search import StoryFilter, StorySource
from storykeeper.core.vocabulary import HowTold, Setting
from tests.core.filtered_stories import PRIYA, TOM, stories_from_everywhere


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def made(store: Store) -> dict[str, str]:
    return stories_from_everywhere(store)


def listed(capsys: pytest.CaptureFixture[str], made: dict[str, str], *filters: str) -> set[str]:
    code, out, err = run(capsys, "list", "--json", *filters)
    assert (code, err) == (0, "")
    ids = {item["id"] for item in json.loads(out)["items"]}
    return {name for name, story_id in made.items() if story_id in ids}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (("--sender", "Priya (advocate)"), {"priya1", "priya2"}),
        (("--sender", "priya (ADVOCATE)"), {"priya1", "priya2"}),
        (("--sender", TOM.lower()), {"tom"}),
        (("--own",), {"own_home", "own_care"}),
        (("--imported",), {"priya1", "priya2", "tom"}),
        (("--setting", "home"), {"own_home", "priya1"}),
        (("--setting", "Care home"), {"own_care"}),
        (("--how-told", "proxy-account"), {"own_care", "priya1"}),
        (("--setting", "home", "--how-told", "proxy_account", "--imported"), {"priya1"}),
    ],
)
def test_list_takes_the_new_filters(
    capsys: pytest.CaptureFixture[str],
    made: dict[str, str],
    filters: tuple[str, ...],
    expected: set[str],
) -> None:
    assert listed(capsys, made, *filters) == expected


def test_insight_counts_what_the_same_filters_find(
    capsys: pytest.CaptureFixture[str], store: Store, made: dict[str, str]
) -> None:
    code, out, _ = run(
        capsys, "insight", "--json", "--threshold", "1", "--sender", PRIYA, "--setting", "home"
    )
    assert code == 0
    printed = json.loads(out)
    with store.read() as session:
        expected = disclosed(
            insight(session, StoryFilter(sender=PRIYA, setting=Setting.HOME)), threshold=1
        )
        mine = insight(session, StoryFilter(source=StorySource.OWN, how_told=HowTold.PROXY_ACCOUNT))
    assert printed["themes"] == expected["themes"]
    assert printed["counted"] == expected["counted"]
    assert printed["counted"]["stories"] == 1
    code, out, _ = run(
        capsys, "insight", "--json", "--threshold", "1", "--own", "--how-told", "proxy_account"
    )
    assert json.loads(out)["counted"]["stories"] == mine.stories == 1


def test_report_takes_them_too(
    capsys: pytest.CaptureFixture[str], made: dict[str, str], tmp_path: pytest.TempPathFactory
) -> None:
    out_file = tmp_path / "imported.csv"  # type: ignore[operator]
    code, _, err = run(
        capsys,
        "report",
        "--format",
        "csv",
        "--out",
        str(out_file),
        "--imported",
        "--threshold",
        "1",
    )
    assert code == 0, err
    own_file = tmp_path / "own.csv"  # type: ignore[operator]
    code, _, err = run(
        capsys, "report", "--format", "csv", "--out", str(own_file), "--own", "--threshold", "1"
    )
    assert code == 0, err
    assert out_file.read_text() != own_file.read_text()


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            ("--sender", "Nobody"),
            "storykeeper: error: “Nobody” sent no story here; the senders are: Priya (advocate), "
            "Tom (advocate).",
        ),
        (("--setting", "garden"), "“garden” is not a known setting; choose one of: home,"),
        (("--how-told", "sung"), "“sung” is not a known way the story was told; choose one of:"),
        (("--own", "--imported"), "not allowed with argument"),
    ],
)
@pytest.mark.parametrize("command", ["list", "insight"])
def test_an_unknown_value_is_one_line(
    capsys: pytest.CaptureFixture[str],
    made: dict[str, str],
    command: str,
    filters: tuple[str, ...],
    message: str,
) -> None:
    try:
        code = main([command, *filters])
    except SystemExit as stopped:  # argparse's refusal: the usage, then one line
        code = int(stopped.code or 0)
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert message in lines[-1]
    # Refused by the store (not argparse): the one line alone, no usage.
    assert len(lines) == 1 or lines[0].startswith("usage:")


def test_help_lists_the_vocabularys_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["list", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--sender LABEL_OR_KEY_ID" in shown
    assert "--own" in shown and "--imported" in shown
    for value in Setting.values() + HowTold.values():
        assert value in shown
