"""What the sandbox answers at the SOAP level: auth and schema faults, answers, engine faults."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree

from faxgui.api.errors import (
    InterruptedFault,
    NoMessagesFoundFault,
    UnknownHostFault,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.api.models import FaxStatusRequest, FaxStatusResponse
from faxgui.api.wire import NS, SOAP_ENV_NS, WSSE_NS
from faxgui.sandbox import soap
from faxgui.sandbox.accounts import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    RECEPTIONIST_PASSWORD,
    RECEPTIONIST_USERNAME,
)
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer

PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
PASSWORD_DIGEST = PASSWORD_TEXT.replace("#PasswordText", "#PasswordDigest")
AUTH_FAULT_STRING = "The security token could not be authenticated or authorized"
LETTER = b"Dear Dr Smith,\nPlease find the referral attached.\n"


def security(username: str, password: str, password_type: str | None = None) -> str:
    type_attr = f' Type="{password_type}"' if password_type else ""
    return (
        f'<wsse:Security xmlns:wsse="{WSSE_NS}" soapenv:mustUnderstand="1"><wsse:UsernameToken>'
        f"<wsse:Username>{username}</wsse:Username>"
        f"<wsse:Password{type_attr}>{password}</wsse:Password>"
        f"</wsse:UsernameToken></wsse:Security>"
    )


def envelope(body: str, header: str | None = None) -> bytes:
    if header is None:
        header = security(DEMO_USERNAME, DEMO_PASSWORD)
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}" xmlns:ns0="{NS}">'
        f"<soapenv:Header>{header}</soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def send_fax_body(message_ref: str, *, send_to: str = "0290000000", extra: str = "") -> str:
    data = base64.b64encode(LETTER).decode()
    return (
        f"<ns0:SendFaxRequest><FaxMessages><FaxMessage><MessageRef>{message_ref}</MessageRef>"
        f"<SendTo>{send_to}</SendTo><Documents><Document><FileName>letter.txt</FileName>"
        f"<FileData>{data}</FileData><Order>0</Order></Document></Documents>{extra}"
        f"</FaxMessage></FaxMessages></ns0:SendFaxRequest>"
    )


def refs_body(operation: str, message_ref: str, extra: str = "") -> str:
    return f"<ns0:{operation}><MessageRef>{message_ref}</MessageRef>{extra}</ns0:{operation}>"


def save_body(document_ref: str, file_name: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return (
        f"<ns0:SaveFaxDocumentRequest><DocumentRef>{document_ref}</DocumentRef>"
        f"<FileName>{file_name}</FileName><FileData>{encoded}</FileData>"
        f"</ns0:SaveFaxDocumentRequest>"
    )


class Reply:
    """A parsed SOAP answer: HTTP status, the body's one element, and fault parts if any."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self.content_type = response.headers.get("Content-Type", "")
        self.raw = response.content
        self.envelope = etree.fromstring(response.content)
        body = self.envelope.find(f"{{{SOAP_ENV_NS}}}Body")
        (self.element,) = list(body)

    @property
    def is_fault(self) -> bool:
        return bool(self.element.tag == f"{{{SOAP_ENV_NS}}}Fault")

    def faultcode(self) -> tuple[str | None, str]:
        """(namespace, local name) of the faultcode QName, resolved in the fault's scope."""
        text = self.element.findtext("faultcode")
        prefix, _, local = text.partition(":")
        return self.element.nsmap.get(prefix), local

    @property
    def faultstring(self) -> str:
        return str(self.element.findtext("faultstring"))

    @property
    def detail(self) -> Any:
        return self.element.find("detail")


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(speed=1000.0) as running:
        yield running


@pytest.fixture
def call(server: SandboxServer) -> Iterator[Any]:
    """call(body, header=None) -> Reply, over one keep-alive HTTP session."""
    with requests.Session() as session:

        def post(body: str, header: str | None = None) -> Reply:
            response = session.post(
                server.url,
                data=envelope(body, header),
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                timeout=30,
            )
            return Reply(response)

        yield post


