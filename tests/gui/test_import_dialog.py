"""Importing bundles in the window, driven by keys, clicks and drops.

The window's store is the coordinator's; the advocate is a second, real data folder in the
test's own temporary folder, whose bundles are encrypted to the window's age recipient.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from storykeeper.core import trust
from storykeeper.core.bundle.importer import import_bundle
from storykeeper.core.bundle.report import Action, Outcome, history
from storykeeper.core.bundle.writer import Selection
from storykeeper.core.db import Store
from storykeeper.core.models import StoryRow
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_sender import CheckSenderDialog
from storykeeper.gui.dialogs.import_bundles import ImportDialog
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.models.import_lines import Column as LineColumn
from storykeeper.gui.models.import_lines import ImportLinesModel
from storykeeper.gui.models.story_table import Column
from storykeeper.paths import resolve_paths
from tests import exchange
from tests.exchange import shared, trust_advocate
from tests.factories import make_story
from tests.gui.answering import when_dialog_opens
from tests.gui.dropping import drag_and_drop, dragged

ALT = Qt.KeyboardModifier.AltModifier


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


# --- two real data folders ------------------------------------------------------------------


@pytest.fixture
def advocate(tmp_path: Path) -> Iterator[Store]:
    with Store.open(resolve_paths(tmp_path / "advocate")) as opened:
        yield opened


def export(advocate: Store, coordinator: Store, out: Path) -> Path:
    """What is new at the advocate since their last bundle, as the next bundle."""
    return exchange.export(advocate, coordinator, out, Selection.SINCE_LAST)


def two_bundles(advocate: Store, coordinator: Store, tmp_path: Path) -> tuple[Path, Path]:
    shared(advocate, "The bus")
    first = export(advocate, coordinator, tmp_path / "first")
    shared(advocate, "The garden")
    return first, export(advocate, coordinator, tmp_path / "second")


def titles_here(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.scalars(select(StoryRow.title)))


def open_dialog(qtbot: QtBot, context: AppContext, files: list[Path]) -> ImportDialog:
    dialog = ImportDialog(context, files=files)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def run_import(qtbot: QtBot, dialog: ImportDialog) -> None:
    with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
        key(qtbot, Qt.Key.Key_I, ALT)


def item_texts(dialog: ImportDialog) -> list[str]:
    return [dialog.file_list.item(i).text() for i in range(dialog.file_list.count())]


def table_rows(dialog: ImportDialog) -> list[tuple[str, str, str]]:
    model = dialog.lines
    return [
        (
            model.cell(row, LineColumn.TITLE),
            model.cell(row, LineColumn.ACTION),
            model.cell(row, LineColumn.DETAIL),
        )
        for row in range(model.rowCount())
    ]


# --- importing --------------------------------------------------------------------------------


def test_two_files_typed_in_by_keyboard_come_in_and_the_list_says_where_from(
    qtbot: QtBot, window: MainWindow, advocate: Store, tmp_path: Path
) -> None:
    store = window.context.store
    make_story(store, title="Written here")
    trust_advocate(advocate, store)
    first, second = two_bundles(advocate, store, tmp_path)
    seen: dict[str, object] = {}

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportDialog)
        key(qtbot, Qt.Key.Key_N, ALT)  # "Or type a file's name"
        assert QApplication.focusWidget() is dialog.file_name
        for path in (first, second):
            qtbot.keyClicks(dialog.file_name, str(path))
            key(qtbot, Qt.Key.Key_Return)  # adds the file, does not import yet
        assert dialog.file_list.count() == 2 and dialog.lines.rowCount() == 0
        assert dialog.file_name.text() == ""
        with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
            key(qtbot, Qt.Key.Key_Return)  # the box is empty: Enter imports
        seen["status"] = dialog.status.text()
        seen["items"] = item_texts(dialog)
        seen["lines"] = table_rows(dialog)
        seen["detail"] = dialog.detail.text()
        assert QApplication.focusWidget() is dialog.file_list
        key(qtbot, Qt.Key.Key_Down)  # the second file's stories
        seen["second lines"] = table_rows(dialog)
        key(qtbot, Qt.Key.Key_Escape)

    when_dialog_opens(act, ImportDialog)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "second lines" in seen, timeout=30_000)

    assert seen["status"] == "Done: 2 files — 2 imported."
    assert seen["items"] == [
        f"{first.name}\nImported: 1 new, 0 updated, 0 skipped, 0 withdrawn.",
        f"{second.name}\nImported: 1 new, 0 updated, 0 skipped, 0 withdrawn.",
    ]
    assert seen["lines"] == [("The bus", "New here", "It was not on this computer")]
    assert seen["second lines"] == [("The garden", "New here", "It was not on this computer")]
    assert "From Priya (advocate) (key " in str(seen["detail"])

    # The list shows them with where they came from; the story written here says "Here".
    model = window.list_page.model
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    came_from = {
        model.data(model.index(row, Column.TITLE)): model.data(model.index(row, Column.ORIGIN))
        for row in range(3)
    }
    assert came_from == {
        "The bus": "Priya (advocate)",
        "The garden": "Priya (advocate)",
        "Written here": "Here",
    }
    assert model.headerData(Column.ORIGIN, Qt.Orientation.Horizontal) == "Came from"

    # And the story itself says so.
    row = next(r for r in range(3) if model.data(model.index(r, Column.TITLE)) == "The bus")
    window.open_story(model.story_id(row) or "")
    qtbot.waitUntil(lambda: window.editor.story is not None)
    assert window.editor.origin.isVisibleTo(window)
    assert window.editor.origin.text().startswith("Came from: Priya (advocate), imported ")
    # Read-only here, so the sender's next revision is never skipped as older.
    assert "It is read-only here" in window.editor.origin.text()
    words = window.editor.own_words
    before = words.toPlainText()
    words.setFocus()
    qtbot.waitUntil(words.hasFocus)
    qtbot.keyClicks(words, "typed at the coordinator's")
    assert words.toPlainText() == before
    assert not window.editor.consent_button.isEnabled()
    assert not window.editor.status.isEnabled()
    assert window.editor.delete_button.isEnabled()  # removing it stays possible


def test_importing_the_same_file_again_says_it_was_already_imported(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    first, _second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [first])
    run_import(qtbot, dialog)
    assert item_texts(dialog)[0].endswith("Imported: 1 new, 0 updated, 0 skipped, 0 withdrawn.")
    assert dialog.close_button.text() == "&Close"

    run_import(qtbot, dialog)
    assert re.fullmatch(
        rf"{re.escape(first.name)}\nAlready imported on \d{{4}}-\d\d-\d\d: nothing changed\.",
        item_texts(dialog)[0],
    )
    assert dialog.status.text() == "Done: 1 file — 1 already imported."
    assert dialog.lines.rowCount() == 0
    assert titles_here(context.store) == ["The bus"]


def test_a_dry_run_shows_what_would_happen_and_keeps_nothing(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    first, second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [first, second])
    key(qtbot, Qt.Key.Key_D, ALT)  # an Alt key clicks a button a moment later, as it shows
    qtbot.waitUntil(dialog.dry_run.isChecked)
    assert dialog.import_button.text() == "&Import: dry run"
    run_import(qtbot, dialog)
    assert dialog.status.text() == "Checked, nothing kept: 2 files — 2 would import."
    assert item_texts(dialog)[0].endswith(
        "Dry run, nothing kept — would import: 1 new, 0 updated, 0 skipped, 0 withdrawn."
    )
    assert table_rows(dialog) == [("The bus", "Would be new here", "It was not on this computer")]
    assert titles_here(context.store) == []
    with context.store.read() as session:
        assert history(session) == []  # not even the ledger remembers a dry run

    # Now for real, from the same list.
    key(qtbot, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: not dialog.dry_run.isChecked())
    run_import(qtbot, dialog)
    assert dialog.status.text() == "Done: 2 files — 2 imported."
    assert titles_here(context.store) == ["The bus", "The garden"]


def test_an_unknown_sender_is_trusted_only_after_the_fingerprint_check(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    first, second = two_bundles(advocate, context.store, tmp_path)
    mine = advocate.keys.show().signing
    dialog = open_dialog(qtbot, context, [first, second])
    run_import(qtbot, dialog)
    assert dialog.status.text() == (
        "Done: 2 files — 2 refused. A sender is not trusted yet: check their fingerprint (Alt+S)."
    )
    assert item_texts(dialog)[0].startswith(f"{first.name}\nRefused: The bundle is signed by ")
    assert dialog.file_list.item(0).font().bold()  # not by colour alone
    assert "REFUSED — nothing from this file was kept" in dialog.detail.text()
    assert dialog.trust_button.isVisibleTo(dialog)
    assert titles_here(context.store) == []
    seen: dict[str, object] = {}

    def check(box: QWidget) -> None:
        assert isinstance(box, CheckSenderDialog)
        seen["fingerprint"] = box.fingerprint.text()
        seen["spoken"] = box.fingerprint.accessibleName()
        assert not box.trust_button.isEnabled()
        key(qtbot, Qt.Key.Key_W, ALT)
        assert QApplication.focusWidget() is box.label
        qtbot.keyClicks(box.label, "Priya Shah, north team")
        key(qtbot, Qt.Key.Key_Return)  # not yet: the check box is not ticked
        assert box.isVisible() and not box.trust_button.isEnabled()
        key(qtbot, Qt.Key.Key_H, ALT)  # "I have compared the fingerprint with the sender"
        qtbot.waitUntil(box.compared.isChecked)
        assert box.trust_button.isEnabled()
        seen["button"] = box.trust_button.text()
        key(qtbot, Qt.Key.Key_Return)

    when_dialog_opens(check, CheckSenderDialog)
    with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
        key(qtbot, Qt.Key.Key_S, ALT)
    assert seen["fingerprint"] == "   ".join(mine.fingerprint.split())
    assert str(seen["spoken"]).startswith(f"Fingerprint: {' '.join(mine.fingerprint[:5])}, ")
    assert seen["button"] == "&Trust and import again"
    # Both files from that sender went again, and came in.
    assert (
        dialog.status.text() == "Now trusting Priya Shah, north team. Done: 2 files — 2 imported."
    )
    assert not dialog.trust_button.isVisibleTo(dialog)
    assert titles_here(context.store) == ["The bus", "The garden"]
    with context.store.read() as session:
        assert [s.label for s in trust.list_signers(session)] == ["Priya Shah, north team"]


def test_a_revoked_senders_key_is_never_offered_for_trust(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    first, _second = two_bundles(advocate, context.store, tmp_path)
    with context.store.write(actor="test") as session:
        trust.revoke_signer(session, advocate.keys.show().signing.key_id)
    dialog = open_dialog(qtbot, context, [first])
    run_import(qtbot, dialog)
    assert "which was revoked on" in item_texts(dialog)[0]
    assert dialog.status.text() == ("Done: 1 file — 1 refused. Choose a refused file to read why.")
    assert not dialog.trust_button.isVisibleTo(dialog)
    dialog.check_sender()  # even asked directly, nothing is offered
    assert QApplication.activeModalWidget() is None


def test_a_damaged_file_is_refused_with_its_reason_and_the_other_still_comes_in(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    first, _second = two_bundles(advocate, context.store, tmp_path)
    damaged = tmp_path / "damaged.zip.age"
    whole = first.read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2])
    dialog = open_dialog(qtbot, context, [damaged, first])
    run_import(qtbot, dialog)
    assert dialog.status.text() == (
        "Done: 2 files — 1 refused, 1 imported. Choose a refused file to read why."
    )
    # The refused file is the one shown, its reason in words and in bold.
    assert dialog.file_list.currentRow() == 0
    reason = "The bundle is damaged: its encrypted content is cut short or was changed"
    assert item_texts(dialog)[0].startswith(f"damaged.zip.age\nRefused: {reason}")
    assert dialog.file_list.item(0).font().bold()
    assert not dialog.file_list.item(1).font().bold()
    assert "<b>Why:</b> " + reason in dialog.detail.text()
    assert not dialog.trust_button.isVisibleTo(dialog)  # nothing to trust: it is just damaged
    assert dialog.lines.rowCount() == 0
    assert titles_here(context.store) == ["The bus"]
    with context.store.read() as session:
        outcomes = [entry.report.outcome for entry in history(session)]
    assert outcomes == [Outcome.IMPORTED, Outcome.REFUSED]


def test_cancel_keeps_nothing_from_the_file_being_imported_and_starts_no_other(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    first, second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [first, second])
    # Hold the writer queue, so Cancel is surely pressed while the first file is under way.
    gate = threading.Event()
    context.tasks.write(lambda _session: gate.wait(20))
    key(qtbot, Qt.Key.Key_Return)  # Import
    assert dialog.progress.isVisible() and dialog.close_button.text() == "Cancel"
    assert not dialog.import_button.isEnabled() and not dialog.choose_button.isEnabled()
    key(qtbot, Qt.Key.Key_Escape)  # Cancel, while it works
    assert dialog.isVisible()
    assert dialog.status.text().startswith("Cancelling")
    with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
        gate.set()
    assert dialog.isVisible()  # cancelling the work did not close the dialog
    assert item_texts(dialog) == [
        f"{first.name}\nCancelled: nothing from this file was kept.",
        f"{second.name}\nNot imported: cancelled before it started.",
    ]
    assert dialog.status.text() == "Cancelled: 2 files — 2 not imported."
    assert titles_here(context.store) == []
    with context.store.read() as session:
        assert history(session) == []
    assert dialog.import_button.isEnabled()


def test_cancel_between_files_keeps_the_files_already_imported(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    trust_advocate(advocate, context.store)
    first, second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [first, second])
    dialog.file_done.connect(lambda _report: dialog.reject())  # Cancel once the first is in
    run_import(qtbot, dialog)
    assert item_texts(dialog)[1] == f"{second.name}\nNot imported: cancelled before it started."
    assert titles_here(context.store) == ["The bus"]
    key(qtbot, Qt.Key.Key_Escape)  # now Esc closes
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_machine_error_on_one_file_is_said_and_the_next_file_still_goes(
    qtbot: QtBot,
    context: AppContext,
    advocate: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storykeeper.gui.ops import imports as import_ops

    trust_advocate(advocate, context.store)
    first, second = two_bundles(advocate, context.store, tmp_path)
    real = import_bundle

    def disk_full_for_the_first(store: Store, path: Path, **kwargs: object) -> object:
        if path == first:
            raise OSError(28, "No space left on device")
        return real(store, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(import_ops, "import_bundle", disk_full_for_the_first)
    dialog = open_dialog(qtbot, context, [first, second])
    run_import(qtbot, dialog)
    assert item_texts(dialog) == [
        f"{first.name}\nNot imported. The disk holding {context.paths.data_dir} is full: free "
        "some space on it and try again. Nothing from it was kept.",
        f"{second.name}\nImported: 1 new, 0 updated, 0 skipped, 0 withdrawn.",
    ]
    assert dialog.file_list.item(0).font().bold()
    assert dialog.status.text() == "Done: 2 files — 1 not imported, 1 imported."
    assert titles_here(context.store) == ["The garden"]


def test_bundles_dropped_on_the_window_open_the_import_dialog_with_them(
    qtbot: QtBot, window: MainWindow, advocate: Store, tmp_path: Path
) -> None:
    first, second = two_bundles(advocate, window.context.store, tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a bundle")
    search = window.list_page.search  # a field that takes dropped text hands bundles on

    # Anything but a local bundle is not taken, and opens nothing.
    assert drag_and_drop(window, dragged(notes)) == (False, False)
    assert drag_and_drop(search, QMimeData()) == (False, False)
    assert search.text() == ""
    seen: list[list[str]] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportDialog)
        seen.append([f.path.name for f in dialog.files])
        key(qtbot, Qt.Key.Key_Escape)

    when_dialog_opens(look, ImportDialog)
    assert drag_and_drop(
        search, dragged(first, notes, second, remote="https://example.org/bundle.zip.age")
    ) == (True, True)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [[first.name, second.name]]
    assert search.text() == ""  # not pasted into the search box

    when_dialog_opens(look, ImportDialog)
    assert drag_and_drop(window.list_page.table, dragged(second)) == (True, True)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen[1] == [second.name]


def test_bundles_dropped_on_the_open_dialog_join_its_list(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    first, second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [first])
    assert drag_and_drop(dialog.file_list, dragged(first, second)) == (True, True)
    assert [f.path for f in dialog.files] == [first, second]  # each file once
    assert dialog.status.text() == "2 files to import: add more, or press Enter to import."


def test_files_chosen_in_the_file_dialog_and_removed_again(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    first, second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [])
    assert not dialog.import_button.isEnabled()

    def answer(box: QWidget) -> None:
        assert isinstance(box, QFileDialog)
        name = box.findChild(QLineEdit, "fileNameEdit")
        qtbot.keyClicks(name, f'"{first}" "{second}"')
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(answer, QFileDialog)
    key(qtbot, Qt.Key.Key_H, ALT)  # "Choose files…"
    qtbot.waitUntil(lambda: dialog.file_list.count() == 2)
    assert [f.path for f in dialog.files] == [first, second]
    assert dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.file_list.setFocus()
    dialog.file_list.setCurrentRow(0)
    key(qtbot, Qt.Key.Key_Delete)
    assert [f.path for f in dialog.files] == [second]
    key(qtbot, Qt.Key.Key_R, ALT)  # "Remove"
    qtbot.waitUntil(lambda: dialog.files == [])
    assert dialog.files == [] and not dialog.import_button.isEnabled()

    # A name that is not a file is not taken, and says so.
    key(qtbot, Qt.Key.Key_N, ALT)
    qtbot.keyClicks(dialog.file_name, str(tmp_path / "nowhere.zip.age"))
    key(qtbot, Qt.Key.Key_Return)
    assert dialog.files == [] and dialog.status.text().startswith("There is no file")
    assert QApplication.focusWidget() is dialog.file_name


# --- keyboard, names, size --------------------------------------------------------------------


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface else ""


def mnemonics(root: QWidget) -> list[str]:
    texts = [
        w.text()
        for w in root.findChildren(QAbstractButton) + root.findChildren(QLabel)
        if w.isVisibleTo(root)
    ]
    return [m.group(1).lower() for text in texts if (m := re.search(r"&([^&\s])", text))]


def test_every_control_has_a_name_a_unique_alt_key_and_a_place_in_the_tab_order(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    first, _second = two_bundles(advocate, context.store, tmp_path)
    dialog = open_dialog(qtbot, context, [first])
    run_import(qtbot, dialog)  # refused (unknown sender): every control is showing
    assert dialog.trust_button.isVisibleTo(dialog)
    controls = [
        w
        for w in dialog.findChildren(QWidget)
        if w.isVisibleTo(dialog)
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.metaObject().className() != "QViewport"
    ]
    assert [c.metaObject().className() for c in controls if not accessible_name(c).strip()] == []
    keys = mnemonics(dialog)
    assert len(keys) == len(set(keys)) == 10, keys

    dialog.file_list.setFocus()
    order = []
    for _ in range(len(controls) + 1):
        order.append(accessible_name(QApplication.focusWidget()))
        key(qtbot, Qt.Key.Key_Tab)
    assert order == [
        "Files, and what happened to each",
        "Choose bundle files",
        "Remove the chosen file from the list",
        "Type a bundle file's name",
        "Add the file typed in",
        "Check the sender's fingerprint and trust them",
        "Stories in the chosen file",
        "Dry run: check only, keep nothing",
        "Close",
        "Import the files",
        "Files, and what happened to each",
    ]

    report = dialog.files[0].report
    assert report is not None
    check = CheckSenderDialog(context, report, parent=dialog)
    qtbot.addWidget(check)
    check.show()
    qtbot.waitExposed(check)
    keys = mnemonics(check)
    assert len(keys) == len(set(keys)) == 3, keys
    assert [
        w.metaObject().className()
        for w in check.findChildren(QWidget)
        if w.isVisibleTo(check)
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and not accessible_name(w).strip()
    ] == []
    check.reject()


def test_at_twice_the_text_size_in_high_contrast_both_dialogs_fit_a_small_laptop_screen(
    qtbot: QtBot, context: AppContext, advocate: Store, tmp_path: Path
) -> None:
    """On a 1280×800 screen a dialog gets about 1240×740: all of it shows, nothing scrolls."""
    first, second = two_bundles(advocate, context.store, tmp_path)
    context.set_text_scale(200)
    context.set_high_contrast(True)
    dialog = open_dialog(qtbot, context, [first, second])
    run_import(qtbot, dialog)  # refused: the report, the reason and the trust button all show
    assert dialog.trust_button.isVisibleTo(dialog) and dialog.detail.isVisibleTo(dialog)
    assert dialog.minimumSizeHint().width() <= 1240, dialog.minimumSizeHint()
    dialog.resize(1240, 740)
    qtbot.waitUntil(lambda: dialog.size().width() == 1240 and dialog.size().height() == 740)
    viewport, body = dialog.scroll.viewport(), dialog.scroll.widget()
    qtbot.waitUntil(lambda: body.width() == viewport.width())
    assert body.heightForWidth(viewport.width()) <= viewport.height()
    # The scroll area shows or hides its bars after the layout settles, an event later.
    qtbot.waitUntil(
        lambda: (
            not dialog.scroll.verticalScrollBar().isVisible()
            and not dialog.scroll.horizontalScrollBar().isVisible()
        )
    )
    assert dialog.table.height() >= 3 * dialog.table.fontMetrics().lineSpacing()

    report = dialog.files[0].report
    assert report is not None
    check = CheckSenderDialog(context, report, parent=dialog)
    qtbot.addWidget(check)
    check.show()
    qtbot.waitExposed(check)
    assert check.minimumSizeHint().width() <= 1240, check.minimumSizeHint()
    assert 0 < check.heightForWidth(1240) <= 740, check.heightForWidth(1240)
    check.resize(1240, check.heightForWidth(1240))
    qtbot.waitUntil(lambda: check.width() == 1240)
    # The fingerprint's four groups on one line, in digits twice the size of the rest.
    big = check.fingerprint.fontMetrics().lineSpacing()
    assert big >= 1.6 * check.label.fontMetrics().lineSpacing()
    assert check.fingerprint.heightForWidth(check.fingerprint.width()) < 2 * big
    check.reject()


def test_the_story_lines_model_is_well_behaved_and_puts_what_needs_reading_first(
    qtmodeltester: object,
) -> None:
    from storykeeper.core.bundle.report import StoryLine

    model = ImportLinesModel()
    model.set_lines(
        [
            StoryLine("a" * 36, Action.NEW, "revision 2", "The bus"),
            StoryLine("b" * 36, Action.WITHDRAWN, "withdrawn on 2026-01-02", ""),
            StoryLine("c" * 36, Action.SKIPPED, "this computer already has a newer revision", "X"),
        ],
        dry_run=False,
    )
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert [model.cell(r, LineColumn.ACTION) for r in range(3)] == [
        "Withdrawn",
        "Skipped",
        "New here",
    ]
    assert model.cell(0, LineColumn.TITLE) == "(not held here)"
    tip = model.data(model.index(1, LineColumn.DETAIL), Qt.ItemDataRole.ToolTipRole)
    assert tip == "X (story cccccccc): Skipped — This computer already has a newer copy"
