"""Quitting says nothing on the terminal: issue 20 §4 saw "QObject: shared QObject was deleted
directly. The program is malformed and may crash." once at a quit. The program is started as a
person starts it, with a story open (its recorder, player and read-aloud made), and closes as a
person closes it once the list is shown; everything Qt says on the way out, up to the process's
end, is looked at."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storykeeper.core.db import Store
from storykeeper.gui.run import EXIT_AFTER_FIRST_PAGE_ENV
from storykeeper.gui.settings import GuiSettings
from storykeeper.paths import DataPaths
from tests.factories import make_story

ROOT = Path(__file__).resolve().parents[2]
#: What Qt says when an object's owners disagree, or one outlives another (qobject.cpp,
#: qthread.cpp, qtimer: "QObject::~QObject: Timers cannot be stopped from another thread").
OWNERSHIP_WORDS = ("QObject", "QThread", "Timers cannot", "malformed", "may crash")


def test_quitting_with_a_story_open_prints_no_warning_about_qt_objects(
    store: Store, paths: DataPaths
) -> None:
    story = make_story(store)
    settings = GuiSettings(paths.data_dir / "settings.ini")
    settings.open_story = story.id  # back where they were: the editor opens at the start
    settings.sync()
    finished = subprocess.run(
        [sys.executable, "-m", "storykeeper"],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **{EXIT_AFTER_FIRST_PAGE_ENV: "1"}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert "first page shown: 1 stories" in finished.stdout
    said = [
        line for line in finished.stderr.splitlines() if any(w in line for w in OWNERSHIP_WORDS)
    ]
    assert said == []
