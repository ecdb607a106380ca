"""A story that came in a bundle, as the coordinator has it: read-only in the window."""

from __future__ import annotations

import wave
from pathlib import Path

from storykeeper.core.attachments import add_attachment
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.db import Store
from storykeeper.core.stories import Story
from storykeeper.core.vocabulary import ConsentScope
from storykeeper.paths import resolve_paths
from tests.exchange import export, shared, trust_advocate


def three_seconds_of_sound(path: Path) -> Path:
    """A three-second WAV recording (8 kHz mono), the kind an advocate attaches."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\1" * 8000 * 3)
    return path


def imported_story_with_a_recording(coordinator: Store, tmp_path: Path) -> Story:
    """An advocate's story with a three-second recording, exported and imported here."""
    with Store.open(resolve_paths(tmp_path / "advocate")) as advocate:
        story = shared(advocate, "The bus", scopes=frozenset(ConsentScope))
        sound = three_seconds_of_sound(tmp_path / "interview.wav")
        with advocate.write(actor="test") as session:
            add_attachment(session, advocate.media, story.id, sound)
        trust_advocate(advocate, coordinator)
        bundle = export(advocate, coordinator, tmp_path / "usb")
    import_bundle(coordinator, bundle, actor="coordinator")
    return story
