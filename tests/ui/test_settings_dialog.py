"""The Settings dialog driven like a user: service choice, account, password, connection test."""

from __future__ import annotations

import json
from collections.abc import Callable

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox
from pytestqt.qtbot import QtBot

from faxgui.api.errors import AuthenticationError
from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_CUSTOM_URL,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
)
from faxgui.config.secrets import KeyringUnavailableError, PasswordStore
from faxgui.config.settings import Settings, settings_path
from faxgui.sandbox.accounts import DEMO_USERNAME
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.settings_dialog import SettingsDialog

SECRET = "front-desk-Secret-42"

MakeDialog = Callable[[], SettingsDialog]


@pytest.fixture
def make_dialog(
    qtbot: QtBot, settings: Settings, passwords: PasswordStore, idle_sandbox: EmbeddedSandbox
) -> MakeDialog:
    def make() -> SettingsDialog:
        dialog = SettingsDialog(settings, passwords, sandbox=idle_sandbox)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        return dialog

    return make


def press_ok(qtbot: QtBot, dialog: SettingsDialog) -> None:
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def choose(qtbot: QtBot, dialog: SettingsDialog, kind: EndpointKind) -> None:
    qtbot.mouseClick(dialog.kind_buttons[kind], Qt.MouseButton.LeftButton)
    assert dialog.selected_kind() is kind


def test_plain_http_address_is_refused_and_nothing_is_saved(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    choose(qtbot, dialog, EndpointKind.CUSTOM)
    qtbot.keyClicks(dialog.custom_url_edit, "http://example.com/fax/soap/v2.1")
    press_ok(qtbot, dialog)

    assert dialog.isVisible()
    assert dialog.url_error.isVisible()
    assert "not secure" in dialog.url_error.text()
    assert "https://" in dialog.url_error.text()
    assert not settings_path().exists()

    qtbot.keyClick(dialog.custom_url_edit, "a")
    assert not dialog.url_error.isVisible()


def test_https_address_and_account_are_saved_with_the_password_in_the_keyring(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    choose(qtbot, dialog, EndpointKind.CUSTOM)
    qtbot.keyClicks(dialog.custom_url_edit, "https://fax.example.com/fax/soap/v2.1")
    dialog.username_edit.clear()
    qtbot.keyClicks(dialog.username_edit, "frontdesk")
    qtbot.keyClicks(dialog.password_edit, SECRET)
    press_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = Settings.load()
    assert saved.get(ENDPOINT_KIND) is EndpointKind.CUSTOM
    assert saved.get(ENDPOINT_CUSTOM_URL) == "https://fax.example.com/fax/soap/v2.1"
    assert saved.get(ACCOUNT_USERNAME) == "frontdesk"
    text = settings_path().read_text(encoding="utf-8")
    assert SECRET not in text
    assert "password" not in json.loads(text)
    assert keyring.get_password("faxgui", "custom:frontdesk") == SECRET


def test_the_password_field_hides_what_is_typed(make_dialog: MakeDialog) -> None:
    dialog = make_dialog()
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password


def test_sandbox_shows_its_demo_account_read_only(make_dialog: MakeDialog) -> None:
    dialog = make_dialog()

    assert dialog.selected_kind() is EndpointKind.SANDBOX
    assert dialog.username_edit.text() == DEMO_USERNAME
    assert not dialog.username_edit.isEnabled()
    assert not dialog.password_edit.isEnabled()
    assert dialog.password_edit.text()
    assert "demo account" in dialog.account_note.text()
    assert "nothing reaches a real fax machine" in dialog.account_note.text()


def test_leaving_the_sandbox_brings_back_the_real_account_and_its_stored_password(
    qtbot: QtBot, make_dialog: MakeDialog, settings: Settings, passwords: PasswordStore
) -> None:
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    passwords.set(EndpointKind.PRODUCTION, "frontdesk", SECRET)
    dialog = make_dialog()
    assert dialog.username_edit.text() == "frontdesk"
    assert dialog.password_edit.text() == SECRET
    assert dialog.username_edit.isEnabled()

    choose(qtbot, dialog, EndpointKind.SANDBOX)
    assert dialog.username_edit.text() == DEMO_USERNAME

    choose(qtbot, dialog, EndpointKind.PRODUCTION)
    assert dialog.username_edit.text() == "frontdesk"
    assert dialog.password_edit.text() == SECRET


def test_choosing_the_sandbox_keeps_the_real_user_name_in_the_settings(
    qtbot: QtBot, make_dialog: MakeDialog, settings: Settings
) -> None:
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    dialog = make_dialog()
    choose(qtbot, dialog, EndpointKind.SANDBOX)
    press_ok(qtbot, dialog)

    saved = Settings.load()
    assert saved.get(ENDPOINT_KIND) is EndpointKind.SANDBOX
    assert saved.get(ACCOUNT_USERNAME) == "frontdesk"


def test_advanced_options_come_from_the_registry_and_are_saved(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    spins = dialog.findChildren(QDoubleSpinBox)
    suffixes = sorted(spin.suffix() for spin in spins)
    assert suffixes == [" seconds", " times real speed"]
    timeout = next(spin for spin in spins if spin.suffix() == " seconds")
    timeout.setValue(45.0)
    press_ok(qtbot, dialog)

    assert Settings.load().get(NETWORK_TIMEOUT_S) == 45.0


def test_connection_test_on_the_sandbox_starts_it_and_succeeds(
    qtbot: QtBot, make_dialog: MakeDialog, idle_sandbox: EmbeddedSandbox
) -> None:
    dialog = make_dialog()
    assert idle_sandbox.url is None
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "Connection works" in dialog.test_result.text(), timeout=20_000)
    assert idle_sandbox.url is not None
    assert dialog.test_button.isEnabled()


def test_connection_test_with_a_wrong_password_says_so(
    qtbot: QtBot, make_dialog: MakeDialog, sandbox: EmbeddedSandbox
) -> None:
    dialog = make_dialog()
    choose(qtbot, dialog, EndpointKind.CUSTOM)
    assert sandbox.url is not None
    qtbot.keyClicks(dialog.custom_url_edit, sandbox.url)
    dialog.username_edit.clear()
    qtbot.keyClicks(dialog.username_edit, DEMO_USERNAME)
    qtbot.keyClicks(dialog.password_edit, "not-the-password")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: dialog.test_result.text() == AuthenticationError.user_message, timeout=20_000
    )
    assert "not-the-password" not in dialog.test_result.text()


def test_connection_test_without_a_password_asks_for_one(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    choose(qtbot, dialog, EndpointKind.PRODUCTION)
    dialog.username_edit.clear()
    qtbot.keyClicks(dialog.username_edit, "frontdesk")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)

    assert "Enter the password" in dialog.test_result.text()
    assert "frontdesk" in dialog.test_result.text()


def test_without_a_keyring_the_password_is_kept_for_this_session_and_the_user_is_told(
    qtbot: QtBot, make_dialog: MakeDialog, settings: Settings, passwords: PasswordStore
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    dialog = make_dialog()
    assert "no working password keyring" in dialog.account_note.text()

    qtbot.keyClicks(dialog.password_edit, SECRET)
    press_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "kept until faxgui closes" in dialog.password_note
    assert passwords.get(EndpointKind.PRODUCTION, "frontdesk") == SECRET
    with pytest.raises(KeyringUnavailableError):
        PasswordStore().get(EndpointKind.PRODUCTION, "frontdesk")
    assert SECRET not in settings_path().read_text(encoding="utf-8")
