"""The option registry: every setting's type, default and the values it refuses."""

from __future__ import annotations

import pytest

from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import (
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    OPTIONS,
    SANDBOX_SPEED,
    WINDOW_GEOMETRY,
    Option,
    OptionValueError,
)


def test_registry_holds_the_documented_options_with_their_defaults() -> None:
    defaults = {name: option.to_json(option.default) for name, option in OPTIONS.items()}
    assert defaults == {
        "endpoint.kind": "sandbox",
        "endpoint.custom_url": "",
        "account.username": "",
        "sandbox.speed": 10.0,
        "network.timeout_s": 30.0,
        "phone.default_region": "AU",
        "stamps.y_rule": "resolution",
        "stamps.text_anchor": "cap_top",
        "window.geometry": "",
    }
    assert all(option.description for option in OPTIONS.values())


def test_enum_option_reads_its_stored_value_and_refuses_others() -> None:
    assert ENDPOINT_KIND.coerce("production") is EndpointKind.PRODUCTION
    with pytest.raises(OptionValueError, match="'sandbox'"):
        ENDPOINT_KIND.coerce("staging")


def test_float_option_takes_whole_numbers_but_not_text_or_booleans() -> None:
    assert NETWORK_TIMEOUT_S.coerce(45) == 45.0
    assert isinstance(NETWORK_TIMEOUT_S.coerce(45), float)
    with pytest.raises(OptionValueError):
        NETWORK_TIMEOUT_S.coerce("45")
    with pytest.raises(OptionValueError):
        NETWORK_TIMEOUT_S.coerce(True)


def test_numbers_outside_the_range_are_refused() -> None:
    with pytest.raises(OptionValueError, match="below the minimum"):
        SANDBOX_SPEED.coerce(0)
    with pytest.raises(OptionValueError, match="above the maximum"):
        NETWORK_TIMEOUT_S.coerce(3600)


def test_string_option_refuses_other_types() -> None:
    with pytest.raises(OptionValueError, match="is not a str"):
        WINDOW_GEOMETRY.coerce(12)


def test_a_password_can_never_become_an_option() -> None:
    with pytest.raises(ValueError, match="keyring"):
        Option("account.password", str, "", "would end up in the settings file")


def test_only_options_meant_for_the_dialog_have_a_label() -> None:
    labelled = {name for name, option in OPTIONS.items() if option.label}
    assert labelled == {"sandbox.speed", "network.timeout_s"}
