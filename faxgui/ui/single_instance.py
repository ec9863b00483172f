"""One faxgui per user: a second start hands its files to the running one, which comes forward.

The first start takes a lock file in the user's settings folder (QLockFile: QtCore only,
so nothing slows the window's first paint) and, once its window is built, listens on
a local socket: a Unix domain socket in the user's runtime (or temporary) folder, a
named pipe on Windows, named after that settings folder and open to this user only.
A later start that cannot take the lock connects there and sends its files' absolute
paths as one line of JSON; the running faxgui answers "ok" once it has taken them and
ends that start. A lock left by a faxgui that crashed is taken over (QLockFile sees its
process is gone), and so is the socket it left behind.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_FILE = "faxgui.lock"
# How long a second start keeps trying to reach the first (which listens once its window
# is built, about a second after it starts) before it opens a window of its own.
HAND_OVER_TIMEOUT_S = 8.0
_RETRY_S = 0.1
# Longer than any list of paths a desktop would pass, shorter than memory worth guarding.
MAX_MESSAGE_BYTES = 1 << 20
ANSWER = b"ok\n"
# Unix domain socket paths are limited to 104 (macOS) or 108 (Linux) bytes.
_MAX_SOCKET_PATH = 100


def server_name(folder: Path) -> str:
    """The running faxgui's local socket for the settings in `folder` (one per user and folder)."""
    # crc32, not hashlib: zlib is loaded already; hashlib would cost ~12 ms before the first
    # paint. The name only has to tell one user's settings folders apart.
    digest = zlib.crc32(os.fsencode(folder.absolute())) & 0xFFFFFFFF
    base = f"faxgui-{digest:08x}"
    if sys.platform == "win32":
        return base
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    for directory in (runtime, tempfile.gettempdir(), "/tmp"):
        if directory and os.path.isdir(directory):
            path = os.path.join(directory, f"{base}.sock")
            if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
                return path
    return f"/tmp/{base}.sock"


def absolute_paths(paths: Sequence[Path]) -> list[str]:
    """`paths` as absolute path strings, read from this process's working folder."""
    return [str(Path(p).absolute()) for p in paths]


class SingleInstance(QObject):
    """Makes this process the user's one faxgui, or finds the one that is.

    `acquire()` first (before any window); when it returns True, call `listen()`
    once the window is ready for files. When it returns False, `hand_over()`
    sends this start's files to the running faxgui.

    Signals:
        files_received(list): another start asked for these files (absolute
            `Path`s, maybe none) to be attached, and for the window to come forward.
    """

    files_received = Signal(list)

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = server_name(folder)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """Take the lock: True when this is the only faxgui of this user now."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            # No lock can be kept: behave as the only one rather than refuse to start.
            log.warning(
                "Cannot keep a lock in %s (%s); not checking for another faxgui", self.folder, exc
            )
            return True
        lock = QLockFile(str(self.folder / LOCK_FILE))
        # Only a lock whose process is gone is stale; by age, a faxgui left open for a day
        # would lose its lock to the next start.
        lock.setStaleLockTime(0)
        if lock.tryLock(0):
            self._lock = lock
            return True
        if lock.error() is not QLockFile.LockError.LockFailedError:
            log.warning(
                "Cannot use the lock file in %s (%s); not checking for another faxgui",
                self.folder,
                lock.error().name,
            )
            return True
        return False

    def listen(self) -> bool:
        """Start taking files from later starts; True when listening."""
        if self._server is not None:
            return self._server.isListening()
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # This process holds the lock, so a socket by that name was left by one that crashed.
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            log.warning(
                "Cannot listen on %s: %s; a second start opens its own window",
                self.name,
                server.errorString(),
            )
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        log.debug("Listening for other starts on %s", server.fullServerName())
        return True

    def release(self) -> None:
        """Stop listening and give up the lock (the app is quitting)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            _Conversation(socket, self)

    def _received(self, payload: bytes) -> bool:
        try:
            message = json.loads(payload)
        except ValueError:
            return False
        files = message.get("files") if isinstance(message, dict) else None
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            return False
        self.files_received.emit([Path(f) for f in files])
        return True


class _Conversation(QObject):
    """One later start's message: read its line, answer, hang up."""

    def __init__(self, socket: QLocalSocket, instance: SingleInstance) -> None:
        super().__init__(socket)
        self._socket = socket
        self._instance = instance
        self._buffer = bytearray()
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(socket.deleteLater)
        self._read()

    def _read(self) -> None:
        socket = self._socket
        self._buffer += bytes(socket.readAll().data())
        if b"\n" not in self._buffer:
            if len(self._buffer) > MAX_MESSAGE_BYTES:
                log.warning("Ignored an over-long message from another start")
                socket.abort()
            return
        line = bytes(self._buffer.split(b"\n", 1)[0])
        if self._instance._received(line):
            socket.write(ANSWER)
            socket.flush()
        else:
            log.warning("Ignored a message from another start that faxgui could not read")
        socket.disconnectFromServer()


def hand_over(name: str, files: Sequence[Path], timeout_s: float = HAND_OVER_TIMEOUT_S) -> bool:
    """Send `files` to the faxgui listening on `name`; True once it has taken them.

    Blocking, with no event loop (this start has no window): it keeps trying to
    connect while the running faxgui may still be starting, for `timeout_s` at most.
    """
    from PySide6.QtNetwork import QLocalSocket

    _allow_foreground()
    message = json.dumps({"files": absolute_paths(files)}).encode("utf-8") + b"\n"
    deadline = time.monotonic() + timeout_s
    while True:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(_remaining_ms(deadline)):
            socket.write(message)
            answer = b""
            if socket.waitForBytesWritten(_remaining_ms(deadline)):
                while len(answer) < len(ANSWER) and socket.waitForReadyRead(
                    _remaining_ms(deadline)
                ):
                    answer += bytes(socket.readAll().data())
            socket.abort()
            return answer.startswith(ANSWER)
        if time.monotonic() + _RETRY_S >= deadline:
            log.debug("No faxgui answered on %s: %s", name, socket.errorString())
            return False
        time.sleep(_RETRY_S)


def _remaining_ms(deadline: float) -> int:
    return max(1, int((deadline - time.monotonic()) * 1000))


def _allow_foreground() -> None:
    """Let the running faxgui bring its window forward (Windows only lets the foreground
    process do that, and this start, which the user just launched, is it)."""
    if sys.platform == "win32":
        import ctypes

        asfw_any = -1
        ctypes.windll.user32.AllowSetForegroundWindow(asfw_any)
