"""All eight operations, from the real client to the real sandbox over loopback HTTP."""

from __future__ import annotations

import base64
import io
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree
from PIL import Image

from faxgui.api import (
    DeleteFaxDocumentRequest,
    DocumentRefDoesNotExistFault,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxMessage,
    FaxResult,
    FaxStatus,
    FaxStatusRequest,
    FaxStatusResponse,
    ImageStampMergeData,
    MonopondClient,
    PauseFaxRequest,
    Resolution,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StopFaxRequest,
    TextStampMergeData,
    Verbosity,
    wire,
)
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME

LETTER = b"Dear Dr Okafor,\n\nPlease find the referral attached.\n\nFront desk\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (40, 20), 0).save(buffer, "PNG")
    return buffer.getvalue()


def _wait_until_done(client: MonopondClient, send_ref: str) -> FaxStatusResponse:
    deadline = time.monotonic() + 20
    while True:
        status = client.fax_status(FaxStatusRequest(send_ref=send_ref, verbosity=Verbosity.ALL))
        if all(m.status is FaxStatus.DONE for m in status.messages):
            return status
        assert time.monotonic() < deadline, f"faxes still not done: {status.messages}"
        time.sleep(0.05)


def test_send_fax_lists_every_message_and_they_get_sent(client: MonopondClient) -> None:
    answer = client.send_fax(
        SendFaxRequest(
            send_ref="referrals-1",
            broadcast_ref="monday",
            send_from="Front Desk",
            documents=[FaxDocument(file_name="letter.txt", file_data=LETTER)],
            fax_messages=[
                FaxMessage(message_ref="referrals-1-a", send_to="+61 2 8003 9890"),
                FaxMessage(message_ref="referrals-1-b", send_to="(02) 8003 9891"),
            ],
        )
    )
    assert [m.message_ref for m in answer.messages] == ["referrals-1-a", "referrals-1-b"]
    assert all(m.send_ref == "referrals-1" for m in answer.messages)

    done = _wait_until_done(client, "referrals-1")
    assert done.results_totals.success == 2
    for message in done.messages:
        assert message.details is not None
        assert message.details.send_from == "Front Desk"
        attempt = message.latest_attempt
        assert attempt is not None
        assert attempt.result is FaxResult.SUCCESS
        assert attempt.pages == 1
        assert attempt.cost == Decimal("0.10")


def test_fax_status_at_brief_gives_totals_only(client: MonopondClient) -> None:
    client.send_fax(
        SendFaxRequest(
            send_ref="brief-1",
            documents=[FaxDocument(file_name="letter.txt", file_data=LETTER)],
            fax_messages=[FaxMessage(message_ref="brief-1-a", send_to="0280039890")],
        )
    )
    status = client.fax_status(FaxStatusRequest(send_ref="brief-1", verbosity=Verbosity.BRIEF))
    totals = status.status_totals
    assert (
        totals.pending + totals.processing + totals.queued + totals.starting
        + totals.sending + totals.finalizing + totals.done
    ) == 1  # fmt: skip
    assert status.messages == []


def test_pause_resume_and_stop_answer_with_the_affected_faxes(client: MonopondClient) -> None:
    # A start time an hour ahead keeps the fax queued, so it can be paused and resumed.
    client.send_fax(
        SendFaxRequest(
            send_ref="later-1",
            scheduled_start_time=datetime.now(UTC) + timedelta(hours=1),
            documents=[FaxDocument(file_name="letter.txt", file_data=LETTER)],
            fax_messages=[FaxMessage(message_ref="later-1-a", send_to="0280039890")],
        )
    )
    paused = client.pause_fax(PauseFaxRequest(message_ref="later-1-a"))
    assert [m.message_ref for m in paused.messages] == ["later-1-a"]
    assert paused.messages[0].status in (FaxStatus.PAUSING, FaxStatus.PAUSED)

    resumed = client.resume_fax(ResumeFaxRequest(send_ref="later-1"))
    assert resumed.messages[0].status in (FaxStatus.RESUMING, FaxStatus.QUEUED)

    stopped = client.stop_fax(StopFaxRequest(send_ref="later-1"))
    assert stopped.messages[0].status in (FaxStatus.STOPPING, FaxStatus.DONE)


def test_saved_document_can_be_previewed_sent_by_reference_and_deleted(
    client: MonopondClient,
) -> None:
    client.save_fax_document(
        SaveFaxDocumentRequest(document_ref="letterhead", file_name="head.txt", file_data=LETTER)
    )
    preview = client.fax_document_preview(
        FaxDocumentPreviewRequest(
            document_ref="letterhead",
            resolution=Resolution.FINE,
            stamp_merge_data=[
                TextStampMergeData(x=100, y=100, text="Received", font_size=Decimal("12")),
                ImageStampMergeData(x=1200, y=2000, file_name="sig.png", file_data=_png()),
            ],
        )
    )
    assert preview.number_of_pages == 1
    assert preview.tiff_preview[:4] in (b"II*\0", b"MM\0*")

    sent = client.send_fax(
        SendFaxRequest(
            send_ref="by-ref-1",
            documents=[FaxDocument(document_ref="letterhead")],
            fax_messages=[FaxMessage(message_ref="by-ref-1-a", send_to="0280039890")],
        )
    )
    assert sent.messages[0].message_ref == "by-ref-1-a"

    client.delete_fax_document(DeleteFaxDocumentRequest(document_ref="letterhead"))
    with pytest.raises(DocumentRefDoesNotExistFault):
        client.fax_document_preview(FaxDocumentPreviewRequest(document_ref="letterhead"))


def test_a_five_megabyte_document_arrives_byte_for_byte(capturing_sandbox: Any) -> None:
    big = bytes((i * 7919) & 0xFF for i in range(5 * 1024 * 1024))
    with MonopondClient(capturing_sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        client.save_fax_document(
            SaveFaxDocumentRequest(document_ref="scan", file_name="scan.pdf", file_data=big)
        )
    (received,) = capturing_sandbox.received
    parser = etree.XMLParser(huge_tree=True)
    body = etree.fromstring(received, parser).find(f"{{{wire.SOAP_ENV_NS}}}Body")[0]
    assert base64.b64decode(body.findtext("FileData")) == big
