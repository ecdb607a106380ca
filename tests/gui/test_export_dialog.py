"""Exporting from the window, and the keys screen, driven from the keyboard."""

from __future__ import annotations

from pathlib import Path

from pyrage import x25519
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storykeeper.core import consent, recipients
from storykeeper.core.bundle.document import WITHDRAWALS_MAX
from storykeeper.core.bundle.export import Selection
from storykeeper.core.bundle.reader import open_bundle
from storykeeper.core.keys import receiving_key_fingerprint
from storykeeper.gui.dialogs.export import ExportDialog
from storykeeper.gui.dialogs.keys import KeysDialog
from storykeeper.gui.main_window import MainWindow
from tests.exchange import withdrawals_waiting
from tests.factories import given, make_story
from tests.gui.answering import when_dialog_opens

ALT = Qt.KeyboardModifier.AltModifier


def key(
    qtbot: QtBot, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), k, modifier)


def menu_action(window: MainWindow, text: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == text)


def test_exporting_by_keyboard_writes_a_bundle_the_coordinator_can_open(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    coordinator = x25519.Identity.generate()
    store = window.context.store
    for title in ("One", "Two", "Three"):
        story = make_story(store, title=title)
        with store.write(actor="test") as session:
            consent.record_consent(session, story.id, given())
    make_story(store, title="No consent yet")
    with store.write(actor="test") as session:
        recipients.add_recipient(session, str(coordinator.to_public()), "North coordinator")
    out = tmp_path / "bundles"
    out.mkdir()
    seen: dict[str, str] = {}

    def export(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        qtbot.waitUntil(lambda: dialog.export_button.isEnabled())
        seen["summary"] = dialog.summary.text()
        seen["left out"] = dialog.left_out.item(0).text()
        key(qtbot, Qt.Key.Key_S, ALT)  # "Save in"
        assert QApplication.focusWidget() is dialog.folder
        dialog.folder.selectAll()
        qtbot.keyClicks(dialog.folder, str(out))
        key(qtbot, Qt.Key.Key_Return)  # Export is the default button
        qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved:"), timeout=15_000)
        seen["message"] = dialog.message.text()
        key(qtbot, Qt.Key.Key_Escape)

    when_dialog_opens(export, ExportDialog)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "message" in seen, timeout=20_000)
    assert seen["summary"] == "3 stories will go; 1 story is left out."
    assert seen["left out"].endswith("No consent has been recorded yet.")
    (bundle,) = out.iterdir()
    assert str(bundle) in seen["message"]
    keys = window.context.store.keys
    with open_bundle(bundle, [coordinator], [keys.public_key()]) as opened:
        assert len(opened.summary["stories"]) == 3
        assert opened.summary["recipients"] == [str(coordinator.to_public())]


def test_without_a_recipient_only_a_plain_bundle_can_be_chosen(
    qtbot: QtBot, window: MainWindow
) -> None:
    story = make_story(window.context.store)
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("1 story will go"))
    assert not dialog.export_button.isEnabled()  # nobody to encrypt to
    assert dialog.recipient_list.item(0).text().startswith("No coordinators yet")
    qtbot.mouseClick(dialog.plain, Qt.MouseButton.LeftButton)
    # Planned again for a plain bundle (withdrawal notices depend on whom it goes to).
    qtbot.waitUntil(dialog.export_button.isEnabled)


def test_adding_a_recipient_and_reading_the_fingerprint(qtbot: QtBot, window: MainWindow) -> None:
    key_text = str(x25519.Identity.generate().to_public())
    done: list[str] = []

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, KeysDialog)
        qtbot.waitUntil(lambda: dialog.device is not None)
        done.append(dialog.fingerprint.text())
        done.append(dialog.receiving_fingerprint.text())
        key(qtbot, Qt.Key.Key_K, ALT)  # "Coordinator's key"
        qtbot.keyClicks(QApplication.focusWidget(), "age1wrong")
        key(qtbot, Qt.Key.Key_W, ALT)
        qtbot.keyClicks(QApplication.focusWidget(), "North coordinator")
        key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "damaged" in dialog.problem.text())
        assert QApplication.focusWidget() is dialog.new_key  # back to what needs fixing
        dialog.new_key.selectAll()
        qtbot.keyClicks(dialog.new_key, key_text)
        key(qtbot, Qt.Key.Key_W, ALT)
        key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.recipient_list.count() == 1)
        done.append(dialog.recipient_list.item(0).text())
        key(qtbot, Qt.Key.Key_Escape)

    when_dialog_opens(fill, KeysDialog)
    menu_action(window, "&Keys and coordinators…").trigger()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=10_000)
    own = window.context.store.keys.show()
    assert done[0] == own.signing.fingerprint
    assert done[1] == receiving_key_fingerprint(own.age_recipient)
    assert done[2] == f"North coordinator\n    fingerprint {receiving_key_fingerprint(key_text)}"


