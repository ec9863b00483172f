"""`faxgui --self-test`: what a fresh install or a frozen bundle must do, as one JSON report.

The checks, in the running app with its window shown:

- the window is shown and finishes building (the composer is there);
- the bundled sample PDF is found through importlib.resources and drawn the way the
  composer draws a document's first page;
- the bundled WSDL is read and its schema compiled, with no network;
- the built-in sandbox starts and a fax (the sample PDF) goes there and back;
- the password keyring backend is named; when the system has none, the report says
  so: faxgui works without one (passwords are kept for the session).

Nothing may leave the computer during the test: a guard refuses any connection
to, or name lookup of, a host other than this computer's loopback address, and
the report fails if anything tried.
"""

from __future__ import annotations

import ipaddress
import platform
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import faxgui
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.ui.embedded_sandbox import EmbeddedSandbox
    from faxgui.ui.main_window import MainWindow

SELF_TEST_TIMEOUT_S = 60.0
SAMPLE_PDF = "sample-fax.pdf"

NO_KEYRING_NOTE = "no password keyring on this system: faxgui keeps a password until it closes"


class NetworkGuard:
    """Refuses, and records, every attempt to reach a host that is not this computer.

    Wraps `socket.getaddrinfo` and `socket.socket.connect` (what requests, zeep
    and keyring's D-Bus client reach the network through) until `uninstall()`.
    An audit hook would see more, but a Python audit hook called while PySide
    creates an enum lazily makes that creation fail.
    """

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._lock = threading.Lock()
        self._saved: tuple[Any, Any, Any] | None = None

    def install(self) -> None:
        import socket

        if self._saved is not None:
            return
        connect, connect_ex, getaddrinfo = self._saved = (
            socket.socket.connect,
            socket.socket.connect_ex,
            socket.getaddrinfo,
        )

        def guarded_connect(sock: socket.socket, address: Any) -> None:
            self._check(_host_of(address))
            connect(sock, address)

        def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
            self._check(_host_of(address))
            result: int = connect_ex(sock, address)
            return result

        def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            self._check(host)
            return getaddrinfo(host, *args, **kwargs)

        # setattr: the stubs' types do not allow replacing a method, which is the point here.
        setattr(socket.socket, "connect", guarded_connect)  # noqa: B010
        setattr(socket.socket, "connect_ex", guarded_connect_ex)  # noqa: B010
        setattr(socket, "getaddrinfo", guarded_getaddrinfo)  # noqa: B010

    def uninstall(self) -> None:
        import socket

        if self._saved is None:
            return
        connect, connect_ex, getaddrinfo = self._saved
        setattr(socket.socket, "connect", connect)  # noqa: B010
        setattr(socket.socket, "connect_ex", connect_ex)  # noqa: B010
        setattr(socket, "getaddrinfo", getaddrinfo)  # noqa: B010
        self._saved = None

    def _check(self, host: object) -> None:
        if host is None or _is_loopback(host):
            return
        with self._lock:
            self.attempts.append(str(host))
        raise ConnectionRefusedError(f"the self-test never uses the network (tried {host})")


