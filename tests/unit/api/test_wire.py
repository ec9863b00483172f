"""The wire mappings: requests survive zeep and come back equal; status answers read as sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from faxgui.api import wire
from faxgui.api.enums import (
    DitheringTechnique,
    FaxError,
    FaxResult,
    FaxStatus,
    Resolution,
    Verbosity,
)
from faxgui.api.errors import InvalidArgumentsFault, MalformedResponseError
from faxgui.api.models import (
    Blocklists,
    DeleteFaxDocumentRequest,
    DocMergeData,
    FaxAttempt,
    FaxDetails,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    FaxMessage,
    FaxMessageStatus,
    FaxResultsTotals,
    FaxStatusRequest,
    FaxStatusResponse,
    FaxStatusTotals,
    ImageStampMergeData,
    PauseFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StopFaxRequest,
    TextStampMergeData,
)

SYDNEY = timezone(timedelta(hours=10))


def _full_send_request() -> SendFaxRequest:
    shared = FaxDocument(
        file_name="letter.pdf",
        file_data=b"%PDF-1.4 not really",
        order=1,
        dithering_technique=DitheringTechnique.DARKEN,
        stamp_merge_data=[
            TextStampMergeData(1287, 421, "Hello", "Times-Roman", Decimal("12.5")),
            ImageStampMergeData(283, 120, "stamp.png", b"\x89PNG...", 120, 130),
        ],
    )
    word = FaxDocument(
        file_name="form.docx",
        file_data=b"PK\x03\x04",
        doc_merge_data=[DocMergeData("field1", "lazy dog")],
    )
    return SendFaxRequest(
        fax_messages=[
            FaxMessage(
                "msg-1",
                "61280039890",
                send_from="Front desk",
                documents=[FaxDocument(document_ref="saved-cover"), word],
                resolution=Resolution.NORMAL,
                retries=1,
                busy_retries=4,
                header_format="From %from%",
                max_fax_pages=5,
                must_be_sent_before_date=datetime(2026, 12, 1, 9, 0, tzinfo=SYDNEY),
                cli="0299999999",
                blocklists=Blocklists(smartblock=True),
                scheduled_start_time=datetime(2026, 11, 30, 8, 0, tzinfo=SYDNEY),
            ),
            FaxMessage("msg-2", "61280039891"),
        ],
        broadcast_ref="broadcast-1",
        send_ref="send-1",
        documents=[shared],
        resolution=Resolution.FINE,
        blocklists=Blocklists(dncr=True, fps=False),
        send_from="Clinic",
        scheduled_start_time=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        retries=2,
        busy_retries=3,
        header_format="From %from%, To %to%|%a %b %d %H:%M %Y",
        must_be_sent_before_date=datetime(2026, 12, 2, tzinfo=UTC),
        max_fax_pages=20,
        cli="0288888888",
    )


@pytest.fixture(scope="module")
def zeep_service():
    from zeep import Client

    from faxgui.api.wsdl import wsdl_path

    client = Client(str(wsdl_path()))
    return client, client.bind("ApiService", "ApiPort")


def _through_zeep(zeep_service, request):
    client, service = zeep_service
    envelope = client.create_message(
        service, wire.operation_for(request), **wire.request_to_wire(request, wire.inline_base64)
    )
    body = envelope.find(f"{{{wire.SOAP_ENV_NS}}}Body")
    return etree.fromstring(etree.tostring(body[0]))


@pytest.mark.parametrize(
    "request_",
    [
        _full_send_request(),
        FaxStatusRequest(broadcast_ref="b", send_ref="s", message_ref="m", verbosity=Verbosity.ALL),
        PauseFaxRequest(send_ref="s"),
        StopFaxRequest(message_ref="m"),
        SaveFaxDocumentRequest("ref", "cover.pdf", b"%PDF"),
        DeleteFaxDocumentRequest("ref"),
        FaxDocumentPreviewRequest(
            "ref",
            Resolution.FINE,
            DitheringTechnique.DETAILED,
            [DocMergeData("k", "v")],
            [TextStampMergeData(1, 2, "x"), ImageStampMergeData(3, 4, "i.png", b"img", 5, 6)],
        ),
    ],
    ids=lambda r: type(r).__name__,
)
def test_every_request_survives_zeep_and_reads_back_equal(zeep_service, request_):
    element = _through_zeep(zeep_service, request_)
    assert wire.request_from_element(element) == request_


def test_children_are_unqualified_and_root_is_qualified(zeep_service):
    element = _through_zeep(zeep_service, _full_send_request())
    assert element.tag == f"{{{wire.NS}}}SendFaxRequest"
    assert all(not child.tag.startswith("{") for child in element.iter() if child is not element)


def test_payload_placeholder_carries_bytes_once():
    request = SaveFaxDocumentRequest("ref", "a.pdf", b"abc")
    out = wire.request_to_wire(request)
    payloads = list(wire.iter_payloads(out))
    assert len(payloads) == 1
    assert payloads[0].encoded() == b"YWJj"
    assert str(payloads[0]).startswith("faxgui-payload-")


def test_datetimes_go_out_with_milliseconds_and_offset():
    assert wire.format_datetime(datetime(2013, 9, 3, 16, 43, 49, 215000, tzinfo=SYDNEY)) == (
        "2013-09-03T16:43:49.215+10:00"
    )


def test_bad_values_in_a_request_name_their_field():
    element = etree.fromstring(
        f'<ns:SendFaxRequest xmlns:ns="{wire.NS}"><FaxMessages><FaxMessage>'
        "<MessageRef>m</MessageRef><SendTo>1</SendTo>"
        "<ScheduledStartTime>next tuesday</ScheduledStartTime>"
        "</FaxMessage></FaxMessages></ns:SendFaxRequest>"
    )
    with pytest.raises(InvalidArgumentsFault, match=r"FaxMessage\[1\]/ScheduledStartTime"):
        wire.request_from_element(element)


def _status_sample() -> FaxStatusResponse:
    return FaxStatusResponse(
        FaxStatusTotals(processing=2, done=1),
        FaxResultsTotals(
            success=1, failed=1, total_attempts=3, total_fax_duration=70, total_pages=2
        ),
        [
            FaxMessageStatus(
                "m-1",
                "s-1",
                "b-1",
                "61280039890",
                FaxStatus.DONE,
                FaxDetails("Test Fax", Resolution.NORMAL, 2, 2, "From %from%"),
                [
                    FaxAttempt(
                        1,
                        FaxResult.FAILED,
                        FaxError.FAX_BUSY,
                        "114",
                        Decimal("0.00"),
                        0,
                        35,
                        datetime(2013, 9, 3, 16, 43, 49, 215000, tzinfo=SYDNEY),
                    ),
                    FaxAttempt(
                        2,
                        FaxResult.SUCCESS,
                        cost=Decimal("0.10"),
                        pages=1,
                        total_fax_duration=35,
                        date_call_started=datetime(2013, 9, 3, 16, 50, tzinfo=SYDNEY),
                        date_call_ended=datetime(2013, 9, 3, 16, 50, 35, tzinfo=SYDNEY),
                    ),
                ],
            ),
            FaxMessageStatus("m-2", "s-1", "b-1", "61280039891", FaxStatus.PROCESSING),
        ],
    )


def test_status_answer_round_trips():
    sample = _status_sample()
    element = wire.status_response_to_element(sample, "FaxStatusResponse")
    parsed = wire.parse_status_response(etree.fromstring(etree.tostring(element)))
    assert parsed == sample
    assert parsed.messages[0].latest_attempt is not None
    assert parsed.messages[0].latest_attempt.result is FaxResult.SUCCESS


def test_zero_totals_are_left_out_and_read_back_as_zero():
    element = wire.status_response_to_element(FaxStatusResponse(), "FaxStatusResponse")
    assert element.find("FaxStatusTotals").attrib == {}
    parsed = wire.parse_status_response(element)
    assert parsed.status_totals == FaxStatusTotals()
    assert parsed.results_totals.total_pages == 0


def test_vendor_fixture_shape_reads():
    # The shape of the vendor's own fixture (WIRE.md): totals partly given, a stopping fax.
    xml = (
        '<ns2:StopFaxResponse xmlns:ns2="https://api.monopond.com/fax/soap/v2.1">'
        '<FaxMessages><FaxMessage messageRef="test-2-1-1" sendRef="test-2-1" '
        'broadcastRef="test-27" sendTo="61280039890" status="stopping"/></FaxMessages>'
        "</ns2:StopFaxResponse>"
    )
    parsed = wire.parse_status_response(etree.fromstring(xml))
    assert parsed.status_totals == FaxStatusTotals()
    assert [m.status for m in parsed.messages] == [FaxStatus.STOPPING]


def test_unknown_error_name_reads_as_unknown_but_unknown_status_is_refused():
    xml = (
        f'<ns2:FaxStatusResponse xmlns:ns2="{wire.NS}"><FaxMessages>'
        '<FaxMessage messageRef="m" status="done"><FaxResults>'
        '<FaxResult attempt="1" result="failed"><Error code="9" name="FAX_ON_FIRE"/></FaxResult>'
        "</FaxResults></FaxMessage></FaxMessages></ns2:FaxStatusResponse>"
    )
    parsed = wire.parse_status_response(etree.fromstring(xml))
    assert parsed.messages[0].results[0].error is FaxError.FAX_UNKNOWN
    with pytest.raises(MalformedResponseError, match="teleporting"):
        wire.parse_status_response(
            etree.fromstring(
                f'<ns2:FaxStatusResponse xmlns:ns2="{wire.NS}"><FaxMessages>'
                '<FaxMessage messageRef="m" status="teleporting"/>'
                "</FaxMessages></ns2:FaxStatusResponse>"
            )
        )


def test_preview_answer_round_trips_and_refuses_missing_tiff():
    sample = FaxDocumentPreviewResponse(b"II*\x00 tiff bytes", 3)
    element = wire.preview_response_to_element(sample)
    assert wire.parse_preview_response(element) == sample
    with pytest.raises(MalformedResponseError):
        wire.parse_preview_response(wire.empty_response_element("FaxDocumentPreviewResponse"))


def test_documented_misspellings_are_accepted_when_reading():
    assert DitheringTechnique.from_wire("ligthen") is DitheringTechnique.LIGHTEN
    assert DitheringTechnique.from_wire("imagemagick") is DitheringTechnique.NORMAL
