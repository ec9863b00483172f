"""Stamps designed on screen end up on the fax: saved with the draft, sent, and printed in place.

The designer is opened from the composer's documents panel as a receptionist
does; stamps are placed with mouse clicks on the page; then the draft's
autosave, a SendFax request arriving at a real sandbox, and the sandbox's
FaxDocumentPreview TIFF are read back to find the stamps where they were put.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest
from lxml import etree
from PIL import Image, ImageOps
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient, wire
from faxgui.api.enums import Resolution
from faxgui.api.models import ImageStampMergeData, SendFaxRequest, TextStampMergeData
from faxgui.compose.autosave import DraftAutosave
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.stamp_edit import StampImage
from faxgui.imaging.stamp_geometry import page_point_to_fax
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.numbers import TEST_NUMBER_PREFIX
from faxgui.sandbox.server import SandboxServer, SoapOutcome
from faxgui.ui.composer import ComposerPage
from faxgui.ui.designer.designer_window import DesignerWindow
from faxgui.ui.designer.page_view import PageView
from faxgui.ui.designer.stamp_items import PendingImage, PendingText
from faxgui.ui.draft_autosaver import DraftAutosaver
from faxgui.ui.send_controller import SendController

LETTER_WIDTH_PT = 612.0
TEXT_AT_PT = (380.0, 150.0)
IMAGE_AT_PT = (90.0, 520.0)
IMAGE_SIZE = (180, 60)  # fax pixels by scan lines, as stored for the resolution under test


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


def client_factory(sandbox: SandboxServer) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=30.0)


@pytest.fixture
def composer(qtbot: QtBot) -> ComposerPage:
    page = ComposerPage(
        PhoneNormaliser("AU", extra_valid=lambda digits: digits.startswith(TEST_NUMBER_PREFIX))
    )
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def blank_pdf(path: Path) -> Path:
    """A Letter page with nothing on it, so any ink on the fax is a stamp's."""
    doc = pymupdf.open()
    doc.new_page(width=LETTER_WIDTH_PT, height=792)
    path.write_bytes(bytes(doc.tobytes()))
    return path


def black_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 0).save(buffer, format="PNG")
    return buffer.getvalue()


def open_from_panel(qtbot: QtBot, composer: ComposerPage, pdf: Path) -> DesignerWindow:
    """Add the PDF to the fax, select it and press "Stamps and preview…"."""
    panel = composer.documents_panel
    composer.add_files([pdf])
    qtbot.waitUntil(lambda: composer.draft().documents[0].page_count is not None, timeout=10_000)
    panel.select(0)
    assert panel.designer_button.isEnabled()
    qtbot.mouseClick(panel.designer_button, Qt.MouseButton.LeftButton)
    window = panel.designers[id(composer.draft().documents[0])]
    qtbot.addWidget(window)
    assert window.viewer is not None
    qtbot.waitUntil(lambda: window.viewer is not None and window.viewer.view.page_count() == 1)
    window.viewer.view.set_zoom(1.0)
    return window


def click_page(qtbot: QtBot, view: PageView, x_pt: float, y_pt: float) -> QPointF:
    """Click page 1 at (x_pt, y_pt); returns the page point the click really hit."""
    scene = view.page_item(0).mapToScene(QPointF(x_pt, y_pt))
    view.centerOn(scene)
    pixel: QPoint = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel)
    return view.page_item(0).mapFromScene(view.mapToScene(pixel))


def place_stamps(qtbot: QtBot, window: DesignerWindow) -> tuple[QPointF, QPointF]:
    """A text stamp and an image stamp, each placed by a click; the points clicked."""
    layer = window.layer
    assert layer is not None
    assert window.viewer is not None
    view = window.viewer.view
    layer.start_placing(PendingText("TEST", "Helvetica-Bold", Decimal(24)))
    text_at = click_page(qtbot, view, *TEXT_AT_PT)
    image = StampImage("box.png", black_png(90, 30), 90, 30)
    layer.start_placing(PendingImage(image, *IMAGE_SIZE))
    image_at = click_page(qtbot, view, *IMAGE_AT_PT)
    return text_at, image_at


def test_a_stamp_placed_in_the_designer_is_saved_with_the_draft(
    qtbot: QtBot, composer: ComposerPage, tmp_path: Path
) -> None:
    autosave = DraftAutosave(tmp_path / "draft.json")
    autosaver = DraftAutosaver(composer.draft, composer, autosave=autosave, delay_ms=10)
    composer.draft_changed.connect(autosaver.schedule)
    window = open_from_panel(qtbot, composer, blank_pdf(tmp_path / "letter.pdf"))

    with qtbot.waitSignal(autosaver.saved, timeout=10_000):
        place_stamps(qtbot, window)
    qtbot.waitUntil(lambda: not autosaver.pending, timeout=10_000)

    document = composer.draft().documents[0]
    restored = DraftAutosave(tmp_path / "draft.json").load()
    assert restored is not None
    assert restored.documents[0].stamps == document.stamps
    assert len(document.stamps) == 2
    # The documents list says so too.
    panel = composer.documents_panel
    assert "2 stamps" in panel.model.data(panel.model.index(0))
    assert panel.stamps_label.text() == "2 stamps, on every page"


