"""SOAP 1.1 envelopes for the sandbox: safe request parsing, answers, and every kind of fault."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from faxgui.api.errors import InvalidArgumentsFault, ServiceFault
from faxgui.api.wire import AUTH_FAULT_CODE, AUTH_FAULT_STRING, NS, SOAP_ENV_NS, WSSE_NS

SOAP12_ENV_NS = "http://www.w3.org/2003/05/soap-envelope"
PASSWORD_TEXT_SUFFIX = "#PasswordText"

# These three faults' schema types are empty sequences: their detail element has no <message>.
ELEMENT_ONLY_FAULTS = frozenset(
    {"UnsupportedDocumentContentType", "UnknownHostException", "InterruptedException"}
)

# A SOAP message must not carry a DTD, so nothing here ever needs entities, DTDs or the
# network; huge_tree lifts libxml2's 10 MB text-node cap, which a large FileData exceeds.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)

# The first element start tag ends the prolog, where a DOCTYPE would have to be.
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOCTYPE_MESSAGE = "A SOAP message must not contain a document type declaration (DOCTYPE)."

_ENVELOPE = f"{{{SOAP_ENV_NS}}}Envelope"
_HEADER = f"{{{SOAP_ENV_NS}}}Header"
_BODY = f"{{{SOAP_ENV_NS}}}Body"
_FAULT = f"{{{SOAP_ENV_NS}}}Fault"
_MUST_UNDERSTAND = f"{{{SOAP_ENV_NS}}}mustUnderstand"
_SECURITY = f"{{{WSSE_NS}}}Security"
_USERNAME_TOKEN = f"{{{WSSE_NS}}}UsernameToken"
_USERNAME = f"{{{WSSE_NS}}}Username"
_PASSWORD = f"{{{WSSE_NS}}}Password"


class SoapClientError(Exception):
    """A request that is not a SOAP 1.1 message this service can act on.

    `code` is the local part of the SOAP 1.1 faultcode to answer with: Client,
    VersionMismatch or MustUnderstand.
    """

    def __init__(self, message: str, *, code: str = "Client") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class UsernameToken:
    """The credentials of a WS-Security UsernameToken with a plain-text password."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SoapRequest:
    """A parsed request: its one body element and its credentials (None if absent or unusable)."""

    body: etree._Element
    token: UsernameToken | None


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def _read_token(security: etree._Element) -> UsernameToken | None:
    token = security.find(_USERNAME_TOKEN)
    if token is None:
        return None
    username = token.find(_USERNAME)
    password = token.find(_PASSWORD)
    if username is None or password is None:
        return None
    password_type = password.get("Type")
    # A digest cannot be checked against a stored plain password here: treat it as a failure.
    if password_type is not None and not password_type.endswith(PASSWORD_TEXT_SUFFIX):
        return None
    return UsernameToken(username.text or "", password.text or "")