# --------------------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(security(DEMO_USERNAME, "wrong-password"), id="wrong password"),
        pytest.param(security(DEMO_USERNAME, DEMO_PASSWORD.upper()), id="password case"),
        pytest.param(security(DEMO_USERNAME, ""), id="empty password"),
        pytest.param(security("nobody", DEMO_PASSWORD), id="unknown user"),
        pytest.param(security(DEMO_USERNAME, DEMO_PASSWORD, PASSWORD_DIGEST), id="digest"),
        pytest.param("", id="no Security header"),
        pytest.param(
            f'<wsse:Security xmlns:wsse="{WSSE_NS}"/>', id="Security without UsernameToken"
        ),
    ],
)
def test_bad_credentials_get_the_ws_security_fault(call: Any, header: str) -> None:
    reply = call(send_fax_body("auth-check"), header)

    assert reply.status == 500
    assert reply.is_fault
    assert reply.faultcode() == (WSSE_NS, "FailedAuthentication")
    assert reply.faultstring == AUTH_FAULT_STRING
    assert reply.detail is None
    assert DEMO_PASSWORD.encode() not in reply.raw
    # Nothing was sent for the rejected request.
    status = call(refs_body("FaxStatusRequest", "auth-check"))
    assert status.detail[0].tag == f"{{{NS}}}NoMessagesFoundException"


def test_envelope_without_any_header_gets_the_auth_fault(server: SandboxServer) -> None:
    body = (
        f'<s:Envelope xmlns:s="{SOAP_ENV_NS}"><s:Body>'
        f'<ns0:FaxStatusRequest xmlns:ns0="{NS}"><MessageRef>x</MessageRef></ns0:FaxStatusRequest>'
        f"</s:Body></s:Envelope>"
    )
    reply = Reply(requests.post(server.url, data=body, headers={"Content-Type": "text/xml"}))

    assert reply.status == 500
    assert reply.faultcode() == (WSSE_NS, "FailedAuthentication")


def test_password_text_type_as_zeep_sends_it_is_accepted(call: Any) -> None:
    header = security(DEMO_USERNAME, DEMO_PASSWORD, PASSWORD_TEXT)
    reply = call(send_fax_body("zeep-style"), header)

    assert reply.status == 200
    assert reply.element.tag == f"{{{NS}}}SendFaxResponse"


def test_accounts_do_not_see_each_others_faxes(call: Any) -> None:
    receptionist = security(RECEPTIONIST_USERNAME, RECEPTIONIST_PASSWORD)
    assert call(send_fax_body("front-desk-1"), receptionist).status == 200

    own = call(refs_body("FaxStatusRequest", "front-desk-1"), receptionist)
    other = call(refs_body("FaxStatusRequest", "front-desk-1"))

    assert own.status == 200
    assert other.status == 500
    assert other.detail[0].tag == f"{{{NS}}}NoMessagesFoundException"


# --------------------------------------------------------------------------- schema faults


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (send_fax_body("bad-retries", extra="<Retries>often</Retries>"), "Retries"),
        (
            send_fax_body("no-order").replace("<Order>0</Order>", ""),
            "Document: Missing child element(s). Expected is ( Order )",
        ),
        (
            refs_body("FaxStatusRequest", "x", "<Verbosity>loud</Verbosity>"),
            "FaxStatusRequest/Verbosity",
        ),
        (
            "<ns0:FaxStatusRequest><ns0:MessageRef>x</ns0:MessageRef></ns0:FaxStatusRequest>",
            "namespace-qualified",
        ),
    ],
)
def test_schema_invalid_request_is_invalid_arguments_naming_the_field(
    call: Any, body: str, field: str
) -> None:
    reply = call(body)

    assert reply.status == 500
    assert reply.faultcode() == (SOAP_ENV_NS, "Client")
    assert field in reply.faultstring
    (typed,) = reply.detail
    assert typed.tag == f"{{{NS}}}InvalidArgumentsException"
    assert typed.findtext("message") == reply.faultstring  # unqualified <message>


def test_schema_valid_but_unusable_content_is_invalid_arguments(call: Any) -> None:
    encoded = base64.b64encode(LETTER).decode()
    reply = call(send_fax_body("bad-base64").replace(encoded, "Zm9vY"))  # truncated base64

    assert reply.status == 500
    assert reply.detail[0].tag == f"{{{NS}}}InvalidArgumentsException"
    assert "FileData" in reply.faultstring


