"""One window per data folder: a second start brings the first window forward instead.

Two windows on one store would each keep their own open story, drafts and lock, and a bundle
double-clicked while Storykeeper is open would start a second program that asks for the
passphrase again. So the first window of a data folder holds a lock file in it, ``window.lock``
(``QLockFile``: a process killed with ``kill -9`` leaves a lock that the next start sees is
stale, by its process id, and takes over; one left by another computer, a data folder on a
memory stick, is taken over too, as nothing here can check it), and listens on a local
socket named after the folder (``QLocalServer``: a socket file in the temporary folder on Linux
and macOS, a named pipe on Windows; only this user may connect). A later start on the same
folder finds the lock held, connects, hands over the bundles it was given (``--open-bundle``:
the desktop's double-click) and ends; the first window comes forward and opens the import with
them. If it cannot be reached, the later start says plainly that Storykeeper is already open
for this data folder, and opens nothing.

The command line (``storykeeper list``, ``export``…) never asks: it shares the store with an
open window safely already (SQLite's locks, the serial writer).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QLockFile, QObject, QSysInfo, Qt, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

if TYPE_CHECKING:
    from storykeeper.gui.main_window import MainWindow

log = logging.getLogger(__name__)

#: The lock file in the data folder, held while a window has the folder open.
LOCK_FILE = "window.lock"
#: How long a later start waits for the first window to answer (it may be busy a moment).
ANSWER_WAIT_MS = 5_000
#: A message larger than this is not a later start's (a few file names).
MESSAGE_MAX_BYTES = 1_000_000
#: The first window's answer: the files were taken.
TAKEN = b"taken\n"


def already_open_words(data_dir: Path) -> str:
    """What a later start says when the first window cannot be reached."""
    return (
        f"Storykeeper is already open for this data folder ({data_dir}). Switch to its window, "
        "or close it and start Storykeeper again."
    )


def server_name(data_dir: Path) -> str:
    """The local socket's name for ``data_dir``: the same for every start on that folder, and
    different for each folder and each user (a socket name is shared machine-wide on Linux)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no account name (some containers)
        user = ""
    key = f"{user}\0{data_dir.resolve()}".encode()
    return f"storykeeper-{hashlib.sha256(key).hexdigest()[:24]}"


class SingleInstance(QObject):
    """This start's claim on a data folder (``claim``), or its hand-over to the first window
    (``hand_over``). Keep it for as long as the window is open."""

    #: A later start asked for the window, with the bundles it was given (absolute paths).
    asked = Signal(list)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._lock = QLockFile(str(data_dir / LOCK_FILE))
        # Never stale by age: a window may stay open for days. Stale only when its process has
        # gone (a crash, kill -9), which QLockFile checks by the process id it wrote.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None
        self._received: dict[QLocalSocket, bytes] = {}

    def claim(self) -> bool:
        """True when this start is the first on the folder: it then holds the lock and
        listens for later starts. False when another window holds it."""
        if not self._lock.tryLock(0):
            if self._lock.error() != QLockFile.LockError.LockFailedError:
                # The folder cannot hold the lock file (read-only, full): opening the store
                # says why in its own words, and one window is still the likely case.
                log.warning("could not make the window's lock file: %s", self._lock.error().name)
                return True
            if not self._left_by_another_computer():
                return False
            # A data folder on a memory stick, last open on a computer that crashed: no window
            # elsewhere can be reached or checked from here, and it must not stay shut for ever.
            log.warning("the window's lock file was left by another computer: taken over")
            self._lock.removeStaleLockFile()
            if not self._lock.tryLock(0):
                return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock, so no window is listening: a socket left by one killed with kill -9
        # is removed (on Linux and macOS it stays as a file and would refuse the name).
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            log.warning("a later start cannot reach this window: %s", server.serverError().name)
        server.newConnection.connect(self._connected)
        self._server = server
        return True

    def _left_by_another_computer(self) -> bool:
        """Whether the lock held was written on another computer (QLockFile judges only its own
        computer's processes, and a lock never stale by age would otherwise be kept for ever)."""
        info = self._lock.getLockInfo()
        if not isinstance(info, tuple) or len(info) != 3:
            return False
        _pid, hostname, _appname = info
        return bool(hostname) and hostname != QSysInfo.machineHostName()

    def hand_over(self, bundles: list[Path]) -> bool:
        """Ask the first window to come forward and import ``bundles``; True once it said it
        took them."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(ANSWER_WAIT_MS):
            log.warning("the first window did not answer: %s", socket.error().name)
            return False
        message = json.dumps({"bundles": [str(path.resolve()) for path in bundles]})
        socket.write(QByteArray(message.encode() + b"\n"))
        socket.flush()
        answer = b""
        while not answer.endswith(b"\n") and socket.waitForReadyRead(ANSWER_WAIT_MS):
            answer += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        return answer == TAKEN

    def release(self) -> None:
        """Stop listening and let the lock go (the window has closed)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _connected(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._received[socket] = b""
            socket.readyRead.connect(partial(self._read, socket))
            socket.disconnected.connect(partial(self._gone, socket))

    def _read(self, socket: QLocalSocket) -> None:
        received = self._received.get(socket, b"") + bytes(socket.readAll().data())
        if len(received) > MESSAGE_MAX_BYTES:
            log.warning("a later start sent more than a few file names: ignored")
            socket.abort()
            return
        self._received[socket] = received
        if not received.endswith(b"\n"):
            return  # the rest is still on its way
        bundles = _bundles_in(received)
        socket.write(QByteArray(TAKEN))
        socket.flush()
        socket.disconnectFromServer()
        if bundles is not None:
            self.asked.emit(bundles)

    def _gone(self, socket: QLocalSocket) -> None:
        self._received.pop(socket, None)
        socket.deleteLater()


def _bundles_in(message: bytes) -> list[Path] | None:
    """The absolute paths a later start sent, or None for a message that is not one."""
    try:
        names = json.loads(message)["bundles"]
    except (ValueError, KeyError, TypeError):
        log.warning("a later start sent a message that is not one of ours: ignored")
        return None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        log.warning("a later start sent a message that is not one of ours: ignored")
        return None
    return [Path(name) for name in names if Path(name).is_absolute()]


def come_forward(window: MainWindow, bundles: list[Path]) -> None:
    """What a later start asked: the window in front and, with bundles, the import open with
    them; a locked window shows its lock screen first and opens the import once unlocked."""
    if not shiboken6.isValid(window):
        return
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()
    if not bundles:
        return
    if window.app_lock.locked:
        window.app_lock.locked_changed.connect(
            lambda locked: None if locked else come_forward(window, bundles),
            type=Qt.ConnectionType.SingleShotConnection,
        )
        return
    # Not inside the socket's signal: the import dialog runs an event loop of its own.
    QTimer.singleShot(0, window, lambda: window.show_import(list(bundles)))
