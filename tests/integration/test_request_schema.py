"""Every kind of request the client sends, captured as it arrived, is valid against the schema."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree
from PIL import Image

from faxgui.api import (
    Blocklists,
    DeleteFaxDocumentRequest,
    DitheringTechnique,
    DocMergeData,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxMessage,
    FaxStatusRequest,
    ImageStampMergeData,
    MonopondClient,
    PauseFaxRequest,
    Resolution,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    ServiceFault,
    StampMergeData,
    StopFaxRequest,
    TextStampMergeData,
    Verbosity,
    wire,
)
from faxgui.api.wsdl import validate_body
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME

SOAP_BODY = f"{{{wire.SOAP_ENV_NS}}}Body"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (24, 12), 1).save(buffer, "PNG")
    return buffer.getvalue()


def _stamps() -> list[StampMergeData]:
    return [
        TextStampMergeData(
            x=120, y=80, text="Received 2 March", font_name="Arial", font_size=Decimal("10.5")
        ),
        ImageStampMergeData(
            x=1300, y=2100, file_name="signature.png", file_data=_png(), width=240, height=120
        ),
    ]


def _every_field_document(document_ref: str) -> FaxDocument:
    return FaxDocument(
        document_ref=document_ref,
        file_name="referral.docx",
        file_data=b"PK\x03\x04 referral letter",
        order=1,
        dithering_technique=DitheringTechnique.DARKEN_MORE,
        doc_merge_data=[DocMergeData(key="patient", value="A. Nguyen")],
        stamp_merge_data=_stamps(),
    )


def _send_fax_with_every_field() -> SendFaxRequest:
    settings: dict[str, Any] = {
        "resolution": Resolution.FINE,
        "blocklists": Blocklists(dncr=True, fps=False, smartblock=True),
        "send_from": "Front Desk",
        "scheduled_start_time": NOW + timedelta(hours=2),
        "retries": 2,
        "busy_retries": 3,
        "header_format": "From %from%, To %to%|%a %b %d %H:%M %Y",
        "must_be_sent_before_date": NOW + timedelta(days=1),
        "max_fax_pages": 5,
        "cli": "0280039890",
    }
    return SendFaxRequest(
        broadcast_ref="referrals-march",
        send_ref="referrals-march-1",
        documents=[_every_field_document("referral-template")],
        fax_messages=[
            FaxMessage(
                message_ref="referrals-march-1-a",
                send_to="+61 2 8003 9890",
                documents=[
                    FaxDocument(document_ref="cover-sheet"),
                    _every_field_document("referral-a"),
                ],
                **settings,
            ),
            FaxMessage(message_ref="referrals-march-1-b", send_to="0280039891"),
        ],
        **settings,
    )


def _refs() -> dict[str, str]:
    return {
        "broadcast_ref": "referrals-march",
        "send_ref": "referrals-march-1",
        "message_ref": "referrals-march-1-a",
    }


def _all_requests(client: MonopondClient) -> list[Callable[[], object]]:
    return [
        lambda: client.save_fax_document(
            SaveFaxDocumentRequest(
                document_ref="cover-sheet", file_name="cover.txt", file_data=b"Cover sheet\n"
            )
        ),
        lambda: client.send_fax(_send_fax_with_every_field()),
        lambda: client.fax_status(FaxStatusRequest(**_refs(), verbosity=Verbosity.ALL)),
        lambda: client.pause_fax(PauseFaxRequest(**_refs())),
        lambda: client.resume_fax(ResumeFaxRequest(**_refs())),
        lambda: client.stop_fax(StopFaxRequest(**_refs())),
        lambda: client.fax_document_preview(
            FaxDocumentPreviewRequest(
                document_ref="cover-sheet",
                resolution=Resolution.NORMAL,
                dithering_technique=DitheringTechnique.CROSSHATCH,
                doc_merge_data=[DocMergeData(key="date", value="2 March")],
                stamp_merge_data=_stamps(),
            )
        ),
        lambda: client.delete_fax_document(DeleteFaxDocumentRequest(document_ref="cover-sheet")),
    ]


def test_every_request_kind_with_every_field_matches_the_schema(capturing_sandbox: Any) -> None:
    with MonopondClient(capturing_sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        for call in _all_requests(client):
            # The sandbox may refuse a combination (merge fields on a text file, say);
            # what matters here is what the client put on the wire.
            with contextlib.suppress(ServiceFault):
                call()

    bodies = [
        etree.fromstring(data, etree.XMLParser(huge_tree=True)).find(SOAP_BODY)[0]
        for data in capturing_sandbox.received
    ]
    sent = sorted(etree.QName(body).localname for body in bodies)
    assert sent == sorted(request for request, _ in wire.OPERATIONS.values())
    for body in bodies:
        assert validate_body(body) == [], etree.QName(body).localname

    send = next(b for b in bodies if etree.QName(b).localname == "SendFaxRequest")
    # Both stamp kinds went out, on the shared document and on the message's own.
    assert len(send.findall(".//StampMergeData/MergeField/TextValue")) == 2
    assert len(send.findall(".//StampMergeData/MergeField/ImageValue/FileData")) == 2
