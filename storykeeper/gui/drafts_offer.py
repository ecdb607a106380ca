"""Words a crash, a kill or a quit left unsaved (``core.drafts``) are offered back: at start-up,
and when a story is opened whose words could not be saved before another story was opened.

For each draft whose words differ from the stored story's, the person is asked, naming the
story, whether to keep the unsaved words or the saved story; keeping them (the default, and what
Enter and Esc do, so nothing is lost by a hurried key) saves them through the normal save, over
the story as it is now, and the editor shows them once that save is announced. A draft with the
same words as the store (its save landed before the stop), or of a story deleted or withdrawn
since, is removed without asking.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtWidgets import QMessageBox, QWidget

from storykeeper.core import faults
from storykeeper.core.drafts import Draft, DraftStore
from storykeeper.core.errors import StorykeeperError
from storykeeper.gui.context import AppContext
from storykeeper.gui.ops import stories as story_ops
from storykeeper.gui.ops.stories import DraftOffer
from storykeeper.gui.widgets.modal import run_modal

log = logging.getLogger(__name__)


def offer_drafts(context: AppContext, parent: QWidget, *, besides: str | None = None) -> None:
    """At start: offer every draft but that of ``besides``, the story the editor reopens (it
    offers its own when it opens it, ``offer_draft``)."""
    drafts = DraftStore.of_store(context.store)
    _offer(context, parent, drafts, [d for d in drafts.all() if d.story_id != besides])


def offer_draft(context: AppContext, parent: QWidget, story_id: str) -> None:
    """A story is opened: offer its draft, if words left unsaved earlier (another story was
    opened while they could not be saved) are kept, before anything is typed over them."""
    drafts = DraftStore.of_store(context.store)
    found = drafts.get(story_id)
    _offer(context, parent, drafts, [found] if found else [])


def _offer(context: AppContext, parent: QWidget, drafts: DraftStore, found: list[Draft]) -> None:
    if not found:
        return

    def offer(offers: list[DraftOffer]) -> None:
        for one in offers:
            if one.worth_offering:
                _ask(context, parent, drafts, one)
            else:
                drafts.discard(one.draft.story_id)

    context.tasks.read(
        partial(story_ops.drafts_to_offer, drafts=found),
        on_done=offer,
        # The drafts stay where they are, for the next start.
        on_error=lambda error: log.warning("drafts not offered: %s", type(error).__name__),
    )


def _why(error: BaseException, context: AppContext) -> str:
    """Why a kept draft could not be saved, in plain words (never the store's own text)."""
    if faults.is_disk_full(error, context.paths.data_dir):
        return "the disk is full. Free some space."
    if faults.is_locked(error):
        return "Storykeeper is busy in another window (an import, perhaps)."
    if isinstance(error, StorykeeperError):
        return error.message
    log.error("a kept draft was not saved:\n%s", faults.describe(error))
    return "something went wrong (the details are in the log)."


def _words(text: str) -> int:
    return len(text.split())


def _ask(context: AppContext, parent: QWidget, drafts: DraftStore, offer: DraftOffer) -> None:
    stored = offer.stored
    assert stored is not None  # worth_offering
    draft = offer.draft
    title = draft.fields.title or stored.title or "an untitled story"
    when = draft.written_at.astimezone().strftime("%d %b %Y at %H:%M")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Words not saved before")
    # Said when it is so: keeping the words then puts them over someone else's change.
    since = (
        " The story was changed elsewhere after they were typed."
        if stored.revision > draft.base_revision
        else ""
    )
    box.setText(
        f"Words typed in “{title}” ({stored.storyteller.name}’s story) had not been saved. "
        f"They were kept, as they were on {when}.{since}\n\n"
        f"Kept: {_words(draft.fields.own_words):,} words of the person’s own. "
        f"Saved: {_words(stored.own_words):,}.\n\n"
        "Keep the unsaved words, or the saved story as it is?"
    )
    keep = box.addButton("&Keep the unsaved words", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Use the saved story", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    run_modal(box)
    if box.clickedButton() is not keep:
        drafts.discard(draft.story_id)
        return

    def failed(error: BaseException) -> None:
        warning = QMessageBox(
            QMessageBox.Icon.Warning,
            "Words not saved before",
            f"The words kept for “{title}” could not be saved yet: {_why(error, context)}\n\n"
            "They are still kept, and offered again the next time Storykeeper starts.",
            parent=parent,
        )
        run_modal(warning)

    context.tasks.write(
        partial(
            story_ops.save_story,
            story_id=draft.story_id,
            fields=draft.fields,
            revision=stored.revision,
        ),
        on_done=lambda _saved: drafts.discard(draft.story_id),
        on_error=failed,
        changes=story_ops.saved_changes,
    )
