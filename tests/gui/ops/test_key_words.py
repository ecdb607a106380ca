"""Keys pasted or read from a file, in plain words (issue 20): the coordinator's receiving key
from its file or any text holding it, the sender's signing key likewise, and one line a person
can act on for anything else — a secret key above all, which is refused and never kept."""

from __future__ import annotations

import re
from pathlib import Path

import minisign
import pytest
from pyrage import x25519

from storykeeper.core.db import Store
from storykeeper.core.errors import ValidationError
from storykeeper.core.keys import public_key_file_text, signing_key_of
from storykeeper.gui.ops import keys as key_ops

JARGON = re.compile(r"\b(age|minisign|recipients?)\b", re.IGNORECASE)


def receiving_key() -> tuple[x25519.Identity, str]:
    identity = x25519.Identity.generate()
    return identity, str(identity.to_public())


def identity_file(identity: x25519.Identity) -> str:
    """An identity file as age-keygen writes it: the public key in a comment, then the secret."""
    return f"# created: 2026-12-07T10:00:00Z\n# public key: {identity.to_public()}\n{identity}\n"


def refusal(text: str, read: object) -> str:
    with pytest.raises(ValidationError) as refused:
        read(text)  # type: ignore[operator]
    message = refused.value.message
    assert "\n" not in message and not JARGON.search(message), message
    return message


def test_a_receiving_key_is_read_from_a_file_or_from_any_text_holding_it(tmp_path: Path) -> None:
    _, key = receiving_key()
    recipients_file = tmp_path / "key.txt"
    # A standard recipients file, as the stock tool reads it: comments, then the key.
    recipients_file.write_text(f"# North coordinator's receiving key\n{key}\n")
    read = key_ops.coordinator_key_from_text
    assert read(key_ops.key_file_text(recipients_file)) == key
    assert read(f"  {key}\n") == key
    assert read(f"My receiving key is {key}. Thanks!") == key
    assert read(key.upper()) == key  # as some mail programs or a person retyping it write it


def test_a_secret_key_is_refused_with_the_advice_never_to_share_it() -> None:
    identity, _ = receiving_key()
    pair = minisign.KeyPair.generate()
    minisign_secret_file = bytes(pair.secret_key).decode()
    secret_line = minisign_secret_file.splitlines()[1]
    for read in (key_ops.coordinator_key_from_text, key_ops.signing_key_from_text):
        for pasted in (str(identity), identity_file(identity), minisign_secret_file, secret_line):
            message = refusal(pasted, read)
            assert "must never be shared" in message and "did not keep it" in message
            assert pasted.strip().splitlines()[-1][:12] not in message  # never echoed back


def test_a_signing_key_given_as_a_receiving_key_is_named_for_what_it_is() -> None:
    pair = minisign.KeyPair.generate()
    line = signing_key_of(pair.public_key).public_key
    for pasted in (line, public_key_file_text(pair.public_key)):
        message = refusal(pasted, key_ops.coordinator_key_from_text)
        assert message.startswith("That is a signing key")


def test_a_receiving_key_given_as_a_signing_key_is_named_for_what_it_is() -> None:
    _, key = receiving_key()
    message = refusal(key, key_ops.signing_key_from_text)
    assert message.startswith("That is a receiving key")


def test_a_signing_key_is_read_from_its_pub_file_or_its_line() -> None:
    pair = minisign.KeyPair.generate()
    line = signing_key_of(pair.public_key).public_key
    assert key_ops.signing_key_from_text(public_key_file_text(pair.public_key)) == line
    assert key_ops.signing_key_from_text(f"here it is: {line}\n") == line


@pytest.mark.parametrize(
    ("pasted", "starts"),
    [
        ("", "Paste the coordinator's receiving key"),
        ("   \n", "Paste the coordinator's receiving key"),
        ("hello, this is Sam", "That is not a receiving key"),
        ("%PDF-1.7 \x00\x01 garbage", "That is not a receiving key"),
        ("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqq", "That receiving key is damaged"),
    ],
)
def test_anything_else_given_as_a_receiving_key_gets_one_line_to_act_on(
    pasted: str, starts: str
) -> None:
    assert refusal(pasted, key_ops.coordinator_key_from_text).startswith(starts)


def test_two_receiving_keys_at_once_are_refused() -> None:
    (_, first), (_, second) = receiving_key(), receiving_key()
    message = refusal(f"{first}\n{second}\n", key_ops.coordinator_key_from_text)
    assert "more than one receiving key" in message


@pytest.mark.parametrize(
    ("pasted", "starts"),
    [
        ("", "Paste the sender's signing key"),
        ("untrusted comment: hello\nRWnotakey", "That is not a signing key"),
    ],
)
def test_anything_else_given_as_a_signing_key_gets_one_line_to_act_on(
    pasted: str, starts: str
) -> None:
    assert refusal(pasted, key_ops.signing_key_from_text).startswith(starts)


def test_adding_a_key_already_here_names_whose_it_is(store: Store) -> None:
    _, key = receiving_key()
    line = signing_key_of(minisign.KeyPair.generate().public_key).public_key
    with store.write(actor="test") as session:
        key_ops.add_recipient(session, key, "North coordinator")
        key_ops.trust_signer(session, line, "Priya, north team")
    with store.write(actor="test") as session, pytest.raises(ValidationError) as again:
        key_ops.add_recipient(session, f"# theirs\n{key}\n", "Someone else")
    assert again.value.message == "That key is already here, as “North coordinator”."
    with store.write(actor="test") as session, pytest.raises(ValidationError) as trusted:
        key_ops.trust_signer(session, line, "Someone else")
    assert trusted.value.message == "That key is already here, as “Priya, north team” (trusted)."


def test_a_key_file_that_cannot_be_read_is_one_plain_line(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as missing:
        key_ops.key_file_text(tmp_path / "gone.txt")
    assert missing.value.message.startswith("Storykeeper could not read gone.txt")
    with pytest.raises(ValidationError) as folder:
        key_ops.key_file_text(tmp_path)
    assert folder.value.message.endswith("is a folder: choose the key file in it.")
    big = tmp_path / "photo.jpg"
    big.write_bytes(b"\xff" * (64 * 1024 + 1))
    with pytest.raises(ValidationError) as large:
        key_ops.key_file_text(big)
    assert large.value.message == "photo.jpg is too large to be a key file: choose another."