def _host_of(address: object) -> object:
    # AF_INET/AF_INET6 addresses are tuples; AF_UNIX paths (and the like) are not the network.
    if isinstance(address, tuple) and address:
        return address[0]
    return None


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _wait(done: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until `done()` is true or the time is up; True if it came true."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if done() or time.monotonic() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    check()
    if not done() and time.monotonic() <= deadline:
        loop.exec()
    poll.stop()
    return done()


# --------------------------------------------------------------------------- the checks
# Each runs on a worker thread, like the app's own reading, rendering and network calls.


def check_sample_pdf() -> dict[str, Any]:
    """Find the bundled sample PDF and draw its first page as the composer's list does."""
    from importlib import resources

    from faxgui.ui.composer.document_inspector import inspect_file

    resource = resources.files("faxgui.resources") / SAMPLE_PDF
    with resources.as_file(resource) as path:
        inspection = inspect_file(path)
    if inspection.content_problem is not None:
        raise RuntimeError(f"{SAMPLE_PDF}: {inspection.content_problem}")
    png = inspection.thumbnail_png
    if png is None or not png.startswith(b"\x89PNG"):
        raise RuntimeError(f"{SAMPLE_PDF} could not be drawn")
    # The PNG header holds the size: width and height, big-endian, at bytes 16-24.
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return {"name": SAMPLE_PDF, "pages": inspection.page_count, "thumbnail": [width, height]}


def check_wsdl() -> dict[str, Any]:
    """Read the bundled WSDL and compile its schema (no network: see NetworkGuard)."""
    from lxml import etree

    from faxgui.api import wsdl

    schema = wsdl.schema()
    document = etree.fromstring(wsdl.wsdl_bytes(), etree.XMLParser(no_network=True))
    names = document.xpath(
        "/w:definitions/w:portType/w:operation/@name",
        namespaces={"w": "http://schemas.xmlsoap.org/wsdl/"},
    )
    if not names or schema is None:
        raise RuntimeError(f"{wsdl.WSDL_RESOURCE} lists no operations")
    return {"file": wsdl.wsdl_path().name, "operations": len(names)}


def check_keyring() -> dict[str, Any]:
    """Name the password keyring backend faxgui would use; never reads or writes a password."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    usable = not isinstance(backend, fail.Keyring) and not (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    )
    name = getattr(backend, "name", "") or type(backend).__qualname__
    report: dict[str, Any] = {"backend": str(name), "available": usable}
    if not usable:
        report["note"] = NO_KEYRING_NOTE
    return report


def round_trip(url: str, timeout_s: float) -> float:
    """FaxStatus, SendFax (the sample PDF) and FaxStatus again; the time taken, in ms."""
    import uuid
    from importlib import resources

    from faxgui.api.client import MonopondClient
    from faxgui.api.enums import Verbosity
    from faxgui.api.errors import NoMessagesFoundFault
    from faxgui.api.models import FaxDocument, FaxMessage, FaxStatusRequest, SendFaxRequest
    from faxgui.sandbox.numbers import SUCCESS

    document = (resources.files("faxgui.resources") / SAMPLE_PDF).read_bytes()
    reference = f"faxgui-self-test-{uuid.uuid4().hex}"
    started = time.perf_counter()
    with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=timeout_s) as client:
        try:
            client.fax_status(FaxStatusRequest(message_ref=reference, verbosity=Verbosity.BRIEF))
        except NoMessagesFoundFault:
            pass
        else:
            raise RuntimeError(f"the sandbox already knew the new reference {reference}")
        client.send_fax(
            SendFaxRequest(
                fax_messages=[
                    FaxMessage(
                        message_ref=reference,
                        send_to=SUCCESS.number,
                        documents=[FaxDocument(file_name=SAMPLE_PDF, file_data=document)],
                    )
                ],
                send_ref=reference,
            )
        )
        status = client.fax_status(
            FaxStatusRequest(message_ref=reference, verbosity=Verbosity.SEND)
        )
    if [m.message_ref for m in status.messages] != [reference]:
        raise RuntimeError("the sandbox did not list the fax that was just sent")
    return (time.perf_counter() - started) * 1000


# --------------------------------------------------------------------------- the run


class _Outcome:
    """The results of the checks run on workers, by name, as they arrive."""

    def __init__(self) -> None:
        self.results: dict[str, Any] = {}
        self.errors: dict[str, Exception] = {}

    def start(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        run_task(
            fn,
            *args,
            on_done=lambda value: self.results.__setitem__(name, value),
            on_error=lambda error: self.errors.__setitem__(name, error),
        )

    def finished(self, *names: str) -> bool:
        return all(n in self.results or n in self.errors for n in names)


def run_self_test(window: MainWindow, sandbox: EmbeddedSandbox, timeout_s: float) -> dict[str, Any]:
    """Run every check with the window shown; the report, with "ok" true when all passed."""
    guard = NetworkGuard()
    guard.install()
    try:
        return _run(window, sandbox, timeout_s, guard)
    finally:
        guard.uninstall()


def _run(
    window: MainWindow, sandbox: EmbeddedSandbox, timeout_s: float, guard: NetworkGuard
) -> dict[str, Any]:
    started_at = time.perf_counter()
    report: dict[str, Any] = {"ok": False}
    outcome = _Outcome()

    def fail(reason: str) -> dict[str, Any]:
        report["reason"] = reason
        report["seconds"] = round(time.perf_counter() - started_at, 2)
        return report

    built: list[bool] = []
    window.built.connect(lambda: built.append(True))
    sandbox_started: list[str] = []
    sandbox_failed: list[str] = []
    sandbox.ready.connect(sandbox_started.append)
    sandbox.failed.connect(sandbox_failed.append)
    sandbox.start()
    # Qt-free checks start at once. The PDF is drawn once the window is built: PySide makes
    # its enum types on first use, and that is not safe from two threads at once.
    outcome.start("wsdl", check_wsdl)
    outcome.start("keyring", check_keyring)
    window_built = window.compose_tab is not None or _wait(lambda: bool(built), SELF_TEST_TIMEOUT_S)
    if window_built:
        outcome.start("pdf", check_sample_pdf)

    if sandbox.url is None and not _wait(
        lambda: bool(sandbox_started or sandbox_failed), SELF_TEST_TIMEOUT_S
    ):
        return fail("the built-in sandbox did not start in time")
    if sandbox_failed:
        return fail(sandbox_failed[0])
    url = sandbox.url
    assert url is not None
    outcome.start("round_trip", round_trip, url, timeout_s)

    names = ("pdf", "wsdl", "keyring", "round_trip") if window_built else ("wsdl", "keyring")
    checks_done = _wait(lambda: outcome.finished(*names), SELF_TEST_TIMEOUT_S)

    report.update(
        window=window.isVisible(),
        composer=window.compose_tab is not None,
        sandbox=url,
    )
    for name in ("pdf", "wsdl", "keyring"):
        if name in outcome.results:
            report[name] = outcome.results[name]
    if "round_trip" in outcome.results:
        report["round_trip_ms"] = round(outcome.results["round_trip"], 1)
    report.update(
        frozen=bool(getattr(sys, "frozen", False)),
        faxgui=faxgui.__version__,
        qt=_qt_version(),
        python=platform.python_version(),
    )
    if guard.attempts:
        return fail(f"something tried to reach {guard.attempts[0]} (the self-test is offline)")
    if not checks_done:
        late = [n for n in names if not outcome.finished(n)]
        return fail(f"these checks did not finish in time: {', '.join(late)}")
    if outcome.errors:
        name, error = next(iter(outcome.errors.items()))
        return fail(f"{name}: {error.__class__.__name__}: {error}")
    if not report["window"]:
        return fail("the main window was not shown")
    if not window_built or not report["composer"]:
        return fail("the main window did not finish building the composer")
    report["ok"] = True
    report["seconds"] = round(time.perf_counter() - started_at, 2)
    return report


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return str(qVersion())
