"""The account and service address the app sends through, and the check that they work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from faxgui.api.enums import Verbosity
from faxgui.api.errors import NoMessagesFoundFault
from faxgui.api.models import FaxStatusRequest
from faxgui.config.endpoints import EndpointKind, endpoint_url
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient


class AccountMissingError(ValueError):
    """No user name or password to send with; `user_message` says where to enter them."""

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


@dataclass(frozen=True, slots=True)
class Connection:
    """Everything a MonopondClient needs; the password stays out of the repr."""

    kind: EndpointKind
    url: str
    username: str
    password: str = field(repr=False)
    timeout_s: float = 30.0

    def client(self) -> MonopondClient:
        """A client for this connection (raises InsecureEndpointError for a plain-http address)."""
        # Imported on first use, normally on a worker thread: zeep takes about 0.3 s to load.
        from faxgui.api.client import MonopondClient

        return MonopondClient(self.url, self.username, self.password, timeout=self.timeout_s)


def make_connection(
    kind: EndpointKind,
    *,
    custom_url: str,
    username: str,
    password: str,
    sandbox_url: str | None,
    timeout_s: float,
) -> Connection:
    """The connection for these settings; the sandbox always uses its demo account.

    Raises EndpointError for an unusable address, AccountMissingError for a
    missing user name or password.
    """
    url = endpoint_url(kind, custom_url, sandbox_url)
    if kind is EndpointKind.SANDBOX:
        return Connection(kind, url, DEMO_USERNAME, DEMO_PASSWORD, timeout_s)
    username = username.strip()
    if not username:
        raise AccountMissingError(
            f"Enter the user name of your {kind.short_name} account in Settings."
        )
    if not password:
        raise AccountMissingError(
            f"Enter the password of the {kind.short_name} account “{username}” in Settings."
        )
    return Connection(kind, url, username, password, timeout_s)


def check_connection(connection: Connection) -> None:
    """Return if the service accepts the account; raise the MonopondError saying why not.

    Asks for the status of a reference that cannot exist: "no messages found"
    is the answer of a service that accepted the user name and password.
    """
    request = FaxStatusRequest(
        message_ref=f"faxgui-connection-test-{uuid.uuid4().hex}", verbosity=Verbosity.BRIEF
    )
    with connection.client() as client:
        try:
            client.fax_status(request)
        except NoMessagesFoundFault:
            return