def parse_request(data: bytes) -> SoapRequest:
    """Parse a request envelope, or raise SoapClientError saying what is wrong with it."""
    if not data.strip():
        raise SoapClientError("The request body is empty; expected a SOAP 1.1 envelope.")
    # Refused before libxml2 reads the DTD at all; the check after parsing catches the
    # encodings this byte scan cannot see (UTF-16 and the like).
    first_element = _FIRST_ELEMENT.search(data)
    if b"<!DOCTYPE" in (data[: first_element.start()] if first_element else data):
        raise SoapClientError(_DOCTYPE_MESSAGE)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapClientError(f"The request is not well-formed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise SoapClientError(_DOCTYPE_MESSAGE)
    qname = etree.QName(root)
    if qname.localname == "Envelope" and qname.namespace == SOAP12_ENV_NS:
        raise SoapClientError(
            f"This service speaks SOAP 1.1; the envelope uses the SOAP 1.2 namespace. "
            f"Use {SOAP_ENV_NS}.",
            code="VersionMismatch",
        )
    if qname.localname == "Envelope" and qname.namespace != SOAP_ENV_NS:
        raise SoapClientError(
            f"The envelope is in namespace {qname.namespace or '(none)'}; "
            f"SOAP 1.1 requires {SOAP_ENV_NS}.",
            code="VersionMismatch",
        )
    if root.tag != _ENVELOPE:
        raise SoapClientError(
            f"The request is not a SOAP envelope: its root element is {qname.localname!r}."
        )

    children = _elements(root)
    header = children[0] if children and children[0].tag == _HEADER else None
    bodies = [child for child in children if child.tag == _BODY]
    if len(bodies) != 1:
        raise SoapClientError("The SOAP envelope must contain exactly one Body.")
    payload = _elements(bodies[0])
    if len(payload) != 1:
        raise SoapClientError(
            f"The SOAP Body holds {len(payload)} elements; expected exactly one request element."
        )

    token: UsernameToken | None = None
    for entry in _elements(header) if header is not None else []:
        if entry.tag == _SECURITY:
            if token is None:
                token = _read_token(entry)
        elif entry.get(_MUST_UNDERSTAND) in ("1", "true"):
            raise SoapClientError(
                f"The header {etree.QName(entry).text} is marked mustUnderstand, "
                f"and this service does not understand it.",
                code="MustUnderstand",
            )
    return SoapRequest(body=payload[0], token=token)


def _xml_text(text: str) -> str:
    # A message may quote what the client sent; characters XML cannot carry would make
    # lxml refuse to build the fault at all.
    return _NOT_XML_CHARS.sub("\ufffd", text)


def _serialise(envelope: etree._Element) -> bytes:
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def _envelope(extra_ns: dict[str, str] | None = None) -> tuple[etree._Element, etree._Element]:
    nsmap = {"soap": SOAP_ENV_NS, **(extra_ns or {})}
    envelope = etree.Element(_ENVELOPE, nsmap=nsmap)
    body = etree.SubElement(envelope, _BODY)
    return envelope, body


def response_envelope(payload: etree._Element) -> bytes:
    """A SOAP 1.1 envelope around one response element (built by faxgui.api.wire)."""
    envelope, body = _envelope()
    body.append(payload)
    return _serialise(envelope)


def _fault(
    code: str,
    faultstring: str,
    *,
    detail: etree._Element | None = None,
    extra_ns: dict[str, str] | None = None,
) -> bytes:
    envelope, body = _envelope(extra_ns)
    fault = etree.SubElement(body, _FAULT)
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = _xml_text(faultstring)
    if detail is not None:
        etree.SubElement(fault, "detail").append(detail)
    return _serialise(envelope)


def service_fault_envelope(fault: ServiceFault) -> bytes:
    """A declared fault: typed detail element in the service namespace, message inside it.

    InvalidArguments is the caller's mistake (soap:Client); every other declared
    fault is the service's (soap:Server).
    """
    name = fault.fault_name or "InternalServerException"
    message = fault.server_message or name
    detail = etree.Element(f"{{{NS}}}{name}", nsmap={"ns2": NS})
    if name not in ELEMENT_ONLY_FAULTS:
        etree.SubElement(detail, "message").text = _xml_text(message)
    code = "soap:Client" if isinstance(fault, InvalidArgumentsFault) else "soap:Server"
    return _fault(code, message, detail=detail)


def auth_fault_envelope() -> bytes:
    """The WS-Security answer to missing or wrong credentials: no detail, nothing to learn."""
    return _fault(f"wsse:{AUTH_FAULT_CODE}", AUTH_FAULT_STRING, extra_ns={"wsse": WSSE_NS})


def client_fault_envelope(message: str, *, code: str = "Client") -> bytes:
    """A fault for a request that never reached an operation (bad XML, not SOAP, ...)."""
    return _fault(f"soap:{code}", message)
