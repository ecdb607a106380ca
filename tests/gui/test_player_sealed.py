"""The player reads a stored recording through the media store (sealed at rest in an encrypted
store): it plays from the decrypted stream, and a damaged or missing file is said, not raised."""

from __future__ import annotations

import io
import math
import struct
import wave
from functools import partial

from pytestqt.qtbot import QtBot

from storykeeper.core.db import Store
from storykeeper.core.sealed_files import MAGIC
from storykeeper.gui.widgets.player import RecordingPlayer


def two_seconds_of_tone() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(16000)
        sound.writeframes(
            b"".join(struct.pack("<h", int(8000 * math.sin(i / 8))) for i in range(32000))
        )
    return out.getvalue()


def test_a_sealed_recording_loads_with_its_length(qtbot: QtBot, store: Store) -> None:
    media = store.media
    stored = media.put_stream(io.BytesIO(two_seconds_of_tone()))
    assert media.path_for(stored.sha256).read_bytes().startswith(MAGIC)
    player = RecordingPlayer()
    qtbot.addWidget(player)
    said: list[str] = []
    player.problem.connect(said.append)
    player.load(partial(media.open, stored.sha256), "Recording 1", ".wav")
    qtbot.waitUntil(lambda: abs(player.player.duration() - 2000) <= 50, timeout=10_000)
    assert player.play_button.isEnabled()
    assert said == []


def test_a_damaged_or_missing_recording_is_said_and_nothing_raised(
    qtbot: QtBot, store: Store
) -> None:
    media = store.media
    stored = media.put_stream(io.BytesIO(two_seconds_of_tone()))
    path = media.path_for(stored.sha256)
    path.write_bytes(path.read_bytes()[:100])
    player = RecordingPlayer()
    qtbot.addWidget(player)
    said: list[str] = []
    player.problem.connect(said.append)
    player.load(partial(media.open, stored.sha256), "Recording 1", ".wav")
    media.discard(stored.sha256)
    player.load(partial(media.open, stored.sha256), "Recording 2", ".wav")
    assert said == [
        "“Recording 1” cannot be played: its stored file is damaged. “Check this computer’s "
        "stories” (Story menu) says what else is affected.",
        "“Recording 2” cannot be played: its stored file is missing. “Check this computer’s "
        "stories” (Story menu) says what else is affected.",
    ]
    assert not player.play_button.isEnabled()
