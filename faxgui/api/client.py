"""MonopondClient: the one way faxgui talks to Monopond Fax API v2.1 (or the sandbox).

zeep builds every request from the bundled WSDL and reads every SOAP fault;
status-shaped answers and previews are read by `faxgui.api.wire`'s lxml path,
which is an order of magnitude faster than zeep's generic parser on large
answers. File contents travel as placeholder tokens through zeep and are
spliced in as base64 afterwards, so a 5 MB document is encoded exactly once
and never walked by zeep's serialiser.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import zeep
import zeep.exceptions
import zeep.wsdl
from lxml import etree
from zeep.wsse.username import UsernameToken

from faxgui.api import wire, wsdl
from faxgui.api.errors import (
    AuthenticationError,
    HTTPStatusError,
    InsecureEndpointError,
    MalformedResponseError,
    MonopondError,
    ServiceFault,
    fault_from_name,
)
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    FaxStatusRequest,
    FaxStatusResponse,
    PauseFaxRequest,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StopFaxRequest,
)
from faxgui.api.redact import PASSWORD_MASK, redact_envelope
from faxgui.api.transport import HttpAnswer, HttpTransport

__all__ = ["MonopondClient", "SoapCodec", "validate_endpoint"]

wire_log = logging.getLogger("faxgui.api.wire")

BINDING = f"{{{wire.NS}}}ApiServiceSoapBinding"

_ENVELOPE = f"{{{wire.SOAP_ENV_NS}}}Envelope"
_BODY = f"{{{wire.SOAP_ENV_NS}}}Body"
_FAULT = f"{{{wire.SOAP_ENV_NS}}}Fault"
_HEADER = f"{{{wire.SOAP_ENV_NS}}}Header"
_SECURITY = f"{{{wire.WSSE_NS}}}Security"
_MUST_UNDERSTAND = f"{{{wire.SOAP_ENV_NS}}}mustUnderstand"

_LOOPBACK_NAMES = frozenset({"localhost"})

_T = TypeVar("_T")

# zeep ships partial type hints; its entry points are used as untyped callables.
_ZeepClient: Any = zeep.Client
_ZeepTransport: Any = zeep.Transport
_ZeepDocument: Any = zeep.wsdl.Document
_UsernameToken: Any = UsernameToken

# Everything zeep reads is the bundled WSDL: no DTDs, no imports fetched from anywhere.
_ZEEP_SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_external=True)


# --------------------------------------------------------------------------- endpoints


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: addresses that never leave this computer."""
    host = host.lower().rstrip(".")
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint(endpoint: str) -> str:
    """The endpoint, checked: https, or plain http only to this computer.

    Raises InsecureEndpointError for anything else, because the account
    password travels in every request.
    """
    endpoint = endpoint.strip()
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise _bad_endpoint(endpoint, str(exc)) from None
    if parts.scheme not in ("http", "https") or not host:
        raise _bad_endpoint(endpoint, "not an http(s) address with a host name")
    if parts.username is not None or parts.password is not None:
        raise _bad_endpoint(endpoint, "credentials in the address")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InsecureEndpointError(f"{endpoint}: plain http to a host that is not loopback")
    return endpoint


def _bad_endpoint(endpoint: str, why: str) -> InsecureEndpointError:
    # Never echo an address that carries credentials.
    shown = "(address hidden)" if "@" in endpoint else endpoint
    return InsecureEndpointError(
        f"{shown}: {why}",
        user_message=(
            "This is not a valid fax service address. Enter the https:// address of the "
            "fax service, for example https://api.monopond.com/fax/soap/v2.1"
        ),
    )


# --------------------------------------------------------------------------- SOAP


@functools.cache
def _zeep_transport() -> Any:
    # zeep only uses it to read the bundled file; requests are POSTed by HttpTransport.
    return _ZeepTransport()


@functools.cache
def _wsdl_document() -> Any:
    """The parsed bundled WSDL, shared by every client: zeep never changes it after loading."""
    return _ZeepDocument(str(wsdl.wsdl_path()), _zeep_transport(), settings=_ZEEP_SETTINGS)


