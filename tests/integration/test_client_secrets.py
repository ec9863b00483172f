"""The password never shows: not in a log line (ours, zeep's or urllib3's), an error, or a repr.

Also checks what the wire log does show: every request and answer, readable,
with file contents reduced to their size.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import pytest

from faxgui.api import (
    AuthenticationError,
    DeleteFaxDocumentRequest,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxMessage,
    FaxStatusRequest,
    InvalidArgumentsFault,
    MonopondClient,
    MonopondError,
    PauseFaxRequest,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StopFaxRequest,
    wire,
)
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.server import SandboxServer

LETTER = b"Results are ready for collection.\n" * 40


def _every_operation(client: MonopondClient) -> list[Callable[[], object]]:
    return [
        lambda: client.save_fax_document(
            SaveFaxDocumentRequest(document_ref="results", file_name="r.txt", file_data=LETTER)
        ),
        lambda: client.send_fax(
            SendFaxRequest(
                send_ref="s-1",
                documents=[FaxDocument(file_name="letter.txt", file_data=LETTER)],
                fax_messages=[FaxMessage(message_ref="s-1-a", send_to="0280039890")],
            )
        ),
        lambda: client.fax_status(FaxStatusRequest(send_ref="s-1")),
        lambda: client.pause_fax(PauseFaxRequest(send_ref="s-1")),
        lambda: client.resume_fax(ResumeFaxRequest(send_ref="s-1")),
        lambda: client.stop_fax(StopFaxRequest(send_ref="s-1")),
        lambda: client.fax_document_preview(FaxDocumentPreviewRequest(document_ref="results")),
        lambda: client.delete_fax_document(DeleteFaxDocumentRequest(document_ref="results")),
    ]


def _everything_logged(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) + repr(record.args) for record in records)


def _everything_about(error: BaseException) -> str:
    parts = [repr(error), str(error), "".join(traceback.format_exception(error))]
    if isinstance(error, MonopondError):
        parts += [error.user_message, error.detail]
    return "\n".join(parts)


def test_debug_logging_everywhere_never_shows_the_password(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: zeep, urllib3, requests, ours
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        for call in _every_operation(client):
            call()

    logged = _everything_logged(caplog.records)
    assert DEMO_PASSWORD not in logged
    # The debug output really was on and covered the libraries, not just our logger.
    assert any(r.name.startswith("urllib3") for r in caplog.records)
    wire_records = [r for r in caplog.records if r.name == "faxgui.api.wire"]
    assert len(wire_records) == 2 * 8


def test_wire_log_shows_requests_and_answers_with_payloads_reduced(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="faxgui.api.wire")
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        calls = _every_operation(client)
        calls[0]()  # save
        calls[6]()  # preview
    request, _, _, answer = (r.getMessage() for r in caplog.records)
    assert "SaveFaxDocument request to " + sandbox.url in request
    assert "<wsse:Username>demo</wsse:Username>" in request
    assert ">********</wsse:Password>" in request
    assert f"<FileData>[base64: {len(LETTER)} bytes]</FileData>" in request
    assert "FaxDocumentPreview answer: HTTP 200" in answer
    assert "<TiffPreview>[base64: " in answer
    assert "<NumberOfPages>1</NumberOfPages>" in answer


def test_no_wire_log_is_built_when_debug_is_off(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faxgui.api import client as client_module

    built: list[int] = []

    def counting_redact(xml: bytes, **kwargs: Any) -> str:
        built.append(len(xml))
        return ""

    monkeypatch.setattr(client_module, "redact_envelope", counting_redact)
    caplog.set_level(logging.INFO, logger="faxgui.api.wire")
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        _every_operation(client)[1]()
    assert built == []


@pytest.mark.parametrize("password", ["Wr0ng-Secret!", "pass<&>word", "ünïcode-påss"])
def test_errors_never_carry_the_password(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture, password: str
) -> None:
    caplog.set_level(logging.DEBUG)
    client = MonopondClient(sandbox.url, DEMO_USERNAME, password)
    for call in _every_operation(client):
        with pytest.raises(AuthenticationError) as caught:
            call()
        assert password not in _everything_about(caught.value)
    assert password not in repr(client)
    logged = _everything_logged(caplog.records)
    assert password not in logged
    assert escape(password) not in logged


def test_a_server_echoing_the_password_back_does_not_leak_it(
    reply_server: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    password = "Echo-Me-9"
    fault = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        "<soap:Fault><faultcode>soap:Client</faultcode>"
        f"<faultstring>Bad request from demo/{password}</faultstring><detail>"
        f'<ns2:InvalidArgumentsException xmlns:ns2="{wire.NS}">'
        f"<message>Password {password} is not allowed here</message>"
        "</ns2:InvalidArgumentsException></detail></soap:Fault></soap:Body></soap:Envelope>"
    ).encode()
    server = reply_server(status="500 Server Error", body=fault)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InvalidArgumentsFault) as caught:
        MonopondClient(server.url(), DEMO_USERNAME, password).fax_status(
            FaxStatusRequest(send_ref="s-1")
        )
    assert password not in _everything_about(caught.value)
    assert caught.value.server_message == "Password ******** is not allowed here"
    assert password not in _everything_logged(caplog.records)
