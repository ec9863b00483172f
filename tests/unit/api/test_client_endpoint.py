"""Which service addresses the client accepts, and what it shows of itself."""

from __future__ import annotations

import pytest

from faxgui.api import MonopondClient
from faxgui.api.errors import InsecureEndpointError

PASSWORD = "Very-Secret-Pw-42"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://api.monopond.com/fax/soap/v2.1",
        "https://test.api.monopond.com/fax/soap/v2.1",
        "http://127.0.0.1:8080/fax/soap/v2.1",
        "http://127.8.9.10/fax/soap/v2.1",
        "http://localhost:8080/fax/soap/v2.1",
        "http://LOCALHOST:8080/fax/soap/v2.1",
        "http://[::1]:8080/fax/soap/v2.1",
        "https://[::1]:8443/fax/soap/v2.1",
    ],
)
def test_https_anywhere_and_plain_http_on_loopback_are_accepted(endpoint: str) -> None:
    client = MonopondClient(endpoint, "demo", PASSWORD)
    assert client.endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        # The address the vendor's WSDL publishes: the password would travel in clear.
        "http://api.monopond.com/fax/soap/v2.1",
        "http://192.168.1.20:8080/fax/soap/v2.1",
        "http://10.0.0.1/fax/soap/v2.1",
        "http://localhost.example.com/fax/soap/v2.1",
        "http://128.0.0.1/fax/soap/v2.1",
    ],
)
def test_plain_http_off_this_computer_is_refused(endpoint: str) -> None:
    with pytest.raises(InsecureEndpointError) as caught:
        MonopondClient(endpoint, "demo", PASSWORD)
    assert "https://" in caught.value.user_message


@pytest.mark.parametrize(
    "endpoint",
    [
        "",
        "api.monopond.com/fax/soap/v2.1",
        "ftp://api.monopond.com/fax",
        "https://",
        "https://api.monopond.com:port/fax",
        "https://demo:hunter2@api.monopond.com/fax/soap/v2.1",
    ],
)
def test_addresses_that_are_not_usable_urls_are_refused(endpoint: str) -> None:
    with pytest.raises(InsecureEndpointError) as caught:
        MonopondClient(endpoint, "demo", PASSWORD)
    assert "https://" in caught.value.user_message
    assert "hunter2" not in str(caught.value)


def test_repr_shows_endpoint_and_user_but_never_the_password() -> None:
    client = MonopondClient("https://api.monopond.com/fax/soap/v2.1", "demo", PASSWORD)
    text = repr(client)
    assert "https://api.monopond.com/fax/soap/v2.1" in text
    assert "'demo'" in text
    assert PASSWORD not in text
    # Nor does anything a debugger would show of the object's state.
    assert PASSWORD not in repr(vars(client))
    assert PASSWORD not in str(client)


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout"):
        MonopondClient("https://api.monopond.com/fax/soap/v2.1", "demo", PASSWORD, timeout=0)
