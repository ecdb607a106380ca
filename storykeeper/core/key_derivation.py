"""The keys each part of an encrypted store uses, derived from its one store key.

One random 256-bit store key unlocks the whole store (``store_keys.py`` keeps it: the keyring, a
passphrase, the recovery key). Every use gets its own key from it by HKDF-SHA256 with the use's
name, so the database's SQLCipher key, the media files' key and the drafts' key are unrelated to
each other, and a key for one use never decrypts another's files.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

STORE_KEY_BYTES = 32
#: The uses of the store key. A new use gets a new name here; a name is never reused.
PURPOSES = frozenset({"database", "media", "drafts", "recordings", "backups", "staging", "keys"})


def derive(store_key: bytes, purpose: str) -> bytes:
    """The 256-bit key for ``purpose`` (one of ``PURPOSES``) from the store key."""
    if len(store_key) != STORE_KEY_BYTES:
        raise ValueError("a store key is 32 bytes")
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose: {purpose}")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"storykeeper store key: {purpose}".encode(),
    ).derive(store_key)
