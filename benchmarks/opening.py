"""Opening a data folder inside the harness as the program opens it, never asking anyone.

A store the command line made (``demo-data``) is encrypted, its key in the keyring (issue 19);
``Store.open`` on its own opens only a plain one. This opens either: an encrypted store unlocks
from the keyring or a script's passphrase (``STORYKEEPER_PASSPHRASE``/``_FILE``), as the
command line would; a plain one opens as it is, never converted behind the benchmark's back.
"""

from __future__ import annotations

from pathlib import Path

from storykeeper.core.db import Store
from storykeeper.core.unlock import Secret, SecretRequest, open_store
from storykeeper.paths import resolve_paths


class _NeverAsk:
    """The harness has no one to ask: no passphrase is given, no plain store converted."""

    def ask_secret(self, request: SecretRequest) -> Secret | None:
        return None  # open_store then says, in one line, what the store needs

    def ask_new_passphrase(self, reason: str) -> str | None:
        return None

    def show_recovery_key(self, recovery_key: str) -> None:
        return None

    def offer_conversion(self) -> bool:
        return False


def open_data_folder(data_dir: Path) -> Store:
    """The store in ``data_dir``, unlocked as the command line unlocks it."""
    return open_store(resolve_paths(data_dir), _NeverAsk())
