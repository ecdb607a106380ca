"""The story editor shows its story again when the task runner says it changed, wherever the
change was made, and never puts the store's copy over words not yet saved."""

from __future__ import annotations

import dataclasses
from functools import partial

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import stories
from storykeeper.core.db import Store
from storykeeper.core.vocabulary import SupporterRole
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.ops import consent as consent_ops
from storykeeper.gui.ops import people as people_ops
from storykeeper.gui.ops import stories as story_ops
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens


def open_story(qtbot: QtBot, window: MainWindow, story_id: str) -> None:
    window.open_story(story_id)
    qtbot.waitUntil(lambda: window.editor.story is not None and window.editor.story.id == story_id)
    qtbot.waitUntil(lambda: window.editor.own_words.hasFocus())


def stored(store: Store, story_id: str) -> stories.Story:
    with store.read() as session:
        return stories.get_story(session, story_id)


def record_consent_elsewhere(window: MainWindow, story_id: str) -> None:
    """Consent recorded through the window's task runner, by no dialog of the editor's."""
    window.context.tasks.write(
        partial(consent_ops.record_consent, story_id=story_id, answers=given()),
        changes=consent_ops.consent_changes,
    )


def test_consent_recorded_elsewhere_is_shown_in_the_open_story(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store)
    open_story(qtbot, window, story.id)
    editor = window.editor
    assert editor.consent_summary.text().startswith("No consent recorded yet")
    assert not editor.withdraw_button.isEnabled()

    record_consent_elsewhere(window, story.id)

    qtbot.waitUntil(lambda: editor.consent_summary.text().startswith("Given on"))
    assert editor.withdraw_button.isEnabled()
    assert editor.story is not None and editor.story.revision == story.revision + 1


