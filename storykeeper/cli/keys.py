"""The command line's key commands: ``storykeeper keys …``, ``recipients …`` and ``trust …``.

Kept apart from the story commands because these deal in files and secrets: they print public
keys and fingerprints only, never a secret key.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TextIO

from storykeeper.cli.output import Column, Table, dumps, print_fields, print_records
from storykeeper.core import recipients, trust
from storykeeper.core.db import Store
from storykeeper.core.display import counted
from storykeeper.core.keys import KeyStore, PasswordNeeded, receiving_key_fingerprint


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    as_json: argparse.ArgumentParser,
) -> None:
    keys = commands.add_parser(
        "keys",
        parents=[common],
        help="this computer's signing key and age identity: show, export, import",
        description="Bundles from this computer are signed with its minisign key; bundles to it "
        "are encrypted to its age identity. Both are made the first time they are needed.",
    )
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="WHAT", required=True)
    show = keys_commands.add_parser(
        "show",
        parents=[common, as_json],
        help="key id, fingerprint, public key line and age recipient",
    )
    show.set_defaults(handler=cmd_keys_show)
    export = keys_commands.add_parser(
        "export-public",
        parents=[common],
        help="write the minisign public key (.pub) for a coordinator to trust",
    )
    export.add_argument("file", type=Path, metavar="FILE")
    export.set_defaults(handler=cmd_keys_export_public)
    age = keys_commands.add_parser(
        "import-age-identity",
        parents=[common],
        help="receive bundles with an existing age identity (from age-keygen)",
        description="The identity replaces this computer's own; the old file is kept beside it.",
    )
    age.add_argument("file", type=Path, metavar="FILE")
    age.set_defaults(handler=cmd_keys_import_age)
    sign = keys_commands.add_parser(
        "import-minisign",
        parents=[common],
        help="sign bundles with an existing minisign key pair (from minisign -G)",
        description="A password-protected key asks for its password (or reads one line from "
        "standard input when that is not a terminal). The key is then kept without one, "
        "owner-only, like this computer's own; the replaced key is kept beside it.",
    )
    sign.add_argument("secret", type=Path, metavar="SECRETFILE")
    sign.add_argument("public", type=Path, metavar="PUBFILE")
    sign.set_defaults(handler=cmd_keys_import_minisign)

    people = commands.add_parser(
        "recipients",
        parents=[common],
        help="the coordinators' age keys that bundles are encrypted to",
    )
    people_commands = people.add_subparsers(
        dest="recipients_command", metavar="WHAT", required=True
    )
    add = people_commands.add_parser(
        "add", parents=[common, as_json], help="add a coordinator's age recipient (age1…)"
    )
    add.add_argument("age_recipient", metavar="AGE_RECIPIENT")
    add.add_argument("--label", required=True, metavar="TEXT", help="whose key it is")
    add.set_defaults(handler=cmd_recipients_add)
    listing = people_commands.add_parser("list", parents=[common, as_json], help="list them")
    listing.set_defaults(handler=cmd_recipients_list)
    remove = people_commands.add_parser("remove", parents=[common], help="stop exporting to one")
    remove.add_argument("age_recipient", metavar="AGE_RECIPIENT")
    remove.set_defaults(handler=cmd_recipients_remove)

    trust = commands.add_parser(
        "trust",
        parents=[common],
        help="the senders whose bundles this computer accepts (their minisign public keys)",
    )
    trust_commands = trust.add_subparsers(dest="trust_command", metavar="WHAT", required=True)
    trust_add = trust_commands.add_parser(
        "add",
        parents=[common, as_json],
        help="trust a sender's public key (a .pub file, or its line pasted)",
        description="Compare the fingerprint this prints with the sender's (they see theirs "
        "with “storykeeper keys show”), by phone, before importing their bundles.",
    )
    trust_add.add_argument("public_key", metavar="PUBFILE", help="the .pub file, or its RW… line")
    trust_add.add_argument("--label", required=True, metavar="TEXT", help="whose key it is")
    trust_add.set_defaults(handler=cmd_trust_add)
    trust_list = trust_commands.add_parser("list", parents=[common, as_json], help="list them")
    trust_list.set_defaults(handler=cmd_trust_list)
    trust_revoke = trust_commands.add_parser(
        "revoke",
        parents=[common],
        help="stop accepting a sender's bundles (those already imported stay)",
    )
    trust_revoke.add_argument("key_id", metavar="KEY_ID")
    trust_revoke.set_defaults(handler=cmd_trust_revoke)
    trust_hand_over = trust_commands.add_parser(
        "hand-over",
        parents=[common],
        help="give the records an old key's bundles brought to the sender's new key",
        description="Only a sender's own key may change or withdraw the stories, storytellers "
        "and withdrawals its bundles brought here. When a sender gets a new key (a new laptop), "
        "trust the new key, then hand the old key's records over to it; the audit log keeps "
        "who did it.",
    )
    trust_hand_over.add_argument("old_key_id", metavar="OLD_KEY_ID")
    trust_hand_over.add_argument("new_key_id", metavar="NEW_KEY_ID")
    trust_hand_over.set_defaults(handler=cmd_trust_hand_over)


def command_line_actor() -> str:
    """Who typed the command, for the audit log: the operating-system account."""
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def _keys(store: Store) -> KeyStore:
    return store.keys


def cmd_keys_show(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    keys = _keys(store).ensure()
    if args.json:
        print(
            dumps(
                {
                    "key_id": keys.signing.key_id,
                    "fingerprint": keys.signing.fingerprint,
                    "public_key": keys.signing.public_key,
                    "age_recipient": keys.age_recipient,
                    "age_recipient_fingerprint": receiving_key_fingerprint(keys.age_recipient),
                }
            ),
            file=out,
        )
        return 0
    print_fields(
        out,
        [
            ("Signing key id", keys.signing.key_id),
            ("Fingerprint", f"{keys.signing.fingerprint}   (read these digits to the coordinator)"),
            ("Public key", keys.signing.public_key),
            (
                "Age recipient",
                f"{keys.age_recipient}   (people sending bundles here encrypt to this)",
            ),
            (
                "Its fingerprint",
                f"{receiving_key_fingerprint(keys.age_recipient)}   "
                "(senders compare these digits by phone)",
            ),
            ("Key files", str(keys.folder)),
        ],
    )
    return 0


def cmd_keys_export_public(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    written = _keys(store).export_public(args.file)
    out.write(f"Wrote the public key to {written}. Give it to the coordinator to trust.\n")
    return 0


def cmd_keys_import_age(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    recipient = _keys(store).import_age_identity(args.file)
    out.write(f"Bundles to this computer are now encrypted to {recipient}.\n")
    return 0


def _password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def cmd_keys_import_minisign(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    keys = _keys(store)
    try:
        key = keys.import_minisign(args.secret, args.public)
    except PasswordNeeded:
        password = _password(f"Password for {args.secret}: ")
        key = keys.import_minisign(args.secret, args.public, password)
    out.write(f"Bundles are now signed with key {key.key_id} (fingerprint {key.fingerprint}).\n")
    return 0


def cmd_recipients_add(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.write(actor=command_line_actor()) as session:
        added = recipients.add_recipient(session, args.age_recipient, args.label)
    if args.json:
        print(dumps(added), file=out)
    else:
        out.write(f"Added {added.label}: bundles are now encrypted to {added.age_recipient}.\n")
    return 0


RECIPIENTS = Table[recipients.Recipient](
    columns=(
        Column("LABEL", lambda recipient: recipient.label),
        Column("AGE RECIPIENT", lambda recipient: recipient.age_recipient, cut=False),
    )
)


def cmd_recipients_list(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.read() as session:
        found = recipients.list_recipients(session)
    print_records(
        out,
        RECIPIENTS,
        found,
        as_json=args.json,
        empty="No recipients yet. Add the coordinator's key with "
        "“storykeeper recipients add age1… --label NAME”.",
    )
    return 0


def cmd_recipients_remove(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.write(actor=command_line_actor()) as session:
        recipients.remove_recipient(session, args.age_recipient)
    out.write("Removed. Bundles are no longer encrypted to that key.\n")
    return 0


def cmd_trust_add(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    given = Path(args.public_key)
    text = given.read_text("utf-8", "replace") if given.is_file() else args.public_key
    with store.write(actor=command_line_actor()) as session:
        signer = trust.add_signer(session, text, args.label)
    if args.json:
        print(dumps(signer), file=out)
        return 0
    out.write(
        f"Now trusting {signer.label}: key {signer.key_id}.\n"
        f"Fingerprint: {signer.fingerprint}\n"
        "Compare these digits with the sender by phone; if they differ, revoke the key at once.\n"
    )
    return 0


def _trust_state(signer: trust.TrustedSigner) -> str:
    return f"revoked {signer.revoked_at:%Y-%m-%d}" if signer.revoked_at else "trusted"


SIGNERS = Table[trust.TrustedSigner](
    columns=(
        Column("LABEL", lambda signer: signer.label),
        Column("STATE", _trust_state, cut=False),
        # Read out by phone to compare with the sender's: never cut.
        Column("KEY ID", lambda signer: signer.key_id, cut=False),
        Column("FINGERPRINT", lambda signer: signer.fingerprint, cut=False),
    )
)


def cmd_trust_list(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.read() as session:
        found = trust.list_signers(session)
    print_records(
        out,
        SIGNERS,
        found,
        as_json=args.json,
        empty="No trusted signers yet. Add one with “storykeeper trust add FILE --label NAME”.",
    )
    return 0


def cmd_trust_revoke(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.write(actor=command_line_actor()) as session:
        signer = trust.revoke_signer(session, args.key_id)
    out.write(f"Revoked {signer.label} ({signer.key_id}): their new bundles will be refused.\n")
    return 0


def cmd_trust_hand_over(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    with store.write(actor=command_line_actor()) as session:
        handed = trust.hand_over(session, args.old_key_id, args.new_key_id)
    out.write(
        f"Handed to {handed.new.label} ({handed.new.key_id}) what {handed.old.label} "
        f"({handed.old.key_id}) sent: {counted(handed.stories, 'story')}, "
        f"{counted(handed.storytellers, 'storyteller')}, "
        f"{counted(handed.supporters, 'supporter')}, "
        f"{counted(handed.withdrawals, 'withdrawal')}. "
        "Only the new key's bundles may change them now.\n"
    )
    return 0
