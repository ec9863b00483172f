"""Where faxes can go: the embedded sandbox, Monopond's services, or a custom https address."""

from __future__ import annotations

from enum import StrEnum

from faxgui.api.errors import InsecureEndpointError

PRODUCTION_URL = "https://api.monopond.com/fax/soap/v2.1"
# Monopond documents a test platform only for v2 (https://test.api.monopond.com/fax/soap/v2/);
# the v2.1 address is inferred by analogy with production (see WIRE.md) and is not confirmed.
TEST_URL = "https://test.api.monopond.com/fax/soap/v2.1"

EXAMPLE_URL = "https://fax.example.com/fax/soap/v2.1"


class EndpointKind(StrEnum):
    """Which fax service the app talks to; the value is what the settings file stores."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"
    TEST = "test"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        """How the settings dialog names the choice."""
        return _LABELS[self][0]

    @property
    def short_name(self) -> str:
        """How titles and the connection card name the service."""
        return _LABELS[self][1]

    @property
    def fixed_url(self) -> str | None:
        """The address of a Monopond service; None when it is only known at run time."""
        return _FIXED_URLS.get(self)


_FIXED_URLS = {EndpointKind.PRODUCTION: PRODUCTION_URL, EndpointKind.TEST: TEST_URL}

_LABELS: dict[EndpointKind, tuple[str, str]] = {
    EndpointKind.SANDBOX: ("Embedded sandbox (simulated faxes, nothing is sent)", "Sandbox"),
    EndpointKind.PRODUCTION: ("Monopond (real faxes)", "Monopond"),
    EndpointKind.TEST: ("Monopond test platform", "Monopond test"),
    EndpointKind.CUSTOM: ("Another address (https)", "custom service"),
}


class EndpointError(ValueError):
    """A service address that cannot be used; `user_message` says how to correct it."""

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


def validate_custom_url(url: str) -> str:
    """The address, trimmed, if faxgui may send a password to it; EndpointError otherwise.

    The rule (https, or plain http only to this computer) is the client's own.
    """
    # The client module pulls in zeep (about 0.3 s); importing it here, not at the top,
    # keeps it off the app's start-up.
    from faxgui.api.client import validate_endpoint

    url = url.strip()
    if not url:
        raise EndpointError(f"Enter the address of the fax service, for example {EXAMPLE_URL}.")
    try:
        return validate_endpoint(url)
    except InsecureEndpointError as exc:
        raise EndpointError(exc.user_message) from None


def endpoint_url(kind: EndpointKind, custom_url: str, sandbox_url: str | None) -> str:
    """The address to send requests to; EndpointError when there is none to use yet."""
    if kind is EndpointKind.SANDBOX:
        if sandbox_url is None:
            raise EndpointError("The embedded sandbox is not running yet. Try again in a moment.")
        return sandbox_url
    if kind is EndpointKind.CUSTOM:
        return validate_custom_url(custom_url)
    return _FIXED_URLS[kind]
