"""Shared fixtures: every test gets a fresh data folder with a real SQLite file in it."""

from __future__ import annotations

import os

# Before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from storykeeper.core.db import Store
from storykeeper.paths import DATA_DIR_ENV, DataPaths, resolve_paths

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
def store(paths: DataPaths) -> Iterator[Store]:
    with Store.open(paths) as opened:
        yield opened


@pytest.fixture
def coordinator(tmp_path: Path) -> Iterator[Store]:
    """A second data folder, a coordinator's, for the tests that carry bundles across."""
    with Store.open(resolve_paths(tmp_path / "coordinator")) as opened:
        yield opened
