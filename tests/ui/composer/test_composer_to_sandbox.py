"""From the composer to the service: what a receptionist puts together is what the sandbox gets.

A 1,250-recipient broadcast is composed as a user would (a dropped PDF saved for
reuse, a CSV of numbers, a typed sender ID, fine resolution by keyboard) and
sent with Ctrl+Return; the SendFax bodies that arrived at a real sandbox are
read back and checked field by field: the split into requests of 600, one
BroadcastRef, the document once per request at the root (uploaded and saved
by the first, reused by reference in the others), and options given once at
the root for every message to inherit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from faxgui.api import wire
from faxgui.api.client import MonopondClient
from faxgui.api.enums import Resolution
from faxgui.api.models import SendFaxRequest
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.server import SandboxServer, SoapOutcome
from faxgui.ui.composer import ComposerPage
from faxgui.ui.send_controller import SendController

RECIPIENTS = 1_250


class CapturingSandbox(SandboxServer):
    """A real sandbox that also keeps every request body as it arrived."""

    def __init__(self) -> None:
        super().__init__("127.0.0.1", 0, speed=1000.0)
        self.received: list[bytes] = []

    def answer(self, data: bytes) -> SoapOutcome:
        self.received.append(data)
        return super().answer(data)

    def send_fax_requests(self) -> list[SendFaxRequest]:
        requests = []
        for body in self.received:
            envelope = etree.fromstring(body, etree.XMLParser(huge_tree=True))
            element = envelope.find(f"{{{wire.SOAP_ENV_NS}}}Body")[0]
            if etree.QName(element).localname == "SendFaxRequest":
                request = wire.request_from_element(element)
                assert isinstance(request, SendFaxRequest)
                requests.append(request)
        return requests


@pytest.fixture
def sandbox() -> Iterator[CapturingSandbox]:
    server = CapturingSandbox()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def controller(qtbot: QtBot, sandbox: CapturingSandbox, tmp_path: Path) -> Iterator[SendController]:
    store = JobStore(tmp_path / "jobs.sqlite3")
    sender = SendController(
        store, lambda: MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=30.0)
    )
    yield sender
    store.close()


def test_a_split_broadcast_arrives_as_composed(
    qtbot: QtBot,
    page: ComposerPage,
    controller: SendController,
    sandbox: CapturingSandbox,
    write_pdf: Callable[..., Path],
    write_csv: Callable[[str, str], Path],
    drop_files: Callable[..., bool],
    wait_for_pages: Callable[..., None],
) -> None:
    page.send_requested.connect(lambda: controller.send(page.draft()))
    controller.busy_changed.connect(page.set_busy)
    letter = write_pdf("price-list.pdf", pages=2)
    documents = page.documents_panel
    recipients = page.recipients_panel
    form = page.options_form

    # The letter, dropped on the page and kept by the service for reuse.
    assert drop_files(page, [letter])
    wait_for_pages(page.draft().documents)
    documents.list.setCurrentIndex(documents.model.index(0, 0))
    qtbot.mouseClick(documents.save_check, Qt.MouseButton.LeftButton)
    documents.ref_edit.selectAll()
    qtbot.keyClicks(documents.ref_edit, "price-list-2026")

    # 1,250 practices from a spreadsheet.
    rows = "\n".join(f"Practice {n},02 8{n:04d} {n % 1000:03d}" for n in range(RECIPIENTS))
    with qtbot.waitSignal(recipients.imported, timeout=20_000):
        recipients.import_csv(write_csv("practices.csv", "Name,Fax\n" + rows + "\n"))
    assert len(page.draft().recipients) == RECIPIENTS
    assert all(r.normalised for r in page.draft().recipients)

    # Options for everyone, by keyboard.
    qtbot.keyClicks(form.send_from_edit, "Harbour Clinic")
    form.resolution_combo.setFocus()
    qtbot.keyClick(form.resolution_combo, Qt.Key.Key_Down)
    qtbot.keyClick(form.resolution_combo, Qt.Key.Key_Down)
    assert page.draft().options.resolution is Resolution.FINE

    draft = page.draft()
    expected_numbers = [r.normalised for r in draft.recipients]
    with (
        qtbot.waitSignal(controller.finished, timeout=60_000) as finished,
        qtbot.assertNotEmitted(controller.warnings_found),
    ):
        qtbot.keyClick(form.send_from_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    report = finished.args[0]
    assert report.all_submitted

    requests = sandbox.send_fax_requests()
    # Split into requests of at most 600 that share the broadcast, each its own SendRef.
    assert [len(r.fax_messages) for r in requests] == [600, 600, 50]
    assert {r.broadcast_ref for r in requests} == {draft.broadcast_ref}
    assert len({r.send_ref for r in requests}) == 3
    assert requests[0].send_ref == draft.send_ref
    # Every recipient once, in order, with its own message reference.
    messages = [m for r in requests for m in r.fax_messages]
    assert [m.send_to for m in messages] == expected_numbers
    assert [m.message_ref for m in messages] == [r.message_ref for r in draft.recipients]
    # Options once at each root, inherited by the messages, which carry none of their own.
    for request in requests:
        assert request.send_from == "Harbour Clinic"
        assert request.resolution is Resolution.FINE
        assert request.retries is None  # left to the account
    assert all(m.send_from is None and m.resolution is None and m.documents == [] for m in messages)
    # The document once per request at the root: uploaded and saved by the first,
    # then used by its saved reference.
    first, *rest = requests
    assert len(first.documents) == 1
    assert first.documents[0].file_name == "price-list.pdf"
    assert first.documents[0].file_data == letter.read_bytes()
    assert first.documents[0].document_ref == "price-list-2026"
    for request in rest:
        assert len(request.documents) == 1
        assert request.documents[0].document_ref == "price-list-2026"
        assert request.documents[0].file_data is None
