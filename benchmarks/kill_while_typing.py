"""How much typing a kill -9 loses: with saves succeeding, and while they fail.

A real window in a child process types into a story at a steady rate (one key at a time, as a
person would), reporting each character with the moment it was typed. The harness SIGKILLs it
at a random moment, then counts what is safe: the story as stored, or the crash-safe draft
(``core.drafts``), whichever holds more of what was typed. Characters lost = typed − safe; time
lost = the kill's moment − the moment the first lost character was typed.

Three modes:

- ``ok``: nothing in the way; saves succeed.
- ``locked``: another connection holds the store's write lock (``BEGIN IMMEDIATE``) the whole
  time, as a long import or ``demo-data`` in another Storykeeper does; every save waits the real
  busy timeout (10 s) and fails, and is tried again.
- ``full``: the database cannot grow (SQLite's own SQLITE_FULL through ``PRAGMA
  max_page_count``, set in the child): the child pastes a passage longer than a page first, so
  every save needs room it does not have.

Run: ``.venv/bin/python benchmarks/kill_while_typing.py --kills 10`` (about 15 s a kill). The
table goes to standard output, the raw numbers to ``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the benchmarks package beside it
    sys.path.insert(0, str(ROOT))

SENTENCE = "We went to the seaside every August and Dad drove the whole way singing. "
#: Pasted first in the ``full`` mode: longer than a database page, so every save needs room.
PASTED = "We sang all the way home. " * 240
MODES = ("ok", "locked", "full")

# The child: the real window on the store, typing one key every 1/rate s into the story's own
# words once the editor shows it. Each key is reported as "typed <count> <monotonic time>";
# CLOCK_MONOTONIC is the same clock in every process on the machine.
TYPIST = """
import sys, time
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
from sqlalchemy import event
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.gui.main_window import MainWindow
from storykeeper.paths import resolve_paths

story_id, rate, mode, sentence, pasted = sys.argv[1:6]
rate = float(rate)
app = QApplication([])
paths = resolve_paths()
store = Store.open(paths)
if mode == "full":
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    @event.listens_for(store.engine, "checkout")
    def _full(dbapi_connection, _record, _proxy):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

context = AppContext(store, paths)
context.settings.open_story = story_id
window = MainWindow(context)
window.show()
editor = window.editor
typed = 0

def type_one():
    global typed
    QTest.keyClicks(editor.own_words, sentence[typed % len(sentence)])
    typed += 1
    print("typed", typed, f"{time.monotonic():.6f}", flush=True)

