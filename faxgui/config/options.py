"""The one registry of user options: name, type, default and meaning of every setting.

The settings file stores these options and nothing else; the settings dialog
builds its "Advanced" fields from the options that carry a `label`. Passwords
are not options: they live in the OS keyring (see `faxgui.config.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar, cast

from faxgui.config.endpoints import EndpointKind
from faxgui.imaging.stamp_geometry import StampYRule, TextAnchor

T = TypeVar("T")

JSONScalar = str | int | float | bool


class OptionValueError(ValueError):
    """A stored or entered value that does not fit its option."""


@dataclass(frozen=True, slots=True)
class Option(Generic[T]):
    """One setting. `label` set means the settings dialog shows it in its generic section,
    with `minimum`, `maximum`, `unit` and `decimals` shaping a number's editor."""

    name: str
    type: type[T]
    default: T
    description: str
    label: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    decimals: int = 1

    def __post_init__(self) -> None:
        if "password" in self.name.lower():
            raise ValueError("passwords belong in the keyring, never in the settings file")
        self.coerce(self.default)

    def coerce(self, raw: object) -> T:
        """`raw` (from JSON or a widget) as this option's type; OptionValueError if it is not."""
        if issubclass(self.type, Enum):
            try:
                return cast(T, self.type(raw))
            except ValueError:
                choices = ", ".join(repr(m.value) for m in cast(type[Enum], self.type))
                raise OptionValueError(f"{raw!r} is not one of {choices}") from None
        value: object = raw
        # JSON has one number type: a whole number is a fine value for a float option.
        if self.type is float and isinstance(raw, int) and not isinstance(raw, bool):
            value = float(raw)
        if not isinstance(value, self.type) or (isinstance(value, bool) and self.type is not bool):
            raise OptionValueError(f"{raw!r} is not a {self.type.__name__}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                raise OptionValueError(f"{value!r} is below the minimum {self.minimum:g}")
            if self.maximum is not None and value > self.maximum:
                raise OptionValueError(f"{value!r} is above the maximum {self.maximum:g}")
        return value

    def to_json(self, value: T) -> JSONScalar:
        """The value as the settings file stores it."""
        if isinstance(value, Enum):
            return cast(JSONScalar, value.value)
        return cast(JSONScalar, value)


ENDPOINT_KIND = Option(
    "endpoint.kind",
    EndpointKind,
    EndpointKind.SANDBOX,
    "Which fax service to use: the embedded sandbox, Monopond, its test platform, or a custom "
    "address.",
)
ENDPOINT_CUSTOM_URL = Option(
    "endpoint.custom_url",
    str,
    "",
    "The https address of the fax service when the endpoint is 'custom'.",
)
ACCOUNT_USERNAME = Option(
    "account.username",
    str,
    "",
    "The Monopond user name (the password is kept in the system keyring).",
)
SANDBOX_SPEED = Option(
    "sandbox.speed",
    float,
    10.0,
    "How much faster than real time the embedded sandbox moves faxes along; takes effect "
    "the next time faxgui starts.",
    label="Sandbox speed",
    minimum=0.1,
    maximum=1000.0,
    unit="times real speed",
)
NETWORK_TIMEOUT_S = Option(
    "network.timeout_s",
    float,
    30.0,
    "How long to wait for the fax service to answer before giving up.",
    label="Network timeout",
    minimum=5.0,
    maximum=300.0,
    unit="seconds",
    decimals=0,
)
PHONE_REGION = Option(
    "phone.default_region",
    str,
    "AU",
    "The country of fax numbers written without a country code, such as (02) 8003 9890 "
    "(an ISO 3166 code: AU, GB, US).",
)
STAMP_Y_RULE = Option(
    "stamps.y_rule",
    StampYRule,
    StampYRule.RESOLUTION,
    "What a stamp's y coordinate counts: scan lines at the fax's resolution ('resolution'), "
    "or always normal (98 per inch) or fine (196 per inch) lines. Not yet confirmed against "
    "the live service.",
)
STAMP_TEXT_ANCHOR = Option(
    "stamps.text_anchor",
    TextAnchor,
    TextAnchor.CAP_TOP,
    "Which point of a text stamp its coordinates name: the top of its capital letters "
    "('cap_top') or its baseline ('baseline'). Not yet confirmed against the live service.",
)
WINDOW_GEOMETRY = Option(
    "window.geometry",
    str,
    "",
    "The main window's size and position (Qt's saved geometry, base64).",
)

OPTIONS: dict[str, Option[Any]] = {
    option.name: option
    for option in (
        ENDPOINT_KIND,
        ENDPOINT_CUSTOM_URL,
        ACCOUNT_USERNAME,
        SANDBOX_SPEED,
        NETWORK_TIMEOUT_S,
        PHONE_REGION,
        STAMP_Y_RULE,
        STAMP_TEXT_ANCHOR,
        WINDOW_GEOMETRY,
    )
}