def _xml_parser() -> Any:
    # huge_tree: a preview's base64 TIFF can exceed libxml2's 10 MB text limit. Entities
    # are never resolved and nothing is fetched, so the lifted limits are safe.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class SoapCodec:
    """Turns request dataclasses into envelope bytes and answer bytes into body elements.

    Holds no credentials: they are passed to each `encode` call. Safe to share
    between threads (zeep's WSDL objects are read-only once loaded).
    """

    def __init__(self, endpoint: str) -> None:
        self._zeep: Any = _ZeepClient(
            _wsdl_document(), transport=_zeep_transport(), settings=_ZEEP_SETTINGS
        )
        # Bound explicitly: the WSDL's own soap:address is never used.
        self._service: Any = self._zeep.create_service(BINDING, endpoint)
        self._binding: Any = self._zeep.wsdl.bindings[BINDING]

    # ------------------------------------------------------------------ out

    def encode(self, request: wire.Request, username: str, password: str) -> tuple[str, bytes]:
        """The operation name and the exact UTF-8 envelope to POST for `request`."""
        operation = wire.operation_for(request)
        arguments = wire.request_to_wire(request)
        try:
            envelope = self._zeep.create_message(self._service, operation, **arguments)
        except (zeep.exceptions.ValidationError, TypeError) as exc:
            raise MonopondError(
                f"{operation}: {exc}",
                user_message=(
                    "This fax is missing something the fax service requires, so it was not "
                    "sent. Check every field and try again."
                ),
            ) from None
        _UsernameToken(username, password).apply(envelope, {})
        security = envelope.find(f"{_HEADER}/{_SECURITY}")
        security.set(_MUST_UNDERSTAND, "1")
        xml: bytes = etree.tostring(envelope, encoding="utf-8", xml_declaration=True)
        payloads: dict[str, wire.Base64Payload] = {
            str(payload): payload for payload in wire.iter_payloads(arguments)
        }
        if payloads:
            xml = _splice(xml, payloads)
        return operation, xml

    # ------------------------------------------------------------------ in

    def decode(self, operation: str, answer: HttpAnswer) -> Any:
        """The answer element inside the SOAP body (e.g. FaxStatusResponse).

        Raises AuthenticationError, a ServiceFault subclass, HTTPStatusError or
        MalformedResponseError as the answer deserves.
        """
        status = answer.status
        if status in (401, 403):
            raise AuthenticationError(f"HTTP {status}")
        failed = status >= 300
        if not answer.content.strip():
            if failed:
                raise HTTPStatusError(status, f"HTTP {status} with an empty body")
            raise MalformedResponseError(f"HTTP {status} with an empty body")
        try:
            root = etree.fromstring(answer.content, _xml_parser())
        except etree.XMLSyntaxError as exc:
            raise _not_soap(status, f"not XML ({answer.content_type or 'no type'}): {exc}") from exc
        body = root.find(_BODY) if root.tag == _ENVELOPE else None
        if body is None:
            raise _not_soap(status, f"the root element is {_local(root.tag)}, not a SOAP Envelope")
        element = next((child for child in body if isinstance(child.tag, str)), None)
        if element is None:
            raise _not_soap(status, "the SOAP Body is empty")
        if element.tag == _FAULT:
            raise self._fault(root, operation, status)
        if failed:
            raise HTTPStatusError(status, f"HTTP {status} with a {_local(element.tag)} answer")
        expected = wire.OPERATIONS[operation][1]
        if element.tag != f"{{{wire.NS}}}{expected}":
            raise MalformedResponseError(
                f"{operation} was answered with {element.tag}, not {expected}"
            )
        return element

    def read_status(self, operation: str, answer: HttpAnswer) -> FaxStatusResponse:
        """A SendFax, FaxStatus, PauseFax, ResumeFax or StopFax answer, read by `wire`.

        A proper answer is read in one streaming pass; anything else (a fault, an
        error page) is read as a tree by `decode`, which raises what it deserves.
        """
        if answer.status == 200:
            with contextlib.suppress(wire.NotAStatusAnswer, etree.XMLSyntaxError):
                return wire.parse_status_answer(answer.content, wire.OPERATIONS[operation][1])
        return wire.parse_status_response(self.decode(operation, answer))

    def read_preview(self, operation: str, answer: HttpAnswer) -> FaxDocumentPreviewResponse:
        return wire.parse_preview_response(self.decode(operation, answer))

    def read_empty(self, operation: str, answer: HttpAnswer) -> None:
        """SaveFaxDocument and DeleteFaxDocument answer with an empty element."""
        self.decode(operation, answer)

    def _fault(self, root: Any, operation: str, status: int) -> MonopondError:
        try:
            self._binding.process_error(root, self._binding.get(operation))
        except zeep.exceptions.Fault as fault:
            return _map_fault(fault, status)
        raise AssertionError("zeep's process_error always raises")


def _splice(xml: bytes, payloads: Mapping[str, wire.Base64Payload]) -> bytes:
    """Replace each payload's token in `xml` with its base64 text (which needs no escaping)."""
    pattern = re.compile(b"|".join(re.escape(token.encode("ascii")) for token in payloads))
    parts: list[bytes] = []
    seen: set[str] = set()
    position = 0
    for match in pattern.finditer(xml):
        token = match.group().decode("ascii")
        if token in seen:
            raise RuntimeError(f"payload token {token} appears twice in the envelope")
        seen.add(token)
        parts += (xml[position : match.start()], payloads[token].encoded())
        position = match.end()
    if len(seen) != len(payloads):
        # zeep dropped a FileData: sending would silently lose a document.
        raise RuntimeError(f"{len(payloads) - len(seen)} file payload(s) missing from envelope")
    parts.append(xml[position:])
    return b"".join(parts)


