"""The main window as a receptionist sees it: title, sandbox banner, connection card, tracking."""

from __future__ import annotations

import socket
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from faxgui.api.client import MonopondClient
from faxgui.api.errors import AuthenticationError, ConnectionFailedError, NoMessagesFoundFault
from faxgui.api.models import FaxDocument, FaxMessage, SendFaxRequest
from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_CUSTOM_URL,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    WINDOW_GEOMETRY,
)
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings, settings_path
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.numbers import SUCCESS
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.feedback import CONNECTED, REFUSED, UNREACHABLE
from faxgui.ui.main_window import SANDBOX_TITLE, MainWindow
from faxgui.ui.status import tree_model as cols

MakeWindow = Callable[..., MainWindow]


def use_sandbox_as_custom(
    settings: Settings, passwords: PasswordStore, sandbox: EmbeddedSandbox, password: str
) -> None:
    """Point the settings at the sandbox as if it were another service, with this password."""
    assert sandbox.url is not None
    settings.set(ENDPOINT_KIND, EndpointKind.CUSTOM)
    settings.set(ENDPOINT_CUSTOM_URL, sandbox.url)
    settings.set(ACCOUNT_USERNAME, DEMO_USERNAME)
    passwords.set(EndpointKind.CUSTOM, DEMO_USERNAME, password)


def test_sandbox_title_and_banner_say_faxes_are_simulated(make_window: MakeWindow) -> None:
    window = make_window()

    assert window.windowTitle() == SANDBOX_TITLE == "faxgui — Sandbox (simulated faxes)"
    assert window.banner.isVisible()
    banner = window.banner.text()
    assert "simulated" in banner
    assert "nothing is really sent" in banner
    assert f"“{DEMO_USERNAME}”" in banner
    assert window.account_label.text().startswith(DEMO_USERNAME)
    assert "127.0.0.1" in window.where_label.text()


def test_real_service_title_names_the_account_and_has_no_banner(
    make_window: MakeWindow, settings: Settings
) -> None:
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    window = make_window()

    assert window.windowTitle() == "faxgui — frontdesk @ Monopond"
    assert not window.banner.isVisible()
    assert "https://api.monopond.com/fax/soap/v2.1" in window.where_label.text()


def test_menus_have_the_usual_shortcuts(make_window: MakeWindow) -> None:
    window = make_window()
    assert window.settings_action.shortcut().toString() == "Ctrl+,"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Go", "&Help"]


def test_test_connection_against_the_sandbox_succeeds(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "Connection works" in window.test_result.text(), timeout=20_000)
    assert window.connection_status.text() == CONNECTED
    assert window.test_button.isEnabled()


def test_wrong_password_shows_the_authentication_sentence(
    qtbot: QtBot,
    make_window: MakeWindow,
    settings: Settings,
    passwords: PasswordStore,
    sandbox: EmbeddedSandbox,
) -> None:
    use_sandbox_as_custom(settings, passwords, sandbox, "not-the-password")
    window = make_window()
    assert window.windowTitle().startswith("faxgui — demo @ 127.0.0.1:")
    qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: window.test_result.text() == AuthenticationError.user_message, timeout=20_000
    )
    assert window.connection_status.text() == REFUSED


def test_a_service_that_does_not_answer_is_reported_as_unreachable(
    qtbot: QtBot, make_window: MakeWindow, settings: Settings, passwords: PasswordStore
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.set(ENDPOINT_KIND, EndpointKind.CUSTOM)
    settings.set(ENDPOINT_CUSTOM_URL, f"http://127.0.0.1:{closed_port}/fax/soap/v2.1")
    settings.set(ACCOUNT_USERNAME, DEMO_USERNAME)
    settings.set(NETWORK_TIMEOUT_S, 5.0)
    passwords.set(EndpointKind.CUSTOM, DEMO_USERNAME, DEMO_PASSWORD)
    window = make_window()
    qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: window.test_result.text() == ConnectionFailedError.user_message, timeout=20_000
    )
    assert window.connection_status.text() == UNREACHABLE


