"""Trusted signers: added from a .pub file or its line, shown with a fingerprint, revocable."""

from __future__ import annotations

import minisign
import pytest

from storykeeper.core import audit, trust
from storykeeper.core.db import Store
from storykeeper.core.errors import NotFoundError, ValidationError
from storykeeper.core.keys import public_key_file_text, signing_key_of


def test_a_pub_file_or_its_line_adds_the_same_key(store: Store) -> None:
    one, two = minisign.KeyPair.generate(), minisign.KeyPair.generate()
    with store.write(actor="coordinator") as session:
        first = trust.add_signer(session, public_key_file_text(one.public_key), "Priya (north)")
        second = trust.add_signer(session, two.public_key.to_base64().decode(), "Alan (south)")
    expected = signing_key_of(one.public_key)
    assert (first.key_id, first.fingerprint, first.public_key) == (
        expected.key_id,
        expected.fingerprint,
        expected.public_key,
    )
    assert second.key_id == signing_key_of(two.public_key).key_id
    with store.read() as session:
        assert [s.label for s in trust.list_signers(session)] == ["Alan (south)", "Priya (north)"]
        assert len(trust.active_keys(session)) == 2
        assert [e.action for e in audit.recent_events(session, 2)] == ["signer.trusted"] * 2


def test_revoking_keeps_the_record_and_stops_accepting(store: Store) -> None:
    pair = minisign.KeyPair.generate()
    with store.write(actor="coordinator") as session:
        added = trust.add_signer(session, public_key_file_text(pair.public_key), "Priya")
        revoked = trust.revoke_signer(session, added.key_id.lower())
    assert revoked.revoked_at is not None and not revoked.active
    with store.read() as session:
        assert trust.active_keys(session) == []
        assert [s.key_id for s in trust.list_signers(session)] == [added.key_id]
    with pytest.raises(ValidationError, match="already revoked"), store.write("c") as session:
        trust.revoke_signer(session, added.key_id)
    with pytest.raises(ValidationError, match="already here"), store.write("c") as session:
        trust.add_signer(session, public_key_file_text(pair.public_key), "Priya again")
    with pytest.raises(NotFoundError), store.write("c") as session:
        trust.revoke_signer(session, "ABCDEF")


@pytest.mark.parametrize(
    "text", ["", "hello", "untrusted comment: x\nnot base64!", "age1qqqqqqqq", "RWQ" + "A" * 10]
)
def test_what_is_not_a_public_key_is_refused(store: Store, text: str) -> None:
    with (
        pytest.raises(ValidationError, match="not a minisign public key") as caught,
        store.write(actor="c") as session,
    ):
        trust.add_signer(session, text, "Someone")
    assert caught.value.field == "public_key"