# --------------------------------------------------------------------------- answers


def test_send_fax_answer_shape(call: Any) -> None:
    reply = call(send_fax_body("shape-1", send_to="+61 5 0000 0002"))

    assert reply.status == 200
    assert reply.content_type.startswith("text/xml")
    root = reply.element
    assert root.tag == f"{{{NS}}}SendFaxResponse"
    assert all(etree.QName(element).namespace is None for element in root.iterdescendants()), (
        "children of the body element must be unqualified"
    )
    # Zero totals are left out: one pending fax, nothing else, no attempts yet.
    assert dict(root.find("FaxStatusTotals").attrib) == {"pending": "1"}
    assert dict(root.find("FaxResultsTotals").attrib) == {}
    message = root.find("FaxMessages/FaxMessage")
    assert message.get("messageRef") == "shape-1"
    assert message.get("sendTo") == "+61 5 0000 0002"
    assert message.get("status") == "pending"


def test_pause_answer_lists_the_fax_without_totals(call: Any) -> None:
    call(send_fax_body("pause-1"))
    reply = call(refs_body("PauseFaxRequest", "pause-1"))

    assert reply.status == 200
    assert reply.element.tag == f"{{{NS}}}PauseFaxResponse"
    assert reply.element.find("FaxStatusTotals") is None
    assert reply.element.find("FaxMessages/FaxMessage").get("messageRef") == "pause-1"


@pytest.mark.parametrize(
    ("operation", "answer"),
    [("ResumeFaxRequest", "ResumeFaxResponse"), ("StopFaxRequest", "StopFaxResponse")],
)
def test_resume_and_stop_answer_with_their_own_elements(
    call: Any, operation: str, answer: str
) -> None:
    call(send_fax_body("control-1"))
    call(refs_body("PauseFaxRequest", "control-1"))
    reply = call(refs_body(operation, "control-1"))

    assert reply.status == 200
    assert reply.element.tag == f"{{{NS}}}{answer}"


def test_status_answer_at_verbosity_all_carries_details(call: Any) -> None:
    call(send_fax_body("status-1"))
    reply = call(refs_body("FaxStatusRequest", "status-1", "<Verbosity>all</Verbosity>"))

    assert reply.element.tag == f"{{{NS}}}FaxStatusResponse"
    assert reply.element.find("FaxMessages/FaxMessage/FaxDetails").get("resolution") == "normal"


def test_save_preview_and_delete_a_document(call: Any) -> None:
    saved = call(save_body("letterhead", "letter.txt", LETTER))
    assert saved.status == 200
    assert saved.element.tag == f"{{{NS}}}SaveFaxDocumentResponse"
    assert len(saved.element) == 0

    preview = call(
        "<ns0:FaxDocumentPreviewRequest><DocumentRef>letterhead</DocumentRef>"
        "</ns0:FaxDocumentPreviewRequest>"
    )
    assert preview.status == 200
    assert preview.element.tag == f"{{{NS}}}FaxDocumentPreviewResponse"
    assert preview.element.findtext("NumberOfPages") == "1"
    assert base64.b64decode(preview.element.findtext("TiffPreview"))[:4] in (b"II*\0", b"MM\0*")

    deleted = call(
        "<ns0:DeleteFaxDocumentRequest><DocumentRef>letterhead</DocumentRef>"
        "</ns0:DeleteFaxDocumentRequest>"
    )
    assert deleted.status == 200
    assert deleted.element.tag == f"{{{NS}}}DeleteFaxDocumentResponse"
    assert len(deleted.element) == 0

    again = call(
        "<ns0:DeleteFaxDocumentRequest><DocumentRef>letterhead</DocumentRef>"
        "</ns0:DeleteFaxDocumentRequest>"
    )
    assert again.status == 500
    assert again.faultcode() == (SOAP_ENV_NS, "Server")
    assert again.detail[0].tag == f"{{{NS}}}DocumentRefDoesNotExistException"
    assert "letterhead" in again.detail[0].findtext("message")


# --------------------------------------------------------------------------- engine faults


