"""The main window's "New fax" tab as a receptionist uses it: compose, send, start anew, restore."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from faxgui.api.client import MonopondClient
from faxgui.api.enums import FaxStatus, Resolution, Verbosity
from faxgui.api.models import FaxMessageStatus, FaxStatusRequest
from faxgui.compose.autosave import DraftAutosave
from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_CUSTOM_URL,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    PHONE_REGION,
)
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings
from faxgui.jobs.address_book import AddressBook
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.numbers import SUCCESS
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.app import _parse_args
from faxgui.ui.compose_tab import RESTORED_MESSAGE, ComposeTab
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.feedback import CONNECTED, UNREACHABLE
from faxgui.ui.main_window import MainWindow
from faxgui.ui.status import tree_model as cols

MakeWindow = Callable[..., MainWindow]
CTRL = Qt.KeyboardModifier.ControlModifier
SEND_TIMEOUT_MS = 30_000


@pytest.fixture
def write_pdf(tmp_path: Path) -> Callable[..., Path]:
    """write_pdf(name, pages): a real PDF with that many pages, on disk."""

    def write(name: str = "referral.pdf", pages: int = 2) -> Path:
        doc = pymupdf.open()
        for number in range(1, pages + 1):
            page = doc.new_page(width=612, height=792)
            page.insert_text((72, 100), f"{name}, page {number}", fontsize=20)
        path = tmp_path / name
        path.write_bytes(bytes(doc.tobytes()))
        return path

    return write


def tab_of(window: MainWindow) -> ComposeTab:
    assert window.compose_tab is not None, "the composer was not built"
    return window.compose_tab


def focus_composer(qtbot: QtBot, window: MainWindow) -> None:
    """The window active, the keyboard in "To:", as after start-up."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    to_edit = tab_of(window).composer.recipients_panel.to_edit
    to_edit.setFocus()
    qtbot.waitUntil(to_edit.hasFocus)


