"""`storykeeper check` on a damaged store: one plain line and exit status 1, never a traceback,
an SQL statement or SQLite's own words (issue 15, part 5)."""

from __future__ import annotations

import pytest

from storykeeper.__main__ import main
from storykeeper.core.db import Store
from storykeeper.paths import DataPaths
from tests.damage import change_with_plain_sql, damage_a_stories_page
from tests.factories import make_story


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_plain(text: str) -> None:
    for leak in ("Traceback", "sqlite3", "SQL", "malformed", "http", "unexpected"):
        assert leak not in text


def test_check_reports_damaged_pages_and_exits_1(
    capsys: pytest.CaptureFixture[str], paths: DataPaths
) -> None:
    with Store.open(paths) as store:
        for n in range(3):
            make_story(store, title=f"Story {n}", teller=f"Teller {n}")
    damage_a_stories_page(paths.database)

    code, out, err = run(capsys, "check")

    assert code == 1
    assert out == (
        f"ERROR: database: The database file is damaged (1 page). Copy the data folder "
        f"({paths.data_dir}) somewhere safe first, then restore the newest backup from "
        f"{paths.backups_dir} (see “To restore a backup” in the README)\n"
        f"Found 1 problem. Backups of the database are in {paths.backups_dir}.\n"
    )
    assert_plain(out + err)


def test_check_names_the_story_whose_words_were_changed(
    capsys: pytest.CaptureFixture[str], paths: DataPaths
) -> None:
    with Store.open(paths) as store:
        story = make_story(store, title="The day centre bus")
    change_with_plain_sql(
        paths.database,
        "UPDATE stories SET own_words = replace(own_words, 'minibus', 'minibas')",
    )

    code, out, err = run(capsys, "check")

    assert code == 1
    assert (
        f"ERROR: stories: story {story.id[:8]} “The day centre bus”: own words changed "
        "outside Storykeeper since it was saved\n" in out
    )
    assert "rebuild" not in out
    assert_plain(out + err)