def test_declared_fault_from_the_engine(call: Any) -> None:
    reply = call(refs_body("FaxStatusRequest", "never-sent"))

    assert reply.status == 500
    assert reply.faultcode() == (SOAP_ENV_NS, "Server")
    (typed,) = reply.detail
    assert typed.tag == f"{{{NS}}}NoMessagesFoundException"
    assert typed.findtext("message") == reply.faultstring
    assert reply.faultstring


def test_element_only_fault_has_an_empty_detail_element(call: Any) -> None:
    call(save_body("minutes", "minutes.docx", b"PK\x03\x04 not really a docx"))
    reply = call(
        "<ns0:FaxDocumentPreviewRequest><DocumentRef>minutes</DocumentRef>"
        "</ns0:FaxDocumentPreviewRequest>"
    )

    assert reply.status == 500
    assert reply.faultcode() == (SOAP_ENV_NS, "Server")
    (typed,) = reply.detail
    assert typed.tag == f"{{{NS}}}UnsupportedDocumentContentType"
    assert len(typed) == 0  # its schema type is an empty sequence: no <message>
    assert "minutes.docx" in reply.faultstring


@pytest.mark.parametrize(
    ("fault", "has_message"),
    [
        (UnsupportedDocumentContentTypeFault("cannot convert"), False),
        (UnknownHostFault("no route"), False),
        (InterruptedFault("interrupted"), False),
        (NoMessagesFoundFault("no such fax"), True),
    ],
)
def test_fault_detail_follows_each_faults_schema_type(fault: Any, has_message: bool) -> None:
    root = etree.fromstring(soap.service_fault_envelope(fault))
    fault_element = root.find(f"{{{SOAP_ENV_NS}}}Body/{{{SOAP_ENV_NS}}}Fault")
    (typed,) = fault_element.find("detail")

    assert typed.tag == f"{{{NS}}}{fault.fault_name}"
    assert (typed.find("message") is not None) is has_message
    assert fault_element.findtext("faultstring") == fault.server_message
    assert fault_element.findtext("faultcode") == "soap:Server"


class _BrokenEngine(SandboxEngine):
    """A real engine whose status lookup has a bug, as a stand-in for any unexpected error."""

    def fax_status(self, account: str, req: FaxStatusRequest) -> FaxStatusResponse:
        raise RuntimeError("status table corrupted")


def test_unexpected_error_is_internal_server_fault_and_serving_continues(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with SandboxServer(engine=_BrokenEngine(speed=1000.0)) as server:
        headers = {"Content-Type": "text/xml"}
        with caplog.at_level(logging.INFO, logger="faxgui.sandbox.server"):
            broken = Reply(
                requests.post(
                    server.url, data=envelope(refs_body("FaxStatusRequest", "x")), headers=headers
                )
            )
        after = Reply(
            requests.post(server.url, data=envelope(send_fax_body("ok")), headers=headers)
        )

    assert broken.status == 500
    assert broken.faultcode() == (SOAP_ENV_NS, "Server")
    assert broken.detail[0].tag == f"{{{NS}}}InternalServerException"
    assert "corrupted" not in broken.faultstring
    logged = [r for r in caplog.records if r.exc_info]
    assert logged
    assert "status table corrupted" in str(logged[0].exc_info[1])
    assert after.status == 200


def test_each_request_is_logged_as_one_line_without_secrets(
    call: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="faxgui.sandbox.server"):
        call(send_fax_body("logged-1"))
        call(send_fax_body("logged-2"), security(DEMO_USERNAME, "hunter2-wrong"))
        call(save_body("logo", "logo.txt", LETTER))

    lines = [r.getMessage() for r in caplog.records if r.name == "faxgui.sandbox.server"]
    assert any(line.startswith("SendFax account=demo status=200 ") for line in lines)
    assert any(line.startswith("SendFax account='demo'(rejected) status=500") for line in lines)
    assert any(line.startswith("SaveFaxDocument account=demo status=200") for line in lines)
    everything = "\n".join(lines)
    assert DEMO_PASSWORD not in everything
    assert "hunter2-wrong" not in everything
    assert base64.b64encode(LETTER).decode() not in everything
