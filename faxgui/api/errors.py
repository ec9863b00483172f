"""Typed errors of the Monopond client, each with a sentence a receptionist can act on.

Two families: `ServiceFault` for a SOAP fault the WSDL declares (one class per
fault, carrying the server's own message), and `TransportError` for everything
that stops a request from getting a proper answer (credentials, timeout, no
connection, TLS, an answer that is not SOAP). No message here ever contains
the account password.
"""

from __future__ import annotations


class MonopondError(Exception):
    """Base class: `user_message` says what happened and what to do; `detail` is for support."""

    user_message: str = "The fax service could not complete the request. Try again."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        if user_message is not None:
            self.user_message = user_message
        self.detail = detail
        super().__init__(self.user_message if not detail else f"{self.user_message} ({detail})")


# --------------------------------------------------------------------------- configuration


class InsecureEndpointError(MonopondError, ValueError):
    """A plain-http endpoint that is not on this computer: the password would travel in clear."""

    user_message = (
        "This service address is not secure (it starts with http://). "
        "Use the https:// address of the fax service."
    )


# --------------------------------------------------------------------------- transport


class TransportError(MonopondError):
    """The request did not get a proper answer from the service."""


class AuthenticationError(TransportError):
    """The service refused the user name or password."""

    user_message = (
        "The fax service did not accept the user name or password. "
        "Check them in Settings (they are case-sensitive)."
    )


class ServiceTimeoutError(TransportError):
    """The service did not answer in time."""

    user_message = (
        "The fax service took too long to answer. Check the internet connection and try again; "
        "if you were sending, look in the status panel before sending again."
    )


class ConnectionFailedError(TransportError):
    """No connection: the name did not resolve, the connection was refused, or it dropped."""

    user_message = (
        "Could not reach the fax service. Check the internet connection and the service "
        "address in Settings, then try again."
    )


class NotConnectedError(ConnectionFailedError):
    """The connection could not even be opened (refused, unknown host, connect timeout).

    Unlike a connection that dropped mid-call, this proves nothing was sent.
    """


class TLSError(TransportError):
    """The service's certificate could not be verified."""

    user_message = (
        "The fax service's security certificate could not be verified, so nothing was sent. "
        "Check the service address in Settings; if it is right, ask your IT support to check "
        "the network (a proxy may be interfering)."
    )


class MalformedResponseError(TransportError):
    """The answer was not a SOAP message we understand (a proxy's page, an empty body...)."""

    user_message = (
        "The fax service sent an answer this program cannot read. A proxy or firewall may be "
        "in the way, or the service address may be wrong. Check it in Settings."
    )


class HTTPStatusError(TransportError):
    """The service answered with an HTTP error and no SOAP fault."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        super().__init__(
            detail or f"HTTP {status}",
            user_message=(
                f"The fax service answered with an error (HTTP {status}). "
                "Try again in a few minutes; if it persists, contact support."
            ),
        )


# --------------------------------------------------------------------------- service faults


class ServiceFault(MonopondError):
    """A SOAP fault from the service. `fault_name` is the WSDL's element name."""

    fault_name: str = ""

    def __init__(self, server_message: str = "", *, fault_name: str | None = None) -> None:
        if fault_name is not None:
            self.fault_name = fault_name
        self.server_message = server_message
        super().__init__(server_message)


class InvalidArgumentsFault(ServiceFault):
    fault_name = "InvalidArgumentsException"
    user_message = "The fax service rejected part of the request. Correct the field it names."


class NoMessagesFoundFault(ServiceFault):
    fault_name = "NoMessagesFoundException"
    user_message = "The fax service has no faxes with that reference. Check the reference."


class InternalServerFault(ServiceFault):
    fault_name = "InternalServerException"
    user_message = (
        "The fax service had an internal problem. Try again in a few minutes; "
        "if it persists, contact support."
    )


class DocumentRefAlreadyExistsFault(ServiceFault):
    fault_name = "DocumentRefAlreadyExistsException"
    user_message = (
        "A saved document already uses that document reference. Choose another reference, "
        "or use the saved document."
    )


class DocumentRefDoesNotExistFault(ServiceFault):
    fault_name = "DocumentRefDoesNotExistException"
    user_message = (
        "The fax service has no saved document with that reference (saved documents are kept "
        "for 30 days). Attach the file again."
    )


class DocumentContentTypeNotFoundFault(ServiceFault):
    fault_name = "DocumentContentTypeNotFoundException"
    user_message = (
        "The fax service cannot tell what kind of file this is. Make sure the file name ends "
        "in a supported type such as .pdf, .tif, .docx or .txt."
    )


class MergeFieldDoesNotMatchDocumentTypeFault(ServiceFault):
    fault_name = "MergeFieldDoesNotMatchDocumentTypeException"
    user_message = (
        "Merge fields only work with Microsoft Word documents. Remove the merge fields or "
        "attach a Word document."
    )


class UnsupportedDocumentContentTypeFault(ServiceFault):
    fault_name = "UnsupportedDocumentContentType"
    user_message = "The fax service cannot convert this kind of document. Save it as PDF."


class UnknownHostFault(ServiceFault):
    fault_name = "UnknownHostException"
    user_message = (
        "The fax service could not reach one of its own servers while rendering. "
        "Try again in a few minutes."
    )


class InterruptedFault(ServiceFault):
    fault_name = "InterruptedException"
    user_message = "The fax service was interrupted while working. Try again."


FAULTS_BY_NAME: dict[str, type[ServiceFault]] = {
    cls.fault_name: cls
    for cls in (
        InvalidArgumentsFault,
        NoMessagesFoundFault,
        InternalServerFault,
        DocumentRefAlreadyExistsFault,
        DocumentRefDoesNotExistFault,
        DocumentContentTypeNotFoundFault,
        MergeFieldDoesNotMatchDocumentTypeFault,
        UnsupportedDocumentContentTypeFault,
        UnknownHostFault,
        InterruptedFault,
    )
}


def fault_from_name(name: str, server_message: str) -> ServiceFault:
    """The typed exception for a fault element name; unknown names give a plain ServiceFault."""
    cls = FAULTS_BY_NAME.get(name)
    if cls is None:
        return ServiceFault(server_message, fault_name=name)
    return cls(server_message)
