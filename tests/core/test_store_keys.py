"""The store key: kept in the keyring, under a passphrase and under a recovery key; and the
tests' private keyring itself (tests/keyring_daemon.py), which must never be the developer's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring

from tests.keyring_daemon import KeyringDaemon, secret_service_pid

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