def drop_files(target: QWidget, paths: list[Path]) -> bool:
    """Drag files onto a widget and drop them, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = QPointF(target.rect().center())
    enter = QDragEnterEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def wait_for_pages(qtbot: QtBot, window: MainWindow) -> None:
    documents = tab_of(window).composer.draft().documents
    qtbot.waitUntil(lambda: all(d.page_count is not None for d in documents), timeout=10_000)


def sandbox_statuses(url: str, broadcast_ref: str) -> list[FaxMessageStatus]:
    with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as client:
        answer = client.fax_status(
            FaxStatusRequest(broadcast_ref=broadcast_ref, verbosity=Verbosity.ALL)
        )
    return sorted(answer.messages, key=lambda m: m.message_ref or "")


def answer_question(qtbot: QtBot, tab: ComposeTab, button_text: str) -> None:
    box = tab.new_fax_question
    assert box is not None, "New fax did not ask"
    qtbot.waitUntil(box.isVisible)
    (button,) = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.new_fax_question is None)


def test_a_fax_typed_dropped_and_sent_with_the_keyboard_reaches_the_sandbox(
    qtbot: QtBot,
    make_window: MakeWindow,
    sandbox: EmbeddedSandbox,
    write_pdf: Callable[..., Path],
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    assert window.tabs.currentWidget() is window.compose_page
    assert window.tabs.tabText(0) == "New fax"
    assert window.banner.isVisible()
    focus_composer(qtbot, window)
    letter = write_pdf("referral.pdf", pages=2)

    qtbot.keyClicks(composer.recipients_panel.to_edit, f"Dr Lee <{SUCCESS.display}>")
    qtbot.keyClick(composer.recipients_panel.to_edit, Qt.Key.Key_Return)
    assert drop_files(composer, [letter])
    qtbot.keyClicks(composer.options_form.send_from_edit, "Front desk")
    composer.recipients_panel.to_edit.setFocus()
    wait_for_pages(qtbot, window)
    draft = composer.draft()

    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        qtbot.keyClick(composer.recipients_panel.to_edit, Qt.Key.Key_Return, CTRL)

    dialog = tab.progress_dialog
    assert dialog.isVisible()
    assert dialog.title.text() == "Sent to the fax service"
    assert dialog.detail.text() == "Submitted: 1 fax."
    assert tab.done_bar.isVisible()
    assert "Sent: 1 fax handed to the fax service" in tab.done_label.text()
    assert window.statusBar().currentMessage() == "Sent to the fax service."

    assert sandbox.url is not None
    url = sandbox.url
    qtbot.waitUntil(
        lambda: sandbox_statuses(url, draft.broadcast_ref)[0].status is FaxStatus.DONE,
        timeout=SEND_TIMEOUT_MS,
    )
    (fax,) = sandbox_statuses(url, draft.broadcast_ref)
    assert fax.send_to == SUCCESS.number
    assert fax.send_ref == draft.send_ref
    assert fax.message_ref == draft.recipients[0].message_ref
    assert fax.details is not None
    assert fax.details.send_from == "Front desk"
    assert fax.details.resolution is Resolution.NORMAL
    attempt = fax.latest_attempt
    assert attempt is not None
    # The document that went is the dropped one: the sandbox drew its two pages.
    assert attempt.pages == 2

    assert window.connection_status.text() == CONNECTED

    # The sent fax stays in view, but another Ctrl+Return does not send it again.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not composer.send_button.isEnabled()
    assert not composer.recipients_panel.to_edit.isEnabled()
    with qtbot.assertNotEmitted(tab.controller.checking):
        qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)
        composer.request_send()
    assert len(sandbox_statuses(url, draft.broadcast_ref)) == 1


def test_a_broadcast_is_followed_in_the_sent_faxes_tab(
    qtbot: QtBot,
    make_window: MakeWindow,
    write_pdf: Callable[..., Path],
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    numbers = [SUCCESS.display, "+61 5 0000 0001", "+61 5 0000 0002"]
    composer.add_recipients([(f"Clinic {n}", number) for n, number in enumerate(numbers, 1)])
    composer.add_files([write_pdf()])
    wait_for_pages(qtbot, window)
    broadcast_ref = composer.draft().broadcast_ref

    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    tab.progress_dialog.close()
    qtbot.mouseClick(tab.look_up_button, Qt.MouseButton.LeftButton)

    assert window.tabs.currentWidget() is window.sent_page
    panel = window.status_panel
    assert panel is not None
    model = panel.model
    qtbot.waitUntil(lambda: panel.current_index().isValid(), timeout=SEND_TIMEOUT_MS)
    selected = panel.current_index()
    assert model.index(selected.row(), cols.COL_REFERENCE).data() == broadcast_ref
    assert model.rowCount(selected) == 3
    sent_to = sorted(model.index(row, cols.COL_NUMBER, selected).data() for row in range(3))
    assert sent_to == sorted(["61500000000", "61500000001", "61500000002"])
    assert panel.totals_label.text().startswith("3 faxes")


def test_new_fax_asks_before_clearing_and_keeps_the_fax_when_told_to(
    qtbot: QtBot, make_window: MakeWindow, write_pdf: Callable[..., Path]
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    focus_composer(qtbot, window)
    composer.add_recipients([("Dr Lee", "02 8003 9890")])
    composer.add_files([write_pdf()])
    draft = composer.draft()
    with qtbot.waitSignal(tab.autosaver.saved, timeout=10_000):
        tab.autosaver.schedule()
    assert tab.autosaver.path.exists()

    qtbot.keyClick(composer.recipients_panel.to_edit, Qt.Key.Key_N, CTRL)
    box = tab.new_fax_question
    assert box is not None
    assert box.text() == "Clear this fax and start a new one?"
    assert "(1 recipient and 1 document) has not been sent" in box.informativeText()
    answer_question(qtbot, tab, "Keep this fax")
    assert composer.draft() is draft
    assert len(draft.recipients) == 1

    tab.new_fax_action.trigger()
    answer_question(qtbot, tab, "Clear and start a new fax")
    fresh = composer.draft()
    assert fresh is not draft
    assert fresh.recipients == []
    assert fresh.documents == []
    assert fresh.send_ref != draft.send_ref
    assert composer.recipients_panel.model.rowCount() == 0
    qtbot.waitUntil(lambda: not tab.autosaver.path.exists())

    # A blank fax is cleared without a question.
    tab.new_fax_action.trigger()
    assert tab.new_fax_question is None


def test_after_a_sent_fax_new_fax_does_not_ask_and_sending_again_gets_new_references(
    qtbot: QtBot, make_window: MakeWindow, write_pdf: Callable[..., Path]
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    composer.add_recipients([("", SUCCESS.display)])
    composer.add_files([write_pdf()])
    wait_for_pages(qtbot, window)
    sent = composer.draft()
    sent_refs = (sent.broadcast_ref, sent.send_ref, sent.recipients[0].message_ref)
    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        composer.request_send()
    tab.progress_dialog.close()
    assert not tab.autosaver.path.exists()

    qtbot.mouseClick(tab.again_button, Qt.MouseButton.LeftButton)
    again = composer.draft()
    assert again is sent
    assert (again.broadcast_ref, again.send_ref, again.recipients[0].message_ref) != sent_refs
    assert composer.send_ref_edit.text() == again.send_ref
    assert not tab.done_bar.isVisible()
    # The same document to the same number a moment ago: it asks before sending.
    with qtbot.waitSignal(tab.controller.warnings_found, timeout=SEND_TIMEOUT_MS) as warned:
        composer.request_send()
    (warning,) = warned.args[0]
    assert warning.startswith("referral.pdf already went to")
    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS) as finished:
        qtbot.mouseClick(tab.progress_dialog.send_anyway_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].all_submitted
    tab.progress_dialog.close()

    with qtbot.assertNotEmitted(tab.controller.checking):
        tab.new_fax_action.trigger()
    assert tab.new_fax_question is None
    assert composer.draft().recipients == []
    assert not tab.done_bar.isVisible()


def test_a_fax_the_service_refuses_keeps_its_contents_and_goes_once_fixed(
    qtbot: QtBot,
    make_window: MakeWindow,
    sandbox: EmbeddedSandbox,
    write_pdf: Callable[..., Path],
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    composer.add_recipients([("Dr Lee", SUCCESS.display)])
    composer.documents_panel.add_saved_document("letterhead-never-saved")
    refused = composer.draft()
    refused_send_ref = refused.send_ref

    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS) as finished:
        composer.request_send()
    assert finished.args[0].failed
    assert tab.progress_dialog.title.text() == "Not sent"
    assert "letterhead-never-saved" in tab.progress_dialog.detail.text()
    tab.progress_dialog.close()
    # The same fax, still editable, under new references (the service takes none twice).
    assert composer.draft() is refused
    assert [r.name for r in refused.recipients] == ["Dr Lee"]
    assert refused.send_ref != refused_send_ref
    assert not tab.done_bar.isVisible()
    assert composer.recipients_panel.to_edit.isEnabled()

    composer.documents_panel.select(0)
    composer.documents_panel.remove_selected()
    composer.add_files([write_pdf()])
    wait_for_pages(qtbot, window)
    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS) as finished:
        composer.request_send()
    assert finished.args[0].all_submitted
    assert sandbox.url is not None
    assert [m.send_to for m in sandbox_statuses(sandbox.url, refused.broadcast_ref)] == [
        SUCCESS.number
    ]


def test_a_draft_left_by_a_crash_is_back_at_the_next_start(
    qtbot: QtBot, make_window: MakeWindow, write_pdf: Callable[..., Path]
) -> None:
    first = make_window()
    tab = tab_of(first)
    focus_composer(qtbot, first)
    letter = write_pdf()
    with qtbot.waitSignal(tab.autosaver.saved, timeout=10_000):
        qtbot.keyClicks(tab.composer.recipients_panel.to_edit, "Dr Lee <02 8003 9890>")
        qtbot.keyClick(tab.composer.recipients_panel.to_edit, Qt.Key.Key_Return)
        tab.composer.add_files([letter])
        qtbot.keyClicks(tab.composer.options_form.send_from_edit, "Reception")
    left = tab.composer.draft()
    # The first window is never closed, as when faxgui is killed: no flush, no goodbye.

    window = make_window()
    composer = tab_of(window).composer

    assert window.statusBar().currentMessage() == RESTORED_MESSAGE
    shown = composer.draft()
    assert shown.to_json() == left.to_json()
    assert [d.path for d in shown.documents] == [letter]
    assert composer.recipients_panel.model.rowCount() == 1
    assert composer.options_form.send_from_edit.text() == "Reception"
    assert composer.send_ref_edit.text() == left.send_ref
    assert not tab_of(window).alert.isVisible()


def test_a_saved_draft_that_was_sent_comes_back_as_sent_not_as_unsent(
    qtbot: QtBot, make_window: MakeWindow, write_pdf: Callable[..., Path]
) -> None:
    first = make_window()
    tab = tab_of(first)
    tab.composer.add_recipients([("", SUCCESS.display)])
    tab.composer.add_files([write_pdf()])
    wait_for_pages(qtbot, first)
    sent = tab.composer.draft()
    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        tab.composer.request_send()
    # The sent fax's draft is removed from disk on a worker; on a busy machine that can
    # happen after the line below and remove the draft this test puts back.
    qtbot.waitUntil(lambda: not tab.autosaver.pending, timeout=10_000)
    # Killed after sending, with the draft still on disk from before.
    DraftAutosave().save(sent)

    window = make_window()
    again = tab_of(window)
    assert again.composer.draft().send_ref == sent.send_ref
    assert again.done_bar.isVisible()
    assert "Sent: 1 fax handed to the fax service" in again.done_label.text()
    assert window.statusBar().currentMessage() != RESTORED_MESSAGE


def test_an_unreadable_saved_draft_is_reported_and_the_composer_starts_empty(
    make_window: MakeWindow,
) -> None:
    saved = DraftAutosave().path
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text("{ half a draft", encoding="utf-8")

    window = make_window()
    tab = tab_of(window)

    assert tab.alert.isVisible()
    assert tab.alert.text().startswith("The saved draft could not be opened")
    assert "current.json.unreadable" in tab.alert.text()
    assert tab.composer.draft().recipients == []
    assert window.statusBar().currentMessage() != RESTORED_MESSAGE


def test_edits_are_saved_and_the_draft_is_written_when_the_window_closes(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    composer = tab_of(window).composer
    composer.add_recipients([("Dr Lee", "02 8003 9890")])
    window.close()

    restored = DraftAutosave().load()
    assert restored is not None
    assert [r.normalised for r in restored.recipients] == ["61280039890"]


def test_an_unreachable_service_leaves_the_fax_waiting_and_the_status_bar_counts_it(
    qtbot: QtBot,
    make_window: MakeWindow,
    settings: Settings,
    passwords: PasswordStore,
    write_pdf: Callable[..., Path],
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
    tab = tab_of(window)
    composer = tab.composer
    assert not window.waiting_label.isVisible()
    composer.add_recipients([("Dr Lee", "02 8003 9890"), ("Harbour Physio", "03 9123 4567")])
    composer.add_files([write_pdf()])
    wait_for_pages(qtbot, window)
    send_ref = composer.draft().send_ref

    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        composer.request_send()

    assert tab.progress_dialog.title.text() == "Waiting to be sent"
    qtbot.waitUntil(window.waiting_label.isVisible, timeout=10_000)
    assert window.waiting_label.text() == "2 faxes waiting to be sent"
    assert window.retry_outbox_action.isEnabled()
    assert "waiting in the outbox" in tab.done_label.text()
    assert window.connection_status.text() == UNREACHABLE
    tab.progress_dialog.close()
    window.close()

    # Closing the app loses nothing: the next start counts them again.
    with JobStore() as store:
        record = store.send(send_ref)
        assert record is not None
        assert record.state is SendState.OUTBOX
    again = make_window(Settings.load())
    qtbot.waitUntil(again.waiting_label.isVisible, timeout=20_000)
    assert again.waiting_label.text() == "2 faxes waiting to be sent"

    # The service answers again: F5 sends what waited, once.
    server = SandboxServer("127.0.0.1", closed_port)
    server.start()
    try:
        again.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is again)
        qtbot.keyClick(again, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: not again.waiting_label.isVisible(), timeout=SEND_TIMEOUT_MS)
        with JobStore() as store:
            record = store.send(send_ref)
            assert record is not None
            assert record.state is SendState.SUBMITTED
        assert again.connection_status.text() == CONNECTED
        with MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
            answer = client.fax_status(
                FaxStatusRequest(send_ref=send_ref, verbosity=Verbosity.SEND)
            )
        assert sorted(m.send_to or "" for m in answer.messages) == ["61280039890", "61391234567"]
    finally:
        server.stop()


def test_the_bar_over_a_waiting_fax_says_sent_once_the_outbox_sends_it(
    qtbot: QtBot,
    make_window: MakeWindow,
    settings: Settings,
    passwords: PasswordStore,
    write_pdf: Callable[..., Path],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.set(ENDPOINT_KIND, EndpointKind.CUSTOM)
    settings.set(ENDPOINT_CUSTOM_URL, f"http://127.0.0.1:{port}/fax/soap/v2.1")
    settings.set(ACCOUNT_USERNAME, DEMO_USERNAME)
    passwords.set(EndpointKind.CUSTOM, DEMO_USERNAME, DEMO_PASSWORD)
    window = make_window()
    tab = tab_of(window)
    tab.composer.add_recipients([("Dr Lee", "02 8003 9890")])
    tab.composer.add_files([write_pdf()])
    wait_for_pages(qtbot, window)
    with qtbot.waitSignal(tab.controller.finished, timeout=SEND_TIMEOUT_MS):
        tab.composer.request_send()
    qtbot.waitUntil(window.waiting_label.isVisible, timeout=10_000)
    assert "1 fax waiting in the outbox" in tab.done_label.text()
    assert not tab.look_up_button.isVisible()

    server = SandboxServer("127.0.0.1", port)
    server.start()
    try:
        window.retry_outbox_action.trigger()
        qtbot.waitUntil(lambda: not window.waiting_label.isVisible(), timeout=SEND_TIMEOUT_MS)
    finally:
        server.stop()
    assert "Sent: 1 fax handed to the fax service" in tab.done_label.text()
    assert tab.look_up_button.isVisible()


def test_files_from_the_command_line_are_attached_to_the_new_fax(
    qtbot: QtBot,
    settings: Settings,
    passwords: PasswordStore,
    sandbox: EmbeddedSandbox,
    write_pdf: Callable[..., Path],
) -> None:
    letter = write_pdf("results.pdf")
    args = _parse_args([str(letter)])
    assert args.files == [letter]

    window = MainWindow(settings, passwords, sandbox, files=args.files)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window), qtbot.waitSignal(window.built, timeout=10_000):
        window.show()

    assert [d.path for d in tab_of(window).composer.draft().documents] == [letter]


def test_the_default_country_in_settings_is_how_numbers_are_read(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    composer = tab_of(window).composer
    composer.add_recipients([("London office", "020 7946 0958")])
    assert composer.draft().recipients[0].normalised is None

    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.region_combo.currentData() == "AU"
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("GB"))
    assert dialog.region_combo.currentText() == "United Kingdom (GB)"
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    assert Settings.load().get(PHONE_REGION) == "GB"
    assert composer.draft().recipients[0].normalised == "442079460958"
    assert [p.message for p in composer.problems() if p.field == "fax_number"] == []


def test_sandbox_test_numbers_are_accepted_only_on_the_sandbox(
    make_window: MakeWindow, settings: Settings
) -> None:
    on_sandbox = tab_of(make_window()).composer
    on_sandbox.add_recipients([("", SUCCESS.display)])
    assert on_sandbox.draft().recipients[0].normalised == SUCCESS.number

    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    on_monopond = tab_of(make_window()).composer
    on_monopond.add_recipients([("", SUCCESS.display)])
    assert on_monopond.draft().recipients[0].normalised is None


# Offscreen, a window cannot be raised, and Qt says so.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|propagateSizeHints)")
def test_the_address_book_window_and_the_to_field_both_add_a_group_to_the_fax(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    book = window.address_book
    assert isinstance(book, AddressBook)
    referrers = book.add_group("Referrers")
    book.add_contact("Dr Amy Lee", "(02) 8003 9890", group_ids=[referrers.id])
    book.add_contact("Dr Raj Patel", "02 9999 0000", group_ids=[referrers.id])
    focus_composer(qtbot, window)

    qtbot.keyClick(composer.recipients_panel.to_edit, Qt.Key.Key_B, CTRL)
    dialog = tab.address_book_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.group_list.count() == 2)
    dialog.group_list.setCurrentRow(
        next(
            row
            for row in range(dialog.group_list.count())
            if dialog.group_list.item(row).text() == "Referrers (2)"
        )
    )
    qtbot.waitUntil(lambda: dialog.add_to_fax_button.text() == "Add group to fax (2)")
    qtbot.mouseClick(dialog.add_to_fax_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: len(composer.draft().recipients) == 2)
    assert [r.normalised for r in composer.draft().recipients] == ["61280039890", "61299990000"]
    assert window.tabs.currentWidget() is window.compose_page
    assert window.statusBar().currentMessage() == "2 recipients added from the address book."
    qtbot.waitUntil(lambda: tab.address_book_dialog is None)

    # "To:" suggests from the same book: a group typed as suggested brings its members.
    assert composer.recipients_panel.to_edit.completer() is not None
    composer.recipients_panel.to_edit.setText("Group: Referrers (2 members)")
    composer.recipients_panel.add_from_entry()
    qtbot.waitUntil(lambda: len(composer.draft().recipients) == 4)


def test_the_composer_actions_are_in_the_file_menu_with_one_shortcut_each(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    tab = tab_of(window)
    in_menu = [a for a in window.file_menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in in_menu]
    assert texts[0] == "&New fax"
    assert tab.new_fax_action.shortcut() == QKeySequence("Ctrl+N")
    # The composer's own actions, not copies whose shortcuts Qt would find ambiguous.
    for action in tab.composer.actions():
        assert action in in_menu, action.text()
    in_menus = {a for menu in window.menuBar().actions() for a in menu.menu().actions()}
    keys = [key.toString() for action in in_menus for key in action.shortcuts()]
    assert len(keys) == len(set(keys)), keys
    assert texts[-2:] == ["&Settings…", "&Quit"]


def test_ctrl_2_and_ctrl_1_go_to_the_sent_faxes_and_back_to_the_fax(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    composer = tab_of(window).composer
    focus_composer(qtbot, window)

    qtbot.keyClick(composer.recipients_panel.to_edit, Qt.Key.Key_2, CTRL)
    assert window.tabs.currentWidget() is window.sent_page
    assert window.status_panel is not None
    search = window.status_panel.search_edit
    assert search.hasFocus()

    qtbot.keyClick(search, Qt.Key.Key_1, CTRL)
    assert window.tabs.currentWidget() is window.compose_page
    assert composer.recipients_panel.to_edit.hasFocus()
    # Typing goes to the fax again.
    with qtbot.waitSignal(composer.recipients_panel.edited, timeout=5000):
        qtbot.keyClicks(composer.recipients_panel.to_edit, "02 8003 9890")
        qtbot.keyClick(composer.recipients_panel.to_edit, Qt.Key.Key_Return)


# Offscreen, the sending window cannot be raised, and Qt says so.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|propagateSizeHints)")
def test_the_window_stays_open_while_a_fax_is_on_the_wire(
    qtbot: QtBot,
    make_window: MakeWindow,
    settings: Settings,
    passwords: PasswordStore,
    write_pdf: Callable[..., Path],
) -> None:
    # A service that takes the request and does not answer (yet).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    settings.set(ENDPOINT_KIND, EndpointKind.CUSTOM)
    settings.set(ENDPOINT_CUSTOM_URL, f"http://127.0.0.1:{port}/fax/soap/v2.1")
    settings.set(ACCOUNT_USERNAME, DEMO_USERNAME)
    passwords.set(EndpointKind.CUSTOM, DEMO_USERNAME, DEMO_PASSWORD)
    window = make_window()
    tab = tab_of(window)
    tab.composer.add_recipients([("Dr Lee", "02 8003 9890")])
    tab.composer.add_files([write_pdf()])
    wait_for_pages(qtbot, window)
    accepted: list[socket.socket] = []
    taker = threading.Thread(target=lambda: accepted.append(listener.accept()[0]))
    taker.start()
    tab.composer.request_send()
    qtbot.waitUntil(lambda: bool(accepted), timeout=SEND_TIMEOUT_MS)
    (connection,) = accepted
    try:
        assert tab.sending
        assert not window.close()
        assert window.isVisible()
        assert window.statusBar().currentMessage().startswith("A fax is being sent.")
    finally:
        # The service goes away: the fax waits in the outbox, and the window may close.
        connection.close()
        listener.close()
        taker.join()
    qtbot.waitUntil(lambda: not tab.controller.busy, timeout=SEND_TIMEOUT_MS)
    assert window.close()


def test_closing_while_the_warnings_are_shown_cancels_the_send(
    qtbot: QtBot, make_window: MakeWindow, write_pdf: Callable[..., Path]
) -> None:
    window = make_window()
    tab = tab_of(window)
    composer = tab.composer
    composer.add_recipients([("", SUCCESS.display)])
    composer.add_files([write_pdf(pages=3)])
    composer.options_form.set_more_visible(True)
    composer.options_form.max_pages_spin.setValue(1)
    wait_for_pages(qtbot, window)
    with qtbot.waitSignal(tab.controller.warnings_found, timeout=SEND_TIMEOUT_MS):
        composer.request_send()
    assert tab.controller.awaiting_confirmation
    assert not tab.sending

    assert window.close()
    assert not tab.controller.busy
