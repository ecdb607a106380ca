"""Shared fixtures: every test gets a fresh data folder with a real SQLite file in it."""

from __future__ import annotations

import os

# Before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from storykeeper.core.db import Store
from storykeeper.core.store_keys import StoreKeys
from storykeeper.paths import DATA_DIR_ENV, DataPaths, resolve_paths
from tests.keyring_daemon import (
    KEYRING_PROBLEM_ENV,
    NO_BUS,
    NO_KEYRING_BACKEND,
    KeyringDaemon,
    KeyringDaemonProblem,
    missing_tools_problem,
    start_keyring_daemon,
)

#: What the private keyring sets for the test process (restored when the session ends).
KEYRING_ENVIRONMENT = ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
VIRTUAL_MICROPHONE = Path(__file__).parent / "audio" / "virtual-microphone"
#: Why the virtual microphone could not start though PulseAudio is installed (for recorder tests).
SOUND_PROBLEM_ENV = "STORYKEEPER_TEST_SOUND_PROBLEM"


def pytest_configure(config: pytest.Config) -> None:
    """Sound goes to a private PulseAudio server with a virtual microphone, never to a real
    device. Started once, by the main process (xdist's workers inherit PULSE_SERVER); .ci/run
    starts it before the tests, and it is reused."""
    if hasattr(config, "workerinput"):
        return
    import shutil
    import subprocess

    if shutil.which("pulseaudio") and shutil.which("pactl"):
        started = subprocess.run(
            [str(VIRTUAL_MICROPHONE)], capture_output=True, text=True, check=False, timeout=60
        )
        if started.returncode == 0:
            os.environ["PULSE_SERVER"] = started.stdout.strip()
            return
        # Installed but would not start: say why, so the recorder tests' failure is not taken
        # for a missing package.
        os.environ[SOUND_PROBLEM_ENV] = (
            f"{VIRTUAL_MICROPHONE.name} failed: {started.stderr.strip()[-500:] or 'no message'}"
        )
    # No PulseAudio here: no sound device at all rather than the person's real microphone.
    os.environ["PULSE_SERVER"] = "unix:/nonexistent/storykeeper-tests-have-no-sound"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A test that reaches the keyring without asking for ``keyring_service`` fails with the
    program's own "no keyring" words where gnome-keyring is missing: say here what to install."""
    problem = missing_tools_problem()
    if problem:
        terminalreporter.write_line(problem, red=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def keyring_daemon() -> Iterator[KeyringDaemon | None]:
    """A private keyring (tests/keyring_daemon.py) for this test process and its children, so no
    test ever reaches the developer's own keyring. Each xdist worker starts its own: a worker's
    environment is its own, and one daemon's death cannot take another worker's keyring with
    it. Where it cannot start, the bus points nowhere and ``keyring_service`` fails the tests
    that need it with what to install."""
    import keyring.core

    saved = {name: os.environ.get(name) for name in (*KEYRING_ENVIRONMENT, KEYRING_PROBLEM_ENV)}
    daemon: KeyringDaemon | None
    try:
        daemon = start_keyring_daemon()
    except KeyringDaemonProblem as problem:
        daemon = None
        os.environ[KEYRING_PROBLEM_ENV] = str(problem)
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = NO_BUS
        os.environ["PYTHON_KEYRING_BACKEND"] = NO_KEYRING_BACKEND
    else:
        os.environ.update(daemon.environment())
    # The keyring library picks its backend once per process: pick again, from the above.
    keyring.core.init_backend()
    try:
        yield daemon
    finally:
        if daemon is not None:
            daemon.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module", autouse=True)
def keyring_emptied_after_each_module(keyring_daemon: KeyringDaemon | None) -> Iterator[None]:
    """Every store a test makes leaves its key in the private keyring; emptied after each test
    module so the keyring stays small (gnome-keyring rewrites all of it on every change)."""
    yield
    if keyring_daemon is not None:
        keyring_daemon.forget_every_entry()


@pytest.fixture
def keyring_service(keyring_daemon: KeyringDaemon | None) -> KeyringDaemon:
    """The private keyring, for a test that needs one: fails (never skips) where it is missing."""
    if keyring_daemon is None:
        pytest.fail(os.environ.get(KEYRING_PROBLEM_ENV, "no keyring"), pytrace=False)
    return keyring_daemon


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder for every test, so nothing touches the real one (or another test's)."""
    folder = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def paths(data_dir: Path) -> DataPaths:
    return resolve_paths()


@pytest.fixture
def store_key(data_dir: Path) -> bytes:
    """The ``store`` fixture's random store key: a new store is encrypted, as in the product,
    its key made as the program makes one (keys file, private keyring), so the command line
    and the window open the fixture's store as they would a person's."""
    return StoreKeys(data_dir).create().store_key


@pytest.fixture
def store(paths: DataPaths, store_key: bytes) -> Iterator[Store]:
    with Store.open(paths, store_key) as opened:
        yield opened


@pytest.fixture
def plain_store(paths: DataPaths) -> Iterator[Store]:
    """A plain (unencrypted) store, as someone who asked for one has, and as every store was
    before stores were encrypted."""
    with Store.open(paths) as opened:
        yield opened


@pytest.fixture
def coordinator_key(tmp_path: Path) -> bytes:
    """The ``coordinator`` fixture's own random store key, kept as ``store_key`` is."""
    return StoreKeys(tmp_path / "coordinator").create().store_key


@pytest.fixture
def coordinator(tmp_path: Path, coordinator_key: bytes) -> Iterator[Store]:
    """A second data folder, a coordinator's, for the tests that carry bundles across; encrypted
    with its own key."""
    with Store.open(resolve_paths(tmp_path / "coordinator"), coordinator_key) as opened:
        yield opened
