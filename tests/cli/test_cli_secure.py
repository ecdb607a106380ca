"""The command line and encryption, in real child processes with the tests' private keyring:
a new folder is encrypted with no question, a script gives the passphrase in a variable or a
file, a missing keyring or keys file is one line, `storykeeper secure` says and changes how the
stories are protected, and a plain store is converted — also when killed (kill -9) mid-way."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core.convert_store import STEPS, STOP_AFTER_ENV
from storykeeper.core.db import Store
from storykeeper.core.drafts import DraftStore
from storykeeper.core.store_keys import KEYS_FILE, StoreKeys
from storykeeper.core.stories import StoryFields, get_story
from storykeeper.core.unlock import CONVERTING_NOTE, PASSPHRASE_ENV, PASSPHRASE_FILE_ENV
from storykeeper.paths import DataPaths, resolve_paths
from tests.factories import make_story
from tests.unlocking import open_as_the_program

SQLITE_HEADER = b"SQLite format 3\x00"
NO_BUS = "unix:path=/nonexistent/storykeeper-test-no-keyring"
WORDS = "the mill by the river"


def program(folder: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STORYKEEPER_DATA_DIR": str(folder), **extra_env}
    for name in (PASSPHRASE_ENV, PASSPHRASE_FILE_ENV):
        if name not in extra_env:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "storykeeper", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(ran: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in ran.stderr.splitlines() if line.startswith("storykeeper")]
    assert len(lines) == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    return lines[0]


def test_a_new_folder_is_encrypted_without_a_question(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    ran = program(folder, "list")
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == ""  # nothing asked, nothing added to a script's errors
    assert (folder / KEYS_FILE).exists()
    assert (folder / "storykeeper.sqlite3").read_bytes()[:16] != SQLITE_HEADER
    status = program(folder, "secure", "--json")
    facts = json.loads(status.stdout)
    made = dt.datetime.fromisoformat(facts.pop("recovery_key_made"))
    assert facts == {"encrypted": True, "in_keyring": True, "passphrase": False}
    assert abs((dt.datetime.now(dt.UTC) - made).total_seconds()) < 3600  # made at this start
    said = program(folder, "secure").stdout
    assert "Recovery key:" in said and f"made on {made.astimezone().day} " in said


def test_plain_store_only_when_asked(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    assert program(folder, "--plain-store", "list").returncode == 0
    assert (folder / "storykeeper.sqlite3").read_bytes()[:16] == SQLITE_HEADER
    assert not (folder / KEYS_FILE).exists()
    status = program(folder, "secure")
    assert "Encrypted:" in status.stdout and "storykeeper secure --convert" in status.stdout


def test_no_keyring_and_no_terminal_names_the_two_variables(tmp_path: Path) -> None:
    folder = tmp_path / "no-keyring"
    ran = program(folder, "list", DBUS_SESSION_BUS_ADDRESS=NO_BUS)
    assert ran.returncode == 1
    said = one_line(ran)
    assert PASSPHRASE_FILE_ENV in said and PASSPHRASE_ENV in said
    assert not (folder / KEYS_FILE).exists()


def test_a_script_makes_and_opens_a_store_with_a_passphrase(tmp_path: Path) -> None:
    folder = tmp_path / "scripted"
    secret_file = tmp_path / "passphrase"
    secret_file.write_text("the script's passphrase\n", encoding="utf-8")
    secret_file.chmod(0o600)
    made = program(folder, "list", DBUS_SESSION_BUS_ADDRESS=NO_BUS, **{PASSPHRASE_ENV: "x" * 12})
    assert made.returncode == 0, made.stderr
    by_file = program(
        folder, "list", DBUS_SESSION_BUS_ADDRESS=NO_BUS, **{PASSPHRASE_FILE_ENV: str(secret_file)}
    )
    assert by_file.returncode == 1  # the file holds another passphrase
    said = one_line(by_file)
    assert PASSPHRASE_ENV in said and "the script's passphrase" not in said
    by_variable = program(
        folder, "list", DBUS_SESSION_BUS_ADDRESS=NO_BUS, **{PASSPHRASE_ENV: "x" * 12}
    )
    assert by_variable.returncode == 0, by_variable.stderr


def test_a_locked_store_without_a_terminal_is_one_line_and_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    assert program(folder, "list").returncode == 0
    database = (folder / "storykeeper.sqlite3").read_bytes()
    ran = program(folder, "list", DBUS_SESSION_BUS_ADDRESS=NO_BUS)
    assert ran.returncode == 1
    assert PASSPHRASE_FILE_ENV in one_line(ran)
    assert (folder / "storykeeper.sqlite3").read_bytes() == database


def test_a_missing_keys_file_is_one_line_and_nothing_is_touched(tmp_path: Path) -> None:
    folder = tmp_path / "keys-gone"
    assert program(folder, "list").returncode == 0
    (folder / KEYS_FILE).unlink()
    database = (folder / "storykeeper.sqlite3").read_bytes()
    ran = program(folder, "list")
    assert ran.returncode == 1
    assert KEYS_FILE in one_line(ran) and "nothing was changed" in one_line(ran)
    assert (folder / "storykeeper.sqlite3").read_bytes() == database
    assert not (folder / KEYS_FILE).exists()


def test_the_passphrase_is_asked_on_a_terminal(tmp_path: Path) -> None:
    """A real pseudo-terminal: getpass reads the passphrase from it, nothing is echoed."""
    folder = tmp_path / "terminal"
    paths = resolve_paths(folder)
    open_store_with_passphrase(paths, "typed at the terminal")
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the program, on the terminal
        os.environ.update({"STORYKEEPER_DATA_DIR": str(folder), "DBUS_SESSION_BUS_ADDRESS": NO_BUS})
        os.execv(sys.executable, [sys.executable, "-m", "storykeeper", "list"])  # noqa: S606
    seen = read_until(terminal, b"Passphrase (or recovery key): ")
    assert b"Enter your passphrase" in seen
    os.write(terminal, b"typed at the terminal\n")
    rest = read_until(terminal, None)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, rest
    assert b"typed at the terminal" not in rest  # not echoed
    assert b"No stories yet" in rest or b"stories" in rest.lower()


def open_store_with_passphrase(paths: DataPaths, passphrase: str) -> None:
    keys = StoreKeys(paths.data_dir)
    made = keys.create(passphrase=passphrase, use_keyring=False)
    Store.open(paths, made.store_key).close()


def read_until(terminal: int, wanted: bytes | None) -> bytes:
    """What the terminal shows until ``wanted`` appears (or, with None, until it closes)."""
    seen = b""
    while wanted is None or wanted not in seen:
        ready, _, _ = select.select([terminal], [], [], 60)
        assert ready, f"the program said no more: {seen!r}"
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            assert wanted is None, seen
            return seen
        seen += chunk
    return seen


def test_secure_changes_keyring_and_recovery_key(tmp_path: Path) -> None:
    folder = tmp_path / "secured"
    assert program(folder, "list").returncode == 0
    refused = program(folder, "secure", "--forget-keyring")
    assert refused.returncode == 1 and "set a passphrase first" in one_line(refused)
    renewed = program(folder, "secure", "--new-recovery-key")
    assert renewed.returncode == 0, renewed.stderr
    recovery_key = renewed.stdout.split("only this once:")[1].strip()
    assert StoreKeys(folder).with_recovery_key(recovery_key) == StoreKeys(folder).from_keyring()
    no_terminal = program(folder, "secure", "--set-passphrase")
    assert no_terminal.returncode == 1 and "terminal" in one_line(no_terminal)


def plain_store_with_a_story_a_photo_and_a_draft(folder: Path, tmp_path: Path) -> str:
    from storykeeper.core.attachments import add_attachment

    paths = resolve_paths(folder)
    with Store.open(paths) as plain:
        story = make_story(plain, title=WORDS)
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(b"\xff\xd8 a photo of " + WORDS.encode())
        with plain.write(actor="test") as session:
            add_attachment(session, plain.media, story.id, photo)
        DraftStore.of_store(plain).keep(story.id, 1, story_fields(plain, story.id))
    return story.id


def story_fields(store: Store, story_id: str) -> StoryFields:
    with store.read() as session:
        return get_story(session, story_id).fields


def no_plain_words(folder: Path) -> list[str]:
    """Files under ``folder`` that hold the story's words or the photo in the clear."""
    return [
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and "logs" not in path.parts and WORDS.encode() in path.read_bytes()
    ]


