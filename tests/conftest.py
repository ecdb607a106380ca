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
