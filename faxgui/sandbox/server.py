"""The sandbox's HTTP front: a threaded SOAP 1.1 endpoint with the bundled WSDL and its faults."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, assert_never
from urllib.parse import urlsplit

from lxml import etree

from faxgui.api.errors import InternalServerFault, InvalidArgumentsFault, ServiceFault
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    FaxDocumentPreviewRequest,
    FaxStatusRequest,
    PauseFaxRequest,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StopFaxRequest,
)
from faxgui.api.wire import (
    NS,
    empty_response_element,
    preview_response_to_element,
    request_from_element,
    status_response_to_element,
)
from faxgui.api.wsdl import validate_body, wsdl_bytes
from faxgui.sandbox import soap
from faxgui.sandbox.accounts import AccountStore
from faxgui.sandbox.engine import SandboxEngine

ENDPOINT_PATH = "/fax/soap/v2.1"
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
SOAP_CONTENT_TYPES = frozenset({"text/xml", "application/soap+xml"})
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

# Request element -> operation name, as the WSDL names them.
OPERATIONS: dict[str, str] = {
    "SendFaxRequest": "SendFax",
    "FaxStatusRequest": "FaxStatus",
    "PauseFaxRequest": "PauseFax",
    "ResumeFaxRequest": "ResumeFax",
    "StopFaxRequest": "StopFax",
    "SaveFaxDocumentRequest": "SaveFaxDocument",
    "DeleteFaxDocumentRequest": "DeleteFaxDocument",
    "FaxDocumentPreviewRequest": "FaxDocumentPreview",
}

_NOT_SOAP = "POST (not a usable SOAP request)"
_SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
_SCHEMA_ERRORS_SHOWN = 3
# An idle keep-alive connection, or a client that stalls mid-body, frees its thread after this.
_CONNECTION_TIMEOUT_S = 30.0
# After refusing a request whose body we will not read, keep reading (and dropping) for a
# moment so the client sees our answer rather than a connection reset.
_LINGER_S = 1.0
_LINGER_MAX_BYTES = 4 * 1024 * 1024

_log = logging.getLogger(__name__)


def _printable(text: str, limit: int = 120) -> str:
    cleaned = "".join(c if c.isprintable() else "?" for c in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


def _wsdl_with_address(wsdl: bytes, url: str) -> bytes:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(wsdl, parser)
    for address in root.iter(_SOAP_ADDRESS):
        address.set("location", url)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data


def _schema_message(errors: list[str]) -> str:
    shown = "; ".join(errors[:_SCHEMA_ERRORS_SHOWN])
    more = len(errors) - _SCHEMA_ERRORS_SHOWN
    suffix = f" (and {more} more)" if more > 0 else ""
    return f"The request does not match the service schema: {shown}{suffix}"


def _internal_fault() -> InternalServerFault:
    # The traceback goes to the log only: a fault message is no place for the sandbox's insides.
    return InternalServerFault("The sandbox hit an unexpected error while handling this request.")


class DropPoint(StrEnum):
    """Where injected trouble closes a connection without answering (see `DropRule`)."""

    BEFORE_ACCEPT = "before accept"  # the request never reaches the engine
    AFTER_ACCEPT = "after accept"  # the engine did the work; only the answer is lost


# (operation, how many requests of that operation have arrived, this one included) ->
# where to drop this request's connection, or None to answer it normally.
DropRule = Callable[[str, int], DropPoint | None]


@dataclass(frozen=True, slots=True)
class SoapOutcome:
    """What to answer a SOAP request with, and what to log about it.

    `dropped` says the connection is to be closed without any answer (fault injection).
    """

    status: int
    body: bytes
    operation: str
    account: str
    dropped: DropPoint | None = None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log what escaped a handler (the stdlib prints it to stderr) and keep serving."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            _log.info("%s: connection failed: %s", client_address, error)
        else:
            _log.exception("unexpected error serving %s", client_address)

    def drop_connections(self) -> None:
        """Wake every handler blocked on an idle keep-alive connection so it can finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The stdlib default (HTTP/0.9) answers an unreadable request line with a bare HTML
    # page and no status line; a client then cannot even tell it was refused.
    default_request_version = "HTTP/1.0"
    server_version = "faxgui-sandbox/2.1"
    timeout = _CONNECTION_TIMEOUT_S
    # The headers and the body go out in two writes; with Nagle's algorithm the second
    # waits for the client's delayed ACK, adding 40 ms to every call on a reused connection.
    disable_nagle_algorithm = True
    server: _HTTPServer

    _ALLOWED: ClassVar[str] = "GET, POST"

    # ----------------------------------------------------------------- connection bookkeeping

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        # The client may have vanished while we flushed; nothing is left to tell it.
        with contextlib.suppress(OSError):
            super().finish()

    def version_string(self) -> str:
        return self.server_version

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: every request gets its own one-line summary from `_log_line`."""

    def log_error(self, format: str, *args: Any) -> None:
        _log.info("%s: %s", self.address_string(), _printable(format % args, 300))

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s: %s", self.address_string(), _printable(format % args, 300))

    # ----------------------------------------------------------------- plumbing

    def _log_line(self, what: str, account: str, status: int, started: float) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        _log.info("%s account=%s status=%d %.1f ms", what, account, status, elapsed_ms)

    def _log_aborted(self, why: str, started: float) -> None:
        """One line for a POST that ended before its body arrived; nothing is answered."""
        self.close_connection = True
        elapsed_ms = (time.monotonic() - started) * 1000
        _log.info("POST aborted: %s, %.1f ms", why, elapsed_ms)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        close: bool = False,
        extra: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError as exc:
            _log.info("%s: client went away before the answer: %s", self.address_string(), exc)
            self.close_connection = True

    def _linger_and_close(self) -> None:
        """Half-close, then drop what the client is still sending, so it can read our answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_LINGER_S)
            deadline = time.monotonic() + _LINGER_S
            dropped = 0
            while time.monotonic() < deadline and dropped < _LINGER_MAX_BYTES:
                chunk = self.connection.recv(64 * 1024)
                if not chunk:
                    break
                dropped += len(chunk)
        except OSError:
            pass

    def _refuse_post(self, status: int, message: str, started: float) -> None:
        """Answer a POST we will not read with a SOAP client fault, then close the connection."""
        self._send(status, soap.client_fault_envelope(message), XML_CONTENT_TYPE, close=True)
        self._linger_and_close()
        self._log_line(f"POST {_printable(self.path)}", "-", status, started)

    def _is_endpoint(self, path: str) -> bool:
        return path.rstrip("/") == ENDPOINT_PATH

    def _not_found(self, started: float, *, close: bool = False) -> None:
        sandbox = self.server.sandbox
        text = (
            f"Not found. The fax service endpoint is {sandbox.url}; "
            f"its WSDL is at {sandbox.wsdl_url}\n"
        ).encode()
        self._send(404, text, "text/plain; charset=utf-8", close=close)
        if close:
            self._linger_and_close()
        self._log_line(f"{self.command} {_printable(self.path)}", "-", 404, started)

    def _has_unread_body(self) -> bool:
        length = self.headers.get("Content-Length", "0").strip()
        return length != "0" or "Transfer-Encoding" in self.headers

    def _declared_length(self) -> int | None:
        """The Content-Length as a non-negative int; None when absent; -1 when invalid."""
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return None
        if len(set(values)) != 1 or not values[0].strip().isdigit():
            return -1
        return int(values[0].strip())

    # ----------------------------------------------------------------- methods

    def handle_expect_100(self) -> bool:
        length = self._declared_length()
        if length is not None and length > self.server.sandbox.max_body_bytes:
            started = time.monotonic()
            self._refuse_post(413, self._too_large_message(length), started)
            return False
        return bool(super().handle_expect_100())

    def _too_large_message(self, length: int) -> str:
        limit = self.server.sandbox.max_body_bytes
        return f"The request body is {length} bytes; this service accepts at most {limit} bytes."

    def do_GET(self) -> None:
        started = time.monotonic()
        parts = urlsplit(self.path)
        # A GET carrying a body leaves it unread, so its connection cannot be reused.
        close = self._has_unread_body()
        if self._is_endpoint(parts.path) and parts.query.lower() in ("wsdl", "wsdl="):
            self._send(200, self.server.sandbox.wsdl_document, XML_CONTENT_TYPE, close=close)
            if close:
                self._linger_and_close()
            self._log_line("GET ?wsdl", "-", 200, started)
            return
        self._not_found(started, close=close)

    def do_POST(self) -> None:
        started = time.monotonic()
        if not self._is_endpoint(urlsplit(self.path).path):
            # The body is left unread, so this connection cannot carry another request.
            self._not_found(started, close=True)
            return

        content_type = self.headers.get_content_type()
        if self.headers.get("Content-Type") is None or content_type not in SOAP_CONTENT_TYPES:
            given = self.headers.get("Content-Type") or "none"
            self._refuse_post(
                415,
                f"Unsupported Content-Type {_printable(given)!r}; "
                f"send SOAP 1.1 as text/xml; charset=utf-8.",
                started,
            )
            return

        if "Transfer-Encoding" in self.headers:
            self._refuse_post(
                411, "Chunked request bodies are not accepted; send a Content-Length.", started
            )
            return
        length = self._declared_length()
        if length is None:
            self._refuse_post(411, "A Content-Length header is required.", started)
            return
        if length < 0:
            self._refuse_post(400, "The Content-Length header is not a valid length.", started)
            return
        if length > self.server.sandbox.max_body_bytes:
            self._refuse_post(413, self._too_large_message(length), started)
            return

        try:
            data = self.rfile.read(length)
        except OSError as exc:
            self._log_aborted(f"reading the body failed ({exc})", started)
            return
        if len(data) < length:
            self._log_aborted(
                f"the client closed the connection after {len(data)} of {length} body bytes",
                started,
            )
            return

        outcome = self.server.sandbox.answer(data)
        if outcome.dropped is not None:
            self._drop(outcome, started)
            return
        # Logged before answering: a client that reads the log right after its answer
        # (a test, a support session) must find the line already there.
        self._log_line(outcome.operation, outcome.account, outcome.status, started)
        self._send(outcome.status, outcome.body, XML_CONTENT_TYPE)

    def _drop(self, outcome: SoapOutcome, started: float) -> None:
        """Close the connection without a word, as a network failure mid-call would."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        elapsed_ms = (time.monotonic() - started) * 1000
        _log.info(
            "%s account=%s dropped %s (injected) %.1f ms",
            outcome.operation,
            outcome.account,
            outcome.dropped,
            elapsed_ms,
        )

    def _method_not_allowed(self) -> None:
        started = time.monotonic()
        text = b"Method not allowed. Use POST for SOAP requests, GET ?wsdl for the WSDL.\n"
        self._send(
            405, text, "text/plain; charset=utf-8", close=True, extra={"Allow": self._ALLOWED}
        )
        self._linger_and_close()
        self._log_line(f"{self.command} {_printable(self.path)}", "-", 405, started)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _method_not_allowed


class SandboxServer:
    """An embedded Monopond-compatible SOAP server on a background thread.

    Bad input never stops it: each malformed, oversized, unauthenticated or
    unexpected request gets a fault or an HTTP error and the next one is served.

    `drop_connection`, when set, is asked about every authenticated request
    for a known operation and may have its connection closed unanswered,
    before or after the engine handles it: how a client's recovery from
    lost answers is tested.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        speed: float = 1.0,
        engine: SandboxEngine | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        accounts: AccountStore | None = None,
        drop_connection: DropRule | None = None,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.max_body_bytes = max_body_bytes
        self.accounts = accounts if accounts is not None else AccountStore()
        self.drop_connection = drop_connection
        self._arrivals: dict[str, int] = {}
        self._arrivals_lock = threading.Lock()
        self._engine = engine if engine is not None else SandboxEngine(speed=speed)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self.wsdl_document = b""

    # ----------------------------------------------------------------- public face

    @property
    def engine(self) -> SandboxEngine:
        return self._engine

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the sandbox server has not been started")
        port: int = self._httpd.server_address[1]
        return port

    @property
    def url(self) -> str:
        """The SOAP endpoint, e.g. http://127.0.0.1:8080/fax/soap/v2.1."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "[::1]"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{ENDPOINT_PATH}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    def start(self) -> None:
        """Bind, listen and serve on a background thread; returns once connections are accepted."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("a stopped sandbox server cannot be started again")
            if self._httpd is not None:
                raise RuntimeError("the sandbox server is already running")
            server_class = _HTTPServer6 if ":" in self.host else _HTTPServer
            self._httpd = server_class((self.host, self.requested_port), self)
            self.wsdl_document = _wsdl_with_address(wsdl_bytes(), self.url)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="faxgui-sandbox-server",
                daemon=True,
            )
            self._thread.start()
        _log.info("sandbox listening on %s", self.url)

    def stop(self) -> None:
        """Stop serving and release the port; open connections are closed. Safe to repeat."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if thread is not None:
            thread.join()
        _log.info("sandbox stopped")

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- SOAP processing

    def answer(self, data: bytes) -> SoapOutcome:
        """The full answer to one POSTed request body: parse, authenticate, validate, run."""
        try:
            return self._answer(data)
        except Exception:
            _log.exception("a request failed unexpectedly before reaching an operation")
            return SoapOutcome(500, soap.service_fault_envelope(_internal_fault()), _NOT_SOAP, "-")

    def _answer(self, data: bytes) -> SoapOutcome:
        try:
            request = soap.parse_request(data)
        except soap.SoapClientError as exc:
            fault_body = soap.client_fault_envelope(exc.message, code=exc.code)
            return SoapOutcome(500, fault_body, _NOT_SOAP, "-")

        qname = etree.QName(request.body)
        operation = OPERATIONS.get(qname.localname, "?" + _printable(qname.localname, 60))
        token = request.token
        if token is None:
            return SoapOutcome(500, soap.auth_fault_envelope(), operation, "-")
        account = self.accounts.authenticate(token.username, token.password)
        if account is None:
            rejected = f"{_printable(token.username, 60)!r}(rejected)"
            return SoapOutcome(500, soap.auth_fault_envelope(), operation, rejected)
        name = account.username

        if qname.namespace != NS or qname.localname not in OPERATIONS:
            where = f" in namespace {qname.namespace!r}" if qname.namespace != NS else ""
            message = (
                f"Unknown operation: no request element {qname.localname!r}{where}. "
                f"This service accepts {', '.join(OPERATIONS)} in namespace {NS}."
            )
            return SoapOutcome(500, soap.client_fault_envelope(message), operation, name)

        drop = self._drop_point(operation)
        if drop is DropPoint.BEFORE_ACCEPT:
            return SoapOutcome(0, b"", operation, name, dropped=drop)
        try:
            errors = validate_body(request.body)
            if errors:
                raise InvalidArgumentsFault(_schema_message(errors))
            payload = self._dispatch(name, request.body)
        except ServiceFault as fault:
            outcome = SoapOutcome(500, soap.service_fault_envelope(fault), operation, name)
        except Exception:
            _log.exception("%s for account %s failed unexpectedly", operation, name)
            outcome = SoapOutcome(
                500, soap.service_fault_envelope(_internal_fault()), operation, name
            )
        else:
            outcome = SoapOutcome(200, soap.response_envelope(payload), operation, name)
        if drop is DropPoint.AFTER_ACCEPT:
            return SoapOutcome(0, b"", operation, name, dropped=drop)
        return outcome

    def _drop_point(self, operation: str) -> DropPoint | None:
        rule = self.drop_connection
        if rule is None:
            return None
        with self._arrivals_lock:
            count = self._arrivals[operation] = self._arrivals.get(operation, 0) + 1
        return rule(operation, count)

    def _dispatch(self, account: str, body: etree._Element) -> etree._Element:
        engine = self._engine
        request = request_from_element(body)
        match request:
            case SendFaxRequest():
                return status_response_to_element(
                    engine.send_fax(account, request), "SendFaxResponse"
                )
            case FaxStatusRequest():
                return status_response_to_element(
                    engine.fax_status(account, request), "FaxStatusResponse"
                )
            case PauseFaxRequest():
                return status_response_to_element(
                    engine.pause_fax(account, request),
                    "PauseFaxResponse",
                    include_totals=False,
                )
            case ResumeFaxRequest():
                return status_response_to_element(
                    engine.resume_fax(account, request),
                    "ResumeFaxResponse",
                    include_totals=False,
                )
            case StopFaxRequest():
                return status_response_to_element(
                    engine.stop_fax(account, request),
                    "StopFaxResponse",
                    include_totals=False,
                )
            case SaveFaxDocumentRequest():
                engine.save_fax_document(account, request)
                return empty_response_element("SaveFaxDocumentResponse")
            case DeleteFaxDocumentRequest():
                engine.delete_fax_document(account, request)
                return empty_response_element("DeleteFaxDocumentResponse")
            case FaxDocumentPreviewRequest():
                return preview_response_to_element(engine.fax_document_preview(account, request))
            case _:
                assert_never(request)
