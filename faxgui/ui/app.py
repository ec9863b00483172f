"""The `faxgui` command: options, logging, one instance per user, the Qt application."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# Only what opening the window needs is imported up front (see main_window.py on the
# two-stage start-up); the icon and the self-test import the rest when they need it.
from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import QApplication

import faxgui
from faxgui.config.options import NETWORK_TIMEOUT_S, SANDBOX_SPEED
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings, settings_path
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.gui_gc import collect_on_gui_thread
from faxgui.ui.main_window import MainWindow
from faxgui.ui.single_instance import SingleInstance, hand_over

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

log = logging.getLogger(__name__)

ALREADY_RUNNING_NO_ANSWER = (
    "faxgui is already running but did not answer, so this opens a second window. "
    "If the other one is stuck, close it (or end it in the task manager)."
)


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
        help="open the window, draw the sample PDF, read the WSDL, send one fax through the "
        "built-in sandbox, name the password keyring, print the result as one line of JSON "
        "and exit (0 when it worked)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="with --self-test: also write the report to FILE (a Windows app has no terminal)",
    )
    return parser.parse_args(argv)


def _configure_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("faxgui")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)


class MacApplication(QApplication):
    """The application on macOS, where a file opened with faxgui arrives as an event.

    Dropped on the Dock icon, or opened from the Finder (Open With, a document type
    faxgui declares), a file comes as a QFileOpenEvent to the application object;
    at launch or while faxgui runs (macOS starts one copy of an app, so there is no
    second start to hand it over). Elsewhere the plain QApplication is used: its
    `event()` in Python would cost every event sent to the application.

    Signals:
        files_opened(list): the `Path` of a file the system asked faxgui to open.
    """

    files_opened = Signal(list)

    def event(self, event: QEvent) -> bool:
        from PySide6.QtCore import QEvent as Event
        from PySide6.QtGui import QFileOpenEvent

        if event.type() == Event.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file()
            if path:
                self.files_opened.emit([Path(path)])
                return True
        return super().event(event)


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors (125 %, 150 %) are used as they are, for crisp text and true
    # sizes: that is Qt 6's default rounding policy, PassThrough, which the environment
    # variable QT_SCALE_FACTOR_ROUNDING_POLICY overrides even when set in code. It is not
    # set again here: naming the enum would build PySide's whole Qt namespace (about 40 ms)
    # before the window's first paint.
    application_class = MacApplication if sys.platform == "darwin" else QApplication
    app = application_class([sys.argv[0] if sys.argv else "faxgui"])
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
    # Read from this process's folder now: they may be handed to a faxgui started elsewhere,
    # and the draft keeps them for the next start.
    files = [path.absolute() for path in args.files]
    instance: SingleInstance | None = None
    if not args.self_test:
        # The self-test is its own world: it never hands over to, or takes files from, a
        # faxgui the user has open.
        instance = SingleInstance(settings_path().parent)
        if not instance.acquire():
            if hand_over(instance.name, files):
                return 0
            log.warning("The running faxgui did not answer on %s", instance.name)
            print(ALREADY_RUNNING_NO_ANSWER, file=sys.stderr, flush=True)
            instance = None
    app = _application()
    # Before any worker starts: cycles of widgets must never be freed on a worker thread.
    collect_on_gui_thread(app)
    settings = Settings.load()
    sandbox = EmbeddedSandbox(settings.get(SANDBOX_SPEED))
    app.aboutToQuit.connect(sandbox.stop)
    window = MainWindow(settings, PasswordStore(), sandbox, files=files)
    window.built.connect(_set_window_icon)
    if isinstance(app, MacApplication):
        app.files_opened.connect(window.open_files)
    if instance is not None:
        instance.files_received.connect(lambda paths: _bring_forward(window, paths))
        # Listening waits for the window to be built (QtNetwork takes ~25 ms to load); a
        # second start meanwhile keeps trying for a few seconds.
        window.built.connect(instance.listen)
    window.show()
    if args.self_test:
        import json

        from faxgui.ui.self_test import run_self_test

        report = run_self_test(window, sandbox, settings.get(NETWORK_TIMEOUT_S))
        sandbox.stop()
        _wind_down(window)
        text = json.dumps(report)
        if args.report is not None:
            args.report.write_text(text + "\n", encoding="utf-8")
        if sys.stdout is not None:
            print(text, flush=True)
        return 0 if report["ok"] else 1
    status = app.exec()
    _wind_down(window)
    if instance is not None:
        instance.release()
    return status


def _bring_forward(window: MainWindow, files: list[Path]) -> None:
    """Another start of faxgui: show the window (restored if minimised), then its files."""
    from PySide6.QtCore import Qt

    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
    window.open_files(files)


def _wind_down(window: MainWindow) -> None:
    # A task still running (the sandbox starting, a lookup, a send, an outbox pass) ends
    # while the application is whole: Qt would otherwise wait for it inside QApplication's
    # destructor, half torn down, where Python code on the worker can crash the process on
    # the way out. The job store and address book are closed after them: nothing uses them.
    QThreadPool.globalInstance().waitForDone()
    window.close_stores()
