"""Opening a data folder (core/unlock.py) against the real keyring daemon the tests start: a new
folder is encrypted with no question, a lost keyring falls back to the passphrase or the
recovery key, wrong answers change nothing, and a missing keys file is said plainly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from storykeeper.core.db import Store
from storykeeper.core.errors import StoreError
from storykeeper.core.store_keys import KEYS_FILE, StoreKeyError, StoreKeys, WrongSecretError
from storykeeper.core.unlock import (
    ENCRYPTING,
    PASSPHRASE_ENV,
    PASSPHRASE_FILE_ENV,
    StoreState,
    UnlockCancelled,
    looks_like_recovery_key,
    open_store,
    store_state,
)
from storykeeper.paths import DataPaths
from tests.unlocking import ScriptedAsker, passphrase, recovery

SQLITE_HEADER = b"SQLite format 3\x00"
#: A D-Bus address nothing listens on: the keyring is out of reach, as on a computer without one.
NO_BUS = "unix:path=/nonexistent/storykeeper-test-no-keyring"


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its bytes, to show nothing was changed (logs aside)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "logs" not in path.parts
    }


def add_a_setting(store: Store) -> None:
    with store.write("test") as session:
        session.execute(text("INSERT INTO settings (key, value) VALUES ('probe', 'kept')"))


def setting_kept(store: Store) -> bool:
    with store.read() as session:
        return session.execute(text("SELECT value FROM settings WHERE key = 'probe'")).scalar() == (
            "kept"
        )


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)


def test_a_new_folder_is_encrypted_with_the_key_in_the_keyring_and_no_question(
    paths: DataPaths,
) -> None:
    asker = ScriptedAsker()
    with open_store(paths, asker) as store:
        assert store.encrypted
        add_a_setting(store)
    assert not asker.asked_anything
    (shown,) = asker.recovery_keys  # shown once, to keep
    assert looks_like_recovery_key(shown)
    assert (paths.data_dir / KEYS_FILE).exists()
    assert paths.database.read_bytes()[:16] != SQLITE_HEADER
    assert store_state(paths) is StoreState.ENCRYPTED

    again = ScriptedAsker()
    with open_store(paths, again) as store:
        assert setting_kept(store)
    assert not again.asked_anything and again.recovery_keys == []


def test_plain_only_when_asked_at_first_start(paths: DataPaths) -> None:
    asker = ScriptedAsker()
    with open_store(paths, asker, plain=True) as store:
        assert not store.encrypted
    assert paths.database.read_bytes()[:16] == SQLITE_HEADER
    assert not (paths.data_dir / KEYS_FILE).exists()
    assert asker.recovery_keys == []
    # Opened again without the option it stays as it is; conversion is only offered.
    with open_store(paths, asker) as store:
        assert not store.encrypted
    assert asker.offers == 1


def test_plain_store_option_refused_on_an_encrypted_store(paths: DataPaths) -> None:
    open_store(paths, ScriptedAsker()).close()
    before = folder_digest(paths.data_dir)
    with pytest.raises(StoreError, match="only for a new data folder"):
        open_store(paths, ScriptedAsker(), plain=True)
    assert folder_digest(paths.data_dir) == before


def test_without_a_keyring_a_new_store_asks_for_a_passphrase_and_says_why(
    paths: DataPaths, no_keyring: None
) -> None:
    asker = ScriptedAsker(new_passphrases=["correct horse battery"])
    with open_store(paths, asker) as store:
        assert store.encrypted
        add_a_setting(store)
    (reason,) = asker.passphrase_reasons
    assert "no keyring" in reason
    assert len(asker.recovery_keys) == 1
    assert StoreKeys(paths.data_dir).has_passphrase

    with open_store(paths, ScriptedAsker(secrets=[passphrase("correct horse battery")])) as store:
        assert setting_kept(store)


def test_without_a_keyring_and_no_passphrase_chosen_nothing_is_made(
    paths: DataPaths, no_keyring: None
) -> None:
    with pytest.raises(UnlockCancelled, match="No passphrase was chosen"):
        open_store(paths, ScriptedAsker())
    assert not (paths.data_dir / KEYS_FILE).exists()
    assert not paths.database.exists() or paths.database.stat().st_size == 0


def test_a_wrong_passphrase_is_said_and_nothing_is_changed(
    paths: DataPaths, no_keyring: None
) -> None:
    open_store(paths, ScriptedAsker(new_passphrases=["right one"])).close()
    database_before = paths.database.read_bytes()
    asker = ScriptedAsker(secrets=[passphrase("wrong one")])
    with pytest.raises(UnlockCancelled, match="nothing was changed"):
        open_store(paths, asker)
    first, second = asker.requests  # asked again after the wrong one, with the reason
    assert first.has_passphrase
    assert "passphrase" in second.reason.lower()
    assert paths.database.read_bytes() == database_before


def test_the_wait_after_wrong_tries_is_passed_on_and_kept(
    paths: DataPaths, no_keyring: None
) -> None:
    open_store(paths, ScriptedAsker(new_passphrases=["right one"])).close()
    wrong = [passphrase(f"wrong {n}") for n in range(6)]
    asker = ScriptedAsker(secrets=wrong)
    with pytest.raises(UnlockCancelled):
        open_store(paths, asker)
    waits = [request.wait_seconds for request in asker.requests]
    assert waits[-1] > 0, waits  # after several wrong tries the next one waits
    # The right passphrase given before the wait is over is not even tried.
    early = ScriptedAsker(secrets=[passphrase("right one")])
    with pytest.raises(UnlockCancelled):
        open_store(paths, early)
    assert early.requests[0].wait_seconds > 0
    assert "wait" in early.requests[-1].reason.lower()


def test_the_recovery_key_opens_when_the_keyring_is_lost_and_offers_a_passphrase(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ScriptedAsker()
    with open_store(paths, first) as store:
        add_a_setting(store)
    (recovery_key,) = first.recovery_keys
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)  # a new computer: no keyring entry
    typed = recovery_key.lower().replace("-", " ")  # as read off paper
    asker = ScriptedAsker(secrets=[recovery(typed)], new_passphrases=["a new passphrase"])
    with open_store(paths, asker) as store:
        assert setting_kept(store)
    (request,) = asker.requests
    assert not request.has_passphrase and "recovery key" in request.reason
    assert asker.passphrase_reasons  # offered a new passphrase, and it was set
    with open_store(paths, ScriptedAsker(secrets=[passphrase("a new passphrase")])) as store:
        assert setting_kept(store)


def test_a_wrong_recovery_key_is_said_and_asked_again(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ScriptedAsker()
    open_store(paths, first).close()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
    wrong = "ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC-DEFGH"
    asker = ScriptedAsker(secrets=[recovery(wrong), recovery(first.recovery_keys[0])])
    with open_store(paths, asker) as store:
        assert store.encrypted
    assert len(asker.requests) == 2
    assert "recovery key" in asker.requests[1].reason.lower()


def test_a_missing_keys_file_is_said_plainly_and_nothing_is_touched(paths: DataPaths) -> None:
    with open_store(paths, ScriptedAsker()) as store:
        add_a_setting(store)
    (paths.data_dir / KEYS_FILE).unlink()
    before = folder_digest(paths.data_dir)
    asker = ScriptedAsker()
    with pytest.raises(StoreKeyError) as refused:
        open_store(paths, asker)
    assert KEYS_FILE in refused.value.message and "nothing was changed" in refused.value.message
    assert "\n" not in refused.value.message
    assert not asker.asked_anything
    assert folder_digest(paths.data_dir) == before


def test_no_key_anywhere_and_no_answer_is_said_and_nothing_touched(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(paths, ScriptedAsker()).close()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
    before = folder_digest(paths.data_dir)
    with pytest.raises(UnlockCancelled, match="recovery key"):
        open_store(paths, ScriptedAsker())
    after = folder_digest(paths.data_dir)
    assert after == before


@pytest.mark.parametrize("by_file", [True, False])
def test_a_script_gives_the_passphrase_in_a_file_or_a_variable(
    paths: DataPaths,
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    by_file: bool,
) -> None:
    open_store(paths, ScriptedAsker(new_passphrases=["scripted secret"])).close()
    if by_file:
        secret_file = tmp_path / "passphrase.txt"
        secret_file.write_text("scripted secret\n", encoding="utf-8")
        monkeypatch.setenv(PASSPHRASE_FILE_ENV, str(secret_file))
    else:
        monkeypatch.setenv(PASSPHRASE_ENV, "scripted secret")
    asker = ScriptedAsker()
    with open_store(paths, asker) as store:
        assert store.encrypted
    assert not asker.asked_anything


def test_a_wrong_scripted_passphrase_names_the_variables_not_the_passphrase(
    paths: DataPaths, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(paths, ScriptedAsker(new_passphrases=["scripted secret"])).close()
    monkeypatch.setenv(PASSPHRASE_ENV, "not the secret")
    with pytest.raises(WrongSecretError) as refused:
        open_store(paths, ScriptedAsker())
    assert PASSPHRASE_ENV in refused.value.message
    assert "not the secret" not in refused.value.message


def test_an_unreadable_passphrase_file_is_one_line(
    paths: DataPaths, no_keyring: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    open_store(paths, ScriptedAsker(new_passphrases=["scripted secret"])).close()
    monkeypatch.setenv(PASSPHRASE_FILE_ENV, str(tmp_path / "nowhere.txt"))
    with pytest.raises(StoreKeyError, match=PASSPHRASE_FILE_ENV):
        open_store(paths, ScriptedAsker())


def test_a_killed_first_start_before_anything_was_stored_is_still_new(paths: DataPaths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.database.touch()  # an empty database file, as a kill right after creating it leaves
    assert store_state(paths) is StoreState.NEW
    with open_store(paths, ScriptedAsker()) as store:
        assert store.encrypted


def test_encrypting_at_start_without_a_keyring_asks_the_new_passphrase_once(
    paths: DataPaths, no_keyring: None
) -> None:
    with Store.open(paths) as plain:
        add_a_setting(plain)
    asker = ScriptedAsker(convert=True, new_passphrases=["chosen while encrypting"])
    with open_store(paths, asker) as store:
        assert store.encrypted and setting_kept(store)
    assert asker.requests == []  # the passphrase just chosen is not asked for again
    assert len(asker.recovery_keys) == 1
    assert asker.worked == [ENCRYPTING]  # said while it ran


def test_encrypting_at_start_while_the_store_is_open_elsewhere_opens_it_and_finishes_later(
    paths: DataPaths,
) -> None:
    with Store.open(paths) as plain:
        add_a_setting(plain)
    elsewhere = Store.open(paths)  # another Storykeeper with the store open
    try:
        with elsewhere.read() as session:
            session.execute(text("SELECT 1")).scalar_one()
            with open_store(paths, ScriptedAsker(convert=True)) as store:
                assert setting_kept(store)
    finally:
        elsewhere.close()
    with open_store(paths, ScriptedAsker()) as store:  # the next start finishes the work
        assert store.encrypted and setting_kept(store)
