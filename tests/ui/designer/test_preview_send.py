"""A previewed document in the "New fax" tab: sent by its saved copy, deleted with a cleared fax.

The composer tab runs against a real sandbox: the document is previewed with
the preview pane (which records its saved copy on the draft), then the fax is
sent with the Send button, or the fax is cleared with "New fax".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    FaxStatusResponse,
    SaveFaxDocumentRequest,
    SendFaxRequest,
)
from faxgui.compose.autosave import DraftAutosave
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.preview import PreviewCache
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.numbers import TEST_NUMBER_PREFIX
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.compose_tab import ComposeTab
from faxgui.ui.designer.preview_pane import PreviewPane


class RecordingEngine(SandboxEngine):
    """The real sandbox engine, keeping the saves, deletes and SendFax requests it gets."""

    def __init__(self) -> None:
        super().__init__(speed=1000.0)
        self.saves: list[SaveFaxDocumentRequest] = []
        self.deletes: list[str] = []
        self.sends: list[SendFaxRequest] = []

    def save_fax_document(self, account: str, req: SaveFaxDocumentRequest) -> None:
        self.saves.append(req)
        super().save_fax_document(account, req)

    def delete_fax_document(self, account: str, req: DeleteFaxDocumentRequest) -> None:
        self.deletes.append(req.document_ref)
        super().delete_fax_document(account, req)

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        self.sends.append(req)
        return super().send_fax(account, req)

    def has_document(self, document_ref: str) -> bool:
        with self._lock:
            return self._account(DEMO_USERNAME).documents.contains(document_ref, self._now())


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def server(engine: RecordingEngine) -> Iterator[SandboxServer]:
    instance = SandboxServer("127.0.0.1", 0, engine=engine)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def factory(server: SandboxServer) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)


@pytest.fixture
def tab(
    qtbot: QtBot, tmp_path: Path, factory: Callable[[], MonopondClient]
) -> Iterator[ComposeTab]:
    store = JobStore(tmp_path / "jobs.sqlite3")
    numbers = PhoneNormaliser("AU", extra_valid=lambda d: d.startswith(TEST_NUMBER_PREFIX))
    widget = ComposeTab(store, factory, numbers, autosave=DraftAutosave(tmp_path / "draft.json"))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shut_down()
    store.close()


@pytest.fixture
def pane(qtbot: QtBot, factory: Callable[[], MonopondClient]) -> PreviewPane:
    widget = PreviewPane(cache=PreviewCache())
    widget.set_client_factory(factory)
    qtbot.addWidget(widget)
    return widget


def write_pdf(path: Path, pages: int = 1) -> Path:
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), f"Referral, page {number}", fontsize=24)
    path.write_bytes(bytes(doc.tobytes()))
    return path


def previewed(qtbot: QtBot, tab: ComposeTab, pane: PreviewPane, path: Path) -> str:
    """Attach `path` to the fax and preview it; the DocumentRef of its saved copy."""
    assert tab.add_files([path]) == []
    document = tab.composer.draft().documents[-1]
    with qtbot.waitSignal(pane.preview_ready, timeout=20_000):
        pane.show_preview(document)
    assert document.saved_copy is not None
    return document.saved_copy.document_ref


def test_the_fax_is_sent_by_the_previewed_copy(
    qtbot: QtBot, tab: ComposeTab, pane: PreviewPane, engine: RecordingEngine, tmp_path: Path
) -> None:
    path = write_pdf(tmp_path / "referral.pdf", pages=2)
    ref = previewed(qtbot, tab, pane, path)
    tab.composer.add_recipients([("Dr Chen", "0280039890")])
    with qtbot.waitSignal(tab.controller.finished, timeout=30_000):
        qtbot.mouseClick(tab.composer.send_button, Qt.MouseButton.LeftButton)

    (sent,) = engine.sends
    (document,) = sent.documents
    assert document.document_ref == ref
    assert document.file_data is None
    assert [s.document_ref for s in engine.saves] == [ref]
    assert tab.done_bar.isVisible()

    # The fax may use it: starting the next fax leaves it on the service.
    qtbot.mouseClick(tab.new_fax_button, Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    assert engine.deletes == []
    assert engine.has_document(ref)


def test_a_changed_file_is_sent_as_it_is_now(
    qtbot: QtBot, tab: ComposeTab, pane: PreviewPane, engine: RecordingEngine, tmp_path: Path
) -> None:
    path = write_pdf(tmp_path / "referral.pdf")
    previewed(qtbot, tab, pane, path)
    write_pdf(path, pages=3)
    tab.composer.add_recipients([("Dr Chen", "0280039890")])
    with qtbot.waitSignal(tab.controller.finished, timeout=30_000):
        qtbot.mouseClick(tab.composer.send_button, Qt.MouseButton.LeftButton)

    (document,) = engine.sends[0].documents
    assert document.document_ref is None
    assert document.file_data == path.read_bytes()


def test_clearing_an_unsent_fax_deletes_its_copies(
    qtbot: QtBot, tab: ComposeTab, pane: PreviewPane, engine: RecordingEngine, tmp_path: Path
) -> None:
    first = previewed(qtbot, tab, pane, write_pdf(tmp_path / "referral.pdf"))
    second = previewed(qtbot, tab, pane, write_pdf(tmp_path / "consent.pdf", pages=2))

    tab.new_fax()
    box = tab.new_fax_question
    assert box is not None
    clear = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)

    # The composer is cleared at once; the deleting happens on a worker.
    assert tab.composer.draft().documents == []
    qtbot.waitUntil(lambda: sorted(engine.deletes) == sorted([first, second]), timeout=10_000)
    assert not engine.has_document(first)
    assert not engine.has_document(second)


def test_clearing_with_the_service_unreachable_still_clears(
    qtbot: QtBot,
    tab: ComposeTab,
    pane: PreviewPane,
    engine: RecordingEngine,
    server: SandboxServer,
    tmp_path: Path,
) -> None:
    ref = previewed(qtbot, tab, pane, write_pdf(tmp_path / "referral.pdf"))
    server.stop()
    tab.start_new_fax()
    assert tab.composer.draft().documents == []
    from PySide6.QtCore import QThreadPool

    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    assert engine.deletes == []
    assert engine.has_document(ref)
