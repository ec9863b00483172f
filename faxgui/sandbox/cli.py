"""The `faxgui-sandbox` command: run the Monopond-compatible sandbox on its own until Ctrl+C."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from faxgui.imaging.office import default_converter
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.numbers import OTHER_OUTCOMES, SANDBOX_NUMBERS
from faxgui.sandbox.server import SandboxServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faxgui-sandbox",
        description=(
            "Run an offline, Monopond-compatible fax service for trying faxgui "
            "(or any Monopond client) without an account. Nothing is really faxed."
        ),
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only)",
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on; 0 picks a free one (8080)"
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=10.0,
        help="how many times faster than real life faxes progress (default: 10)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log debugging detail as well as each request"
    )
    return parser


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _numbers_table() -> list[str]:
    """The test numbers and what each does, then the outcomes a request itself brings about."""
    rows = [(n.display, n.outcome, n.title) for n in SANDBOX_NUMBERS]
    number_width = max(len("Number"), *(len(r[0]) for r in rows))
    outcome_width = max(len("Ends as"), *(len(r[1]) for r in rows))
    lines = [
        "Test numbers (any other number is sent on the first attempt):",
        f"  {'Number':<{number_width}}  {'Ends as':<{outcome_width}}  What happens",
    ]
    lines += [f"  {a:<{number_width}}  {b:<{outcome_width}}  {c}" for a, b, c in rows]
    lines += ["", "Outcomes brought about by the request rather than the number:"]
    lines += [f"  {o.result.value}, {o.error.value}: {o.how}" for o in OTHER_OUTCOMES]
    return lines


def _converters() -> list[str]:
    """What Office and PostScript previews will be drawn with, or why they cannot be."""
    office = default_converter()
    lines = []
    for kind, program, path in (
        ("Office", "LibreOffice", office.soffice),
        ("PostScript", "Ghostscript", office.ghostscript),
    ):
        label = f"{kind}:"
        if path is None:
            what = f"accepted and sent, but not previewed ({program} is not installed)"
        else:
            what = f"previewed with {program} ({path})"
        lines.append(f"  {label:<12}{what}")
    return lines


def _banner(server: SandboxServer) -> str:
    lines = [
        "faxgui sandbox: a local, Monopond-compatible fax service (nothing is really faxed).",
        "",
        f"  Endpoint:  {server.url}",
        f"  WSDL:      {server.wsdl_url}",
        f"  Account:   user name {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}",
        *_converters(),
        "",
        *_numbers_table(),
        "",
        "Press Ctrl+C to stop.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until interrupted; 0 on a clean stop, 1 if it could not start."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, not {args.port}")
    if args.speed <= 0:
        parser.error(f"--speed must be more than 0, not {args.speed}")

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not _is_loopback(args.host):
        print(
            f"Warning: listening on {args.host} lets other computers reach this sandbox, "
            f"and its demo password is published. Use --host 127.0.0.1 unless you mean it.",
            file=sys.stderr,
            flush=True,
        )

    server = SandboxServer(args.host, args.port, speed=args.speed)
    try:
        server.start()
    except OSError as exc:
        print(
            f"faxgui-sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1

    stop = threading.Event()

    def _on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Signal handlers can only be installed from the main thread (tests may call main elsewhere).
    handles_term = threading.current_thread() is threading.main_thread()
    previous_term = signal.signal(signal.SIGTERM, _on_term) if handles_term else None
    try:
        print(_banner(server), flush=True)
        # A timed wait, because an untimed one ignores Ctrl+C on Windows.
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if handles_term:
            signal.signal(signal.SIGTERM, previous_term)
    print("Sandbox stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
