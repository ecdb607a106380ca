"""Render the story editor's recordings and photos-and-documents boxes to PNG.

    python docs/screenshots/recordings.py OUT [--scale N] [--contrast]

Drawn off screen on a pretend 1280×800 screen. A throwaway data folder holds one story with a
recording, a mark in the notes, and a photo; the editor is scrolled to the two boxes and saved
with ``QWidget.grab``: ``editor-recordings*.png``. With no sound server (as here) the box also
shows its "no microphone" warning.
"""

from __future__ import annotations

import math
import struct
import tempfile
import wave
from pathlib import Path

from PySide6.QtGui import QColor, QImage, QPainter
from waiting import laptop_application, screenshot_arguments, wait_for


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    from storykeeper.core import consent, recordings
    from storykeeper.core.attachments import MediaStore, add_attachment
    from storykeeper.core.db import Store
    from storykeeper.core.vocabulary import ConsentScope
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.main_window import MainWindow
    from storykeeper.paths import resolve_paths
    from tests.factories import given, make_story

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = resolve_paths(root / "data")
        paths.ensure()
        store = Store.open(paths)
        story = make_story(
            store,
            title="Tuesdays at the club",
            teller="Margaret Evans",
            notes="She lit up talking about the singing [Recording 1, 02:15]. Ask about the bus.",
        )
        with store.write(actor="screenshot") as session:
            consent.record_consent(session, story.id, given(scopes=frozenset(ConsentScope)))
        # A recording: two minutes and a half of a quiet tone, as the recorder would keep it.
        sound = root / "sound.wav"
        with wave.open(str(sound), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(
                b"".join(struct.pack("<h", int(3000 * math.sin(i / 8))) for i in range(8000 * 150))
            )
        folder_of_recordings = recordings.RecordingsFolder(paths.recordings_dir)
        active = folder_of_recordings.begin(story.id)
        media = MediaStore(paths.media_dir)
        with store.write(actor="screenshot") as session:
            recordings.keep(session, media, active.recording, source=sound)
        recordings.forget(active.recording)
        active.release()
        photo = root / "drawing of the minibus.png"
        image = QImage(1200, 800, QImage.Format.Format_RGB32)
        image.fill(QColor("#f4e9d8"))
        painter = QPainter(image)
        painter.fillRect(150, 300, 800, 300, QColor("#2a6f97"))
        painter.fillRect(220, 340, 160, 110, QColor("#d7ecf7"))
        painter.fillRect(420, 340, 160, 110, QColor("#d7ecf7"))
        painter.setBrush(QColor("#333333"))
        painter.drawEllipse(250, 560, 120, 120)
        painter.drawEllipse(730, 560, 120, 120)
        painter.end()
        image.save(str(photo))
        with store.write(actor="screenshot") as session:
            add_attachment(session, media, story.id, photo)

        context = AppContext(store, paths)
        context.set_text_scale(args.scale)
        context.set_high_contrast(args.contrast)
        suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")
        window = MainWindow(context)
        window.resize(1280, 800)
        window.show()
        window.open_story(story.id)
        editor = window.editor
        wait_for(lambda: editor.story is not None and editor.recorder.list.count() == 1)
        wait_for(lambda: editor.attachments.list.count() == 1)
        wait_for(lambda: not editor.attachments.preview.pixmap().isNull())
        editor.scroll.ensureWidgetVisible(editor.recorder, 0, 0)
        top = editor.recorder.mapTo(editor.scroll.widget(), editor.recorder.rect().topLeft())
        editor.scroll.verticalScrollBar().setValue(top.y() - 10)
        app.processEvents()
        window.grab().save(str(args.out / f"editor-recordings{suffix}.png"))
        window.close()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
