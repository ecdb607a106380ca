"""The store key: kept in the keyring, under a passphrase and under a recovery key; and the
tests' private keyring itself (tests/keyring_daemon.py), which must never be the developer's."""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykeeper.core.errors import DiskFullError
from storykeeper.core.key_derivation import derive
from storykeeper.core.sealed_files import seal_bytes, unseal_bytes
from storykeeper.core.store_keys import (
    KEYS_FILE,
    KeyringUnavailableError,
    StoreKeyError,
    StoreKeys,
    TooManyTriesError,
    WrongSecretError,
    format_recovery_key,
    parse_recovery_key,
)
from tests.full_disk import fill, free, small_disk
from tests.keyring_daemon import KeyringDaemon, secret_service_pid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# --- the tests' own keyring --------------------------------------------------------------------


def test_the_tests_keyring_is_a_private_daemon_not_the_developers(
    keyring_service: KeyringDaemon,
) -> None:
    before = {path.name: path.read_bytes() for path in keyring_service.keyrings.glob("*")}
    keyring.set_password("Storykeeper tests", "probe", "a secret only the tests know")
    assert keyring.get_password("Storykeeper tests", "probe") == "a secret only the tests know"

    # The process answering for the Secret Service on this process's bus is the private
    # daemon, and its HOME and data folder are the private ones.
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == keyring_service.bus_address
    assert keyring_service.keyring is not None
    pid = secret_service_pid(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    assert pid == keyring_service.keyring.pid
    environment = dict(
        entry.split("=", 1)
        for entry in Path(f"/proc/{pid}/environ").read_text().split("\0")
        if "=" in entry
    )
    assert environment["HOME"] == str(keyring_service.home)
    assert environment["XDG_DATA_HOME"] == str(keyring_service.keyrings.parent)
    assert environment["HOME"] != os.path.expanduser("~")
    # And the secret went into the private folder's keyring file.
    after = {path.name: path.read_bytes() for path in keyring_service.keyrings.glob("*")}
    assert after.get("login.keyring") and after != before

    keyring.delete_password("Storykeeper tests", "probe")
    assert keyring.get_password("Storykeeper tests", "probe") is None


def test_a_child_process_reaches_the_same_private_keyring(keyring_service: KeyringDaemon) -> None:
    keyring.set_password("Storykeeper tests", "child", "shared with a child")
    try:
        read = subprocess.run(
            [
                sys.executable,
                "-c",
                "import keyring; print(keyring.get_password('Storykeeper tests', 'child'))",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert read.stdout.strip() == "shared with a child"
    finally:
        keyring.delete_password("Storykeeper tests", "child")


# --- the store key -----------------------------------------------------------------------------

PASSPHRASE = "Mill lane, 1953, blue door"  # noqa: S105 - the tests' own
NEW_PASSPHRASE = "Gorse on the moor in June"  # noqa: S105 - the tests' own


def key_file(data_dir: Path) -> Path:
    return data_dir / KEYS_FILE


def run_child(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh Python process (the same environment unless ``env``); its
    stdout, or the failure with its stderr."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_create_with_the_keyring_opens_from_it_in_this_and_another_process(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    assert not keys.encrypted
    made = keys.create()
    assert made.in_keyring and keys.encrypted and keys.kept_in_keyring
    assert not keys.has_passphrase
    assert len(made.store_key) == 32
    assert keys.from_keyring() == made.store_key
    # The keyring entry is the one the design names.
    entry = keyring.get_password("Storykeeper", f"store {keys.store_id}")
    assert entry is not None and base64.b64decode(entry) == made.store_key
    child = run_child(
        "import sys; from pathlib import Path; from storykeeper.core.store_keys import StoreKeys;"
        "print(StoreKeys(Path(sys.argv[1])).from_keyring().hex())",
        str(data_dir),
    )
    assert child.strip() == made.store_key.hex()
    # The keys file holds no secret: neither the store key nor the recovery key.
    text = key_file(data_dir).read_text()
    assert entry not in text and made.store_key.hex() not in text
    assert made.recovery_key not in text and made.recovery_key.replace("-", "") not in text


def test_create_never_replaces_an_existing_keys_file(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create()
    before = key_file(data_dir).read_bytes()
    with pytest.raises(StoreKeyError, match="already has a keys file"):
        keys.create(passphrase=PASSPHRASE)
    assert key_file(data_dir).read_bytes() == before
    assert keys.from_keyring() == made.store_key


NO_KEYRING_CHILD = """
import json, sys
from pathlib import Path
from storykeeper.core.store_keys import KeyringUnavailableError, StoreKeys

keys = StoreKeys(Path(sys.argv[1]))
try:
    keys.create()
except KeyringUnavailableError as error:
    refused = str(error)
else:
    refused = None
written_after_refusal = keys.encrypted
made = keys.create(passphrase=sys.argv[2])
print(json.dumps({
    "refused": refused,
    "written_after_refusal": written_after_refusal,
    "in_keyring": made.in_keyring,
    "from_keyring": keys.from_keyring(),
    "opens": keys.with_passphrase(sys.argv[2]) == made.store_key,
}))
"""


def test_create_with_no_keyring_on_the_computer(
    keyring_service: KeyringDaemon, data_dir: Path, tmp_path: Path
) -> None:
    # A real "no keyring": a process whose session bus leads nowhere and which lets the keyring
    # library choose its backend itself, as on a laptop without a Secret Service (a private
    # config folder, so no keyringrc.cfg chooses for it). Nothing in it is faked.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"}
    }
    env |= {
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/no-bus-here",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "share"),
    }
    result = json.loads(run_child(NO_KEYRING_CHILD, str(data_dir), PASSPHRASE, env=env))
    assert result["refused"] is not None and "passphrase" in result["refused"]
    assert "\n" not in result["refused"]
    assert result["written_after_refusal"] is False
    assert result["in_keyring"] is False
    assert result["from_keyring"] is None
    assert result["opens"] is True
    # With the private keyring back, the store still has no entry in it: the passphrase opens.
    keys = StoreKeys(data_dir)
    assert keys.from_keyring() is None
    assert not keys.kept_in_keyring and keys.has_passphrase


def test_a_keyring_gone_after_the_store_was_made(
    keyring_service: KeyringDaemon,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from keyring.backends import SecretService

    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE)
    # The Secret Service backend as before, but the session bus it talks to is gone.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/the-bus-went-away")
    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    try:
        with caplog.at_level(logging.DEBUG):
            assert keys.from_keyring() is None
            with pytest.raises(KeyringUnavailableError) as caught:
                keys.remember_in_keyring(made.store_key)
            keys.forget_in_keyring()  # nothing to forget, and no error
    finally:
        keyring.set_keyring(previous)
    assert "\n" not in str(caught.value) and "passphrase" in str(caught.value)
    assert "keyring could not be read" in caplog.text
    assert keys.with_passphrase(PASSPHRASE) == made.store_key


def test_a_keyring_entry_that_is_not_this_stores_key_is_ignored(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create()
    username = f"store {keys.store_id}"
    for stale in (base64.b64encode(bytes(32)).decode(), "not base64 at all!", ""):
        keyring.set_password("Storykeeper", username, stale)
        assert keys.from_keyring() is None
    keys.remember_in_keyring(made.store_key)
    assert keys.from_keyring() == made.store_key


def test_passphrase_right_and_wrong(keyring_service: KeyringDaemon, data_dir: Path) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE, use_keyring=False)
    assert keys.has_passphrase and not made.in_keyring
    assert keys.from_keyring() is None
    assert keys.with_passphrase(PASSPHRASE) == made.store_key
    before = json.loads(key_file(data_dir).read_text())
    for wrong in ("mill lane, 1953, blue door", PASSPHRASE + " ", ""):
        with pytest.raises(WrongSecretError) as caught:
            keys.with_passphrase(wrong)
        assert "not right" in str(caught.value) and "nothing was changed" in str(caught.value)
    after = json.loads(key_file(data_dir).read_text())
    # Nothing changed but the count of wrong tries.
    assert after["wrong_tries"]["count"] == 3
    after["wrong_tries"] = before["wrong_tries"]
    assert after == before
    # The right one still opens, and clears the count.
    assert keys.with_passphrase(PASSPHRASE) == made.store_key
    assert json.loads(key_file(data_dir).read_text())["wrong_tries"]["count"] == 0


def test_a_passphrase_typed_with_composed_or_precomposed_accents_is_the_same(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    precomposed = "Caf\u00e9 au bord de l'eau"
    made = keys.create(passphrase=precomposed, use_keyring=False)
    assert keys.with_passphrase("Cafe\u0301 au bord de l'eau") == made.store_key


def test_an_empty_passphrase_is_refused(keyring_service: KeyringDaemon, data_dir: Path) -> None:
    keys = StoreKeys(data_dir)
    with pytest.raises(StoreKeyError, match="cannot be empty"):
        keys.create(passphrase=" " * 3, use_keyring=False)
    assert not keys.encrypted


def loosely(recovery_key: str) -> str:
    """The recovery key as a person might type it: lower case, spaces for dashes, O for 0 and
    I or l for 1."""
    typed = recovery_key.lower().replace("-", " ")
    return typed.replace("0", "O").replace("1", "l", 1).replace("1", "I")


def test_recovery_key_right_wrong_and_typed_loosely(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE, use_keyring=False)
    groups = made.recovery_key.split("-")
    assert len(groups) == 8 and all(len(group) == 5 for group in groups)
    assert all(character in CROCKFORD for character in "".join(groups))
    assert keys.with_recovery_key(made.recovery_key) == made.store_key
    assert keys.with_recovery_key(loosely(made.recovery_key)) == made.store_key
    assert keys.with_recovery_key(made.recovery_key.replace("-", "")) == made.store_key
    assert keys.with_recovery_key(f"  {made.recovery_key}\n") == made.store_key

    # A typo is told apart from a wrong key and is not counted as a try.
    typo = made.recovery_key.replace(made.recovery_key[3], other_character(made.recovery_key[3]), 1)
    for mistyped in (typo, made.recovery_key[:-1], made.recovery_key + "X", "U" * 40):
        with pytest.raises(WrongSecretError, match="not a whole recovery key"):
            keys.with_recovery_key(mistyped)
    assert json.loads(key_file(data_dir).read_text())["wrong_tries"]["count"] == 0

    # A well-formed recovery key of another store is a wrong one, and counted.
    other = StoreKeys(data_dir / "other").create(passphrase=PASSPHRASE, use_keyring=False)
    with pytest.raises(WrongSecretError, match="does not open these stories"):
        keys.with_recovery_key(other.recovery_key)
    assert json.loads(key_file(data_dir).read_text())["wrong_tries"]["count"] == 1


def other_character(character: str) -> str:
    return CROCKFORD[(CROCKFORD.index(character) + 1) % len(CROCKFORD)]


def test_recovery_key_text_forgives_every_crockford_confusion() -> None:
    bits = bytes.fromhex("00" * 4 + "ff" * 4 + "0123456789abcdef0123456789abcdef")[:20]
    text = format_recovery_key(bits)
    assert parse_recovery_key(text) == bits
    assert parse_recovery_key(loosely(text)) == bits
    assert parse_recovery_key(text.replace("-", " - ")) == bits
    assert parse_recovery_key(text.lower().replace("-", "")) == bits


def test_a_new_recovery_key_replaces_the_old(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create()
    fresh = keys.new_recovery_key(made.store_key)
    assert fresh != made.recovery_key
    assert keys.with_recovery_key(fresh) == made.store_key
    with pytest.raises(WrongSecretError):
        keys.with_recovery_key(made.recovery_key)
    with pytest.raises(StoreKeyError, match="not this store's key"):
        keys.new_recovery_key(bytes(32))


def test_changing_the_passphrase_rewraps_the_key_and_touches_nothing_else(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE)
    # A database and a media file encrypted under the store key, as the store has them.
    database = data_dir / "storykeeper.sqlite3"
    database.write_bytes(seal_bytes(derive(made.store_key, "database"), b"the database"))
    media = data_dir / "media" / "ab" / "abcdef"
    media.parent.mkdir(parents=True)
    media.write_bytes(seal_bytes(derive(made.store_key, "media"), b"a photograph"))
    untouched = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (database, media)}
    document_before = json.loads(key_file(data_dir).read_text())

    keys.set_passphrase(made.store_key, NEW_PASSPHRASE)

    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in untouched} == untouched
    with pytest.raises(WrongSecretError):
        keys.with_passphrase(PASSPHRASE)
    same_key = keys.with_passphrase(NEW_PASSPHRASE)
    assert same_key == made.store_key
    assert unseal_bytes(derive(same_key, "media"), media.read_bytes()) == b"a photograph"
    document_after = json.loads(key_file(data_dir).read_text())
    # Only the passphrase slot is new: the recovery key and the keyring are as they were.
    assert document_after["slots"]["recovery"] == document_before["slots"]["recovery"]
    assert document_after["key_check"] == document_before["key_check"]
    assert document_after["slots"]["passphrase"] != document_before["slots"]["passphrase"]
    assert keys.with_recovery_key(made.recovery_key) == made.store_key
    assert keys.from_keyring() == made.store_key

    # Removing the passphrase leaves the keyring and the recovery key.
    keys.set_passphrase(made.store_key, None)
    assert not keys.has_passphrase
    with pytest.raises(StoreKeyError, match="no passphrase"):
        keys.with_passphrase(NEW_PASSPHRASE)
    with pytest.raises(StoreKeyError, match="not this store's key"):
        keys.set_passphrase(bytes(32), PASSPHRASE)


def test_argon2_parameters_are_kept_in_the_file_so_they_can_grow(
    keyring_service: KeyringDaemon, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storykeeper.core import store_keys

    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE, use_keyring=False)
    slot = json.loads(key_file(data_dir).read_text())["slots"]["passphrase"]
    assert (slot["kdf"], slot["time_cost"], slot["memory_kib"], slot["parallelism"]) == (
        "argon2id",
        3,
        64 * 1024,
        4,
    )
    # A later version that asks more of new passphrases still opens this one, by its own
    # parameters.
    monkeypatch.setattr(store_keys, "ARGON2_TIME_COST", 4)
    assert keys.with_passphrase(PASSPHRASE) == made.store_key
    keys.set_passphrase(made.store_key, NEW_PASSPHRASE)
    assert json.loads(key_file(data_dir).read_text())["slots"]["passphrase"]["time_cost"] == 4
    assert keys.with_passphrase(NEW_PASSPHRASE) == made.store_key


WRONG_TRIES_CHILD = """
import sys
from pathlib import Path
from storykeeper.core.store_keys import StoreKeys, WrongSecretError

keys = StoreKeys(Path(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    try:
        keys.with_passphrase("not the passphrase")
    except WrongSecretError:
        pass
print(keys.seconds_before_next_try())
"""


class Clock:
    """Wall-clock time moved on by the test instead of waited for."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.time() + self.ahead


def test_a_growing_wait_after_wrong_tries_holds_across_processes(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    made = StoreKeys(data_dir).create(passphrase=PASSPHRASE, use_keyring=False)
    clock = Clock()
    keys = StoreKeys(data_dir, clock=clock)
    # The first three wrong tries cost nothing.
    assert float(run_child(WRONG_TRIES_CHILD, str(data_dir), "3")) == 0
    assert keys.seconds_before_next_try() == 0
    # The fourth, in another process, starts a wait this process sees.
    assert float(run_child(WRONG_TRIES_CHILD, str(data_dir), "1")) > 0
    first_wait = keys.seconds_before_next_try()
    assert 0 < first_wait <= 5
    # While waiting, even the right passphrase is not tried, and the wait does not grow.
    with pytest.raises(TooManyTriesError) as caught:
        keys.with_passphrase(PASSPHRASE)
    assert "wait" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(TooManyTriesError):
        keys.with_recovery_key(made.recovery_key)
    clock.ahead += 5.5
    assert keys.seconds_before_next_try() == 0
    # Each wrong try after that doubles the wait.
    waits = []
    for _ in range(3):
        with pytest.raises(WrongSecretError):
            keys.with_passphrase("still not it")
        waits.append(keys.seconds_before_next_try())
        clock.ahead += waits[-1] + 0.5
    assert waits[0] > 5 and waits[1] > waits[0] * 1.9 and waits[2] > waits[1] * 1.9
    # A restart does not clear it; the right passphrase does, once the wait is over.
    with pytest.raises(WrongSecretError):
        keys.with_passphrase("and again")
    assert StoreKeys(data_dir, clock=clock).seconds_before_next_try() > 0
    clock.ahead += 400
    assert keys.with_passphrase(PASSPHRASE) == made.store_key
    assert keys.seconds_before_next_try() == 0
    clock.ahead = 0
    assert keys.seconds_before_next_try() == 0


REWRITING_CHILD = """
import sys
from pathlib import Path
from storykeeper.core.store_keys import StoreKeys

keys = StoreKeys(Path(sys.argv[1]))
store_key = bytes.fromhex(sys.argv[2])
count = 0
while True:
    keys.new_recovery_key(store_key)
    count += 1
    print(count, flush=True)
"""


def test_a_kill_9_while_the_keys_file_is_rewritten_leaves_a_whole_one(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE, use_keyring=False)
    store_id = keys.store_id
    for attempt in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", REWRITING_CHILD, str(data_dir), made.store_key.hex()],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        # Wait on the child's word that it has rewritten the file a few times, then kill it
        # while it goes on rewriting.
        for _ in range(5 + 7 * attempt):
            assert child.stdout.readline(), "the rewriting child stopped by itself"
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        document = json.loads(key_file(data_dir).read_text())
        assert document["store_id"] == store_id
        assert StoreKeys(data_dir).with_passphrase(PASSPHRASE) == made.store_key
    # A temporary file a kill left behind is never taken for the keys file.
    assert [path.name for path in data_dir.iterdir() if path.name == KEYS_FILE] == [KEYS_FILE]


def test_a_full_disk_while_saving_keeps_the_old_keys_file(
    keyring_service: KeyringDaemon, tmp_path: Path
) -> None:
    folder = tmp_path / "small"
    with small_disk(folder, "1m"):
        data_dir = folder / "data"
        keys = StoreKeys(data_dir)
        made = keys.create(passphrase=PASSPHRASE, use_keyring=False)
        before = key_file(data_dir).read_bytes()
        fill(folder)
        try:
            with pytest.raises(DiskFullError) as caught:
                keys.set_passphrase(made.store_key, NEW_PASSPHRASE)
            assert "\n" not in str(caught.value)
            assert NEW_PASSPHRASE not in str(caught.value)
            assert key_file(data_dir).read_bytes() == before
            assert sorted(path.name for path in data_dir.iterdir()) == [KEYS_FILE]
            # A wrong try on a full disk still says it was wrong (its count just is not kept).
            with pytest.raises(WrongSecretError):
                keys.with_passphrase("not it")
        finally:
            free(folder)
        keys.set_passphrase(made.store_key, NEW_PASSPHRASE)
        assert keys.with_passphrase(NEW_PASSPHRASE) == made.store_key


def damaged_copies(whole: str) -> dict[str, str]:
    document = json.loads(whole)
    no_recovery = json.loads(whole)
    del no_recovery["slots"]["recovery"]
    bad_salt = json.loads(whole)
    bad_salt["slots"]["passphrase"]["salt"] = "%%%"
    huge_memory = json.loads(whole)
    huge_memory["slots"]["passphrase"]["memory_kib"] = 2**40
    bad_tries = json.loads(whole)
    bad_tries["wrong_tries"]["count"] = "many"
    short_wrap = json.loads(whole)
    short_wrap["slots"]["recovery"]["wrapped"] = base64.b64encode(b"short").decode()
    return {
        "cut in half": whole[: len(whole) // 2],
        "empty": "",
        "zeros": "\0" * len(whole),
        "not an object": json.dumps([document]),
        "no recovery slot": json.dumps(no_recovery),
        "bad salt": json.dumps(bad_salt),
        "huge memory": json.dumps(huge_memory),
        "bad tries": json.dumps(bad_tries),
        "short wrapped key": json.dumps(short_wrap),
    }


def test_a_damaged_keys_file_is_one_plain_error_and_never_overwritten(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    made = keys.create(passphrase=PASSPHRASE)
    whole = key_file(data_dir).read_text()
    for name, damaged in damaged_copies(whole).items():
        key_file(data_dir).write_text(damaged)
        attempts = [
            lambda: keys.store_id,
            lambda: keys.has_passphrase,
            keys.from_keyring,
            lambda: keys.with_passphrase(PASSPHRASE),
            lambda: keys.with_passphrase("wrong"),
            lambda: keys.with_recovery_key(made.recovery_key),
            lambda: keys.set_passphrase(made.store_key, NEW_PASSPHRASE),
            lambda: keys.new_recovery_key(made.store_key),
            lambda: keys.remember_in_keyring(made.store_key),
            keys.forget_in_keyring,
            keys.seconds_before_next_try,
            lambda: keys.create(passphrase=PASSPHRASE),
        ]
        for attempt in attempts:
            with pytest.raises(StoreKeyError) as caught:
                attempt()
            message = str(caught.value)
            assert "\n" not in message, name
            assert KEYS_FILE in message, name
            assert "Traceback" not in message and "Expecting" not in message, name
        assert key_file(data_dir).read_text() == damaged, name
        assert keys.encrypted, name
    key_file(data_dir).write_text(whole)
    assert keys.with_passphrase(PASSPHRASE) == made.store_key


def test_a_keys_file_from_a_newer_version_says_so(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    keys = StoreKeys(data_dir)
    keys.create(passphrase=PASSPHRASE, use_keyring=False)
    document = json.loads(key_file(data_dir).read_text())
    document["format"] = 2
    key_file(data_dir).write_text(json.dumps(document))
    with pytest.raises(StoreKeyError, match="newer Storykeeper"):
        keys.with_passphrase(PASSPHRASE)


def test_no_secret_is_ever_logged_or_put_in_an_error(
    keyring_service: KeyringDaemon, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    messages: list[str] = []
    with caplog.at_level(logging.DEBUG):
        keys = StoreKeys(data_dir)
        made = keys.create(passphrase=PASSPHRASE)
        messages.append(repr(made))
        for attempt in (
            lambda: keys.with_passphrase(PASSPHRASE[:-1]),
            lambda: keys.with_recovery_key(made.recovery_key[:-1] + "0"),
            lambda: keys.with_recovery_key(made.recovery_key.lower()[:10]),
            lambda: keys.set_passphrase(bytes(32), NEW_PASSPHRASE),
        ):
            with pytest.raises(StoreKeyError) as caught:
                attempt()
            messages.append(str(caught.value))
        keys.with_passphrase(PASSPHRASE)
        keys.with_recovery_key(made.recovery_key)
        keys.set_passphrase(made.store_key, NEW_PASSPHRASE)
        fresh = keys.new_recovery_key(made.store_key)
        keys.forget_in_keyring()
        keys.remember_in_keyring(made.store_key)
        keys.from_keyring()
    said = "\n".join([*messages, caplog.text, *(record.getMessage() for record in caplog.records)])
    assert caplog.records, "the key's life is logged, without its secrets"
    secrets_told = [
        PASSPHRASE,
        PASSPHRASE[:-1],
        NEW_PASSPHRASE,
        made.recovery_key,
        made.recovery_key.replace("-", ""),
        made.recovery_key[:5],
        fresh,
        fresh[:5],
        made.store_key.hex(),
        base64.b64encode(made.store_key).decode(),
    ]
    for secret in secrets_told:
        assert secret.lower() not in said.lower()


@settings(max_examples=200, deadline=None)
@given(
    bits=st.binary(min_size=20, max_size=20), position=st.integers(0, 39), shift=st.integers(1, 31)
)
def test_hypothesis_recovery_keys_round_trip_and_a_changed_character_is_caught(
    bits: bytes, position: int, shift: int
) -> None:
    text = format_recovery_key(bits)
    assert parse_recovery_key(text) == bits
    assert parse_recovery_key(loosely(text)) == bits
    characters = list(text.replace("-", ""))
    characters[position] = CROCKFORD[(CROCKFORD.index(characters[position]) + shift) % 32]
    # One character typed wrong is a typo, never another key: the 40-bit check catches it.
    assert parse_recovery_key("".join(characters)) is None


def test_a_change_made_by_another_program_during_a_try_is_not_undone(
    keyring_service: KeyringDaemon, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storykeeper.core import store_keys

    made = StoreKeys(data_dir).create(passphrase=PASSPHRASE, use_keyring=False)
    lock_screen = StoreKeys(data_dir)
    command_line = StoreKeys(data_dir)
    derive_slowly = store_keys._argon2
    changed: list[bool] = []

    def argon2_while_the_passphrase_changes(passphrase: str, slot: dict[str, object]) -> bytes:
        kek = derive_slowly(passphrase, slot)
        if not changed:
            # While the lock screen's try is working out its key, the command line (another
            # StoreKeys on the same folder) changes the passphrase.
            changed.append(True)
            command_line.set_passphrase(made.store_key, NEW_PASSPHRASE)
        return kek

    monkeypatch.setattr(store_keys, "_argon2", argon2_while_the_passphrase_changes)
    with pytest.raises(WrongSecretError):
        lock_screen.with_passphrase("a wrong guess")
    monkeypatch.setattr(store_keys, "_argon2", derive_slowly)
    # The wrong try was counted on top of the change, not over it.
    assert StoreKeys(data_dir).with_passphrase(NEW_PASSPHRASE) == made.store_key
    with pytest.raises(WrongSecretError):
        StoreKeys(data_dir).with_passphrase(PASSPHRASE)


def test_the_private_keyring_can_be_emptied_between_test_modules(
    keyring_service: KeyringDaemon, data_dir: Path
) -> None:
    made = StoreKeys(data_dir).create()
    keyring.set_password("Storykeeper tests", "one", "1")
    keyring.set_password("Storykeeper tests", "two", "2")
    login_keyring = keyring_service.keyrings / "login.keyring"
    size_with_entries = login_keyring.stat().st_size
    assert keyring_service.forget_every_entry() >= 3
    assert keyring.get_password("Storykeeper tests", "one") is None
    assert StoreKeys(data_dir).from_keyring() is None
    assert login_keyring.stat().st_size < size_with_entries
    StoreKeys(data_dir).remember_in_keyring(made.store_key)
    assert StoreKeys(data_dir).from_keyring() == made.store_key


_CREATE_AT_ONCE = """
import json, sys
from pathlib import Path
from storykeeper.core.store_keys import StoreKeyError, StoreKeys
sys.stdin.read(1)  # all begin together, on the word from the test, so their creates overlap
try:
    made = StoreKeys(Path(sys.argv[1])).create()
except StoreKeyError:
    print(json.dumps(None))
else:
    print(json.dumps(made.store_key.hex()))
"""


def test_processes_making_a_new_stores_key_at_once_leave_one_key(
    keyring_service: KeyringDaemon, tmp_path: Path
) -> None:
    # Two windows (or a window and a script) started on a new folder at the same moment: if
    # both made a key and the second's file replaced the first's, a database keyed with the
    # first would never open again. Exactly one may make the key; the others are told.
    folder = tmp_path / "new"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _CREATE_AT_ONCE, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for run in runs:  # the processes are ready and waiting: start them all
        assert run.stdin is not None
        run.stdin.write("go")
        run.stdin.flush()
    said = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 6, [err for _, err in said]
    made = [json.loads(out) for out, _ in said]
    winners = [key for key in made if key is not None]
    assert len(winners) == 1, made
    assert StoreKeys(folder).from_keyring() == bytes.fromhex(winners[0])
