"""The sandbox renders faithfully, seen through the real client over loopback HTTP.

Stamps land on the pixel they name at both resolutions, Word merge fields are
filled in before the preview is drawn, the service's faults come back typed,
and MaxFaxPages counts the pages a document really has.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pymupdf
import pytest
from PIL import Image

from faxgui.api import MonopondClient
from faxgui.api.enums import FaxError, FaxStatus, Resolution, Verbosity
from faxgui.api.errors import (
    MergeFieldDoesNotMatchDocumentTypeFault,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.api.models import (
    DocMergeData,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxMessage,
    FaxMessageStatus,
    FaxStatusRequest,
    ImageStampMergeData,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    TextStampMergeData,
)
from faxgui.imaging.docx_merge import merge_docx
from faxgui.imaging.office import OfficeConverter
from faxgui.imaging.raster import render_fax_tiff
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer

MakeDocx = Callable[..., bytes]
NUMBER = "0298765432"


def _pdf(pages: int, *, text: bool = True) -> bytes:
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=612, height=792)
        if text:
            page.insert_text((72, 72), f"Discharge summary, page {number}", fontsize=18)
    return bytes(doc.tobytes())


def _black_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 0).save(out, format="PNG")
    return out.getvalue()


def _pages(tiff: bytes) -> list[Image.Image]:
    """Each page of a preview as greyscale: ink is 0, paper 255."""
    pages = []
    with Image.open(io.BytesIO(tiff)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            pages.append(image.convert("L"))
    return pages


def _ink_box(page: Image.Image, around: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box of the ink inside a search area, in page pixels."""
    left, top, _, _ = around
    inverted = page.crop(around).point(lambda v: 255 - v)
    box = inverted.getbbox()
    assert box is not None, f"no ink in {around}"
    return box[0] + left, box[1] + top, box[2] + left, box[3] + top


def _save(client: MonopondClient, ref: str, name: str, data: bytes) -> None:
    client.save_fax_document(SaveFaxDocumentRequest(ref, name, data))


# --------------------------------------------------------------------------- stamps


@pytest.mark.parametrize("resolution", [Resolution.NORMAL, Resolution.FINE])
def test_text_and_image_stamps_land_within_two_pixels_of_their_coordinates(
    client: MonopondClient, resolution: Resolution
) -> None:
    lines = resolution.lines_per_inch // 98  # 1 at normal, 2 at fine: y counts scan lines
    text_at = (400, 300 * lines)
    image_at, image_size = (1000, 500 * lines), (120, 130 * lines)
    _save(client, "blank", "blank.pdf", _pdf(2, text=False))
    answer = client.fax_document_preview(
        FaxDocumentPreviewRequest(
            "blank",
            resolution=resolution,
            stamp_merge_data=[
                TextStampMergeData(*text_at, "TEST", "Helvetica", 24),
                ImageStampMergeData(*image_at, "seal.png", _black_png(60, 65), *image_size),
            ],
        )
    )
    pages = _pages(answer.tiff_preview)
    assert answer.number_of_pages == len(pages) == 2
    for page in pages:
        assert page.size == (1728, 11 * resolution.lines_per_inch)
        x, y = text_at
        left, top, right, _ = _ink_box(page, (x - 40, y - 40, x + 300, y + 100 * lines))
        assert abs(left - x) <= 2
        assert abs(top - y) <= 2
        assert right - left > 60
        # The first T's stem runs from the cap top to the baseline: Helvetica's capitals are
        # 0.718 of 24 points tall, 23 lines at normal resolution and 47 at fine.
        _, stem_top, _, stem_bottom = _ink_box(page, (x + 15, y - 40, x + 26, y + 100 * lines))
        assert abs((stem_bottom - stem_top) - 0.718 * 24 * resolution.lines_per_inch / 72) <= 2
        x, y = image_at
        box = _ink_box(page, (x - 40, y - 40, x + 200, y + 200 * lines))
        expected = (x, y, x + image_size[0], y + image_size[1])
        assert all(abs(a - b) <= 2 for a, b in zip(box, expected, strict=True)), box


def test_a_preview_without_stamps_has_no_ink_where_they_would_be(
    client: MonopondClient,
) -> None:
    _save(client, "blank", "blank.pdf", _pdf(1, text=False))
    answer = client.fax_document_preview(FaxDocumentPreviewRequest("blank"))
    (page,) = _pages(answer.tiff_preview)
    assert page.point(lambda v: 255 - v).getbbox() is None


# --------------------------------------------------------------------------- Word merge fields


