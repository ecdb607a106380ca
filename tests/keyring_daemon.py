"""A real, private keyring for the tests: a D-Bus session bus and gnome-keyring's Secret Service.

Each test process (each xdist worker) starts its own: ``dbus-daemon --session`` on a socket in a
fresh temp folder, then ``gnome-keyring-daemon --foreground --unlock --components=secrets`` with
that folder as its HOME, XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR, fed its keyring's
password on stdin. ``environment()`` is what the test process (and every child it starts) needs to
reach it: ``DBUS_SESSION_BUS_ADDRESS``, and ``PYTHON_KEYRING_BACKEND`` naming the Secret Service
backend, so neither the developer's own bus nor a backend chosen in their keyringrc.cfg is ever
used. The keyring files live in the private folder and go with it when the daemon stops.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "run packaging/linux/install-system-deps --test"
SECRET_SERVICE = "org.freedesktop.secrets"  # noqa: S105 - a D-Bus name, not a password
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"  # noqa: S105 - a class name
#: The attribute the keyring library marks its Secret Service items with (its ``appid``).
KEYRING_LIBRARY_APPLICATION = "Python keyring library"
#: Set for the test process when no private keyring could start: why, and what to run.
KEYRING_PROBLEM_ENV = "STORYKEEPER_TEST_KEYRING_PROBLEM"
#: Where the bus address points when there is no private keyring: nowhere, never the real one.
NO_BUS = "unix:path=/nonexistent/storykeeper-tests-have-no-keyring"
#: The keyring library's own "no keyring" backend, for when the private one could not start.
NO_KEYRING_BACKEND = "keyring.backends.fail.Keyring"
#: How long the daemons may take to start on a loaded CI machine (a bound, not a wait).
START_TIMEOUT_SECONDS = 30.0


class KeyringDaemonProblem(Exception):
    """The private keyring could not start; the message says why and what to install."""


@dataclass
class KeyringDaemon:
    """The running private keyring: its folder, its bus, and the two processes to stop."""

    folder: Path
    bus_address: str
    bus: subprocess.Popen[bytes]
    keyring: subprocess.Popen[bytes] | None = None

    @property
    def home(self) -> Path:
        return self.folder / "home"

    @property
    def keyrings(self) -> Path:
        """Where gnome-keyring keeps its files (XDG_DATA_HOME/keyrings)."""
        return self.folder / "data" / "keyrings"

    def environment(self) -> dict[str, str]:
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND,
        }

    def forget_every_entry(self) -> int:
        """Delete every secret the keyring library put in the private keyring; how many.

        gnome-keyring rewrites (and re-encrypts) its whole keyring file on every change, so a
        keyring that kept the entry of every store the tests made would slow each change down
        as the session went on (1,500 entries: from 50 to 230 ms a store). Emptied after
        each test module, it stays small."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        # This daemon's bus by its address, whatever the environment says by now.
        connection = open_dbus_connection(bus=self.bus_address)
        try:
            collection = secretstorage.get_default_collection(connection)
            items = list(collection.search_items({"application": KEYRING_LIBRARY_APPLICATION}))
            for item in items:
                item.delete()
        finally:
            connection.close()
        return len(items)

    def stop(self) -> None:
        for process in reversed([self.bus, *([self.keyring] if self.keyring else [])]):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def missing_tools_problem() -> str | None:
    """What is not installed for the private keyring, and what to run; None if nothing."""
    missing = [tool for tool in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(tool)]
    if not missing:
        return None
    return f"{' and '.join(missing)} not installed, so the tests have no keyring: {INSTALL_HINT}"


def start_keyring_daemon() -> KeyringDaemon:
    """Start the private bus and keyring, and return once the Secret Service answers on it."""
    missing = missing_tools_problem()
    if missing:
        raise KeyringDaemonProblem(missing)
    # A Unix socket's path is at most 107 bytes: a long TMPDIR would not hold the bus's socket.
    base = tempfile.gettempdir()
    folder = Path(
        tempfile.mkdtemp(prefix="storykeeper-keyring-", dir=base if len(base) < 60 else "/tmp")  # noqa: S108 - mkdtemp: private, 0700
    )
    for name in ("home", "data", "config", "runtime"):
        (folder / name).mkdir(mode=0o700)
    bus = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--nopidfile",
            "--print-address=1",
            f"--address=unix:path={folder / 'bus'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    daemon = KeyringDaemon(folder=folder, bus_address="", bus=bus)
    try:
        assert bus.stdout is not None
        # dbus-daemon prints its address once it is listening.
        address = bus.stdout.readline().decode().strip()
        if not address:
            raise KeyringDaemonProblem(f"dbus-daemon did not start: {_errors(bus)}")
        daemon.bus_address = address
        daemon.keyring = _start_gnome_keyring(daemon)
    except BaseException:
        daemon.stop()
        raise
    return daemon


def _start_gnome_keyring(daemon: KeyringDaemon) -> subprocess.Popen[bytes]:
    from jeepney.bus_messages import MatchRule, message_bus
    from jeepney.io.blocking import open_dbus_connection

    folder = daemon.folder
    private = {
        "HOME": str(folder / "home"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_RUNTIME_DIR": str(folder / "runtime"),
        "DBUS_SESSION_BUS_ADDRESS": daemon.bus_address,
    }
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("XDG_", "GNOME_KEYRING", "SSH_AUTH"))
    } | private
    with open_dbus_connection(bus=daemon.bus_address) as connection:
        # Listen for the Secret Service's name appearing before starting the daemon, so its
        # arrival cannot be missed; then wait for that signal, not for a time.
        owner_changed = MatchRule(
            type="signal",
            interface="org.freedesktop.DBus",
            member="NameOwnerChanged",
            path="/org/freedesktop/DBus",
        )
        owner_changed.add_arg_condition(0, SECRET_SERVICE)
        connection.send_and_get_reply(message_bus.AddMatch(owner_changed))
        keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=folder,
            preexec_fn=_die_with_parent,
        )
        assert keyring.stdin is not None
        # The new login keyring's password; the keyring holds only the tests' own secrets.
        keyring.stdin.write(b"storykeeper tests")
        keyring.stdin.close()
        with connection.filter(owner_changed) as arrivals:
            has_owner = connection.send_and_get_reply(message_bus.NameHasOwner(SECRET_SERVICE))
            if not has_owner.body[0]:
                try:
                    connection.recv_until_filtered(arrivals, timeout=START_TIMEOUT_SECONDS)
                except TimeoutError:
                    keyring.kill()
                    raise KeyringDaemonProblem(
                        f"gnome-keyring-daemon did not offer the Secret Service: {_errors(keyring)}"
                    ) from None
    return keyring


def _die_with_parent() -> None:
    """In the daemon's process before it starts: end when the test process ends, however it
    ends (a CI timeout's kill -9 included), so no daemon outlives its tests."""
    import ctypes

    set_parent_death_signal = 1  # PR_SET_PDEATHSIG
    ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGTERM)


def secret_service_pid(bus_address: str) -> int:
    """The process id of whoever answers for the Secret Service on the bus."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=bus_address) as connection:
        reply = connection.send_and_get_reply(
            message_bus.GetConnectionUnixProcessID(SECRET_SERVICE)
        )
    return int(reply.body[0])


def _errors(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.kill()
    _, errors = process.communicate(timeout=10)
    return (errors or b"").decode(errors="replace").strip()[-500:] or "no message"