def test_the_story_open_can_be_exported_on_its_own(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    coordinator = x25519.Identity.generate()
    store = window.context.store
    chosen = make_story(store, title="Just this one")
    for story in (chosen, make_story(store, title="Not this one")):
        with store.write(actor="test") as session:
            consent.record_consent(session, story.id, given())
    with store.write(actor="test") as session:
        recipients.add_recipient(session, str(coordinator.to_public()), "North")
    window.open_story(chosen.id)
    qtbot.waitUntil(lambda: window.editor.story is not None)
    seen: list[str] = []

    def export(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        assert dialog.only_chosen.text() == "&Only “Just this one”"
        key(qtbot, Qt.Key.Key_O, ALT)
        qtbot.waitUntil(lambda: dialog.summary.text().startswith("1 story will go"))
        dialog.folder.setText(str(tmp_path))
        key(qtbot, Qt.Key.Key_X, ALT)  # "Export"
        qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved:"), timeout=15_000)
        seen.append(dialog.message.text())
        key(qtbot, Qt.Key.Key_Escape)

    when_dialog_opens(export, ExportDialog)
    menu_action(window, "Export a &bundle…").trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    (bundle,) = tmp_path.glob("*.zip.age")
    with open_bundle(bundle, [coordinator], [window.context.store.keys.public_key()]) as opened:
        assert [s["id"] for s in opened.summary["stories"]] == [chosen.id]


def test_cancel_stops_an_export_and_leaves_no_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from storykeeper.core import demo

    demo.generate(window.context.store, stories=2000, seed=5)
    out = tmp_path / "bundles"
    out.mkdir()
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None and not dialog.plan.empty)
    qtbot.mouseClick(dialog.plain, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=20_000)  # planned for plain
    dialog.folder.setText(str(out))
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # Export
    assert dialog.progress.isVisible()
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Escape)  # Cancel, while it works
    qtbot.waitUntil(
        lambda: dialog.message.text() == "Cancelled: no bundle was written.", timeout=20_000
    )
    assert list(out.iterdir()) == []
    assert dialog.isVisible()  # cancelling the work did not close the dialog


def test_saving_the_public_key_from_the_keys_screen(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import minisign
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    target = tmp_path / "me.pub"
    dialog = KeysDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.device is not None)
    dialog.tabs.setCurrentIndex(1)  # "Your own keys"

    def answer(box: QWidget) -> None:
        assert isinstance(box, QFileDialog)
        name = box.findChild(QLineEdit, "fileNameEdit")
        name.selectAll()
        qtbot.keyClicks(name, str(target))
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(answer, QFileDialog)
    qtbot.mouseClick(dialog.save_public, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.own_message.text().startswith("Saved"))
    saved = minisign.PublicKey.from_file(target)
    assert saved.to_base64().decode() == dialog.device.signing.public_key  # type: ignore[union-attr]


def test_an_answer_for_an_earlier_choice_is_not_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from storykeeper.core import demo
    from storykeeper.core.bundle.export import export_bundle

    store = window.context.store
    demo.generate(store, stories=1500, seed=6)
    # Exported and recorded: now nothing is new, and "since last" plans in an instant.
    export_bundle(store, actor="test", out=tmp_path, plain=True)
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None)
    # "Everything" (a slow plan), then straight back to "since last" (a quick one): the slow
    # answer arrives last and must not replace the one for the current choice.
    qtbot.keyClick(dialog.everything, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.since_last, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.context.tasks.busy, timeout=20_000)
    assert dialog.selection() is Selection.SINCE_LAST
    assert dialog.plan is not None and dialog.plan.empty
    assert dialog.summary.text().startswith("Nothing to send")


def test_trusting_and_revoking_a_sender_from_the_window(qtbot: QtBot, window: MainWindow) -> None:
    import minisign
    from PySide6.QtWidgets import QMessageBox

    from storykeeper.core import trust
    from storykeeper.core.keys import signing_key_of
    from storykeeper.gui.dialogs.trust import TrustDialog

    pair = minisign.KeyPair.generate()
    expected = signing_key_of(pair.public_key)
    done: list[str] = []

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, TrustDialog)
        key(qtbot, Qt.Key.Key_K, ALT)  # "Sender's signing key"
        qtbot.keyClicks(QApplication.focusWidget(), expected.public_key)
        key(qtbot, Qt.Key.Key_W, ALT)
        qtbot.keyClicks(QApplication.focusWidget(), "Priya, north team")
        key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.signer_list.count() == 1)
        done.append(dialog.message.text())
        dialog.signer_list.setCurrentRow(0)

        def revoke(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            key(qtbot, Qt.Key.Key_R, ALT)  # "Revoke"

        when_dialog_opens(revoke, QMessageBox)
        qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "(revoked" in dialog.signer_list.item(0).text())
        done.append(dialog.signer_list.item(0).text())
        key(qtbot, Qt.Key.Key_Escape)

    when_dialog_opens(act, TrustDialog)
    menu_action(window, "&Trusted senders…").trigger()
    qtbot.waitUntil(lambda: len(done) == 2, timeout=15_000)
    assert f"Fingerprint: {expected.fingerprint}" in done[0]
    assert done[1].startswith("Priya, north team (revoked")
    with window.context.store.read() as session:
        assert trust.active_keys(session) == []
        assert [s.key_id for s in trust.list_signers(session)] == [expected.key_id]


