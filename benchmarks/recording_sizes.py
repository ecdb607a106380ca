"""Recording file sizes per minute, as the program's own recorder makes them.

    .venv/bin/python benchmarks/recording_sizes.py [--seconds 60] [--out FILE.json]

Plays each sound into a virtual microphone (``tests/audio/virtual-microphone``, on a private
PulseAudio server of its own) and records it with the real ``RecorderPanel`` into a throwaway data
folder, then reports the kept FLAC's size and the crash safety copy's (16-bit PCM) per minute:
- speech: espeak-ng reading a story, over and over (needs ``espeak-ng``; skipped without it);
- silence: the floor;
- white noise: the worst case for any lossless codec.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORY = (
    "My name is Margaret. The minibus comes every Tuesday, and I can get out again. I see my "
    "friends at the club, we have a cup of tea and a chat, and sometimes we sing. When the bus "
    "did not come for three weeks, I felt very lonely. Nobody told me why."
)
RATE = 22050


def _write(path: Path, frames: bytes, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def sounds(folder: Path, seconds: int) -> dict[str, Path]:
    length = (seconds + 10) * RATE
    made = {}
    espeak = shutil.which("espeak-ng")
    if espeak:
        once = folder / "once.wav"
        subprocess.run([espeak, "-w", str(once), STORY], check=True)
        with wave.open(str(once)) as read:
            rate, frames = read.getframerate(), read.readframes(read.getnframes())
        pause = b"\0\0" * (rate // 2)  # half a second between readings, as people pause
        repeats = math.ceil((seconds + 10) * rate * 2 / (len(frames) + len(pause)))
        made["speech"] = _write(folder / "speech.wav", (frames + pause) * repeats, rate)
    made["silence"] = _write(folder / "silence.wav", b"\0\0" * length)
    noise = random.Random(1)
    made["white noise"] = _write(
        folder / "noise.wav",
        b"".join(struct.pack("<h", noise.randint(-12000, 12000)) for _ in range(length)),
    )
    return made


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    # A server of its own, so nothing else played to the tests' virtual speaker is recorded.
    pulse = Path(tempfile.gettempdir()) / f"storykeeper-benchmark-pulse-{os.getuid()}"
    server = subprocess.run(
        [str(ROOT / "tests" / "audio" / "virtual-microphone"), str(pulse)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    os.environ["PULSE_SERVER"] = server
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from storykeeper.core import consent, people, recordings, stories
    from storykeeper.core.consent import ConsentInput
    from storykeeper.core.db import Store
    from storykeeper.core.vocabulary import (
        ConsentBasis,
        ConsentDecision,
        ConsentMethod,
        ConsentScope,
    )
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.widgets.recorder import RecorderPanel
    from storykeeper.paths import resolve_paths

    app = QApplication(sys.argv[:1])

    def wait_for(condition: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the recorder did not get there in time")
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        made = sounds(root, args.seconds)
        paths = resolve_paths(root / "data")
        paths.ensure()
        with Store.open(paths) as store:
            context = AppContext(store, paths)
            panel = RecorderPanel(context)
            for name, sound in made.items():
                with store.write(actor="benchmark") as session:
                    teller = people.create_storyteller(session, "Margaret")
                    story = stories.create_story(
                        session, stories.StoryFields(storyteller_id=teller.id, title=name)
                    )
                    consent.record_consent(
                        session,
                        story.id,
                        ConsentInput(
                            decision=ConsentDecision.GIVEN,
                            basis=ConsentBasis.OWN_CONSENT,
                            decided_by="Margaret",
                            method=ConsentMethod.VERBAL,
                            scopes=frozenset({ConsentScope.RECORD_AUDIO}),
                        ),
                    )
                panel.show_story(story.id, "Margaret", [], False)
                playing = subprocess.Popen(["paplay", "--device=virtual_speaker", str(sound)])
                try:
                    panel.record_or_pause()
                    wait_for(lambda: panel.recording, 30)
                    wait_for(
                        lambda: panel.recorder.duration() >= args.seconds * 1000,
                        60 + 2 * args.seconds,
                    )
                    assert panel.active is not None
                    spool = panel.active.recording.spool.stat().st_size
                    recorded_ms = panel.recorder.duration()
                    panel.stop_recording()
                    wait_for(lambda: panel.active is None, 30)
                    context.tasks.wait_for_idle()
                    wait_for(lambda sid=story.id: bool(_attachments(store, sid)), 30)
                finally:
                    playing.kill()
                    playing.wait()
                (kept,) = _attachments(store, story.id)
                with store.media.open(kept.sha256) as flac:
                    length_ms = recordings.duration_ms(flac) or recorded_ms
                minutes = length_ms / 60_000
                results[name] = {
                    "seconds": round(length_ms / 1000, 2),
                    "flac_bytes": kept.size,
                    "flac_mb_per_minute": round(kept.size / minutes / 1e6, 3),
                    "safety_copy_mb_per_minute": round(spool / (recorded_ms / 60_000) / 1e6, 3),
                }
                print(
                    f"{name:12} {length_ms / 1000:6.1f} s  FLAC {kept.size / 1e6:7.2f} MB = "
                    f"{results[name]['flac_mb_per_minute']:.2f} MB/min   safety copy "
                    f"{results[name]['safety_copy_mb_per_minute']:.2f} MB/min",
                    flush=True,
                )
            context.shutdown()
    del app
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def _attachments(store, story_id):  # type: ignore[no-untyped-def]
    from storykeeper.core import stories

    with store.read() as session:
        return list(stories.get_story(session, story_id).attachments)


if __name__ == "__main__":
    sys.exit(main())
