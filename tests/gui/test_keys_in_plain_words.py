"""Keys in plain words (issue 20 §3): no tool names on screen, the receiving key saved as the
standard file and printed as a one-page key card, a coordinator's key added from the file or
pasted text, and the same fingerprint on both sides of the phone call."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import minisign
import pytest
from pyrage import decrypt, x25519
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storykeeper.core.bundle.report import ImportReport, Outcome
from storykeeper.core.keys import receiving_key_fingerprint, signing_key_of
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.check_sender import CheckSenderDialog
from storykeeper.gui.dialogs.export_several import ExportSelectedDialog
from storykeeper.gui.dialogs.first_day import FirstDayDialog
from storykeeper.gui.dialogs.keys import KeysDialog
from storykeeper.gui.dialogs.trust import TrustDialog
from storykeeper.gui.dialogs.unexpected_error import UnexpectedErrorDialog
from storykeeper.gui.key_card_pdf import KEYS_MENU
from storykeeper.gui.main_window import MainWindow
from storykeeper.gui.settings import Use
from tests.factories import make_story
from tests.full_disk import FILLER, fill, small_disk
from tests.gui.answering import when_dialog_opens
from tests.gui.laptop_dialogs import DIALOGS
from tests.gui.pdf_copies import pdf_text, save_pdf_as
from tests.stock_tools import require

#: The tools' words (issue 20: "No 'age', 'minisign' or 'recipient' in the window").
JARGON = re.compile(r"\b(age|minisign|recipients?)\b", re.IGNORECASE)
#: A storyteller's age band is a person's age, not the tool; a bundle file's name ends as the
#: person's own file does (".zip.age"): the uses of the word allowed.
PERSONS_AGE = re.compile(r"\bage band\b|\.age\b", re.IGNORECASE)
TAGS = re.compile(r"<[^>]+>")


def shown_texts(root: QWidget) -> list[str]:
    """Every text ``root`` and its children put on screen or give a screen reader."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            for row in range(widget.count()):
                item = widget.item(row)
                texts += [
                    item.text(),
                    item.toolTip(),
                    str(item.data(Qt.ItemDataRole.AccessibleTextRole) or ""),
                ]
    texts += [action.text() for action in root.findChildren(QAction)]
    texts += [action.toolTip() for action in root.findChildren(QAction)]
    return [TAGS.sub(" ", text) for text in texts if text]


def jargon_in(root: QWidget) -> list[str]:
    return [text for text in shown_texts(root) if JARGON.search(PERSONS_AGE.sub("", text))]


def open_keys(qtbot: QtBot, context: AppContext, parent: QWidget | None = None) -> KeysDialog:
    """The keys dialog, shown, with this computer's keys and the coordinators loaded."""
    dialog = KeysDialog(context, parent)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.device is not None and not context.tasks.busy)
    return dialog


def a_coordinator(context: AppContext) -> str:
    key = str(x25519.Identity.generate().to_public())
    with context.store.write(actor="test") as session:
        from storykeeper.gui.ops import keys as key_ops

        key_ops.add_recipient(session, key, "North coordinator")
    return key


def test_the_scan_finds_the_words_it_looks_for(qtbot: QtBot) -> None:
    """The check itself, on widgets that do say them: it cannot pass by reading nothing."""
    root = QWidget()
    qtbot.addWidget(root)
    QLabel("Your <b>age</b> recipient", root)
    QLabel("Age band:", root)  # a person's age, allowed
    QLineEdit(root).setPlaceholderText("minisign public key")
    assert jargon_in(root) == ["Your  age  recipient", "minisign public key"]


