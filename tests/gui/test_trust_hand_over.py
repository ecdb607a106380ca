"""The trusted senders dialog hands an old key's records to the sender's new key, after asking."""

from __future__ import annotations

import datetime as dt

import minisign
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from storykeeper.core import trust
from storykeeper.core.keys import signing_key_of
from storykeeper.core.models import AuditEventRow, StorytellerRow
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.trust import TrustDialog
from tests.gui.answering import when_dialog_opens

ALT = Qt.KeyboardModifier.AltModifier


def _trusted(context: AppContext, label: str) -> str:
    sender = signing_key_of(minisign.KeyPair.generate().public_key)
    with context.store.write(actor="test") as session:
        return trust.add_signer(session, sender.public_key, label).key_id


def _choose_the_offered_key(qtbot: QtBot, offered: list[str]) -> None:
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        offered.extend(dialog.comboBoxItems())
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    when_dialog_opens(act, QInputDialog)


def _confirm(qtbot: QtBot, asked: list[str], key: Qt.Key) -> None:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        qtbot.keyClick(box, key, ALT)

    when_dialog_opens(act, QMessageBox)


def test_hand_over_moves_the_old_keys_records_after_asking(
    qtbot: QtBot, context: AppContext
) -> None:
    old = _trusted(context, "Priya (old laptop)")
    new = _trusted(context, "Priya (new laptop)")
    now = dt.datetime.now(dt.UTC)
    with context.store.write(actor="test") as session:
        session.add(
            StorytellerRow(
                display_name="Arthur",
                pseudonym="Blue Heron",
                created_at=now,
                updated_at=now,
                signer_key_id=old,
            )
        )
    dialog = TrustDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.signer_list.count() == 2)
    rows = [dialog.signer_list.item(r).text() for r in range(2)]
    dialog.signer_list.setCurrentRow(next(r for r, t in enumerate(rows) if "old laptop" in t))

    # Asked, and kept as they are: nothing moves.
    offered: list[str] = []
    asked: list[str] = []
    _choose_the_offered_key(qtbot, offered)
    _confirm(qtbot, asked, Qt.Key.Key_K)
    qtbot.mouseClick(dialog.hand_over_button, Qt.MouseButton.LeftButton)
    assert offered == [f"Priya (new laptop) (trusted) — key {new}"]
    assert asked[0].startswith(
        "Give everything Priya (old laptop) (trusted) sent to Priya (new laptop) (trusted)?"
    )
    qtbot.waitUntil(lambda: not context.tasks.busy)
    with context.store.read() as session:
        assert session.scalar(select(StorytellerRow.signer_key_id)) == old

    _choose_the_offered_key(qtbot, offered)
    _confirm(qtbot, asked, Qt.Key.Key_H)
    qtbot.mouseClick(dialog.hand_over_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Handed to"))
    assert dialog.message.text() == (
        "Handed to Priya (new laptop): 0 stories, 1 storyteller, 0 supporters and "
        "0 withdrawals that Priya (old laptop) sent."
    )
    with context.store.read() as session:
        assert session.scalar(select(StorytellerRow.signer_key_id)) == new
        event = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "signer.handed_over")
        ).one()
    assert event.entity_uuid == old


def test_the_trusted_senders_dialog_fits_a_small_laptop_at_twice_the_text_size(
    qtbot: QtBot, context: AppContext
) -> None:
    """On a 1280×800 screen a dialog gets about 1240×740, with Hand over… among the buttons."""
    _trusted(context, "Gwenllian Pritchard-Llewellyn, North Wales advocacy (old laptop)")
    _trusted(context, "Gwenllian Pritchard-Llewellyn, North Wales advocacy (new laptop)")
    context.set_text_scale(200)
    context.set_high_contrast(True)
    dialog = TrustDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.signer_list.count() == 2)
    assert dialog.hand_over_button.isVisibleTo(dialog)
    needed = dialog.minimumSizeHint()
    assert needed.width() <= 1240 and needed.height() <= 740, needed
