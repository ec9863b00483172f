"""How the windows word an error for the user, and the colours of inline messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from faxgui.api.errors import AuthenticationError, MonopondError, ServiceFault, TransportError
from faxgui.config.endpoints import EndpointError
from faxgui.config.secrets import KeyringUnavailableError

log = logging.getLogger(__name__)


def dark_theme() -> bool:
    """Is the window background dark (the user's dark theme, or a dark palette)?"""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


@dataclass(frozen=True, slots=True)
class Tone:
    """A colour for text on the window's background: a dark shade for light themes, a light
    one for dark themes, each at least 4.5:1 against the background (WCAG AA).

    Read when a widget is built or a message shown, so the theme in use decides.
    """

    light: str
    dark: str

    def color(self) -> QColor:
        return QColor(self.dark if dark_theme() else self.light)

    def style(self) -> str:
        """A style sheet that colours a label's text."""
        return f"color: {self.color().name()};"


ERROR = Tone("#a61b1b", "#ff8a80")
SUCCESS = Tone("#1d6b2f", "#7fd88f")
WARNING = Tone("#8a5300", "#f2b55c")
NOTE = Tone("#555555", "#b4b4b4")
"""Secondary text: hints, captions, what a field is for."""

# The light theme's shades as fixed style sheets, for the "Sent faxes" panel until it moves
# to the tones above (its files are being reworked as this is written).
ERROR_STYLE = f"color: {ERROR.light};"
NOTE_STYLE = f"color: {NOTE.light};"

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