def warnings_kept(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the warnings the editor shows, instead of boxes a test would wait on."""
    warned: list[str] = []

    def warning(_parent: QWidget, title: str, _text: str, *_args: object) -> None:
        warned.append(title)

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return warned


def test_typing_goes_on_over_consent_recorded_meanwhile_and_is_saved(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned = warnings_kept(monkeypatch)
    story = make_story(window.context.store, own_words="We went to the sea.")
    open_story(qtbot, window, story.id)
    editor = window.editor
    qtbot.keyClicks(editor.own_words, " It rained.")
    assert editor.saved_state.text() == "Changes not saved yet…"

    record_consent_elsewhere(window, story.id)

    qtbot.waitUntil(lambda: editor.consent_summary.text().startswith("Given on"))
    assert editor.own_words.toPlainText() == "We went to the sea. It rained."
    # Saved over the consent's new revision, not refused as changed elsewhere.
    qtbot.waitUntil(
        lambda: editor.saved_state.text().startswith(("All changes saved at", "Not saved"))
    )
    assert warned == []
    assert editor.saved_state.text().startswith("All changes saved at")
    saved = stored(window.context.store, story.id)
    assert saved.own_words == "We went to the sea. It rained."
    assert saved.revision == story.revision + 2


def test_a_story_changed_elsewhere_is_shown_again_when_nothing_is_unsaved(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store, title="The old title")
    open_story(qtbot, window, story.id)
    editor = window.editor

    window.context.tasks.write(
        partial(
            story_ops.save_story,
            story_id=story.id,
            fields=dataclasses.replace(story.fields, title="A new title"),
            revision=story.revision,
        ),
        changes=story_ops.saved_changes,
    )

    qtbot.waitUntil(lambda: editor.title.text() == "A new title")
    assert editor.saved_state.text() == "All changes saved."


def test_a_story_changed_elsewhere_never_replaces_words_not_yet_saved(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned = warnings_kept(monkeypatch)
    story = make_story(window.context.store, own_words="Mine.")
    open_story(qtbot, window, story.id)
    editor = window.editor
    qtbot.keyClicks(editor.own_words, " Still typing.")
    changed_elsewhere = dataclasses.replace(story.fields, own_words="Someone else's words.")
    window.context.tasks.write(
        partial(
            story_ops.save_story,
            story_id=story.id,
            fields=changed_elsewhere,
            revision=story.revision,
        ),
        changes=story_ops.saved_changes,
    )

    # The next save is refused, as any save over an older revision is, and says so.
    qtbot.waitUntil(lambda: warned == ["Changed elsewhere"], timeout=10_000)
    assert editor.own_words.toPlainText() == "Mine. Still typing."
    assert editor.saved_state.text().startswith("Not saved:")
    assert stored(window.context.store, story.id).own_words == "Someone else's words."

    # Opening the story again offers the refused words (kept in a draft); choosing the saved
    # story shows the store's copy (and leaves nothing to save on closing).
    when_dialog_opens(
        lambda box: qtbot.keyClick(box, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier),
        QMessageBox,
    )
    editor.open_story(story.id)
    qtbot.waitUntil(lambda: editor.own_words.toPlainText() == "Someone else's words.")


def test_people_changed_elsewhere_are_shown_around_the_typing(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned = warnings_kept(monkeypatch)
    story = make_story(window.context.store, teller="Margaret Evans", own_words="Tea.")
    open_story(qtbot, window, story.id)
    editor = window.editor
    assert editor.heading.text() == "Margaret Evans’s story"
    chosen = editor.supporter.currentText()
    qtbot.keyClicks(editor.own_words, " And cake.")

    tasks = window.context.tasks
    tasks.write(
        partial(
            people_ops.save_storyteller,
            storyteller_id=story.storyteller.id,
            details=people_ops.StorytellerDetails("Margaret Evans-Price", None, (), ""),
        ),
        changes=people_ops.storyteller_saved_changes,
    )
    tasks.write(
        partial(
            people_ops.save_supporter,
            supporter_id=None,
            details=people_ops.SupporterDetails(
                "Sam Okafor", SupporterRole.INDEPENDENT_ADVOCATE, "", ""
            ),
        ),
        changes=people_ops.supporter_saved_changes,
    )

    qtbot.waitUntil(lambda: editor.heading.text() == "Margaret Evans-Price’s story")
    qtbot.waitUntil(
        lambda: editor.supporter.findText("Sam Okafor", Qt.MatchFlag.MatchStartsWith) > 0
    )
    assert editor.storyteller_label.text().startswith("Margaret Evans-Price  (pseudonym: ")
    assert editor.supporter.currentText() == chosen
    assert editor.own_words.toPlainText() == "Tea. And cake."
    qtbot.waitUntil(
        lambda: editor.saved_state.text().startswith(("All changes saved at", "Not saved"))
    )
    assert warned == []
    assert stored(window.context.store, story.id).own_words == "Tea. And cake."


def test_the_editor_does_not_read_its_story_back_after_its_own_save(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save announces the story it changed; the page that saved it already holds it."""
    story = make_story(window.context.store, own_words="The bus")
    open_story(qtbot, window, story.id)
    loads: list[str] = []
    read = window.context.tasks.read

    def counting(work: object, *args: object, **kwargs: object) -> int:
        if getattr(work, "func", None) is story_ops.load_editor:
            loads.append("load_editor")
        return read(work, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(window.context.tasks, "read", counting)
    window.editor.own_words.setFocus()
    qtbot.keyClicks(window.editor.own_words, " comes on Tuesdays")
    window.editor.save_now()
    qtbot.waitUntil(lambda: stored(window.context.store, story.id).own_words.endswith("Tuesdays"))
    # The announcement follows the save's own callback at once: any read it asked for is
    # asked by the time the saver is idle.
    qtbot.waitUntil(lambda: window.editor.saver.idle)
    assert loads == []
    # A change made elsewhere is still read back.
    record_consent_elsewhere(window, story.id)
    qtbot.waitUntil(lambda: bool(loads))