def test_a_word_preview_has_its_merge_fields_filled_in(
    client: MonopondClient, libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    docx = make_docx(
        ["Dear <mf:patient>,", "Your appointment is on <mf:when>."],
        footer=["Northside Clinic, ref <mf:ref>"],
    )
    _save(client, "letter", "letter.docx", docx)
    values = {"patient": "Ms Jo Bloggs", "when": "Tuesday 4 March at 10:30", "ref": "R-2291"}
    merge = [DocMergeData(key, value) for key, value in values.items()]
    plain = client.fax_document_preview(FaxDocumentPreviewRequest("letter"))
    merged = client.fax_document_preview(FaxDocumentPreviewRequest("letter", doc_merge_data=merge))
    assert plain.number_of_pages == merged.number_of_pages == 1
    assert plain.tiff_preview != merged.tiff_preview
    # The merged preview is the letter as LibreOffice prints it with the values typed in...
    merged_pdf = libreoffice.to_pdf("letter.docx", merge_docx(docx, values))
    with pymupdf.open(stream=merged_pdf, filetype="pdf") as doc:
        text = doc[0].get_text()
    assert "Dear Ms Jo Bloggs," in text
    assert "Tuesday 4 March at 10:30" in text
    assert "ref R-2291" in text
    assert render_fax_tiff("letter.pdf", merged_pdf, Resolution.NORMAL).data == merged.tiff_preview


def test_merge_fields_for_a_pdf_are_the_services_merge_field_fault(
    client: MonopondClient,
) -> None:
    _save(client, "scan", "scan.pdf", _pdf(1))
    with pytest.raises(MergeFieldDoesNotMatchDocumentTypeFault) as caught:
        client.fax_document_preview(
            FaxDocumentPreviewRequest("scan", doc_merge_data=[DocMergeData("name", "Jo")])
        )
    assert caught.value.fault_name == "MergeFieldDoesNotMatchDocumentTypeException"
    assert "scan.pdf" in caught.value.server_message
    assert "Merge fields only work with Microsoft Word documents" in caught.value.user_message


# --------------------------------------------------------------------------- without LibreOffice


@pytest.fixture
def client_without_office(no_office: OfficeConverter) -> Iterator[MonopondClient]:
    """The real client on a sandbox running where neither LibreOffice nor Ghostscript is."""
    server = SandboxServer("127.0.0.1", 0, engine=SandboxEngine(speed=1000.0, office=no_office))
    server.start()
    try:
        with MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as client:
            yield client
    finally:
        server.stop()


def test_without_libreoffice_a_word_document_is_sent_but_not_previewed(
    client_without_office: MonopondClient, make_docx: MakeDocx
) -> None:
    client = client_without_office
    _save(client, "letter", "letter.docx", make_docx(["Dear <mf:name>,"]))
    with pytest.raises(UnsupportedDocumentContentTypeFault) as caught:
        client.fax_document_preview(FaxDocumentPreviewRequest("letter"))
    assert caught.value.fault_name == "UnsupportedDocumentContentType"
    message = caught.value.server_message
    assert "cannot preview 'letter.docx'" in message
    assert "LibreOffice, which is not installed" in message
    assert "can still be sent" in message
    answer = client.send_fax(
        SendFaxRequest(
            fax_messages=[FaxMessage("word-1", NUMBER)],
            documents=[FaxDocument(document_ref="letter")],
        )
    )
    assert answer.messages[0].status is FaxStatus.PENDING


# --------------------------------------------------------------------------- MaxFaxPages


def _run_until_done(client: MonopondClient, clock: ManualClock, ref: str) -> FaxMessageStatus:
    for _ in range(400):
        answer = client.fax_status(FaxStatusRequest(message_ref=ref, verbosity=Verbosity.ALL))
        (message,) = answer.messages
        if message.status is FaxStatus.DONE:
            return message
        clock.advance(5)
    raise AssertionError(f"fax {ref} never finished")


def _send(client: MonopondClient, ref: str, document: FaxDocument, max_pages: int) -> None:
    client.send_fax(
        SendFaxRequest(
            fax_messages=[FaxMessage(ref, NUMBER)], documents=[document], max_fax_pages=max_pages
        )
    )


def test_max_fax_pages_counts_the_real_pages_of_a_pdf(
    paced_client: MonopondClient, clock: ManualClock
) -> None:
    report = FaxDocument("report.pdf", _pdf(5))
    _send(paced_client, "too-long", report, 4)
    _send(paced_client, "fits", report, 5)
    refused = _run_until_done(paced_client, clock, "too-long").latest_attempt
    assert refused is not None
    assert refused.error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
    sent = _run_until_done(paced_client, clock, "fits").latest_attempt
    assert sent is not None
    assert (sent.error, sent.pages) == (None, 5)


def test_max_fax_pages_counts_the_pages_a_merged_word_letter_prints_on(
    paced_client: MonopondClient,
    clock: ManualClock,
    libreoffice: OfficeConverter,
    make_docx: MakeDocx,
) -> None:
    docx = make_docx(["Results for <mf:name>", "\f", "Page two", "\f", "<mf:notes>"])
    notes = "\n".join(f"Note {n}: reviewed, no change" for n in range(60))
    three = [DocMergeData("name", "Jo"), DocMergeData("notes", "None")]
    four = [DocMergeData("name", "Jo"), DocMergeData("notes", notes)]
    _send(paced_client, "three", FaxDocument("r.docx", docx, doc_merge_data=three), 3)
    _send(paced_client, "four", FaxDocument("r.docx", docx, doc_merge_data=four), 3)
    sent = _run_until_done(paced_client, clock, "three").latest_attempt
    assert sent is not None
    assert (sent.error, sent.pages) == (None, 3)
    refused = _run_until_done(paced_client, clock, "four").latest_attempt
    assert refused is not None
    assert refused.error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