def test_a_designed_stamp_reaches_the_send_fax_request(
    qtbot: QtBot, composer: ComposerPage, sandbox: CapturingSandbox, tmp_path: Path
) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    controller = SendController(store, client_factory(sandbox))
    composer.send_requested.connect(lambda: controller.send(composer.draft()))
    controller.busy_changed.connect(composer.set_busy)
    composer.recipients_panel.add_entries([("Harbour Clinic", "(02) 8003 9890")])
    window = open_from_panel(qtbot, composer, blank_pdf(tmp_path / "letter.pdf"))
    place_stamps(qtbot, window)
    stamps = list(composer.draft().documents[0].stamps)
    layer = window.layer
    assert layer is not None
    read_only_while_busy: list[tuple[bool, bool]] = []
    controller.busy_changed.connect(
        lambda busy: read_only_while_busy.append((busy, layer.read_only))
    )

    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        composer.request_send()
    assert finished.args[0].all_submitted
    # While it was being sent, the designer could not change what went out.
    assert read_only_while_busy[0] == (True, True)
    assert read_only_while_busy[-1] == (False, False)

    (request,) = sandbox.send_fax_requests()
    (sent,) = request.documents
    assert sent.stamp_merge_data == stamps
    text, image = sent.stamp_merge_data
    assert isinstance(text, TextStampMergeData)
    assert isinstance(image, ImageStampMergeData)
    assert (text.text, text.font_name, text.font_size) == ("TEST", "Helvetica-Bold", Decimal(24))
    assert (image.width, image.height, image.file_name) == (*IMAGE_SIZE, "box.png")
    store.close()


def ink_box(page: Image.Image, around: tuple[int, int], reach: int = 120) -> tuple[int, ...]:
    """The (left, top, right, bottom) of the ink near `around` on a fax page (ink is white in
    `page`, the inverted fax)."""
    x, y = around
    left, top = max(0, x - reach), max(0, y - reach)
    box = page.crop((left, top, x + reach * 3, y + reach * 3)).getbbox()
    assert box is not None, f"no ink near {around}"
    return (left + box[0], top + box[1], left + box[2], top + box[3])


@pytest.mark.parametrize("resolution", [Resolution.NORMAL, Resolution.FINE])
def test_stamps_print_within_two_pixels_of_where_they_were_placed(
    qtbot: QtBot,
    composer: ComposerPage,
    sandbox: CapturingSandbox,
    tmp_path: Path,
    resolution: Resolution,
) -> None:
    composer.draft().options.resolution = resolution
    composer.documents_panel.set_client_factory(client_factory(sandbox))
    window = open_from_panel(qtbot, composer, blank_pdf(tmp_path / "letter.pdf"))
    text_at, image_at = place_stamps(qtbot, window)
    text_px = page_point_to_fax(text_at.x(), text_at.y(), LETTER_WIDTH_PT, resolution)
    image_px = page_point_to_fax(image_at.x(), image_at.y(), LETTER_WIDTH_PT, resolution)
    text, image = composer.draft().documents[0].stamps
    assert (text.x, text.y) == text_px
    assert (image.x, image.y) == image_px

    assert window.preview_pane.resolution() is resolution
    with qtbot.waitSignal(window.preview_pane.preview_ready, timeout=30_000):
        qtbot.mouseClick(window.preview_button, Qt.MouseButton.LeftButton)
    preview = window.preview_pane.preview
    assert preview is not None
    with Image.open(io.BytesIO(preview.tiff)) as tiff:
        tiff.seek(0)
        page = ImageOps.invert(tiff.convert("L"))

    left, top, right, bottom = ink_box(page, image_px)
    assert abs(left - image_px[0]) <= 2
    assert abs(top - image_px[1]) <= 2
    assert abs((right - left) - IMAGE_SIZE[0]) <= 2
    assert abs((bottom - top) - IMAGE_SIZE[1]) <= 2
    left, top, _, _ = ink_box(page, text_px)
    assert abs(left - text_px[0]) <= 2
    assert abs(top - text_px[1]) <= 2
    qtbot.waitUntil(lambda: not window.preview_pane.running, timeout=10_000)
