"""The bundle format's exact layout, and the declarations it makes in more than one place.

A bag may hold files the format does not name (fetch.txt, more manifests, anything) and repeat
a declaration with another value elsewhere; a bundle may do neither (BUNDLE.md, import rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storykeeper.core.bundle.refused import BundleRefused, name_shown

#: The tag files the format names, as a tag manifest lists them (the manifest and its signature
#: are beside it). A bag can hold others (fetch.txt, more manifests, anything): a bundle may not.
_FORMAT_TAG_FILES = frozenset({"bagit.txt", "bag-info.txt", "manifest-sha512.txt"})
_SIGNATURE_FILES = frozenset({"tagmanifest-sha512.txt", "tagmanifest-sha512.txt.minisig"})
#: Where the format puts a payload file: the summary, a story by its id, a medium by its SHA-256.
_PAYLOAD_LAYOUT = re.compile(
    r"data/(bundle\.json"
    r"|stories/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json"
    r"|media/[0-9a-f]{64})"
)


def only_format_files(paths: Iterable[str]) -> None:
    """Refuse a file the format does not name, even one the signature covers: a reader (or
    bagit.py) could act on it — fetch.txt asks to download files — and nothing here reads it."""
    for path in paths:
        if path.startswith("data/"):
            if _PAYLOAD_LAYOUT.fullmatch(path) is None:
                raise BundleRefused(
                    f"The bundle holds '{name_shown(path)}', which is not where the bundle "
                    "format puts any file."
                )
        elif path == "fetch.txt":
            raise BundleRefused(
                "The bundle holds 'fetch.txt': a bundle must carry all its files itself, and "
                "none is fetched from elsewhere."
            )
        elif path not in _FORMAT_TAG_FILES and path not in _SIGNATURE_FILES:
            raise BundleRefused(
                f"The bundle holds '{name_shown(path)}', which is not one of the bundle "
                "format's files."
            )


#: The writer's trusted comment: "storykeeper bundle <id> format <n> to <recipients>".
_TRUSTED_COMMENT = re.compile(r"storykeeper bundle (\S+) format (\S+) to (.+)")
#: How the trusted comment and ``bag-info.txt`` name the recipients of a plain bundle.
_NOBODY = "nobody (plain)"
_NONE = "none (plain)"
#: ``bag-info.txt``'s fields that repeat a declaration of ``bundle.json``, and what they say.
_BAG_INFO_DECLARATIONS = {
    "External-Identifier": "bundle id",
    "Storykeeper-Bundle-Format": "format",
    "Storykeeper-Signer-Key-Id": "signer key id",
}
#: The one field ``bag-info.txt`` may give more than once: a line per recipient.
_BAG_INFO_RECIPIENT = "Storykeeper-Recipient"


def _short(value: str) -> str:
    """A declared value as a refusal quotes it: one line, at most 40 characters."""
    line = " ".join(value.split())
    return line if len(line) <= 40 else line[:39] + "…"


def short_recipient(recipient: str) -> str:
    """An age recipient as a message shows it: enough of both ends to compare with a sender."""
    return recipient if len(recipient) <= 20 else f"{recipient[:10]}…{recipient[-6:]}"


def _recipients_text(recipients: Iterable[str]) -> str:
    """A set of recipients as one value to compare and quote: sorted, comma-separated."""
    return ",".join(sorted(recipients)) or "nobody"


def declared_recipients(summary: dict[str, Any]) -> list[str] | None:
    """The recipients ``bundle.json`` declares, or None when it declares none readable."""
    recipients = summary.get("recipients")
    if isinstance(recipients, list) and all(isinstance(r, str) for r in recipients):
        return recipients
    return None


def declarations_agree(summary: dict[str, Any], bag_info: bytes, trusted_comment: str) -> None:
    """Every declaration made in more than one place (format, bundle id, signer key id,
    recipients) says the same in ``bag-info.txt`` and the signature's trusted comment as in
    ``bundle.json`` (whose signer key id is already the signature's): a reader trusting one
    place must never be told something else by another. A place that does not declare a thing
    (a bag made by bagit.py, a comment written by the stock minisign) says nothing to disagree
    with; a trusted comment in Storykeeper's own words must be whole."""
    names = {"bundle id": "bundle_id", "format": "format", "signer key id": "signer_key_id"}
    # Only what ``summary`` holds is compared (before its schema is checked, only some).
    expected = {what: str(summary[key]) for what, key in names.items() if key in summary}
    recipients = declared_recipients(summary)
    if recipients is not None:
        expected["recipients"] = _recipients_text(recipients)

    def agree(place: str, what: str, said: str) -> None:
        wanted = expected.get(what)
        if wanted is None:
            return
        if what == "signer key id":
            said, wanted = said.upper(), wanted.upper()
        if said != wanted:
            raise BundleRefused(
                f"The bundle contradicts itself: {place} says {what} {_short(said)}, "
                f"bundle.json says {_short(wanted)}."
            )

    seen: set[str] = set()
    named: list[str] = []
    for raw in bag_info.decode("utf-8", "replace").splitlines():
        name, colon, value = raw.partition(":")
        if colon and name.strip() == _BAG_INFO_RECIPIENT:
            named.append(value.strip())
            continue
        what = _BAG_INFO_DECLARATIONS.get(name.strip())
        if not colon or what is None:
            continue
        if what in seen:  # two lines for one declaration: which would a reader believe?
            raise BundleRefused(f"The bundle contradicts itself: bag-info.txt gives {what} twice.")
        seen.add(what)
        agree("bag-info.txt", what, value.strip())
    if named:
        agree("bag-info.txt", "recipients", _recipients_text(r for r in named if r != _NONE))
    if trusted_comment.startswith("storykeeper "):
        found = _TRUSTED_COMMENT.fullmatch(trusted_comment)
        if found is None:
            raise BundleRefused(
                "The bundle contradicts itself: its signature's trusted comment is not in "
                "Storykeeper's form (storykeeper bundle ID format N to RECIPIENTS)."
            )
        agree("the signature's trusted comment", "bundle id", found[1])
        agree("the signature's trusted comment", "format", found[2])
        to = [] if found[3] == _NOBODY else found[3].split(",")
        agree("the signature's trusted comment", "recipients", _recipients_text(to))


#: What a person does about a bundle that is not theirs to import, in the window's words (the
#: window never names the tools: issue 20).
ASK_AGAIN = (
    "Ask the sender to export it to this computer's receiving key (Exchange → Keys and "
    "coordinators, or “storykeeper keys show”)."
)
_OWN_TESTS = "For your own tests, “storykeeper import --accept-plain” takes it."


def addressed_here(
    recipients: list[str], own: Iterable[str], *, encrypted: bool, accept_plain: bool
) -> None:
    """Refuse a bundle its signer did not address to one of this computer's keys (``own``).

    Decrypting proves only that someone encrypted the file to us; the signed declaration says
    whom the sender meant. A bundle encrypted to another coordinator, decrypted there and
    encrypted again to us, was passed on: refused. A plain bundle (declaring nobody, or a zip
    that was never encrypted) is refused unless ``accept_plain``, the coordinator's choice for
    their own tests."""
    if not recipients:
        if accept_plain:
            return
        how = "encrypted afterwards by someone else" if encrypted else "is not encrypted"
        raise BundleRefused(
            f"The bundle was made plain, for nobody, and {how}. {ASK_AGAIN} {_OWN_TESTS}"
        )
    if not set(recipients) & set(own):
        others = f" and {len(recipients) - 1} other(s)" if len(recipients) > 1 else ""
        raise BundleRefused(
            f"The bundle was made for {short_recipient(sorted(recipients)[0])}{others}, not for "
            f"this computer: someone passed it on. {ASK_AGAIN}"
        )
    if not encrypted and not accept_plain:
        raise BundleRefused(
            "The bundle was made for this computer but arrived decrypted: anyone could have "
            f"read it on the way. {ASK_AGAIN} {_OWN_TESTS}"
        )
