"""Keys in the window: the coordinators' age recipients bundles are encrypted to, and the
trusted senders whose bundles this computer accepts. Every write here changes ``Kind.KEYS``
(a hand-over the stories and people too).

This computer's own key files are not in the database (``core.keys.KeyStore``): the keys dialog
reads them with ``TaskRunner.run``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storykeeper.core import recipients, trust
from storykeeper.core.recipients import Recipient
from storykeeper.core.trust import HandOver, TrustedSigner
from storykeeper.gui.ops.changes import Change, Kind

#: What every write of this module changes.
KEYS_CHANGED = (Change(Kind.KEYS),)
#: A hand-over also changes whose stories the list and the editor say they are.
HAND_OVER_CHANGED = (*KEYS_CHANGED, Change(Kind.STORIES), Change(Kind.PEOPLE))


def list_recipients(session: Session) -> list[Recipient]:
    """The coordinators bundles are encrypted to, by label."""
    return recipients.list_recipients(session)


def add_recipient(session: Session, age_recipient: str, label: str) -> Recipient:
    """Encrypt future bundles to this age recipient too (refused in words when it is not one)."""
    return recipients.add_recipient(session, age_recipient, label)


def remove_recipient(session: Session, age_recipient: str) -> None:
    recipients.remove_recipient(session, age_recipient)


def list_signers(session: Session) -> list[TrustedSigner]:
    """The trusted senders, revoked ones included (they are shown as revoked)."""
    return trust.list_signers(session)


def trust_signer(session: Session, public_key: str, label: str) -> TrustedSigner:
    """Accept bundles signed by this minisign key from now on."""
    return trust.add_signer(session, public_key, label)


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
