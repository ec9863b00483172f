"""How the client reads what comes back: answers, declared faults, and things that are not SOAP."""

from __future__ import annotations

import pytest

from faxgui.api import wire
from faxgui.api.client import SoapCodec
from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.errors import (
    AuthenticationError,
    DocumentRefDoesNotExistFault,
    HTTPStatusError,
    InvalidArgumentsFault,
    MalformedResponseError,
    MonopondError,
    NoMessagesFoundFault,
    ServiceFault,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.api.transport import HttpAnswer

ENVELOPE = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soap:Body>{}</soap:Body></soap:Envelope>"
)
NS_DECL = f'xmlns:ns2="{wire.NS}"'


@pytest.fixture(scope="module")
def codec() -> SoapCodec:
    return SoapCodec("https://api.monopond.com/fax/soap/v2.1")


def _answer(body: str | bytes, status: int = 200, content_type: str = "text/xml") -> HttpAnswer:
    content = body.encode() if isinstance(body, str) else body
    return HttpAnswer(status=status, content=content, content_type=content_type, seconds=0.01)


def _fault(code: str, text: str, detail: str = "") -> str:
    detail_xml = f"<detail>{detail}</detail>" if detail else ""
    return ENVELOPE.format(
        f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring>"
        f"{detail_xml}</soap:Fault>"
    )


def test_status_answer_in_the_vendors_shape_is_read(codec: SoapCodec) -> None:
    answer = ENVELOPE.format(
        f"<ns2:FaxStatusResponse {NS_DECL}>"
        '<FaxStatusTotals processing="2"/>'
        '<FaxResultsTotals totalAttempts="1" totalFaxDuration="35" totalPages="1"/>'
        "<FaxMessages>"
        '<FaxMessage messageRef="test-2-1-1" sendRef="test-2-1" broadcastRef="test-27" '
        'sendTo="61280039890" status="stopping">'
        '<FaxDetails sendFrom="Test Fax" resolution="normal" retries="2" busyRetries="2"/>'
        '<FaxResults><FaxResult attempt="1" result="failed" cost="0.10" pages="1" '
        'totalFaxDuration="35" scheduledStartTime="2013-09-03T16:43:49.215+08:00">'
        '<Error code="201" name="FAX_BUSY"/></FaxResult></FaxResults>'
        "</FaxMessage></FaxMessages></ns2:FaxStatusResponse>"
    )
    response = codec.read_status("FaxStatus", _answer(answer))
    assert response.status_totals.processing == 2
    assert response.results_totals.total_fax_duration == 35
    (message,) = response.messages
    assert message.status is FaxStatus.STOPPING
    assert message.details is not None
    assert message.details.send_from == "Test Fax"
    (attempt,) = message.results
    assert attempt.result is FaxResult.FAILED
    assert attempt.error is FaxError.FAX_BUSY


def test_status_answer_laid_out_for_reading_with_qualified_children_is_read(
    codec: SoapCodec,
) -> None:
    answer = f"""<?xml version="1.0"?>
    <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
      <soap:Header><Trace xmlns="urn:example">abc</Trace></soap:Header>
      <soap:Body>
        <ns2:StopFaxResponse {NS_DECL}>
          <!-- one row per affected fax, no totals -->
          <ns2:FaxMessages>
            <ns2:FaxMessage messageRef="m-1" sendRef="s-1" status="stopping"/>
            <ns2:FaxMessage messageRef="m-2" sendRef="s-1" status="done"/>
          </ns2:FaxMessages>
        </ns2:StopFaxResponse>
      </soap:Body>
    </soap:Envelope>"""
    response = codec.read_status("StopFax", _answer(answer))
    assert [(m.message_ref, m.status) for m in response.messages] == [
        ("m-1", FaxStatus.STOPPING),
        ("m-2", FaxStatus.DONE),
    ]
    assert response.status_totals.done == 0


def test_a_fault_read_as_a_status_answer_still_raises_its_type(codec: SoapCodec) -> None:
    detail = (
        f"<ns2:NoMessagesFoundException {NS_DECL}><message>none</message>"
        "</ns2:NoMessagesFoundException>"
    )
    for status in (500, 200):
        with pytest.raises(NoMessagesFoundFault):
            codec.read_status("FaxStatus", _answer(_fault("soap:Server", "x", detail), status))


def test_an_unknown_status_value_is_a_malformed_answer(codec: SoapCodec) -> None:
    answer = ENVELOPE.format(
        f'<ns2:FaxStatusResponse {NS_DECL}><FaxMessages><FaxMessage messageRef="m" '
        'status="teleporting"/></FaxMessages></ns2:FaxStatusResponse>'
    )
    with pytest.raises(MalformedResponseError, match="teleporting"):
        codec.read_status("FaxStatus", _answer(answer))


def test_a_truncated_status_answer_is_malformed(codec: SoapCodec) -> None:
    answer = ENVELOPE.format(
        f'<ns2:FaxStatusResponse {NS_DECL}><FaxMessages><FaxMessage messageRef="m" '
        'status="done"/></FaxMessages></ns2:FaxStatusResponse>'
    )
    with pytest.raises(MalformedResponseError):
        codec.read_status("FaxStatus", _answer(answer[:-30]))


