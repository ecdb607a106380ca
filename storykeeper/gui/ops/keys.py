"""Keys in the window: the coordinators' receiving keys bundles are encrypted to, and the
trusted senders whose bundles this computer accepts. Every write here changes ``Kind.KEYS``
(a hand-over the stories and people too).

A key arrives as text a person pasted or a file they were sent, and is read here in plain words:
what the window says names the key by what it does for the person (a *receiving key* to send
stories to someone, a *signing key* to know who sent them), never the tools' own names. A secret
key pasted by mistake is refused and never kept, with the advice that it must not be shared.
The files stay the standard ones (a receiving key is an ``age`` recipients file, a signing key
minisign's ``.pub``), so the stock tools read them.

This computer's own key files are not in the database (``core.keys.KeyStore``): the keys dialog
reads them with ``TaskRunner.run``.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from sqlalchemy.orm import Session

from storykeeper.core import recipients, trust
from storykeeper.core.errors import ValidationError
from storykeeper.core.keys import MAX_KEY_FILE, receiving_key_fingerprint
from storykeeper.core.recipients import Recipient
from storykeeper.core.trust import HandOver, TrustedSigner
from storykeeper.gui.ops.changes import Change, Kind

#: What every write of this module changes.
KEYS_CHANGED = (Change(Kind.KEYS),)
#: A hand-over also changes whose stories the list and the editor say they are.
HAND_OVER_CHANGED = (*KEYS_CHANGED, Change(Kind.STORIES), Change(Kind.PEOPLE))


#: Any secret key a person might paste: age's, minisign's file, an SSH or PEM private key.
_SECRET_MARKERS = re.compile(r"AGE-SECRET-KEY-|secret key|PRIVATE KEY", re.IGNORECASE)
#: A receiving key as written (bech32 is all one case), wherever it is in the text.
_RECEIVING_KEY = re.compile(r"(?<![0-9a-z])age1[0-9a-z]+", re.IGNORECASE)
#: A base64 run long enough to be a signing key (56 characters) or a signing secret (212).
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{50,}={0,2}")
#: minisign's Ed25519 keys start with "Ed"; a public key is 42 bytes, its secret 158.
_SIGNING_PUBLIC_BYTES = 42

NEVER_SHARE = (
    "That is a secret key, which must never be shared, so Storykeeper did not keep it: tell "
    "its owner it has been seen, so they make a new one, and delete it where you copied it from."
)
SIGNING_NOT_RECEIVING = (
    "That is a signing key, which shows who sent a bundle: to send stories to a coordinator "
    "you need their receiving key, one line starting with age1, from their key card or file."
)
RECEIVING_NOT_SIGNING = (
    "That is a receiving key, which is for sending stories to someone: to trust a sender you "
    "need their signing key, the file ending .pub they saved from Storykeeper."
)


class SecretKeyGiven(ValidationError):
    """A secret key was pasted or chosen where a public one belongs: refused, never kept, and
    the window clears it from the screen."""

    def __init__(self, field: str) -> None:
        super().__init__(NEVER_SHARE, field)


def _base64_keys(text: str) -> list[bytes]:
    """The minisign-looking keys (base64 of bytes starting with "Ed") in ``text``."""
    found = []
    for run in _BASE64_RUN.findall(text):
        try:
            raw = base64.b64decode(run, validate=True)
        except (binascii.Error, ValueError):
            continue
        if raw.startswith(b"Ed"):
            found.append(raw)
    return found


def _refuse_secrets(text: str, field: str) -> None:
    if _SECRET_MARKERS.search(text) or any(
        len(raw) > _SIGNING_PUBLIC_BYTES for raw in _base64_keys(text)
    ):
        raise SecretKeyGiven(field)


def coordinator_key_from_text(text: str) -> str:
    """The receiving key in ``text`` (pasted, or a file's text), in its standard form.

    Accepts the key alone, a line holding it, or a standard recipients file (comment lines
    start with ``#``); refuses, each in one line saying what to do, a secret key, a signing
    key, more than one key, a damaged key and anything else.
    """
    field = "age_recipient"
    if not text.strip():
        raise ValidationError(
            "Paste the coordinator's receiving key, or choose the file they sent you.", field
        )
    _refuse_secrets(text, field)
    found = {key.lower() for key in _RECEIVING_KEY.findall(text)}
    if len(found) > 1:
        raise ValidationError(
            "That holds more than one receiving key: add each coordinator's key on its own.", field
        )
    if not found:
        if _base64_keys(text):
            raise ValidationError(SIGNING_NOT_RECEIVING, field)
        raise ValidationError(
            "That is not a receiving key: a coordinator's receiving key is one line starting "
            "with age1, from their key card or the file they saved from Storykeeper.",
            field,
        )
    try:
        return recipients.parse_recipient(found.pop())
    except ValidationError as exc:
        raise ValidationError(
            "That receiving key is damaged (a character is wrong or missing): copy it again, or "
            "use the file the coordinator sent.",
            field,
        ) from exc


def signing_key_from_text(text: str) -> str:
    """The sender's signing key in ``text`` (pasted, or their ``.pub`` file's text), as its
    one base64 line; refused in one plain line, as ``coordinator_key_from_text`` does."""
    field = "public_key"
    if not text.strip():
        raise ValidationError(
            "Paste the sender's signing key, or choose the .pub file they sent you.", field
        )
    _refuse_secrets(text, field)
    keys = {raw for raw in _base64_keys(text) if len(raw) == _SIGNING_PUBLIC_BYTES}
    if len(keys) > 1:
        raise ValidationError(
            "That holds more than one signing key: trust each sender's key on its own.", field
        )
    if not keys:
        if _RECEIVING_KEY.search(text):
            raise ValidationError(RECEIVING_NOT_SIGNING, field)
        raise ValidationError(
            "That is not a signing key: a sender's signing key is the file ending .pub they "
            "saved from Storykeeper, or its line starting with RW.",
            field,
        )
    line = base64.b64encode(keys.pop()).decode("ascii")
    try:
        trust.parse_public_key(line)
    except ValidationError as exc:
        raise ValidationError(
            "That signing key is damaged: copy it again, or use the file the sender sent.", field
        ) from exc
    return line


def receiving_key_file(receiving_key: str) -> str:
    """This computer's receiving key as a standard recipients file (``age -R`` reads it: lines
    starting with ``#`` are comments), saying what it is for whoever opens it."""
    return (
        f"# Storykeeper receiving key. Fingerprint: {receiving_key_fingerprint(receiving_key)}\n"
        "# Safe to share: it lets people send stories that only this computer can open.\n"
        f"{receiving_key}\n"
    )


def key_file_text(path: Path) -> str:
    """A key file's text, for the functions above; a file that cannot be one is said plainly."""
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise ValidationError(f"{path.name} is too large to be a key file: choose another.")
        return path.read_bytes().decode("utf-8", "replace")
    except IsADirectoryError as exc:
        raise ValidationError(f"{path.name} is a folder: choose the key file in it.") from exc
    except OSError as exc:
        raise ValidationError(
            f"Storykeeper could not read {path.name} ({exc.strerror or 'unreadable'}): check "
            "that the file is still there and that you may open it."
        ) from exc


def fingerprint_of(recipient: Recipient) -> str:
    """The coordinator's receiving key's fingerprint, as their own screen and key card show it."""
    return receiving_key_fingerprint(recipient.age_recipient)


def list_recipients(session: Session) -> list[Recipient]:
    """The coordinators bundles are encrypted to, by label."""
    return recipients.list_recipients(session)


def add_recipient(session: Session, age_recipient: str, label: str) -> Recipient:
    """Encrypt future bundles to the coordinator's receiving key in ``age_recipient`` (pasted
    text or a file's), refused in plain words when it holds no such key or holds a secret."""
    key = coordinator_key_from_text(age_recipient)
    already = [r for r in recipients.list_recipients(session) if r.age_recipient == key]
    if already:
        raise ValidationError(
            f"That key is already here, as “{already[0].label}”.", "age_recipient"
        )
    return recipients.add_recipient(session, key, label)


def remove_recipient(session: Session, age_recipient: str) -> None:
    """Stop encrypting to this key; already gone (removed in another window) is done too."""
    if any(r.age_recipient == age_recipient for r in recipients.list_recipients(session)):
        recipients.remove_recipient(session, age_recipient)


def list_signers(session: Session) -> list[TrustedSigner]:
    """The trusted senders, revoked ones included (they are shown as revoked)."""
    return trust.list_signers(session)


def trust_signer(session: Session, public_key: str, label: str) -> TrustedSigner:
    """Accept bundles signed by the sender's signing key in ``public_key`` (pasted text or
    their ``.pub`` file's) from now on, refused in plain words as ``add_recipient`` is."""
    line = signing_key_from_text(public_key)
    already = [s for s in trust.list_signers(session) if s.public_key == line]
    if already:
        state = "trusted" if already[0].active else "revoked"
        raise ValidationError(
            f"That key is already here, as “{already[0].label}” ({state}).", "public_key"
        )
    return trust.add_signer(session, line, label)


def trust_checked_sender(
    session: Session, key_id: str | None, public_key: str, label: str
) -> TrustedSigner:
    """Trust the sender whose fingerprint a person has just compared by phone.

    The same key may have been trusted meanwhile (in the trusted senders dialog, say): that
    signer is returned as it is, so the refused files are imported again all the same instead
    of the person being told the key is already here."""
    already = [s for s in trust.list_signers(session) if s.key_id == key_id and s.active]
    return already[0] if already else trust.add_signer(session, public_key, label)


def revoke_signer(session: Session, key_id: str) -> TrustedSigner:
    """Refuse this sender's bundles from now on (stories already imported from them stay)."""
    return trust.revoke_signer(session, key_id)


def hand_over(session: Session, old_key_id: str, new_key_id: str) -> HandOver:
    """Give the records the old key's bundles brought here to the sender's new key (audited)."""
    return trust.hand_over(session, old_key_id, new_key_id)
