"""The receiving key's fingerprint: twenty digits both sides of a phone call can compare, by the
same frozen rule as the signing key's, over the key's own 32 bytes."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyrage import x25519

from storykeeper.core.keys import (
    KeyFileError,
    _receiving_key_raw,
    fingerprint,
    receiving_key_fingerprint,
)

#: age's own example recipient (its README): the digits are frozen, as people write them down.
AGE_README_RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def test_the_fingerprint_of_a_known_key_never_changes() -> None:
    assert receiving_key_fingerprint(AGE_README_RECIPIENT) == "99215 76687 74563 10390"
    # Pasted with spaces round it, or in capitals as bech32 allows: the same key, the same digits.
    assert receiving_key_fingerprint(f"  {AGE_README_RECIPIENT.upper()}\n") == (
        "99215 76687 74563 10390"
    )


def test_the_digits_come_from_the_x25519_public_key_itself() -> None:
    identity = x25519.Identity.generate()
    # The secret's 32 bytes give the public key's by X25519 (pyca/cryptography, not pyrage):
    # a decoder that read the wrong bits would not find the same key on both sides.
    secret = X25519PrivateKey.from_private_bytes(_receiving_key_raw(str(identity)))
    public = secret.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    recipient = str(identity.to_public())
    assert _receiving_key_raw(recipient) == public
    assert receiving_key_fingerprint(recipient) == fingerprint(public)
    assert re.fullmatch(r"\d{5} \d{5} \d{5} \d{5}", receiving_key_fingerprint(recipient))


def test_two_keys_have_different_fingerprints() -> None:
    first, second = (str(x25519.Identity.generate().to_public()) for _ in range(2))
    assert receiving_key_fingerprint(first) != receiving_key_fingerprint(second)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        AGE_README_RECIPIENT[:-1] + "q",
        "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",
    ],
)
def test_anything_but_a_receiving_key_is_refused(text: str) -> None:
    with pytest.raises(KeyFileError):
        receiving_key_fingerprint(text)
