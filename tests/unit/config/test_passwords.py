"""Passwords in the keyring: stored per endpoint and account, never leaked, and what
happens on a computer without a working keyring."""

from __future__ import annotations

import logging

import keyring
import keyring.backends.fail
import pytest

from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import ACCOUNT_USERNAME, ENDPOINT_KIND
from faxgui.config.secrets import KeyringUnavailableError, PasswordStore
from faxgui.config.settings import Settings, settings_path

SECRET = "Tr0ub4dor&3-front-desk"


@pytest.fixture
def no_keyring() -> None:
    """A computer where no keyring backend works (keyring's own 'fail' backend)."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


def test_password_goes_to_the_keyring_and_never_to_the_settings_file() -> None:
    settings = Settings.load()
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    settings.save()
    PasswordStore().set(EndpointKind.PRODUCTION, "frontdesk", SECRET)

    assert keyring.get_password("faxgui", "production:frontdesk") == SECRET
    assert SECRET not in settings_path().read_text(encoding="utf-8")
    assert PasswordStore().get(EndpointKind.PRODUCTION, "frontdesk") == SECRET


def test_each_endpoint_kind_keeps_its_own_password() -> None:
    store = PasswordStore()
    store.set(EndpointKind.PRODUCTION, "frontdesk", "production-secret")
    store.set(EndpointKind.TEST, "frontdesk", "test-secret")

    fresh = PasswordStore()
    assert fresh.get(EndpointKind.PRODUCTION, "frontdesk") == "production-secret"
    assert fresh.get(EndpointKind.TEST, "frontdesk") == "test-secret"
    assert fresh.get(EndpointKind.PRODUCTION, "someone-else") is None


def test_forgetting_a_password_removes_it_everywhere() -> None:
    store = PasswordStore()
    store.set(EndpointKind.PRODUCTION, "frontdesk", SECRET)
    store.delete(EndpointKind.PRODUCTION, "frontdesk")
    store.delete(EndpointKind.PRODUCTION, "never-stored")

    assert store.get(EndpointKind.PRODUCTION, "frontdesk") is None
    assert PasswordStore().get(EndpointKind.PRODUCTION, "frontdesk") is None


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_password_is_kept_for_this_session_only() -> None:
    store = PasswordStore()
    with pytest.raises(KeyringUnavailableError) as caught:
        store.set(EndpointKind.PRODUCTION, "frontdesk", SECRET)

    assert "no working password keyring" in caught.value.user_message
    assert "until faxgui closes" in caught.value.user_message
    assert store.get(EndpointKind.PRODUCTION, "frontdesk") == SECRET
    with pytest.raises(KeyringUnavailableError):
        PasswordStore().get(EndpointKind.PRODUCTION, "frontdesk")


@pytest.mark.usefixtures("no_keyring")
def test_the_password_never_shows_in_errors_logs_or_reprs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = PasswordStore()
    with pytest.raises(KeyringUnavailableError) as caught:
        store.set(EndpointKind.PRODUCTION, "frontdesk", SECRET)

    error = caught.value
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert error.__cause__ is None
    assert error.__context__ is None
    assert SECRET not in repr(store)
    assert SECRET not in caplog.text
    assert "keyring unavailable" in caplog.text.lower()
