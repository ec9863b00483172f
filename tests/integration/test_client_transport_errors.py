"""What the user is told when the network or the server misbehaves: each failure, its own error."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from typing import Any

import pytest

from faxgui.api import (
    AuthenticationError,
    ConnectionFailedError,
    FaxStatusRequest,
    HTTPStatusError,
    MalformedResponseError,
    MonopondClient,
    NoMessagesFoundFault,
    NotConnectedError,
    ServiceTimeoutError,
    TLSError,
)
from faxgui.sandbox.accounts import DEMO_USERNAME, RECEPTIONIST_PASSWORD, RECEPTIONIST_USERNAME
from faxgui.sandbox.server import SandboxServer

STATUS = FaxStatusRequest(send_ref="any")
WRONG = "Wr0ng-Pa55word!"
ENVELOPE_START = b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Bo'
PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in to Guest Wi-Fi</title></head>"
    b"<body><form><input name=room></form></body></html>"
)


@pytest.mark.parametrize(
    ("username", "password"),
    [(DEMO_USERNAME, WRONG), ("nobody", WRONG), (DEMO_USERNAME, ""), (RECEPTIONIST_USERNAME, "")],
)
def test_wrong_credentials_are_an_authentication_error(
    sandbox: SandboxServer, username: str, password: str
) -> None:
    client = MonopondClient(sandbox.url, username, password)
    with pytest.raises(AuthenticationError) as caught:
        client.fax_status(STATUS)
    assert "user name or password" in caught.value.user_message


def test_the_second_account_signs_in_with_its_own_password(sandbox: SandboxServer) -> None:
    client = MonopondClient(sandbox.url, RECEPTIONIST_USERNAME, RECEPTIONIST_PASSWORD)
    # Signed in: the service looked for the fax rather than refusing the credentials.
    with pytest.raises(NoMessagesFoundFault):
        client.fax_status(STATUS)


def test_a_connection_dropped_mid_answer_is_a_connection_failure(
    reply_server: Callable[..., Any],
) -> None:
    server = reply_server(body=ENVELOPE_START, declared_length=5000)
    with pytest.raises(ConnectionFailedError) as caught:
        MonopondClient(server.url(), DEMO_USERNAME, WRONG).fax_status(STATUS)
    assert "internet connection" in caught.value.user_message
    # The request went out: it may have arrived, which the send pipeline must assume.
    assert not isinstance(caught.value, NotConnectedError)


def test_a_connection_closed_without_an_answer_is_a_connection_failure(
    reply_server: Callable[..., Any],
) -> None:
    server = reply_server(answer=False)
    with pytest.raises(ConnectionFailedError) as caught:
        MonopondClient(server.url(), DEMO_USERNAME, WRONG).fax_status(STATUS)
    assert not isinstance(caught.value, NotConnectedError)


def test_a_refused_connection_is_a_connection_failure(closed_port: int) -> None:
    client = MonopondClient(f"http://127.0.0.1:{closed_port}/fax/soap/v2.1", "demo", WRONG)
    # Refused: no connection ever existed, so nothing can have arrived.
    with pytest.raises(NotConnectedError) as caught:
        client.fax_status(STATUS)
    assert str(closed_port) in caught.value.detail
    assert "internet connection" in caught.value.user_message


def test_a_server_that_never_answers_times_out(reply_server: Callable[..., Any]) -> None:
    server = reply_server(stall=True)
    client = MonopondClient(server.url(), DEMO_USERNAME, WRONG, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ServiceTimeoutError) as caught:
        client.fax_status(STATUS)
    assert time.monotonic() - started < 5
    assert "took too long" in caught.value.user_message


def test_a_server_that_stalls_mid_answer_times_out(reply_server: Callable[..., Any]) -> None:
    # Headers and half a body arrive, then nothing: requests calls this a connection error.
    server = reply_server(body=ENVELOPE_START, declared_length=5000, hang_up=False)
    client = MonopondClient(server.url(), DEMO_USERNAME, WRONG, timeout=0.3)
    with pytest.raises(ServiceTimeoutError):
        client.fax_status(STATUS)


def test_an_html_page_instead_of_soap_is_a_malformed_answer(
    reply_server: Callable[..., Any],
) -> None:
    server = reply_server(content_type="text/html", body=PROXY_PAGE)
    with pytest.raises(MalformedResponseError) as caught:
        MonopondClient(server.url(), DEMO_USERNAME, WRONG).fax_status(STATUS)
    assert "proxy" in caught.value.user_message


def test_an_empty_answer_is_a_malformed_answer(reply_server: Callable[..., Any]) -> None:
    server = reply_server(body=b"")
    with pytest.raises(MalformedResponseError):
        MonopondClient(server.url(), DEMO_USERNAME, WRONG).fax_status(STATUS)


def test_a_gateway_error_page_reports_the_http_status(reply_server: Callable[..., Any]) -> None:
    server = reply_server(status="502 Bad Gateway", content_type="text/html", body=PROXY_PAGE)
    with pytest.raises(HTTPStatusError) as caught:
        MonopondClient(server.url(), DEMO_USERNAME, WRONG).fax_status(STATUS)
    assert caught.value.status == 502


def test_a_redirect_is_not_followed(reply_server: Callable[..., Any]) -> None:
    # Following it would resend the password to wherever the redirect points.
    elsewhere = reply_server(body=b"")
    server = reply_server(
        status="307 Temporary Redirect", headers={"Location": elsewhere.url()}, body=b""
    )
    with pytest.raises(HTTPStatusError) as caught:
        MonopondClient(server.url(), DEMO_USERNAME, WRONG).fax_status(STATUS)
    assert caught.value.status == 307
    assert elsewhere.connections == 0


def test_a_self_signed_certificate_is_a_tls_error(
    reply_server: Callable[..., Any], self_signed_context: ssl.SSLContext
) -> None:
    server = reply_server(wrap=self_signed_context, body=b"")
    client = MonopondClient(server.url("https"), DEMO_USERNAME, WRONG)
    with pytest.raises(TLSError) as caught:
        client.fax_status(STATUS)
    assert "certificate" in caught.value.user_message
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.detail
