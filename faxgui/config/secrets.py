"""Account passwords: kept in the OS keyring, or for this session only when there is none.

The password never goes to the settings file, a log line, an exception
message or a repr.
"""

from __future__ import annotations

import logging
from types import ModuleType

from faxgui.config.endpoints import EndpointKind

log = logging.getLogger(__name__)

SERVICE_NAME = "faxgui"


def _keyring() -> ModuleType:
    # Imported on first use: loading keyring and its backends takes about 0.1 s, which
    # the start-up of the window should not pay for.
    import keyring
    import keyring.errors

    return keyring


def _failures(keyring: ModuleType) -> tuple[type[Exception], ...]:
    # A backend that cannot reach its store (no D-Bus, a read-only data folder) raises
    # either keyring's own errors or plain OSError.
    return (keyring.errors.KeyringError, OSError)


class KeyringUnavailableError(Exception):
    """The OS keyring could not be used; `user_message` says what that means for the user."""

    user_message = (
        "This computer has no working password keyring, so faxgui cannot remember the "
        "password. It is kept until faxgui closes; enter it again in Settings next time."
    )

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"{self.user_message} ({detail})")


def credential_key(kind: EndpointKind, username: str) -> str:
    """The keyring entry name for an account on one kind of endpoint."""
    return f"{kind.value}:{username}"


class PasswordStore:
    """Reads and writes passwords in the keyring, remembering this session's in memory.

    A password stored during this session is kept in memory too, so it keeps
    working when the keyring refuses it.
    """

    def __init__(self) -> None:
        self._session: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"PasswordStore(<{len(self._session)} session password(s)>)"

    def get(self, kind: EndpointKind, username: str) -> str | None:
        """The password for the account, or None if none is stored.

        Raises KeyringUnavailableError when the keyring fails and this session has none.
        """
        key = credential_key(kind, username)
        if key in self._session:
            return self._session[key]
        keyring = _keyring()
        try:
            stored: str | None = keyring.get_password(SERVICE_NAME, key)
        except _failures(keyring) as exc:
            raise _unavailable(exc, secret=None) from None
        return stored

    def set(self, kind: EndpointKind, username: str, password: str) -> None:
        """Keep the password for the account.

        Raises KeyringUnavailableError when the keyring cannot keep it; the
        password is then kept for this session only.
        """
        key = credential_key(kind, username)
        self._session[key] = password
        keyring = _keyring()
        try:
            keyring.set_password(SERVICE_NAME, key, password)
        except _failures(keyring) as exc:
            error = _unavailable(exc, secret=password)
        else:
            log.debug("Password for %s saved in the keyring", key)
            return
        # Raised outside the handler so the backend's own exception, which might quote the
        # password, is not even attached as __context__.
        raise error

    def delete(self, kind: EndpointKind, username: str) -> None:
        """Forget the account's password here and in the keyring (a missing one is fine)."""
        key = credential_key(kind, username)
        self._session.pop(key, None)
        keyring = _keyring()
        try:
            keyring.delete_password(SERVICE_NAME, key)
        except keyring.errors.PasswordDeleteError:
            return
        except _failures(keyring) as exc:
            raise _unavailable(exc, secret=None) from None


def _unavailable(exc: Exception, secret: str | None) -> KeyringUnavailableError:
    """The typed error for a keyring failure, its detail scrubbed of the password."""
    detail = f"{exc.__class__.__name__}: {exc}"
    if secret:
        detail = detail.replace(secret, "********")
    log.warning("Password keyring unavailable: %s", detail)
    return KeyringUnavailableError(detail)