def test_the_main_window_speaks_no_tool_words(qtbot: QtBot, window: MainWindow) -> None:
    assert [a.text() for a in window.findChildren(QAction) if "Keys" in a.text()] == [
        "&Keys and coordinators…"
    ]
    assert jargon_in(window) == []


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_each_dialog_speaks_no_tool_words(qtbot: QtBot, context: AppContext, name: str) -> None:
    a_coordinator(context)  # the keys and export dialogs list them
    with context.store.write(actor="test") as session:
        from storykeeper.core import trust

        trust.add_signer(
            session,
            signing_key_of(minisign.KeyPair.generate().public_key).public_key,
            "Priya, north team",
        )
    story = make_story(context.store, teller="Gwenllian Pritchard")
    dialog = DIALOGS[name](context, story.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # Everything it loads has arrived: the answers are delivered, not only computed.
    qtbot.waitUntil(lambda: not context.tasks.busy)
    assert jargon_in(dialog) == []


MORE_DIALOGS: dict[str, Callable[[AppContext, str], QWidget]] = {
    "first day": lambda c, s: FirstDayDialog(c),
    "export several": lambda c, s: ExportSelectedDialog(c, None, [(s, "The bus")]),
    "unexpected error": lambda c, s: UnexpectedErrorDialog(
        RuntimeError("x"), c.paths.log_file, None
    ),
}


@pytest.mark.parametrize("name", sorted(MORE_DIALOGS))
def test_the_other_dialogs_speak_no_tool_words(
    qtbot: QtBot, context: AppContext, name: str
) -> None:
    dialog = MORE_DIALOGS[name](context, make_story(context.store).id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not context.tasks.busy)
    assert jargon_in(dialog) == []


def test_the_export_dialog_with_nobody_to_send_to_speaks_no_tool_words(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = DIALOGS["export"](context, make_story(context.store).id)
    qtbot.addWidget(dialog)
    dialog.show()
    # Everything it loads has arrived: the answers are delivered, not only computed.
    qtbot.waitUntil(lambda: not context.tasks.busy)
    assert any(text.startswith("No coordinators yet") for text in shown_texts(dialog))
    assert jargon_in(dialog) == []


def test_checking_an_unknown_sender_speaks_no_tool_words(qtbot: QtBot, context: AppContext) -> None:
    sender = signing_key_of(minisign.KeyPair.generate().public_key)
    report = ImportReport(
        file="/media/usb/Storykeeper stories from north-laptop 2026-12-07.zip.age",
        outcome=Outcome.REFUSED,
        checked_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
        signer_key_id=sender.key_id,
        signer_fingerprint=sender.fingerprint,
        untrusted_public_key=sender.public_key,
    )
    dialog = CheckSenderDialog(context, report)
    qtbot.addWidget(dialog)
    dialog.show()
    assert jargon_in(dialog) == []


def test_what_the_keys_dialog_says_after_refusals_speaks_no_tool_words(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = open_keys(qtbot, context)
    for pasted in ("age1wrong", "RW" + "A" * 54, "hello", str(x25519.Identity.generate())):
        dialog.new_key.setText(pasted)
        dialog.new_label.setText("North")
        dialog.problem.clear()
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(dialog.problem.text()))
        assert jargon_in(dialog) == [], pasted


def test_the_coordinators_key_goes_by_file_to_the_advocate_with_the_same_fingerprint(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    require("age")
    coordinator_side = open_keys(qtbot, context)
    coordinator_side.activateWindow()
    qtbot.keyClick(coordinator_side, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert coordinator_side.tabs.currentIndex() == 1  # "Your own keys"
    spoken = coordinator_side.receiving_fingerprint.text()
    own = context.store.keys.show()
    assert spoken == receiving_key_fingerprint(own.age_recipient)

    key_file = tmp_path / "North coordinator.txt"
    save_pdf_as(qtbot, key_file)  # the save box, answered by typing the name
    qtbot.mouseClick(coordinator_side.save_receiving, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: coordinator_side.own_message.text().startswith("Saved"))
    # The standard recipients file: the stock tool encrypts to it, and the key opens it.
    plain = tmp_path / "note.txt"
    plain.write_text("for the coordinator only")
    sealed = tmp_path / "note.txt.age"
    subprocess.run(["age", "-R", str(key_file), "-o", str(sealed), str(plain)], check=True)
    identity = context.store.keys.age_identities()[0]
    assert decrypt(sealed.read_bytes(), [identity]) == b"for the coordinator only"

    # The advocate's side: From a file…, whose, Add; the list shows the same digits.
    coordinator_side.tabs.setCurrentIndex(0)

    def choose(box: QWidget) -> None:
        name = box.findChild(QLineEdit, "fileNameEdit")
        qtbot.keyClicks(name, str(key_file))
        qtbot.keyClick(name, Qt.Key.Key_Return)

    when_dialog_opens(choose, QWidget)
    qtbot.mouseClick(coordinator_side.key_from_file, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: coordinator_side.new_key.text() == own.age_recipient)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is coordinator_side.new_label)
    qtbot.keyClicks(coordinator_side.new_label, "North coordinator")
    qtbot.keyClick(coordinator_side.new_label, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: coordinator_side.recipient_list.count() == 1)
    assert coordinator_side.recipient_list.item(0).text().endswith(f"fingerprint {spoken}")
    assert spoken in coordinator_side.problem.text()  # "…read them its fingerprint, …"


def test_a_secret_key_pasted_is_refused_and_taken_off_the_screen(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = open_keys(qtbot, context)
    dialog.new_key.setText(str(x25519.Identity.generate()))
    dialog.new_label.setText("North")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "must never be shared" in dialog.problem.text())
    assert dialog.new_key.text() == ""
    assert dialog.recipient_list.count() == 0

    trust_dialog = TrustDialog(context)
    qtbot.addWidget(trust_dialog)
    trust_dialog.show()
    pair = minisign.KeyPair.generate()
    trust_dialog.public_key.setText(bytes(pair.secret_key).decode())
    trust_dialog.label.setText("Priya")
    qtbot.mouseClick(trust_dialog.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "must never be shared" in trust_dialog.message.text())
    assert trust_dialog.public_key.text() == ""
    assert trust_dialog.signer_list.count() == 0


def test_a_receiving_key_file_given_as_a_senders_key_says_what_it_is(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    key_file = tmp_path / "coordinator.txt"
    key_file.write_text(f"# a receiving key\n{x25519.Identity.generate().to_public()}\n")
    dialog = TrustDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    save_pdf_as(qtbot, key_file)  # an open box is answered the same way
    qtbot.mouseClick(dialog.from_file, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("That is a receiving key"))
    assert dialog.public_key.text() == ""


def test_the_key_card_is_one_page_with_the_key_its_fingerprint_and_the_steps(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_keys(qtbot, window.context, window)
    dialog.tabs.setCurrentIndex(1)
    card = tmp_path / "key card.pdf"
    save_pdf_as(qtbot, card)
    qtbot.mouseClick(dialog.print_card, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.own_message.text().startswith("Saved the key card"))
    from pypdf import PdfReader

    assert len(PdfReader(card).pages) == 1
    text = unicodedata.normalize("NFKC", pdf_text(card))  # "ﬁ" set as one glyph is "fi"
    own = window.context.store.keys.show()
    assert own.age_recipient in text
    assert receiving_key_fingerprint(own.age_recipient) in text
    assert dialog.receiving_fingerprint.text() in text
    assert "Compare by phone" in text
    # Every name the steps quote is one the advocate's dialog shows.
    names = {dialog.tabs.tabText(i).replace("&", "") for i in range(dialog.tabs.count())}
    names |= {w.text().replace("&", "").rstrip(":") for w in dialog.findChildren(QLabel)}
    names |= {w.text().replace("&", "") for w in dialog.findChildren(QAbstractButton)}
    names = {unicodedata.normalize("NFKC", name) for name in names}
    quoted = re.findall(r"“([^”]+)”", text)
    assert quoted and set(quoted) <= names, set(quoted) - names
    # The steps name the menu the advocate really has.
    menus = [a.text().replace("&", "") for a in window.findChildren(QAction)]
    assert KEYS_MENU.split(" → ")[-1] in menus
    assert unicodedata.normalize("NFKC", KEYS_MENU) in text
    assert not JARGON.search(text.replace(own.age_recipient, ""))


def test_a_key_card_on_a_full_disk_is_one_line_and_no_half_card(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    dialog = open_keys(qtbot, context)
    dialog.tabs.setCurrentIndex(1)
    with small_disk(tmp_path / "stick", "1m") as stick:
        fill(stick)
        save_pdf_as(qtbot, stick / "card.pdf")
        qtbot.mouseClick(dialog.print_card, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.own_message.text().startswith("The disk holding"))
        assert "\n" not in dialog.own_message.text()
        assert sorted(p.name for p in stick.iterdir()) == [FILLER]


@pytest.mark.parametrize(
    ("use", "first_tab"),
    [(None, 0), (Use.RECORD, 0), (Use.BOTH, 0), (Use.RECEIVE, 1)],
)
def test_a_coordinator_who_only_receives_opens_on_their_own_keys(
    qtbot: QtBot, context: AppContext, use: Use | None, first_tab: int
) -> None:
    """Someone who only receives stories sends to nobody: what they need here is their
    receiving key to share (the first day's "share your key" step opens this dialog)."""
    context.settings.use = use
    assert open_keys(qtbot, context).tabs.currentIndex() == first_tab
