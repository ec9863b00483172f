"""The preview pane against the real sandbox: what the receptionist sees, and what the service got.

Normal then fine shows the same pages at twice the lines; changing the
dithering changes the picture; going back to options seen before asks the
service nothing; Cancel frees the pane at once; every fault is a sentence.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    DocMergeData,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    SaveFaxDocumentRequest,
)
from faxgui.compose.draft import DraftDocument
from faxgui.compose.preview import PreviewCache
from faxgui.config.endpoints import EndpointKind
from faxgui.config.secrets import PasswordStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import DropPoint, SandboxServer
from faxgui.ui.designer.preview_pane import CANCELLED, FAILED, MAKING, NO_SERVICE, PreviewPane
from faxgui.ui.main_window import ClientFactory, SendTarget

LETTER_LINES = {Resolution.NORMAL: 1078, Resolution.FINE: 2156}


class CountingEngine(SandboxEngine):
    """The real sandbox engine, counting the document calls that reach it.

    `gate`, when set, holds every preview until it is opened; `preview_answer`
    replaces a proper preview answer with a bad one.
    """

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(speed=1000.0, clock=clock)
        self.saves: list[str] = []
        self.deletes: list[str] = []
        self.previews: list[FaxDocumentPreviewRequest] = []
        self.gate: threading.Event | None = None
        self.preview_arrived = threading.Event()
        self.preview_answer: FaxDocumentPreviewResponse | None = None

    def save_fax_document(self, account: str, req: SaveFaxDocumentRequest) -> None:
        self.saves.append(req.document_ref)
        super().save_fax_document(account, req)

    def delete_fax_document(self, account: str, req: DeleteFaxDocumentRequest) -> None:
        self.deletes.append(req.document_ref)
        super().delete_fax_document(account, req)

    def fax_document_preview(
        self, account: str, req: FaxDocumentPreviewRequest
    ) -> FaxDocumentPreviewResponse:
        self.previews.append(req)
        self.preview_arrived.set()
        if self.gate is not None:
            self.gate.wait(10)
        answer = super().fax_document_preview(account, req)
        return self.preview_answer or answer


@pytest.fixture
def clock() -> ManualClock:
    from datetime import UTC, datetime

    return ManualClock(datetime.now(UTC))


@pytest.fixture
def engine(clock: ManualClock) -> CountingEngine:
    return CountingEngine(clock)


@pytest.fixture
def server(engine: CountingEngine) -> Iterator[SandboxServer]:
    instance = SandboxServer("127.0.0.1", 0, engine=engine)
    instance.start()
    yield instance
    if engine.gate is not None:
        engine.gate.set()
    instance.stop()


def factory_for(url: str, password: str = DEMO_PASSWORD) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(url, DEMO_USERNAME, password, timeout=10.0)


@pytest.fixture
def pane(qtbot: QtBot, server: SandboxServer) -> PreviewPane:
    widget = PreviewPane(cache=PreviewCache())
    widget.set_client_factory(factory_for(server.url))
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def write_pdf(path: Path, pages: int = 1, grey: float | None = None) -> Path:
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), f"Referral, page {number}", fontsize=24)
        if grey is not None:
            page.draw_rect(pymupdf.Rect(72, 200, 540, 600), color=None, fill=(grey,) * 3)
    path.write_bytes(bytes(doc.tobytes()))
    return path


def heights(tiff: bytes) -> list[int]:
    with Image.open(io.BytesIO(tiff)) as image:
        found = []
        for index in range(image.n_frames):
            image.seek(index)
            found.append(image.size[1])
        return found


def wait_for_workers(qtbot: QtBot) -> None:
    from PySide6.QtCore import QThreadPool

    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0, timeout=10_000)
    # Let the last answer be delivered to the GUI thread.
    qtbot.wait(20)


def preview(qtbot: QtBot, pane: PreviewPane, document: DraftDocument) -> list[int]:
    with qtbot.waitSignal(pane.preview_ready, timeout=20_000) as ready:
        pane.show_preview(document)
    return list(ready.args or [])


def choose(qtbot: QtBot, pane: PreviewPane, box: str, key: Qt.Key) -> list[int]:
    """Pick the next or previous entry of a combo box by keyboard; wait for the preview."""
    combo = getattr(pane, box)
    combo.setFocus()
    with qtbot.waitSignal(pane.preview_ready, timeout=20_000) as ready:
        qtbot.keyClick(combo, key)
    return list(ready.args or [])


# --------------------------------------------------------------------------- previews


def test_normal_then_fine_shows_the_pages_at_twice_the_lines(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf", pages=3))

    assert preview(qtbot, pane, document) == [3]
    assert pane.status_label.text() == "3 pages as the fax will print, normal resolution"
    assert pane.viewer.view.page_count() == 3
    assert pane.preview is not None
    normal = heights(pane.preview.tiff)

    assert choose(qtbot, pane, "resolution_box", Qt.Key.Key_Down) == [3]
    assert pane.status_label.text() == "3 pages as the fax will print, fine resolution"
    assert pane.preview is not None
    fine = heights(pane.preview.tiff)

    assert normal == [LETTER_LINES[Resolution.NORMAL]] * 3
    assert fine == [LETTER_LINES[Resolution.FINE]] * 3
    assert fine[0] / normal[0] == pytest.approx(2.0, rel=0.01)
    assert pane.viewer.view.page_count() == 3
    # Saved once, previewed twice, by the same reference the document now records.
    assert document.saved_copy is not None
    assert engine.saves == [document.saved_copy.document_ref]
    assert [p.resolution for p in engine.previews] == [Resolution.NORMAL, Resolution.FINE]
    assert {p.document_ref for p in engine.previews} == {document.saved_copy.document_ref}


def test_changing_the_dithering_changes_the_picture(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    document = DraftDocument(
        path=write_pdf(tmp_path / "photo.pdf", grey=0.55),
        dithering_technique=DitheringTechnique.NONE,
    )
    preview(qtbot, pane, document)
    assert pane.dithering() is DitheringTechnique.NONE
    assert pane.preview is not None
    threshold = pane.preview.tiff

    # The next entry after "None" is "Normal".
    choose(qtbot, pane, "dithering_box", Qt.Key.Key_Down)
    assert pane.dithering() is DitheringTechnique.NORMAL
    assert pane.preview is not None
    assert pane.preview.tiff != threshold
    assert [p.dithering_technique for p in engine.previews] == [
        DitheringTechnique.NONE,
        DitheringTechnique.NORMAL,
    ]
    # The pane's choice is for looking: the document keeps its own.
    assert document.dithering_technique is DitheringTechnique.NONE


def test_options_seen_before_come_from_the_cache(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf", pages=2))
    preview(qtbot, pane, document)
    assert pane.preview is not None
    first = pane.preview.tiff
    choose(qtbot, pane, "resolution_box", Qt.Key.Key_Down)
    assert choose(qtbot, pane, "resolution_box", Qt.Key.Key_Up) == [2]

    assert pane.preview is not None
    assert pane.preview.tiff == first
    assert pane.status_label.text() == "2 pages as the fax will print, normal resolution"
    assert len(engine.previews) == 2
    assert len(engine.saves) == 1


def test_new_stamps_are_previewed_again_with_the_same_copy(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    from faxgui.api.models import TextStampMergeData

    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf"))
    preview(qtbot, pane, document)
    document.stamps.append(TextStampMergeData(300, 500, "RECEIVED"))
    with qtbot.waitSignal(pane.preview_ready, timeout=20_000):
        qtbot.mouseClick(pane.preview_button, Qt.MouseButton.LeftButton)
    assert len(engine.previews) == 2
    assert len(engine.saves) == 1
    assert engine.previews[1].stamp_merge_data == [TextStampMergeData(300, 500, "RECEIVED")]


def test_cancel_frees_the_pane_at_once_and_drops_the_answer(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf"))
    engine.gate = threading.Event()
    shown: list[int] = []
    pane.preview_ready.connect(shown.append)

    pane.show_preview(document)
    assert pane.running
    assert pane.cancel_button.isEnabled()
    assert pane.viewer.message() == MAKING
    assert pane.status_label.text() == "Asking the fax service to draw it at normal resolution…"
    assert not pane.preview_button.isEnabled()
    qtbot.waitUntil(engine.preview_arrived.is_set, timeout=10_000)
    qtbot.mouseClick(pane.cancel_button, Qt.MouseButton.LeftButton)

    # At once, with the service still working on it.
    assert not pane.running
    assert pane.preview_button.isEnabled()
    assert not pane.cancel_button.isEnabled()
    assert pane.status_label.text() == CANCELLED
    assert pane.viewer.message() == CANCELLED

    engine.gate.set()
    # The late answer is not shown, but the copy it saved is recorded for next time.
    qtbot.waitUntil(lambda: document.saved_copy is not None, timeout=10_000)
    wait_for_workers(qtbot)
    assert shown == []
    assert pane.preview is None
    assert pane.viewer.message() == CANCELLED

    engine.gate = None
    assert preview(qtbot, pane, document) == [1]
    assert len(engine.saves) == 1


def test_asking_again_while_one_runs_shows_only_the_last_and_saves_once(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf", pages=2))
    engine.gate = threading.Event()
    shown: list[int] = []
    pane.preview_ready.connect(shown.append)
    pane.show_preview(document)
    qtbot.waitUntil(engine.preview_arrived.is_set, timeout=10_000)
    pane.set_resolution(Resolution.FINE)
    assert pane.running
    with qtbot.waitSignal(pane.preview_ready, timeout=20_000):
        engine.gate.set()

    assert shown == [2]
    assert pane.preview is not None
    assert pane.preview.resolution is Resolution.FINE
    assert heights(pane.preview.tiff) == [LETTER_LINES[Resolution.FINE]] * 2
    assert len(engine.saves) == 1


def test_an_expired_copy_is_saved_again_without_troubling_the_user(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, clock: ManualClock, tmp_path: Path
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf"))
    preview(qtbot, pane, document)
    assert document.saved_copy is not None
    first = document.saved_copy.document_ref
    clock.advance(timedelta(days=31).total_seconds())
    changed: list[object] = []
    pane.saved_copy_changed.connect(changed.append)

    assert choose(qtbot, pane, "resolution_box", Qt.Key.Key_Down) == [1]
    assert document.saved_copy.document_ref != first
    assert changed == [document]
    assert len(engine.saves) == 2


# --------------------------------------------------------------------------- faults


def failure(qtbot: QtBot, pane: PreviewPane, document: DraftDocument) -> str:
    with qtbot.waitSignal(pane.preview_failed, timeout=20_000) as failed:
        pane.show_preview(document)
    (sentence,) = failed.args or [""]
    assert pane.status_label.text() == FAILED
    assert pane.viewer.message() == f"{FAILED}\n\n{sentence}"
    assert not pane.running
    assert pane.preview_button.isEnabled()
    return str(sentence)


def test_network_down(
    qtbot: QtBot, pane: PreviewPane, tmp_path: Path, closed_port_url: str
) -> None:
    pane.set_client_factory(factory_for(closed_port_url))
    sentence = failure(qtbot, pane, DraftDocument(path=write_pdf(tmp_path / "a.pdf")))
    assert sentence.startswith("Could not reach the fax service. Check the internet connection")


@pytest.fixture
def closed_port_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/fax/soap/v2.1"


def test_connection_dropped_mid_preview(
    qtbot: QtBot, pane: PreviewPane, server: SandboxServer, tmp_path: Path
) -> None:
    def drop(operation: str, count: int) -> DropPoint | None:
        return DropPoint.AFTER_ACCEPT if operation == "FaxDocumentPreview" else None

    server.drop_connection = drop
    document = DraftDocument(path=write_pdf(tmp_path / "a.pdf"))
    assert failure(qtbot, pane, document).startswith("Could not reach the fax service")
    # The save had gone through: it is kept for the next try.
    assert document.saved_copy is not None


def test_wrong_password(
    qtbot: QtBot, pane: PreviewPane, server: SandboxServer, tmp_path: Path
) -> None:
    pane.set_client_factory(factory_for(server.url, password="wrong-secret"))
    sentence = failure(qtbot, pane, DraftDocument(path=write_pdf(tmp_path / "a.pdf")))
    assert "did not accept the user name or password" in sentence
    assert "wrong-secret" not in pane.status_label.text()


def test_no_account_set_up(qtbot: QtBot, pane: PreviewPane, tmp_path: Path) -> None:
    target = SendTarget(EndpointKind.PRODUCTION, "", "", None, 10.0)
    pane.set_client_factory(ClientFactory(PasswordStore(), target))
    sentence = failure(qtbot, pane, DraftDocument(path=write_pdf(tmp_path / "a.pdf")))
    assert sentence.startswith("Enter the user name of your")


def test_no_service_at_all(qtbot: QtBot, tmp_path: Path) -> None:
    pane = PreviewPane(cache=PreviewCache())
    qtbot.addWidget(pane)
    assert failure(qtbot, pane, DraftDocument(path=write_pdf(tmp_path / "a.pdf"))) == NO_SERVICE


def test_merge_fields_on_a_pdf(qtbot: QtBot, pane: PreviewPane, tmp_path: Path) -> None:
    document = DraftDocument(
        path=write_pdf(tmp_path / "a.pdf"), doc_merge_data=[DocMergeData("patient", "Zoë")]
    )
    sentence = failure(qtbot, pane, document)
    assert sentence.startswith("Merge fields only work with Microsoft Word documents")


def test_damaged_document(qtbot: QtBot, pane: PreviewPane, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7 not a PDF inside")
    sentence = failure(qtbot, pane, DraftDocument(path=path))
    assert sentence == "The fax service cannot convert this kind of document. Save it as PDF."


def test_unknown_file_type(qtbot: QtBot, pane: PreviewPane, tmp_path: Path) -> None:
    path = tmp_path / "notes.xyz"
    path.write_bytes(b"plain words")
    assert "supported type such as .pdf" in failure(qtbot, pane, DraftDocument(path=path))


def test_an_answer_that_is_not_a_tiff(
    qtbot: QtBot, pane: PreviewPane, engine: CountingEngine, tmp_path: Path
) -> None:
    engine.preview_answer = FaxDocumentPreviewResponse(b"GIF89a not a tiff", 1)
    sentence = failure(qtbot, pane, DraftDocument(path=write_pdf(tmp_path / "a.pdf")))
    assert sentence.startswith("The fax service sent a preview this program cannot read")


def test_a_saved_document_the_service_no_longer_has(qtbot: QtBot, pane: PreviewPane) -> None:
    sentence = failure(qtbot, pane, DraftDocument(document_ref="terms-2024"))
    assert "saved documents are kept for 30 days" in sentence


def test_a_fault_then_a_good_preview_clears_the_message(
    qtbot: QtBot, pane: PreviewPane, tmp_path: Path
) -> None:
    document = DraftDocument(
        path=write_pdf(tmp_path / "a.pdf"), doc_merge_data=[DocMergeData("patient", "Zoë")]
    )
    failure(qtbot, pane, document)
    document.doc_merge_data.clear()
    with qtbot.waitSignal(pane.preview_ready, timeout=20_000):
        qtbot.mouseClick(pane.preview_button, Qt.MouseButton.LeftButton)
    assert pane.status_label.text() == "1 page as the fax will print, normal resolution"
    assert pane.viewer.message() == ""