def test_empty_answer_element_is_accepted_for_save(codec: SoapCodec) -> None:
    answer = ENVELOPE.format(f"<ns2:SaveFaxDocumentResponse {NS_DECL}/>")
    element = codec.decode("SaveFaxDocument", _answer(answer))
    assert element.tag == f"{{{wire.NS}}}SaveFaxDocumentResponse"


def test_answer_to_another_operation_is_malformed(codec: SoapCodec) -> None:
    answer = ENVELOPE.format(f"<ns2:StopFaxResponse {NS_DECL}/>")
    with pytest.raises(MalformedResponseError, match="StopFaxResponse"):
        codec.decode("PauseFax", _answer(answer))


@pytest.mark.parametrize(
    ("detail", "expected", "message"),
    [
        (
            f"<ns2:InvalidArgumentsException {NS_DECL}><message>SendTo is not a number"
            "</message></ns2:InvalidArgumentsException>",
            InvalidArgumentsFault,
            "SendTo is not a number",
        ),
        (
            f"<ns2:NoMessagesFoundException {NS_DECL}><message>No messages found"
            "</message></ns2:NoMessagesFoundException>",
            NoMessagesFoundFault,
            "No messages found",
        ),
        (
            f"<ns2:DocumentRefDoesNotExistException {NS_DECL}><message>letterhead"
            "</message></ns2:DocumentRefDoesNotExistException>",
            DocumentRefDoesNotExistFault,
            "letterhead",
        ),
        # An element-only fault has no <message>: the faultstring speaks for it.
        (
            f"<ns2:UnsupportedDocumentContentType {NS_DECL}/>",
            UnsupportedDocumentContentTypeFault,
            "the faultstring",
        ),
    ],
)
def test_declared_faults_become_their_typed_exception(
    codec: SoapCodec, detail: str, expected: type[ServiceFault], message: str
) -> None:
    answer = _answer(_fault("soap:Server", "the faultstring", detail), status=500)
    with pytest.raises(expected) as caught:
        codec.decode("SendFax", answer)
    assert caught.value.server_message == message
    assert caught.value.user_message == expected.user_message


def test_undeclared_fault_keeps_the_servers_words(codec: SoapCodec) -> None:
    answer = _answer(_fault("soap:Server", "Database is on fire"), status=500)
    with pytest.raises(ServiceFault) as caught:
        codec.decode("FaxStatus", answer)
    assert type(caught.value) is ServiceFault
    assert caught.value.server_message == "Database is on fire"


@pytest.mark.parametrize("code", ["wsse:FailedAuthentication", "ns1:InvalidSecurity"])
def test_security_faults_mean_wrong_credentials(codec: SoapCodec, code: str) -> None:
    text = "The security token could not be authenticated or authorized"
    with pytest.raises(AuthenticationError) as caught:
        codec.decode("FaxStatus", _answer(_fault(code, text), status=500))
    assert "user name or password" in caught.value.user_message


@pytest.mark.parametrize("status", [401, 403])
def test_http_401_and_403_mean_wrong_credentials(codec: SoapCodec, status: int) -> None:
    with pytest.raises(AuthenticationError):
        codec.decode("FaxStatus", _answer("<html>Forbidden</html>", status=status))


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"<html><head><title>Login</title></head><body>Proxy login<br></body></html>", "XML"),
        (b"<html><body><p>Welcome to the hotel wifi</p></body></html>", "html"),
        (ENVELOPE.format(f"<ns2:FaxStatusResponse {NS_DECL}><FaxMess").encode(), "XML"),
        (b"<soap:Envelope xmlns:soap='urn:not-soap'><soap:Body/></soap:Envelope>", "Envelope"),
        (ENVELOPE.format("").encode(), "empty"),
        (b"\x89PNG\r\n\x1a\n", "XML"),
    ],
)
def test_answers_that_are_not_soap_are_malformed(
    codec: SoapCodec, content: bytes, why: str
) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        codec.decode("FaxStatus", _answer(content, content_type="text/html"))
    assert why in caught.value.detail
    assert "proxy" in caught.value.user_message


@pytest.mark.parametrize(
    ("status", "content"),
    [
        (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        (503, b""),
        (500, ENVELOPE.format(f"<ns2:FaxStatusResponse {NS_DECL}/>").encode()),
        (302, b""),
    ],
)
def test_http_errors_without_a_fault_report_the_status(
    codec: SoapCodec, status: int, content: bytes
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        codec.decode("FaxStatus", _answer(content, status=status))
    assert caught.value.status == status
    assert f"HTTP {status}" in caught.value.user_message


def test_every_error_is_a_monopond_error_with_a_sentence_for_the_user(codec: SoapCodec) -> None:
    for answer in (
        _answer(b"", status=200),
        _answer(_fault("soap:Server", "boom"), status=500),
        _answer(b"nope", status=504),
    ):
        with pytest.raises(MonopondError) as caught:
            codec.decode("SendFax", answer)
        assert caught.value.user_message.endswith(".")
