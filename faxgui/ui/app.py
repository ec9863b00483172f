"""The `faxgui` command: options, logging, the Qt application, and the `--self-test` check."""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

import faxgui
from faxgui.api.enums import Verbosity
from faxgui.api.errors import NoMessagesFoundFault
from faxgui.api.models import FaxDocument, FaxMessage, FaxStatusRequest, SendFaxRequest
from faxgui.config.options import NETWORK_TIMEOUT_S, SANDBOX_SPEED
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.numbers import SUCCESS as SANDBOX_SUCCESS
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.main_window import MainWindow
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

SELF_TEST_TIMEOUT_S = 60.0
SELF_TEST_NUMBER = SANDBOX_SUCCESS.number


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="faxgui",
        description="Compose and send faxes through the Monopond Fax API v2.1.",
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
    # Fractional scale factors (125 %, 150 %) are used as they are: crisp text, true sizes.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication([sys.argv[0] if sys.argv else "faxgui"])
    app.setApplicationName("faxgui")
    app.setOrganizationName("faxgui")
    app.setApplicationVersion(faxgui.__version__)
    app.setDesktopFileName("faxgui")
    icon = resources.files("faxgui.resources") / "faxgui.svg"
    if icon.is_file():
        with resources.as_file(icon) as path:
            app.setWindowIcon(QIcon(str(path)))
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run faxgui; returns the process exit status."""
    args = _parse_args(argv)
    _configure_logging(args.debug)
    app = _application()
    settings = Settings.load()
    sandbox = EmbeddedSandbox(settings.get(SANDBOX_SPEED))
    app.aboutToQuit.connect(sandbox.stop)
    window = MainWindow(settings, PasswordStore(), sandbox)
    window.show()
    if args.self_test:
        report = _self_test(window, sandbox, settings.get(NETWORK_TIMEOUT_S))
        sandbox.stop()
        print(json.dumps(report), flush=True)
        return 0 if report["ok"] else 1
    return app.exec()


# --------------------------------------------------------------------------- self-test


def _wait(done: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until `done()` is true or the time is up; True if it came true."""
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
    from faxgui.api.client import MonopondClient

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
                        send_to=SELF_TEST_NUMBER,
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
