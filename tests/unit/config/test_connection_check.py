"""Building the connection from settings, and the connection check against a real sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faxgui.api.errors import AuthenticationError, ConnectionFailedError
from faxgui.config.connection import (
    AccountMissingError,
    Connection,
    check_connection,
    make_connection,
)
from faxgui.config.endpoints import PRODUCTION_URL, EndpointError, EndpointKind
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.server import SandboxServer

SECRET = "a-password-nobody-should-see"


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    server = SandboxServer("127.0.0.1", 0)
    server.start()
    yield server.url
    server.stop()


def connect(
    kind: EndpointKind,
    *,
    custom_url: str = "",
    username: str = "frontdesk",
    password: str = SECRET,
    sandbox_url: str | None = None,
) -> Connection:
    return make_connection(
        kind,
        custom_url=custom_url,
        username=username,
        password=password,
        sandbox_url=sandbox_url,
        timeout_s=5.0,
    )


def test_the_sandbox_always_uses_its_demo_account() -> None:
    connection = connect(EndpointKind.SANDBOX, sandbox_url="http://127.0.0.1:9/fax/soap/v2.1")
    assert (connection.username, connection.password) == (DEMO_USERNAME, DEMO_PASSWORD)


def test_a_real_service_uses_the_account_from_the_settings() -> None:
    connection = connect(EndpointKind.PRODUCTION, username="  frontdesk ")
    assert connection.url == PRODUCTION_URL
    assert connection.username == "frontdesk"
    assert SECRET not in repr(connection)


def test_a_missing_user_name_or_password_says_where_to_enter_it() -> None:
    with pytest.raises(AccountMissingError, match="Enter the user name of your Monopond account"):
        connect(EndpointKind.PRODUCTION, username=" ")
    with pytest.raises(AccountMissingError, match=r"Enter the password .* “frontdesk” in Settings"):
        connect(EndpointKind.TEST, password="")


def test_an_insecure_custom_address_is_refused_before_any_request() -> None:
    with pytest.raises(EndpointError, match="not secure"):
        connect(EndpointKind.CUSTOM, custom_url="http://fax.example.com/soap")


def test_the_check_passes_with_the_demo_account(sandbox_url: str) -> None:
    check_connection(connect(EndpointKind.SANDBOX, sandbox_url=sandbox_url))


def test_the_check_reports_a_wrong_password(sandbox_url: str) -> None:
    connection = connect(
        EndpointKind.CUSTOM, custom_url=sandbox_url, username=DEMO_USERNAME, password=SECRET
    )
    with pytest.raises(AuthenticationError) as caught:
        check_connection(connection)
    assert SECRET not in str(caught.value)


def test_the_check_reports_a_service_that_is_not_there() -> None:
    server_gone = Connection(EndpointKind.CUSTOM, "http://127.0.0.1:9/fax/soap/v2.1", "a", "b", 2)
    with pytest.raises(ConnectionFailedError):
        check_connection(server_gone)
