"""At start-up: recordings a crash interrupted are attached to their stories, and the person
is told which.

The work is ``gui.ops.recovery.recover_recordings`` on the write queue; the files it leaves are
removed only once that transaction has committed, so a failure loses nothing.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QMessageBox, QWidget

from storykeeper.core import recordings
from storykeeper.core.recording_marks import recording_title
from storykeeper.gui.context import AppContext
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import recovery as ops
from storykeeper.gui.widgets.modal import run_modal


def recover_recordings(context: AppContext, parent: QWidget) -> None:
    folder = recordings.RecordingsFolder(
        context.paths.recordings_dir, context.store.sealing_key("recordings")
    )
    media = context.store.media
    if not folder.leftovers():
        return

    def done(recovery: recordings.Recovery) -> None:
        for leftover in recovery.to_remove:
            recordings.forget(leftover)
        lines = [
            f"• {recording_title(r.attachment.original_name)} in “{r.story_title or 'untitled'}”"
            for r in recovery.recovered
        ]
        lines += [f"• One could not be added yet: {why}" for _recording, why in recovery.failed]
        if not lines:
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Recordings kept",
            "Storykeeper stopped while recording last time. What was recorded is kept:\n\n"
            + "\n".join(lines)
            + "\n\nThe last few seconds before it stopped may be missing.",
            parent=parent,
        )
        run_modal(box)

    def failed(error: BaseException) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Recordings",
            "A recording interrupted last time could not be added to its story: "
            f"{plain_error(error, context.paths)}\n\n"
            "It is still in Storykeeper’s recordings folder; the next start tries again.",
            parent=parent,
        )
        run_modal(box)

    context.tasks.write(
        partial(ops.recover_recordings, media=media, folder=folder),
        on_done=done,
        on_error=failed,
        changes=ops.recovery_changes,
    )