def start():
    if editor.story is None:
        QTimer.singleShot(20, start)
        return
    window.activateWindow()
    editor.own_words.setFocus()
    if pasted:
        app.clipboard().setText(pasted)
        QTest.keyClick(editor.own_words, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        print("pasted", flush=True)
    keys = QTimer(app)
    keys.setTimerType(Qt.TimerType.PreciseTimer)
    keys.setInterval(round(1000 / rate))
    keys.timeout.connect(type_one)
    keys.start()

QTimer.singleShot(0, start)
app.exec()
"""


def typed_text(count: int) -> str:
    """What the typist has typed after ``count`` keys."""
    return "".join(SENTENCE[i % len(SENTENCE)] for i in range(count))


@dataclass
class Typing:
    """What the child typed before it was killed."""

    #: The monotonic moment of each key, in order.
    moments: list[float] = field(default_factory=list)
    pasted: str = ""
    killed_at: float = 0.0

    @property
    def text(self) -> str:
        return self.pasted + typed_text(len(self.moments))


@dataclass(frozen=True)
class Loss:
    #: Keys typed, and how many of them are safe.
    typed: int
    safe: int
    #: Characters typed (the paste included) that are neither stored nor in the draft.
    chars_lost: int
    #: From the first lost key to the kill.
    seconds_lost: float
    #: Where the safe words were: "store" or "draft".
    kept_by: str = "store"


def loss(typing: Typing, safe_text: str, kept_by: str = "store") -> Loss:
    """How much of ``typing`` is missing from ``safe_text`` (which must be a prefix of it)."""
    text = typing.text
    if not text.startswith(safe_text):
        raise AssertionError("what was kept is not what was typed")
    # The first key not kept (the paste, if even that was lost, counts from the first key).
    safe_keys = max(len(safe_text) - len(typing.pasted), 0)
    lost = len(text) - len(safe_text)
    seconds = typing.killed_at - typing.moments[safe_keys] if lost else 0.0
    return Loss(len(typing.moments), safe_keys, lost, round(max(seconds, 0.0), 3), kept_by)


def type_until_killed(
    data_dir: Path, story_id: str, seconds: float, rate: float, mode: str = "ok"
) -> Typing:
    """Start the typist on ``story_id`` and SIGKILL it once it has typed for ``seconds``."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "STORYKEEPER_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }
    pasted = PASTED if mode == "full" else ""
    child = subprocess.Popen(
        [sys.executable, "-c", TYPIST, story_id, str(rate), mode, SENTENCE, pasted],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert child.stdout is not None
    stdout = child.stdout

    def read() -> None:
        for line in stdout:
            lines.put(line)
        lines.put("")  # the pipe closed

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    typing = Typing(pasted=pasted)
    try:
        while True:
            line = lines.get(timeout=60)
            if not line:
                raise RuntimeError("the typist stopped by itself")
            if line.startswith("typed"):
                typing.moments.append(float(line.split()[2]))
                if typing.moments[-1] - typing.moments[0] >= seconds:
                    break
    finally:
        typing.killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join(10)
    # Keys typed between the last line read and the kill.
    while not lines.empty():
        line = lines.get()
        if line.startswith("typed"):
            typing.moments.append(float(line.split()[2]))
    return typing


def safe_words(data_dir: Path, story_id: str) -> tuple[str, str]:
    """The most of the story's own words that survived, and where: the store or the draft."""
    from storykeeper.core import stories
    from storykeeper.core.db import Store
    from storykeeper.core.drafts import DraftStore
    from storykeeper.paths import resolve_paths

    with Store.open(resolve_paths(data_dir)) as store, store.read() as session:
        stored = stories.get_story(session, story_id).own_words
    draft = DraftStore.in_data_folder(data_dir).get(story_id)
    drafted = draft.fields.own_words if draft else ""
    return (drafted, "draft") if len(drafted) > len(stored) else (stored, "store")


def one_kill(mode: str, seconds: float, rate: float, work: Path) -> Loss:
    from storykeeper.core.db import Store
    from storykeeper.core.people import create_storyteller
    from storykeeper.core.stories import StoryFields, create_story
    from storykeeper.paths import resolve_paths

    data_dir = Path(tempfile.mkdtemp(dir=work))
    with Store.open(resolve_paths(data_dir)) as store, store.write("benchmark") as session:
        teller = create_storyteller(session, "Margaret Evans")
        story_id = create_story(session, StoryFields(storyteller_id=teller.id)).id
    lock = None
    if mode == "locked":
        lock = sqlite3.connect(data_dir / "storykeeper.sqlite3", isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
    try:
        typing = type_until_killed(data_dir, story_id, seconds, rate, mode)
    finally:
        if lock is not None:
            lock.execute("ROLLBACK")
            lock.close()
    return loss(typing, *safe_words(data_dir, story_id))


def summary(losses: list[Loss]) -> dict[str, float]:
    chars = [one.chars_lost for one in losses]
    seconds = [one.seconds_lost for one in losses]
    return {
        "kills": len(losses),
        "chars_median": statistics.median(chars),
        "chars_max": max(chars),
        "seconds_median": round(statistics.median(seconds), 2),
        "seconds_max": round(max(seconds), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="kills per mode (default 10)")
    parser.add_argument("--rate", type=float, default=10.0, help="keys a second (default 10)")
    parser.add_argument("--modes", default=",".join(MODES), help="ok,locked,full")
    parser.add_argument(
        "--after", default="4,14", help="kill after typing a random time in this range, s"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/kill_typing.json")
    args = parser.parse_args()
    low, high = (float(part) for part in args.after.split(","))
    chance = random.Random(args.seed)
    modes: dict[str, Any] = {}
    results = {"rate": args.rate, "after": [low, high], "modes": modes}
    with tempfile.TemporaryDirectory() as work:
        for mode in args.modes.split(","):
            losses = []
            for kill in range(args.kills):
                seconds = chance.uniform(low, high)
                one = one_kill(mode, seconds, args.rate, Path(work))
                print(f"{mode} kill {kill + 1}: after {seconds:.1f} s {one}", file=sys.stderr)
                losses.append(one)
            modes[mode] = {
                "summary": summary(losses),
                "kills": [asdict(one) for one in losses],
            }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    header = ("mode", "kills", "chars lost: median", "max", "s lost: median", "max")
    print("{:8} {:>5} {:>19} {:>5} {:>15} {:>6}".format(*header))
    for mode, found in modes.items():
        s = found["summary"]
        print(
            f"{mode:8} {s['kills']:>5} {s['chars_median']:>19} {s['chars_max']:>5} "
            f"{s['seconds_median']:>15} {s['seconds_max']:>6}"
        )


if __name__ == "__main__":
    main()
