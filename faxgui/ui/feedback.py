"""How the windows word an error for the user, and the colours of inline messages."""

from __future__ import annotations

import logging

from faxgui.api.errors import AuthenticationError, MonopondError, ServiceFault, TransportError
from faxgui.config.endpoints import EndpointError
from faxgui.config.secrets import KeyringUnavailableError

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #a61b1b;"
SUCCESS_STYLE = "color: #1d6b2f;"
NOTE_STYLE = "color: #555555;"

CONNECTED = "Connected"
UNREACHABLE = "Could not reach the fax service"
REFUSED = "The fax service refused the user name or password"
NOT_CONNECTED = "Not connected"


def describe_error(error: Exception) -> str:
    """The sentence to show for an error; an unexpected one is logged with its traceback."""
    # Imported here: config.connection brings in the API models (about 20 ms to create),
    # and the main window imports this module before its first paint.
    from faxgui.config.connection import AccountMissingError

    expected = (MonopondError, EndpointError, AccountMissingError, KeyringUnavailableError)
    if isinstance(error, expected):
        return error.user_message
    log.error("Unexpected error", exc_info=error)
    return (
        f"faxgui ran into an unexpected problem ({error.__class__.__name__}). "
        "Try again; if it happens again, restart faxgui and tell your IT support."
    )


def connection_state(error: Exception | None) -> str:
    """What the status bar says after a request ended with `error` (None: it succeeded)."""
    if error is None or isinstance(error, ServiceFault):
        # A fault is an answer: the service was reached and accepted the account.
        return CONNECTED
    if isinstance(error, AuthenticationError):
        return REFUSED
    if isinstance(error, TransportError):
        return UNREACHABLE
    return NOT_CONNECTED
