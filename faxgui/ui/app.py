"""The `faxgui` command: options, logging, the Qt application, and the `--self-test` check."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Only what opening the window needs is imported up front (see main_window.py on the
# two-stage start-up); the icon and the self-test import the rest when they need it.
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

import faxgui
from faxgui.config.options import NETWORK_TIMEOUT_S, SANDBOX_SPEED
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.main_window import MainWindow
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

SELF_TEST_TIMEOUT_S = 60.0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="faxgui",
        description="Compose and send faxes through the Monopond Fax API v2.1.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="documents to attach to the new fax (PDF, TIFF, Word, …)",
    )
    parser.add_argument("--version", action="version", version=f"faxgui {faxgui.__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="log every step to the terminal (stderr)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window, send one fax through the built-in sandbox, print the "
        "result as one line of JSON and exit (0 when it worked)",
    )
    return parser.parse_args(argv)


def _configure_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("faxgui")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors (125 %, 150 %) are used as they are, for crisp text and true
    # sizes: that is Qt 6's default rounding policy, PassThrough, which the environment
    # variable QT_SCALE_FACTOR_ROUNDING_POLICY overrides even when set in code. It is not
    # set again here: naming the enum would build PySide's whole Qt namespace (about 40 ms)
    # before the window's first paint.
    app = QApplication([sys.argv[0] if sys.argv else "faxgui"])
    app.setApplicationName("faxgui")
    app.setOrganizationName("faxgui")
    app.setApplicationVersion(faxgui.__version__)
    app.setDesktopFileName("faxgui")
    return app


def _set_window_icon() -> None:
    # Called once the window has painted: finding and loading the SVG takes about 15 ms
    # (importlib.resources, Qt's SVG plugin) and draws nothing inside the window; the title
    # bar and task bar show the icon as soon as it is set.
    from importlib import resources

    from PySide6.QtGui import QIcon

    icon = resources.files("faxgui.resources") / "faxgui.svg"
    if icon.is_file():
        with resources.as_file(icon) as path:
            QApplication.setWindowIcon(QIcon(str(path)))


def main(argv: Sequence[str] | None = None) -> int:
    """Run faxgui; returns the process exit status."""
    args = _parse_args(argv)
    _configure_logging(args.debug)
    # Workers (sending, CSV imports, rendering) run Python beside the GUI thread; at the
    # default 5 ms switch interval each Python step of a frame can wait that long for the
    # interpreter lock, and a frame takes several. 1 ms keeps the window fluid.
    sys.setswitchinterval(0.001)
    app = _application()
    settings = Settings.load()
    sandbox = EmbeddedSandbox(settings.get(SANDBOX_SPEED))
    app.aboutToQuit.connect(sandbox.stop)
    window = MainWindow(settings, PasswordStore(), sandbox, files=args.files)
    window.built.connect(_set_window_icon)
    window.show()
    if args.self_test:
        import json

        report = _self_test(window, sandbox, settings.get(NETWORK_TIMEOUT_S))
        sandbox.stop()
        _wind_down(window)
        print(json.dumps(report), flush=True)
        return 0 if report["ok"] else 1
    status = app.exec()
    _wind_down(window)
    return status


def _wind_down(window: MainWindow) -> None:
    # A task still running (the sandbox starting, a lookup, a send, an outbox pass) ends
    # while the application is whole: Qt would otherwise wait for it inside QApplication's
    # destructor, half torn down, where Python code on the worker can crash the process on
    # the way out. The job store and address book are closed after them: nothing uses them.
    QThreadPool.globalInstance().waitForDone()
    window.close_stores()


# --------------------------------------------------------------------------- self-test


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
    loop.exec()
    poll.stop()
    return done()


def _round_trip(url: str, timeout_s: float) -> float:
    """FaxStatus, SendFax and FaxStatus again for a new reference; the time taken, in ms."""
    # On the worker thread, like every network call: zeep takes about 0.3 s to import.
    import uuid

    from faxgui.api.client import MonopondClient
    from faxgui.api.enums import Verbosity
    from faxgui.api.errors import NoMessagesFoundFault
    from faxgui.api.models import FaxDocument, FaxMessage, FaxStatusRequest, SendFaxRequest
    from faxgui.sandbox.numbers import SUCCESS

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
                        documents=[
                            FaxDocument(
                                file_name="self-test.txt",
                                file_data=b"faxgui self-test: this page goes nowhere.\n",
                            )
                        ],
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


def _self_test(window: MainWindow, sandbox: EmbeddedSandbox, timeout_s: float) -> dict[str, Any]:
    import platform

    from PySide6.QtCore import qVersion

    started: list[str] = []
    failures: list[str] = []
    sandbox.ready.connect(started.append)
    sandbox.failed.connect(failures.append)
    sandbox.start()
    if sandbox.url is None and not _wait(lambda: bool(started or failures), SELF_TEST_TIMEOUT_S):
        return {"ok": False, "reason": "the built-in sandbox did not start in time"}
    if failures:
        return {"ok": False, "reason": failures[0]}
    url = sandbox.url
    assert url is not None
    outcome: list[tuple[float | None, Exception | None]] = []
    run_task(
        _round_trip,
        url,
        timeout_s,
        on_done=lambda ms: outcome.append((ms, None)),
        on_error=lambda exc: outcome.append((None, exc)),
    )
    if not _wait(lambda: bool(outcome), SELF_TEST_TIMEOUT_S):
        return {"ok": False, "reason": "the round trip to the sandbox did not finish in time"}
    elapsed_ms, error = outcome[0]
    if error is not None:
        return {"ok": False, "reason": f"{error.__class__.__name__}: {error}"}
    return {
        "ok": True,
        "window": window.isVisible(),
        "sandbox": url,
        "round_trip_ms": round(elapsed_ms or 0.0, 1),
        "faxgui": faxgui.__version__,
        "qt": qVersion(),
        "python": platform.python_version(),
    }