def test_a_senders_key_read_from_its_pub_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import minisign
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    from storykeeper.core.keys import public_key_file_text
    from storykeeper.gui.dialogs.trust import TrustDialog

    pair = minisign.KeyPair.generate()
    pub = tmp_path / "priya.pub"
    pub.write_text(public_key_file_text(pair.public_key))
    dialog = TrustDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()

    def answer(box: QWidget) -> None:
        assert isinstance(box, QFileDialog)
        name = box.findChild(QLineEdit, "fileNameEdit")
        qtbot.keyClicks(name, str(pub))
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(answer, QFileDialog)
    qtbot.mouseClick(dialog.from_file, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.public_key.text() == pair.public_key.to_base64().decode())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.label)  # on to "whose"


def test_a_story_the_coordinator_would_refuse_is_named_before_anything_is_written(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from storykeeper.core.stories import OWN_WORDS_MAX
    from storykeeper.gui.ops.changes import Change, Kind

    store = window.context.store
    long = make_story(store, title="Sixty years at the mill")
    with store.write(actor="test") as session:
        consent.record_consent(session, long.id, given())
        # Longer than the store takes now, as a store from before the limit may hold.
        session.execute(
            text("UPDATE stories SET own_words = :words WHERE uuid = :id"),
            {"words": "mill " * (OWN_WORDS_MAX // 5) + "!", "id": long.id},
        )
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("1 story will go"))
    qtbot.mouseClick(dialog.plain, Qt.MouseButton.LeftButton)
    out = tmp_path / "bundles"
    out.mkdir()
    dialog.folder.setText(str(out))

    # Said as soon as the plan is known, with the story named; Export stays off.
    message = dialog.message.text()
    assert message.startswith("Cannot export: The coordinator would refuse the story ")
    assert "“Sixty years at the mill”" in message and "1,000,001 characters" in message
    assert "mill mill" not in message
    assert not dialog.export_button.isEnabled()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # Return does not export either
    assert not dialog.progress.isVisible()
    assert list(out.iterdir()) == []

    # Put right (here: the words cut to the limit), the plan follows and Export comes on.
    with store.write(actor="test") as session:
        session.execute(
            text("UPDATE stories SET own_words = substr(own_words, 1, :most) WHERE uuid = :id"),
            {"most": OWN_WORDS_MAX, "id": long.id},
        )
    window.context.tasks.announce(Change.of(Kind.STORIES, long.id))
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled())
    assert dialog.message.text() == ""


def test_the_export_is_announced_and_recipients_added_elsewhere_appear(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from functools import partial

    from storykeeper.gui.ops import keys as key_ops
    from storykeeper.gui.ops.changes import Kind

    story = make_story(window.context.store)
    with window.context.store.write(actor="test") as session:
        consent.record_consent(session, story.id, given())
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("1 story will go"))
    assert not dialog.export_button.isEnabled()  # nobody to encrypt to yet
    coordinator = x25519.Identity.generate()

    # The keys screen adds one, through the same task runner.
    window.context.tasks.write(
        partial(key_ops.add_recipient, age_recipient=str(coordinator.to_public()), label="North"),
        changes=key_ops.KEYS_CHANGED,
    )

    qtbot.waitUntil(lambda: dialog.chosen_recipients() == [str(coordinator.to_public())])
    qtbot.waitUntil(dialog.export_button.isEnabled)  # planned again for that recipient
    dialog.folder.setText(str(tmp_path))
    with qtbot.waitSignal(
        window.context.tasks.changed,
        check_params_cb=lambda kind, ids: kind == Kind.EXCHANGE,
        timeout=15_000,
    ):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("Saved:")


def test_withdrawals_beyond_one_bundle_are_said_to_go_next_time(
    qtbot: QtBot, window: MainWindow
) -> None:
    """More withdrawals wait than a coordinator takes in one bundle: the dialog says how many
    go now and how many in the next export."""
    coordinator = str(x25519.Identity.generate().to_public())
    with window.context.store.write(actor="test") as session:
        recipients.add_recipient(session, coordinator, "North coordinator")
    withdrawals_waiting(window.context.store, WITHDRAWALS_MAX + 3, sent_to=[coordinator])
    dialog = ExportDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None)
    assert dialog.summary.text() == (
        f"0 stories will go; {WITHDRAWALS_MAX:,} withdrawals (the coordinator removes those); "
        "3 more withdrawals go in the next export; 0 stories are left out."
    )
