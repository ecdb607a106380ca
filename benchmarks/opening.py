"""Opening a data folder inside the harness as the program opens it, never asking anyone, and
the private keyring the harness keeps its encrypted stores' keys in.

A store the command line made (``demo-data``) is encrypted, its key in the keyring (issue 19);
``Store.open`` on its own opens only a plain one. This opens either: an encrypted store unlocks
from the keyring or a script's passphrase (``STORYKEEPER_PASSPHRASE``/``_FILE``), as the
command line would; a plain one opens as it is, never converted behind the benchmark's back.

The harness never touches the developer's own keyring: ``private_keyring()`` starts the tests'
private one (``tests/keyring_daemon.py``: a D-Bus session and gnome-keyring in a temp folder)
and points this process and every child at it. Its entries go with it, so a store built in an
earlier run also has a passphrase slot (``BENCHMARK_PASSPHRASE``, set only while it is built):
``keep_key_in_keyring`` puts its key back in the new keyring before anything is timed, so every
measured start unlocks from the keyring, as an advocate's does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.process import BenchmarkError
from storykeeper.core.db import Store
from storykeeper.core.store_keys import StoreKeys
from storykeeper.core.unlock import PASSPHRASE_ENV, Secret, SecretRequest, open_store
from storykeeper.paths import resolve_paths

TESTS = Path(__file__).resolve().parents[1] / "tests"
#: The benchmark's stores hold only demo data; this slot lets a later run reach their key.
BENCHMARK_PASSPHRASE = "storykeeper benchmark demo data"  # noqa: S105 - demo stores only


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


def building_environment(plain: bool) -> dict[str, str]:
    """The environment ``demo-data`` builds a store in: an encrypted one also gets the
    benchmark's passphrase slot (the keyring is the private one, already in os.environ)."""
    if plain:
        return dict(os.environ)
    return dict(os.environ, **{PASSPHRASE_ENV: BENCHMARK_PASSPHRASE})


def keep_key_in_keyring(data_dir: Path) -> None:
    """An encrypted store built in an earlier run: its key into this run's keyring (untimed)."""
    keys = StoreKeys(data_dir)
    if not keys.encrypted or keys.from_keyring() is not None:
        return
    keys.remember_in_keyring(keys.with_passphrase(BENCHMARK_PASSPHRASE))


@contextmanager
def private_keyring() -> Iterator[None]:
    """A private Secret Service for this process and its children, stopped afterwards."""
    if str(TESTS) not in sys.path:
        sys.path.append(str(TESTS))  # the tests' helper module, reused as it is
    from keyring_daemon import (  # type: ignore[import-not-found]
        KeyringDaemonProblem,
        start_keyring_daemon,
    )

    try:
        daemon = start_keyring_daemon()
    except KeyringDaemonProblem as problem:
        raise BenchmarkError(f"no private keyring for the encrypted stores: {problem}") from None
    saved = {name: os.environ.get(name) for name in daemon.environment()}
    os.environ.update(daemon.environment())
    import keyring.core

    # The keyring library picks its backend once per process: pick again, from the above.
    keyring.core.init_backend()
    try:
        yield
    finally:
        for name, earlier in saved.items():
            if earlier is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = earlier
        daemon.stop()