def test_missing_password_is_asked_for_without_contacting_anyone(
    qtbot: QtBot, make_window: MakeWindow, settings: Settings
) -> None:
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    window = make_window()
    qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)

    assert "Enter the password" in window.test_result.text()
    assert window.connection_status.text() == "Not connected yet"


def test_tracking_an_unknown_reference_says_there_is_no_such_fax(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = window.status_panel.track_dialog if window.status_panel else None
    assert dialog is not None
    assert window.tabs.currentWidget() is window.sent_page
    assert not dialog.follow_button.isEnabled()
    qtbot.keyClicks(dialog.reference_edit, "no-such-fax-2026")
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: dialog.message.text() == NoMessagesFoundFault.user_message, timeout=20_000
    )
    assert dialog.isVisible()
    assert dialog.reference_edit.isEnabled()
    dialog.close()


def test_tracking_a_fax_sent_elsewhere_lists_it_in_plain_words(
    qtbot: QtBot, make_window: MakeWindow, sandbox: EmbeddedSandbox
) -> None:
    assert sandbox.url is not None
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        client.send_fax(
            SendFaxRequest(
                send_ref="front-desk-batch-1",
                fax_messages=[
                    FaxMessage(
                        message_ref=f"front-desk-batch-1-{n}",
                        send_to=SUCCESS.number,
                        documents=[FaxDocument(file_name="note.txt", file_data=b"Hello\n")],
                    )
                    for n in (1, 2)
                ],
            )
        )
    window = make_window()
    panel = window.status_panel
    assert panel is not None
    window.track_action.trigger()
    dialog = panel.track_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.reference_edit, "front-desk-batch-1")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findText("Send reference"))
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)

    model = panel.model
    qtbot.waitUntil(lambda: model.message_count == 2, timeout=20_000)
    broadcast = model.index(0, 0)
    assert model.rowCount(broadcast) == 2
    refs = sorted(model.index(row, cols.COL_REFERENCE, broadcast).data() for row in range(2))
    assert refs == ["front-desk-batch-1-1", "front-desk-batch-1-2"]
    assert model.index(0, cols.COL_NUMBER, broadcast).data() == SUCCESS.number
    assert model.index(0, cols.COL_STATUS, broadcast).data()
    # What the user sees is the tree, with the tracked faxes selected.
    assert panel.tree.isVisible()
    assert panel.tree.currentIndex().isValid()
    assert panel.totals_label.text().startswith("2 faxes")
    qtbot.waitUntil(lambda: window.connection_status.text() == CONNECTED, timeout=20_000)


def test_settings_accepted_from_the_menu_change_the_title_and_clear_old_answers(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connection works" in window.test_result.text(), timeout=20_000)

    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.kind_buttons[EndpointKind.TEST], Qt.MouseButton.LeftButton)
    dialog.username_edit.clear()
    qtbot.keyClicks(dialog.username_edit, "frontdesk")
    qtbot.keyClicks(dialog.password_edit, "secret-for-the-test-platform")
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    assert window.windowTitle() == "faxgui — frontdesk @ Monopond test"
    assert not window.banner.isVisible()
    assert "test.api.monopond.com" in window.where_label.text()
    assert window.test_result.text() == ""
    assert window.connection_status.text() == "Not connected yet"


def test_window_size_is_remembered(make_window: MakeWindow) -> None:
    window = make_window()
    # Smaller than the default size, and than the offscreen platform's 800x600 screen.
    window.resize(640, 480)
    window.close()
    assert Settings.load().get(WINDOW_GEOMETRY)

    again = make_window(Settings.load())
    assert (again.width(), again.height()) == (640, 480)


def test_a_damaged_settings_file_is_reported_in_the_window(make_window: MakeWindow) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json", encoding="utf-8")
    window = make_window(Settings.load())

    assert window.notice.isVisible()
    assert "not valid JSON" in window.notice.text()
    assert "settings.json.bak" in window.notice.text()
