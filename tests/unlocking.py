"""A scripted ``Asker`` for tests of opening stores: it answers from a list and notes every
question, so a test can say both what was asked and that nothing else was."""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from storykeeper.core.db import Store
from storykeeper.core.unlock import Secret, SecretRequest, open_store
from storykeeper.paths import DataPaths


@dataclass
class ScriptedAsker:
    """Answers ``secrets`` and ``new_passphrases`` in order; None once they run out."""

    secrets: list[Secret] = field(default_factory=list)
    new_passphrases: list[str] = field(default_factory=list)
    convert: bool = False
    requests: list[SecretRequest] = field(default_factory=list)
    passphrase_reasons: list[str] = field(default_factory=list)
    recovery_keys: list[str] = field(default_factory=list)
    offers: int = 0
    worked: list[str] = field(default_factory=list)

    def ask_secret(self, request: SecretRequest) -> Secret | None:
        self.requests.append(request)
        return self.secrets.pop(0) if self.secrets else None

    def ask_new_passphrase(self, reason: str) -> str | None:
        self.passphrase_reasons.append(reason)
        return self.new_passphrases.pop(0) if self.new_passphrases else None

    def show_recovery_key(self, recovery_key: str) -> None:
        self.recovery_keys.append(recovery_key)

    def offer_conversion(self) -> bool:
        self.offers += 1
        return self.convert

    def working(self, what: str) -> AbstractContextManager[None]:
        self.worked.append(what)
        return contextlib.nullcontext()

    @property
    def asked_anything(self) -> bool:
        return bool(self.requests or self.passphrase_reasons or self.offers)


def passphrase(text: str) -> Secret:
    return Secret(text, is_recovery_key=False)


def recovery(text: str) -> Secret:
    return Secret(text, is_recovery_key=True)


def open_as_the_program(paths: DataPaths) -> Store:
    """Open ``paths`` as the command line and the window do (``open_store``): a store the
    command line made is encrypted, its key in the tests' private keyring."""
    return open_store(paths, ScriptedAsker())
