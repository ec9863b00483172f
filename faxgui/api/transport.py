"""HTTP for the Monopond client: one POST per call, verified TLS, typed network errors.

Each thread gets its own `requests.Session` (sessions are not documented as
thread-safe) while all of them share one connection pool, so the status poller
and a large upload can run side by side without a lock. Nothing is ever
retried here: a SendFax that might have reached the service must not be sent
twice behind the user's back.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

import faxgui
from faxgui.api.errors import (
    ConnectionFailedError,
    NotConnectedError,
    ServiceTimeoutError,
    TLSError,
    TransportError,
)

_HEADERS = {
    "Content-Type": "text/xml; charset=utf-8",
    # SOAP 1.1 wants the header present; the WSDL's soapAction is empty.
    "SOAPAction": '""',
    "Accept": "text/xml",
    "User-Agent": f"faxgui/{faxgui.__version__}",
}


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """What came back from one POST: HTTP status, the raw body and how long it took."""

    status: int
    content: bytes
    content_type: str
    seconds: float


class HttpTransport:
    """POSTs SOAP envelopes to one endpoint.

    `trust_env` lets sessions pick up the system's proxy and CA-bundle settings;
    it is turned off for loopback endpoints, which must never go through a proxy.
    """

    def __init__(self, endpoint: str, *, timeout: float, trust_env: bool = True) -> None:
        self._endpoint = endpoint
        self._timeout = timeout
        self._trust_env = trust_env
        # max_retries=0: never resend a request (see the module docstring).
        self._adapter = HTTPAdapter(pool_connections=1, pool_maxsize=8, max_retries=0)
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = self._trust_env
            session.mount("https://", self._adapter)
            session.mount("http://", self._adapter)
            self._local.session = session
        return session

    def post(self, body: bytes) -> HttpAnswer:
        """Send `body` and read the whole answer, or raise a `TransportError` subclass."""
        started = time.perf_counter()
        try:
            response = self._session().post(
                self._endpoint,
                data=body,
                headers=_HEADERS,
                timeout=self._timeout,
                # Certificates are always checked; redirects are not followed, since
                # following one would resend the password to another address.
                verify=True,
                allow_redirects=False,
            )
            content = response.content
        except requests.exceptions.RequestException as exc:
            raise self._translate(exc) from exc
        return HttpAnswer(
            status=response.status_code,
            content=content,
            content_type=response.headers.get("Content-Type", ""),
            seconds=time.perf_counter() - started,
        )

    def _translate(self, exc: requests.exceptions.RequestException) -> TransportError:
        where = f"POST {self._endpoint}"
        if isinstance(exc, requests.exceptions.SSLError):
            return TLSError(f"{where}: {_reason(exc)}")
        if _never_connected(exc):
            return NotConnectedError(f"{where}: {_reason(exc)}")
        if isinstance(exc, requests.exceptions.Timeout) or _is_read_timeout(exc):
            return ServiceTimeoutError(
                f"{where}: no answer within {self._timeout:g} s ({_reason(exc)})"
            )
        return ConnectionFailedError(f"{where}: {_reason(exc)}")

    def close(self) -> None:
        """Close every pooled connection; a later call opens new ones."""
        self._adapter.close()


def _never_connected(exc: requests.exceptions.RequestException) -> bool:
    # The pipeline relies on this to know a SendFax certainly did not arrive, so only
    # failures that happen before a connection exists count: refused, unknown host,
    # no connection within the timeout. requests wraps urllib3's reason in MaxRetryError.
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _is_read_timeout(exc: requests.exceptions.RequestException) -> bool:
    # A stall after the headers arrived surfaces as ConnectionError(ReadTimeoutError).
    return bool(exc.args) and isinstance(exc.args[0], ReadTimeoutError)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
