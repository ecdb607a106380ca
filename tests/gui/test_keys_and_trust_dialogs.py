"""The keys and trusted senders dialogs show ``Kind.KEYS``: whoever changes keys, they reload
once the task runner announces it (their own writes included)."""

from __future__ import annotations

import minisign
from pyrage import x25519
from pytestqt.qtbot import QtBot

from storykeeper.core import recipients, trust
from storykeeper.core.keys import receiving_key_fingerprint, signing_key_of
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.keys import KeysDialog
from storykeeper.gui.dialogs.trust import TrustDialog
from storykeeper.gui.ops.changes import Change, Kind


def test_the_trusted_senders_reload_when_keys_change_elsewhere(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = TrustDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not context.tasks.busy)
    assert dialog.signer_list.count() == 0
    sender = signing_key_of(minisign.KeyPair.generate().public_key)
    # Another window's dialog, writing through its own runner, announces it here.
    with context.store.write(actor="test") as session:
        trust.add_signer(session, sender.public_key, "Priya, north team")
    context.tasks.announce(Change(Kind.KEYS))
    qtbot.waitUntil(lambda: dialog.signer_list.count() == 1)
    assert dialog.signer_list.item(0).text().startswith("Priya, north team (trusted)")


def test_the_recipients_reload_when_keys_change_elsewhere(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = KeysDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.device is not None and not context.tasks.busy)
    assert dialog.recipient_list.count() == 0
    age_key = str(x25519.Identity.generate().to_public())
    with context.store.write(actor="test") as session:
        recipients.add_recipient(session, age_key, "North coordinator")
    context.tasks.announce(Change(Kind.KEYS))
    qtbot.waitUntil(lambda: dialog.recipient_list.count() == 1)
    fingerprint = receiving_key_fingerprint(age_key)
    assert (
        dialog.recipient_list.item(0).text() == f"North coordinator\n    fingerprint {fingerprint}"
    )
    assert dialog.remove_button.isEnabled()
