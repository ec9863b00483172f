"""The "Faxes not yet submitted" window: waiting faxes listed plainly, sent now or cancelled."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from faxgui.api.client import MonopondClient
from faxgui.api.enums import Verbosity
from faxgui.api.errors import NoMessagesFoundFault
from faxgui.api.models import FaxStatusRequest
from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import ACCOUNT_USERNAME, ENDPOINT_CUSTOM_URL, ENDPOINT_KIND
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.compose_tab import ComposeTab
from faxgui.ui.main_window import MainWindow
from faxgui.ui.outbox_dialog import (
    COL_FAXES,
    COL_RECIPIENT,
    COL_SEND,
    COL_STATE,
    EMPTY_TEXT,
    NOT_SUBMITTED,
    OutboxDialog,
)

MakeWindow = Callable[..., MainWindow]
CTRL = Qt.KeyboardModifier.ControlModifier
SEND_TIMEOUT_MS = 30_000
# Offscreen, the outbox window cannot be raised, and Qt says so.
RAISE_NOISE = r"This plugin does not support (raise|propagateSizeHints)"


@pytest.fixture
def closed_port(settings: Settings, passwords: PasswordStore) -> int:
    """A loopback port nothing listens on, set in the settings as the fax service."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    settings.set(ENDPOINT_KIND, EndpointKind.CUSTOM)
    settings.set(ENDPOINT_CUSTOM_URL, f"http://127.0.0.1:{port}/fax/soap/v2.1")
    settings.set(ACCOUNT_USERNAME, DEMO_USERNAME)
    passwords.set(EndpointKind.CUSTOM, DEMO_USERNAME, DEMO_PASSWORD)
    return port


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    doc = pymupdf.open()
    doc.new_page(width=612, height=792).insert_text((72, 100), "Referral", fontsize=20)
    path = tmp_path / "referral.pdf"
    path.write_bytes(bytes(doc.tobytes()))
    return path


def tab_of(window: MainWindow) -> ComposeTab:
    assert window.compose_tab is not None, "the composer was not built"
    return window.compose_tab


def send_to_nowhere(
    qtbot: QtBot, window: MainWindow, letter: Path, recipients: list[tuple[str, str]]
) -> str:
    """Send a fax while the service cannot be reached; its send reference."""
    tab = tab_of(window)
    composer = tab.composer
    if tab.done_bar.isVisible():
        tab.start_new_fax()
    composer.add_recipients(recipients)
    composer.add_files([letter])
    documents = composer.draft().documents
    qtbot.waitUntil(lambda: all(d.page_count is not None for d in documents), timeout=10_000)
    send_ref = composer.draft().send_ref
    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        composer.request_send()
    tab.progress_dialog.close()
    return send_ref


def open_outbox_with_keys(qtbot: QtBot, window: MainWindow) -> OutboxDialog:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    dialog = window.outbox_dialog
    assert dialog is not None, "Ctrl+3 did not open the outbox"
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def shown_rows(dialog: OutboxDialog) -> list[list[str]]:
    model = dialog.model
    return [
        [model.index(row, col).data() for col in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def service_has(url: str, send_ref: str) -> bool:
    with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as client:
        try:
            answer = client.fax_status(
                FaxStatusRequest(send_ref=send_ref, verbosity=Verbosity.SEND)
            )
        except NoMessagesFoundFault:
            return False
    return bool(answer.messages)


@pytest.mark.qt_log_ignore(RAISE_NOISE)
def test_a_cancelled_waiting_fax_leaves_the_outbox_and_never_reaches_the_service(
    qtbot: QtBot, make_window: MakeWindow, closed_port: int, letter: Path
) -> None:
    window = make_window()
    send_ref = send_to_nowhere(
        qtbot, window, letter, [("Dr Lee", "02 8003 9890"), ("Harbour Physio", "03 9123 4567")]
    )
    qtbot.waitUntil(window.waiting_label.isVisible, timeout=10_000)
    assert window.waiting_label.text() == "2 faxes waiting to be sent"

    # The count in the status bar opens the list.
    qtbot.mouseClick(window.waiting_label, Qt.MouseButton.LeftButton)
    dialog = window.outbox_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.windowTitle() == "Faxes not yet submitted"
    (row,) = shown_rows(dialog)
    assert row[COL_SEND] == send_ref
    assert row[COL_FAXES] == "2"
    assert row[COL_RECIPIENT] == "Dr Lee (61280039890)"
    assert row[COL_STATE] == NOT_SUBMITTED
    assert not dialog.cancel_button.isEnabled()

    # The connection was refused, so it never left: it is cancelled at once, with the
    # service still unreachable.
    cancel_selected(qtbot, dialog, "2 faxes")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: not window.waiting_label.isVisible(), timeout=10_000)
    assert dialog.empty_label.isVisible()
    assert dialog.empty_label.text() == EMPTY_TEXT
    assert dialog.outcome_label.text() == "Cancelled 2 faxes: they will not be sent."
    with JobStore() as store:
        record = store.send(send_ref)
        assert record is not None
        assert record.state is SendState.CANCELLED

    server = SandboxServer("127.0.0.1", closed_port)
    server.start()
    try:
        # The outbox tries again: the cancelled fax does not go.
        watcher = tab_of(window).watcher
        with qtbot.waitSignal(watcher.pass_finished, timeout=SEND_TIMEOUT_MS):
            watcher.retry_now()
        assert not service_has(server.url, send_ref)
    finally:
        server.stop()


def cancel_selected(qtbot: QtBot, dialog: OutboxDialog, faxes: str) -> None:
    """Select the first row, press "Cancel selected…" and confirm."""
    dialog.table.selectRow(0)
    qtbot.waitUntil(dialog.cancel_button.isEnabled)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None, "Cancel selected did not ask"
    qtbot.waitUntil(box.isVisible)
    assert faxes in box.text()
    (confirm,) = [
        b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.DestructiveRole
    ]
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)


@pytest.mark.qt_log_ignore(RAISE_NOISE)
def test_send_now_hands_the_waiting_faxes_to_a_service_that_is_back(
    qtbot: QtBot, make_window: MakeWindow, closed_port: int, letter: Path
) -> None:
    window = make_window()
    first = send_to_nowhere(qtbot, window, letter, [("Dr Lee", "02 8003 9890")])
    second = send_to_nowhere(qtbot, window, letter, [("Harbour Physio", "03 9123 4567")])
    qtbot.waitUntil(lambda: window.waiting_label.text() == "2 faxes waiting to be sent")

    dialog = open_outbox_with_keys(qtbot, window)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
    assert [row[COL_SEND] for row in shown_rows(dialog)] == [first, second]
    assert {row[COL_STATE] for row in shown_rows(dialog)} == {NOT_SUBMITTED}

    server = SandboxServer("127.0.0.1", closed_port)
    server.start()
    try:
        qtbot.mouseClick(dialog.send_now_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=SEND_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.waiting_label.isVisible(), timeout=10_000)
        assert dialog.empty_label.text() == EMPTY_TEXT
        assert dialog.outcome_label.text() == "Every waiting fax was handed to the fax service."
        assert service_has(server.url, first)
        assert service_has(server.url, second)
    finally:
        server.stop()
    with JobStore() as store:
        for send_ref in (first, second):
            record = store.send(send_ref)
            assert record is not None
            assert record.state is SendState.SUBMITTED
