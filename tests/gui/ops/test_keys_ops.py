"""The window's key work without a window: recipients and trusted senders on a real store."""

from __future__ import annotations

import minisign
import pytest
from pyrage import x25519

from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.keys import signing_key_of
from storykeeper.gui.ops import keys as key_ops


def a_sender() -> tuple[str, str]:
    """A fresh minisign public key line and its key id."""
    key = signing_key_of(minisign.KeyPair.generate().public_key)
    return key.public_key, key.key_id


def test_recipients_are_added_listed_and_removed(store: Store) -> None:
    age_key = str(x25519.Identity.generate().to_public())
    with store.write(actor="test") as session:
        added = key_ops.add_recipient(session, age_key, "North coordinator")
    with store.read() as session:
        assert key_ops.list_recipients(session) == [added]
    with store.write(actor="test") as session:
        key_ops.remove_recipient(session, age_key)
    with store.read() as session:
        assert key_ops.list_recipients(session) == []


def test_a_recipient_that_is_not_an_age_key_is_refused_in_words(store: Store) -> None:
    with pytest.raises(ValidationError) as refused, store.write(actor="test") as session:
        key_ops.add_recipient(session, "age1wrong", "North coordinator")
    assert refused.value.field == "age_recipient"
    with store.read() as session:
        assert key_ops.list_recipients(session) == []


def test_a_sender_is_trusted_then_revoked(store: Store) -> None:
    public_key, key_id = a_sender()
    with store.write(actor="test") as session:
        trusted = key_ops.trust_signer(session, public_key, "Priya, north team")
    assert (trusted.key_id, trusted.active) == (key_id, True)
    with store.write(actor="test") as session:
        revoked = key_ops.revoke_signer(session, key_id)
    assert not revoked.active
    with store.read() as session:
        assert [(s.key_id, s.active) for s in key_ops.list_signers(session)] == [(key_id, False)]


def test_a_checked_sender_already_trusted_meanwhile_is_taken_as_it_is(store: Store) -> None:
    public_key, key_id = a_sender()
    with store.write(actor="test") as session:
        first = key_ops.trust_signer(session, public_key, "Priya, north team")
    with store.write(actor="test") as session:
        again = key_ops.trust_checked_sender(session, key_id, public_key, "Another name")
    assert again == first
    with store.read() as session:
        assert [s.label for s in key_ops.list_signers(session)] == ["Priya, north team"]


def test_a_checked_sender_once_revoked_is_not_trusted_again_silently(store: Store) -> None:
    public_key, key_id = a_sender()
    with store.write(actor="test") as session:
        key_ops.trust_signer(session, public_key, "Priya, north team")
    with store.write(actor="test") as session:
        key_ops.revoke_signer(session, key_id)
    with pytest.raises(ValidationError, match="already here"), store.write(actor="t") as session:
        key_ops.trust_checked_sender(session, key_id, public_key, "Priya again")