def _map_fault(fault: zeep.exceptions.Fault, status: int) -> MonopondError:
    code = fault.code or ""
    code_name = code.rpartition(":")[2]
    faultstring = fault.message or ""
    if code_name in wire.AUTH_FAULT_CODES:
        return AuthenticationError(f"{code}: {faultstring}")
    detail = fault.detail
    typed = None
    if detail is not None:
        typed = next((child for child in detail if isinstance(child.tag, str)), None)
    if typed is None:
        return ServiceFault(faultstring or f"HTTP {status} fault {code}".strip())
    message = typed.findtext("message")
    return fault_from_name(_local(typed.tag), message or faultstring)


def _not_soap(status: int, detail: str) -> MonopondError:
    if status >= 300:
        return HTTPStatusError(status, f"HTTP {status}, {detail}")
    return MalformedResponseError(detail)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# --------------------------------------------------------------------------- client


class _Secret:
    """A string that never shows itself in a repr, a traceback's locals or a debugger."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return repr(PASSWORD_MASK)


class MonopondClient:
    """A Monopond Fax API v2.1 client bound to one endpoint and account.

    Every method blocks until the answer arrives (call them from a worker
    thread) and raises a `faxgui.api.errors.MonopondError` subclass on failure.
    One client may be used from several threads at once.
    """

    def __init__(
        self, endpoint: str, username: str, password: str, *, timeout: float = 30.0
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._endpoint = validate_endpoint(endpoint)
        self._username = username
        self._password = _Secret(password)
        self._timeout = timeout
        host = urlsplit(self._endpoint).hostname or ""
        self._codec = SoapCodec(self._endpoint)
        self._transport = HttpTransport(
            self._endpoint, timeout=timeout, trust_env=not is_loopback_host(host)
        )

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def username(self) -> str:
        return self._username

    @property
    def timeout(self) -> float:
        return self._timeout

    def __repr__(self) -> str:
        return (
            f"MonopondClient(endpoint={self._endpoint!r}, username={self._username!r}, "
            f"timeout={self._timeout:g})"
        )

    def close(self) -> None:
        """Close pooled connections (the client stays usable)."""
        self._transport.close()

    def __enter__(self) -> MonopondClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ operations

    def send_fax(self, request: SendFaxRequest) -> FaxStatusResponse:
        """Queue faxes; the answer lists each message with its first status."""
        return self._call(request, self._codec.read_status)

    def fax_status(self, request: FaxStatusRequest) -> FaxStatusResponse:
        return self._call(request, self._codec.read_status)

    def pause_fax(self, request: PauseFaxRequest) -> FaxStatusResponse:
        return self._call(request, self._codec.read_status)

    def resume_fax(self, request: ResumeFaxRequest) -> FaxStatusResponse:
        return self._call(request, self._codec.read_status)

    def stop_fax(self, request: StopFaxRequest) -> FaxStatusResponse:
        return self._call(request, self._codec.read_status)

    def save_fax_document(self, request: SaveFaxDocumentRequest) -> None:
        """Upload a document to reuse by DocumentRef for 30 days."""
        self._call(request, self._codec.read_empty)

    def delete_fax_document(self, request: DeleteFaxDocumentRequest) -> None:
        self._call(request, self._codec.read_empty)

    def fax_document_preview(
        self, request: FaxDocumentPreviewRequest
    ) -> FaxDocumentPreviewResponse:
        """Render a saved document as the fax machine will print it (a multi-page TIFF)."""
        return self._call(request, self._codec.read_preview)

    # ------------------------------------------------------------------ plumbing

    def _call(self, request: wire.Request, read: Callable[[str, HttpAnswer], _T]) -> _T:
        password = self._password.reveal()
        operation, body = self._codec.encode(request, self._username, password)
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug(
                "%s request to %s:\n%s",
                operation,
                self._endpoint,
                redact_envelope(body, secrets=(password,)),
            )
        try:
            answer = self._transport.post(body)
            if wire_log.isEnabledFor(logging.DEBUG):
                wire_log.debug(
                    "%s answer: HTTP %d, %d bytes in %.0f ms:\n%s",
                    operation,
                    answer.status,
                    len(answer.content),
                    answer.seconds * 1000,
                    redact_envelope(answer.content, secrets=(password,)),
                )
            return read(operation, answer)
        except MonopondError as exc:
            _scrub(exc, password)
            raise


def _scrub(exc: MonopondError, password: str) -> None:
    """Mask the password in `exc`, should a server ever echo it back."""
    if not password:
        return
    if isinstance(exc, ServiceFault) and password in exc.server_message:
        exc.server_message = exc.server_message.replace(password, PASSWORD_MASK)
    if password in exc.detail:
        exc.detail = exc.detail.replace(password, PASSWORD_MASK)
    exc.args = tuple(
        arg.replace(password, PASSWORD_MASK) if isinstance(arg, str) else arg for arg in exc.args
    )
