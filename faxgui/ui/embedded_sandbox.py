"""The sandbox fax service the app runs inside itself when it is set to the sandbox endpoint."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal

from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.sandbox.server import SandboxServer

log = logging.getLogger(__name__)


class EmbeddedSandbox(QObject):
    """Starts a loopback `SandboxServer` off the GUI thread and stops it on request.

    Signals:
        ready(str): the server is listening; the argument is its endpoint URL.
        failed(str): the server could not start; the argument says why, for the user.
    """

    ready = Signal(str)
    failed = Signal(str)

    def __init__(self, speed: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._speed = speed
        self._server: SandboxServer | None = None
        self._starting = False
        self._wanted = False

    @property
    def url(self) -> str | None:
        """The endpoint URL once the server is listening, else None."""
        return self._server.url if self._server is not None else None

    @property
    def is_starting(self) -> bool:
        return self._starting

    def start(self) -> None:
        """Start the server in the background; `ready` or `failed` follows."""
        self._wanted = True
        if self._server is not None or self._starting:
            return
        self._starting = True
        run_task(_start_server, self._speed, on_done=self._on_started, on_error=self._on_failed)

    def stop(self) -> None:
        """Stop serving (the sandbox's faxes are forgotten); a start under way stops on arrival."""
        self._wanted = False
        if self._server is not None:
            self._server.stop()
            self._server = None
            log.info("Embedded sandbox stopped")

    def _on_started(self, server: SandboxServer) -> None:
        self._starting = False
        # Stopped, or deleted with its parent, while the server was starting: nobody will use it.
        if not self._wanted or not shiboken6.isValid(self):
            server.stop()
            return
        self._server = server
        log.info("Embedded sandbox listening at %s", server.url)
        self.ready.emit(server.url)

    def _on_failed(self, error: Exception) -> None:
        self._starting = False
        log.error("The embedded sandbox could not start: %s", error)
        if self._wanted and shiboken6.isValid(self):
            self.failed.emit(
                f"The built-in sandbox could not start ({error}). Restart faxgui, or choose "
                "another fax service in Settings."
            )


def _start_server(speed: float) -> SandboxServer:
    # Imported here, on the worker thread: the sandbox pulls in zeep and the imaging
    # libraries (about 0.5 s), which the window should not wait for.
    from faxgui.sandbox.server import SandboxServer

    server = SandboxServer("127.0.0.1", 0, speed=speed)
    server.start()
    return server