def test_secure_convert_encrypts_everything_and_removes_the_plain_copies(tmp_path: Path) -> None:
    folder = tmp_path / "converted"
    plain_store_with_a_story_a_photo_and_a_draft(folder, tmp_path)
    assert no_plain_words(folder)  # the words are there in the clear before
    ran = program(folder, "secure", "--convert")
    assert ran.returncode == 0, ran.stderr
    assert "encrypted now" in ran.stdout and "were removed" in ran.stdout
    assert no_plain_words(folder) == []
    assert not (folder / CONVERTING_NOTE).exists()
    check = program(folder, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    with open_as_the_program(resolve_paths(folder)) as store, store.read() as session:
        assert store.encrypted
        assert session.execute(text("SELECT title FROM stories")).scalar_one() == WORDS


@pytest.mark.parametrize("step", STEPS)
def test_a_conversion_killed_after_any_step_opens_with_nothing_lost(
    tmp_path: Path, step: str
) -> None:
    folder = tmp_path / f"killed-{step}"
    story_id = plain_store_with_a_story_a_photo_and_a_draft(folder, tmp_path)
    killed = program(folder, "secure", "--convert", **{STOP_AFTER_ENV: step})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The next start finishes the work (nothing asked: the keys are in the keyring).
    listed = program(folder, "show", story_id)
    assert listed.returncode == 0, listed.stderr
    assert WORDS in listed.stdout
    check = program(folder, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert no_plain_words(folder) == []
    assert not (folder / CONVERTING_NOTE).exists()
    with open_store_as_program(folder) as store:
        assert store.encrypted


def open_store_as_program(folder: Path) -> Store:
    return open_as_the_program(resolve_paths(folder))


def test_convert_refuses_an_encrypted_store_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "already"
    assert program(folder, "list").returncode == 0
    ran = program(folder, "secure", "--convert")
    assert ran.returncode == 0 and "already encrypted" in ran.stdout


def test_secure_on_a_new_folder_changes_nothing_and_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "nothing-yet"
    ran = program(folder, "secure", "--new-recovery-key")
    assert ran.returncode == 1 and "no stories here yet" in one_line(ran)
    assert not (folder / KEYS_FILE).exists()
    status = program(folder, "secure")
    assert status.returncode == 0 and "encrypted from the first start" in status.stdout
