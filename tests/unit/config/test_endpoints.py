"""Which service addresses faxgui accepts, and what it tells the user about the others."""

from __future__ import annotations

import pytest

from faxgui.config.endpoints import (
    PRODUCTION_URL,
    TEST_URL,
    EndpointError,
    EndpointKind,
    endpoint_url,
    validate_custom_url,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://fax.example.com/fax/soap/v2.1",
        "  https://fax.example.com:8443/soap  ",
        "http://127.0.0.1:8080/fax/soap/v2.1",
        "http://localhost:8080/fax/soap/v2.1",
        "http://[::1]:8080/fax/soap/v2.1",
    ],
)
def test_https_and_loopback_http_addresses_are_accepted(url: str) -> None:
    assert validate_custom_url(url) == url.strip()


def test_plain_http_to_another_computer_is_refused_because_of_the_password() -> None:
    with pytest.raises(EndpointError) as caught:
        validate_custom_url("http://example.com/fax/soap/v2.1")
    assert "not secure" in caught.value.user_message
    assert "https://" in caught.value.user_message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the address"),
        ("   ", "Enter the address"),
        ("ftp://fax.example.com", "not a valid fax service address"),
        ("fax.example.com/soap", "not a valid fax service address"),
        ("https:///fax/soap", "not a valid fax service address"),
        ("https://fax.example.com:99999/soap", "not a valid fax service address"),
    ],
)
def test_unusable_addresses_say_how_to_fix_them(url: str, words: str) -> None:
    with pytest.raises(EndpointError, match=words):
        validate_custom_url(url)


def test_each_kind_resolves_to_its_address() -> None:
    sandbox = "http://127.0.0.1:5000/fax/soap/v2.1"
    assert endpoint_url(EndpointKind.SANDBOX, "", sandbox) == sandbox
    assert endpoint_url(EndpointKind.PRODUCTION, "", None) == PRODUCTION_URL
    assert endpoint_url(EndpointKind.TEST, "", None) == TEST_URL
    custom = "https://fax.example.com/soap"
    assert endpoint_url(EndpointKind.CUSTOM, custom, None) == custom


def test_monopond_addresses_are_https_v2_1() -> None:
    assert PRODUCTION_URL == "https://api.monopond.com/fax/soap/v2.1"
    assert TEST_URL == "https://test.api.monopond.com/fax/soap/v2.1"


def test_sandbox_that_is_not_running_yet_is_a_clear_error() -> None:
    with pytest.raises(EndpointError, match="not running yet"):
        endpoint_url(EndpointKind.SANDBOX, "", None)


def test_custom_kind_validates_its_address() -> None:
    with pytest.raises(EndpointError, match="not secure"):
        endpoint_url(EndpointKind.CUSTOM, "http://fax.example.com/soap", None)
