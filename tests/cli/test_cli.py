"""The command line, run in-process as `storykeeper ...` and once as a real installed program."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper import __version__
from storykeeper.__main__ import main
from storykeeper.core.attachments import MediaStore, add_attachment
from storykeeper.core.db import Store
from storykeeper.paths import resolve_paths
from tests.unlocking import open_as_the_program


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_store(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo-data", "--stories", "200", "--seed", "5")
    assert code == 0
    assert out.startswith("Added 200 stories by 66 storytellers")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"Storykeeper {__version__}"


@pytest.mark.parametrize(
    "command",
    [
        "demo-data",
        "list",
        "search",
        "show",
        "stats",
        "check",
        "keys",
        "keys show",
        "keys export-public",
        "keys import-age-identity",
        "keys import-minisign",
        "recipients",
        "recipients add",
        "recipients list",
        "recipients remove",
        "trust",
        "trust add",
        "trust list",
        "trust revoke",
        "trust hand-over",
        "export",
        "verify",
    ],
)
def test_every_command_has_help(
    capsys: pytest.CaptureFixture[str], command: str, data_dir: Path
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*command.split(), "--help"])
    assert stopped.value.code == 0
    assert f"usage: storykeeper {command}" in capsys.readouterr().out
    assert not data_dir.exists()  # asking for help creates nothing


def test_no_command_opens_the_window_on_a_new_store(tmp_path: Path) -> None:
    """`storykeeper` alone creates the store and shows the window with its (empty) list."""
    program = shutil.which("storykeeper", path=str(Path(sys.executable).parent))
    assert program
    data = tmp_path / "fresh"
    env = {
        **os.environ,
        "STORYKEEPER_DATA_DIR": str(data),
        "QT_QPA_PLATFORM": "offscreen",
        "STORYKEEPER_EXIT_AFTER_FIRST_PAGE": "1",
    }
    shown = subprocess.run([program], capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "first page shown: 0 stories"
    assert (data / "storykeeper.sqlite3").exists()
    assert (data / "settings.ini").exists()


def test_list_on_an_empty_store_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "There are no stories yet" in out


def test_list_prints_a_table_as_wide_as_its_text_and_into_a_file_cuts_nothing(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    from tests.factories import make_story

    cafe = make_story(
        store,
        title="Zoë’s walk to the café by the old mill",
        teller="Margaret Evans-Whitfield of Llanfair",
    )
    wang = make_story(
        store,
        title="王秀英的故事",
        teller="Siân Llŷr",
        own_words="We walked to the mill\nand back again by the river.",
    )
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.splitlines() == [
        "ID        TOLD  STATUS  CONSENT         STORYTELLER                           TITLE",
        f"{wang.id[:8]}  —     draft   No consent yet  Siân Llŷr                             "
        "王秀英的故事",
        f"{cafe.id[:8]}  —     draft   No consent yet  Margaret Evans-Whitfield of Llanfair  "
        "Zoë’s walk to the café by the old mill",
        "",
        "2 stories",
    ]
    code, out, _ = run(capsys, "search", "mill")
    assert out.splitlines() == [
        "ID        TOLD  STATUS  CONSENT         STORYTELLER                           TITLE",
        f"{wang.id[:8]}  —     draft   No consent yet  Siân Llŷr                             "
        "王秀英的故事",
        "          We walked to the [mill] and back again by the river",
        f"{cafe.id[:8]}  —     draft   No consent yet  Margaret Evans-Whitfield of Llanfair  "
        "Zoë’s walk to the café by the old mill",
        "",
        "2 stories",
    ]


def test_stats_prints_its_counts_as_tables(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    from storykeeper.core.vocabulary import StoryStatus
    from tests.factories import make_story

    make_story(store, title="The mill")
    make_story(store, title="The bus", teller="Siân Llŷr", status=StoryStatus.FINAL)
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert out == (
        "Stories: 2   Storytellers: 2   Supporters: 2   Attachments: 0   "
        "Deleted or withdrawn: 0\n"
        "\n"
        "STATUS  STORIES\n"
        "Draft         1\n"
        "Final         1\n"
        "\n"
        "CONSENT                STORIES\n"
        "No consent yet               1\n"
        "Given                        1\n"
        "Given with conditions        0\n"
        "Declined                     0\n"
        "Withdrawn                    0\n"
        "Review due                   0\n"
        "\n"
        # Only the final story's consent allows use in reports: one story, shown as few.
        "THEME                                      ENABLER  BARRIER  MIXED\n"
        "Activities and interests                         0        0      0\n"
        "Advocacy                                         0        0      0\n"
        "Being listened to                                0        0      0\n"
        "Choice and control                               0        0      0\n"
        "Friends, family and community                    0        0      0\n"
        "Getting out and about                 fewer than 5        0      0\n"
        "Health services                                  0        0      0\n"
        "Housing and home                                 0        0      0\n"
        "Information and advice                           0        0      0\n"
        "Money and charges                                0        0      0\n"
        "Personal budgets and direct payments             0        0      0\n"
        "Red tape and paperwork                           0        0      0\n"
        "Staff attitudes and continuity                   0        0      0\n"
        "Support for carers                               0        0      0\n"
        "Technology and social media                      0        0      0\n"
        "\n"
        "Themes count only stories whose consent allows use in reports: fewer than 5.\n"
        'Left out: fewer than 5 ("storykeeper insight" says why).\n'
    )


class Terminal(io.StringIO):
    """Standard output as it is when a person is at a terminal (its width comes from COLUMNS)."""

    def isatty(self) -> bool:
        return True


def test_list_at_a_narrow_terminal_cuts_titles_and_names_but_never_an_id(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import make_story

    cafe = make_story(
        store,
        title="Zoë’s walk to the café by the old mill",
        teller="Margaret Evans-Whitfield of Llanfair",
    )
    monkeypatch.setenv("COLUMNS", "64")
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["list"]) == 0
    assert terminal.getvalue().splitlines() == [
        "ID        TOLD  STATUS  CONSENT         STORYTELLER  TITLE",
        f"{cafe.id[:8]}  —     draft   No consent yet  Margaret E…  Zoë’s walk…",
        "",
        "1 story",
    ]


def test_list_search_show_stats_check(capsys: pytest.CaptureFixture[str], demo_store: None) -> None:
    code, out, _ = run(capsys, "list", "--limit", "5")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "TOLD", "STATUS", "CONSENT"]
    assert "1–5 of 200 stories; see more with --offset 5" in out

    code, out, _ = run(capsys, "list", "--json", "--limit", "3", "--status", "final")
    page = json.loads(out)
    assert page["total"] > 0 and len(page["items"]) == 3
    assert {item["status"] for item in page["items"]} == {"final"}

    code, out, _ = run(capsys, "search", "council", "--json")
    found = json.loads(out)
    assert code == 0 and found["total"] > 0
    story_id = found["items"][0]["id"]

    code, out, _ = run(capsys, "show", story_id[:8])
    assert code == 0
    assert f"Id:           {story_id}" in out
    assert "In their own words" in out and "Consent" in out

    code, out, _ = run(capsys, "show", story_id, "--json")
    shown = json.loads(out)
    assert shown["story"]["id"] == story_id
    from storykeeper.core import consent

    with open_as_the_program(resolve_paths()) as opened, opened.read() as session:
        history = consent.consent_history(session, story_id)
    assert history, "the story found has a consent history to show"
    assert [(r["version"], r["decision"]) for r in shown["consent_history"]] == [
        (r.version, r.decision.value) for r in history
    ]

    code, out, _ = run(capsys, "stats", "--json")
    figures = json.loads(out)
    assert figures["stories"] == 200
    assert sum(figures["by_consent_state"].values()) == 200

    code, out, _ = run(capsys, "stats")
    assert "THEME" in out and "Review due" in out

    code, out, _err = run(capsys, "check")
    assert code == 0, out
    assert out.startswith("All is well")


def test_filters_on_the_command_line(capsys: pytest.CaptureFixture[str], demo_store: None) -> None:
    code, out, _ = run(
        capsys, "list", "--json", "--theme", "advocacy", "--polarity", "Barrier", "--limit", "1000"
    )
    assert code == 0
    page = json.loads(out)
    with open_as_the_program(resolve_paths()) as store, store.read() as session:
        expected = session.execute(
            text(
                "SELECT count(*) FROM story_themes st JOIN themes t ON t.id = st.theme_id "
                "WHERE t.name = 'Advocacy' AND st.polarity = 'barrier'"
            )
        ).scalar_one()
    assert page["total"] == expected > 0
    code, out, _ = run(capsys, "list", "--json", "--consent", "withdrawn", "--consent", "declined")
    assert {i["consent_state"] for i in json.loads(out)["items"]} == {"withdrawn", "declined"}
    code, out, _ = run(capsys, "list", "--json", "--from", "2026-01-01", "--to", "2026-03-31")
    days = [i["told_on"] for i in json.loads(out)["items"]]
    assert days and all("2026-01-01" <= d <= "2026-03-31" for d in days)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "ffffffff"], "No story has the id “ffffffff”"),
        (["list", "--theme", "Gardening"], "There is no theme called “Gardening”"),
        (["list", "--supporter", "zz"], "is not a supporter id"),
    ],
)
def test_errors_are_one_clear_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("storykeeper: error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--from", "31/12/2025"], "is not a date: write it as YYYY-MM-DD"),
        (["list", "--polarity", "good"], "“good” is not a known polarity"),
        (["demo-data", "--stories", "-3"], "must be 0 or more"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_check_catches_an_edited_audit_event_and_a_missing_attachment(
    capsys: pytest.CaptureFixture[str], demo_store: None, tmp_path: Path
) -> None:
    paths = resolve_paths()
    photo = tmp_path / "drawing.png"
    photo.write_bytes(b"\x89PNG pretend")
    with open_as_the_program(paths) as store:
        with store.write(actor="test") as session:
            story_id = session.execute(text("SELECT uuid FROM stories LIMIT 1")).scalar_one()
            added = add_attachment(session, store.media, story_id, photo)
        with store.write(actor="tamper") as session:
            session.execute(text("UPDATE audit_events SET actor = 'nobody' WHERE seq = 1"))
    MediaStore(paths.media_dir).path_for(added.sha256).unlink()

    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "ERROR: audit: audit event 1 (demo_data.added) was changed after it was written" in out
    assert (
        f"ERROR: attachments: attachment file {added.sha256[:12]}… (drawing.png) is missing" in out
    )
    assert "Found 2 problems" in out

    code, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert {p["area"] for p in report["problems"]} == {"audit", "attachments"}


def test_data_dir_option_wins_over_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    code, _, _ = run(capsys, "--data-dir", str(elsewhere), "demo-data", "--stories", "3")
    assert code == 0
    code, _, _ = run(capsys, "list", "--data-dir", str(elsewhere))
    assert code == 0
    assert (elsewhere / "storykeeper.sqlite3").exists()
    assert not data_dir.exists()


def test_unwritable_data_folder_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "--data-dir", str(blocker / "data"), "list")
    assert code == 1
    assert err.startswith("storykeeper: error: cannot use the data folder")


def test_installed_program_runs_and_never_prints_a_traceback(tmp_path: Path) -> None:
    # The entry point installed beside this interpreter (a venv need not be on PATH).
    program = shutil.which("storykeeper", path=str(Path(sys.executable).parent))
    assert program, "the package is installed with its `storykeeper` entry point"
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(tmp_path / "d")}
    ok = subprocess.run(
        [program, "demo-data", "--stories", "20"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([program, "show", "0000"], capture_output=True, text=True, env=env)
    assert bad.returncode == 1
    assert (
        bad.stderr.strip()
        == "storykeeper: error: No story has the id “0000”. Run the list command to see the ids."
    )


def test_show_hides_a_withdrawn_storys_content(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    from storykeeper.core import consent
    from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod
    from tests.factories import given, make_story

    story = make_story(store, title="The mill", own_words="We walked to the mill.", notes="N")
    with store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
        consent.withdraw(
            session,
            story.id,
            consent.Withdrawal(
                decided_by="Margaret Evans",
                basis=ConsentBasis.OWN_CONSENT,
                method=ConsentMethod.VERBAL,
            ),
        )
    code, out, _ = run(capsys, "show", story.id)
    assert code == 0
    assert "mill" not in out
    assert "Consent was withdrawn: the story's content is hidden" in out
    code, out, _ = run(capsys, "show", story.id, "--json")
    shown = json.loads(out)["story"]
    assert (shown["title"], shown["own_words"], shown["recorder_notes"]) == (
        "(consent withdrawn: content hidden)",
        "",
        "",
    )
    code, out, _ = run(capsys, "search", "mill")
    assert "The mill" not in out
