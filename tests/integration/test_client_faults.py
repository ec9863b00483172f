"""Every declared fault the sandbox can produce reaches the caller as its typed exception."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faxgui.api import (
    DeleteFaxDocumentRequest,
    DocMergeData,
    DocumentContentTypeNotFoundFault,
    DocumentRefAlreadyExistsFault,
    DocumentRefDoesNotExistFault,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    FaxMessage,
    FaxStatusRequest,
    FaxStatusResponse,
    InternalServerFault,
    InterruptedFault,
    InvalidArgumentsFault,
    MergeFieldDoesNotMatchDocumentTypeFault,
    MonopondClient,
    NoMessagesFoundFault,
    PauseFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    ServiceFault,
    StopFaxRequest,
    UnknownHostFault,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer

LETTER = FaxDocument(file_name="letter.txt", file_data=b"Hello from the front desk\n")


def _send(**fields: object) -> SendFaxRequest:
    request = SendFaxRequest(
        fax_messages=[FaxMessage(message_ref="m-1", send_to="0280039890")],
        documents=[LETTER],
    )
    for name, value in fields.items():
        setattr(request, name, value)
    return request


@pytest.mark.parametrize(
    ("request_", "names"),
    [
        (_send(send_from="Reception, Harbourside Family Medical"), "SendFrom"),
        (
            _send(
                fax_messages=[
                    FaxMessage(message_ref="twice", send_to="0280039890"),
                    FaxMessage(message_ref="twice", send_to="0280039891"),
                ]
            ),
            "MessageRef",
        ),
        (_send(documents=[]), "Documents"),
        (_send(documents=[FaxDocument(file_name="empty.txt", file_data=b"")]), "FileData"),
        (_send(documents=[FaxDocument(order=1)]), "DocumentRef"),
        (_send(max_fax_pages=0), "MaxFaxPages"),
        (_send(retries=11), "Retries"),
    ],
    ids=[
        "send-from-too-long",
        "duplicate-message-ref",
        "no-document",
        "empty-file",
        "document-without-data-or-ref",
        "zero-page-limit",
        "too-many-retries",
    ],
)
def test_send_fax_invalid_arguments_name_the_field(
    client: MonopondClient, request_: SendFaxRequest, names: str
) -> None:
    with pytest.raises(InvalidArgumentsFault) as caught:
        client.send_fax(request_)
    assert names in caught.value.server_message
    assert caught.value.user_message == InvalidArgumentsFault.user_message


def test_status_without_any_reference_is_invalid(client: MonopondClient) -> None:
    with pytest.raises(InvalidArgumentsFault, match="BroadcastRef, SendRef or MessageRef"):
        client.fax_status(FaxStatusRequest())
    with pytest.raises(InvalidArgumentsFault):
        client.pause_fax(PauseFaxRequest())


def test_a_send_ref_cannot_be_used_twice(client: MonopondClient) -> None:
    client.send_fax(_send(send_ref="once"))
    with pytest.raises(InvalidArgumentsFault, match="SendRef 'once'"):
        client.send_fax(
            _send(
                send_ref="once",
                fax_messages=[FaxMessage(message_ref="m-2", send_to="0280039890")],
            )
        )


def test_unknown_references_find_no_messages(client: MonopondClient) -> None:
    with pytest.raises(NoMessagesFoundFault, match="SendRef 'no-such-send'"):
        client.fax_status(FaxStatusRequest(send_ref="no-such-send"))
    with pytest.raises(NoMessagesFoundFault):
        client.stop_fax(StopFaxRequest(message_ref="no-such-message"))


def test_saving_under_a_taken_reference_is_refused(client: MonopondClient) -> None:
    save = SaveFaxDocumentRequest(document_ref="letterhead", file_name="a.txt", file_data=b"a")
    client.save_fax_document(save)
    with pytest.raises(DocumentRefAlreadyExistsFault, match="letterhead"):
        client.save_fax_document(save)
    # Sending with FileData under the same reference would save it again: refused too.
    with pytest.raises(DocumentRefAlreadyExistsFault):
        client.send_fax(_send(documents=[FaxDocument("b.txt", b"b", document_ref="letterhead")]))


def test_missing_saved_documents_are_reported(client: MonopondClient) -> None:
    with pytest.raises(DocumentRefDoesNotExistFault, match="gone"):
        client.delete_fax_document(DeleteFaxDocumentRequest(document_ref="gone"))
    with pytest.raises(DocumentRefDoesNotExistFault):
        client.fax_document_preview(FaxDocumentPreviewRequest(document_ref="gone"))
    with pytest.raises(DocumentRefDoesNotExistFault):
        client.send_fax(_send(documents=[FaxDocument(document_ref="gone")]))


def test_a_file_name_without_a_known_type_is_refused(client: MonopondClient) -> None:
    with pytest.raises(DocumentContentTypeNotFoundFault, match=r"scan\.xyz") as caught:
        client.save_fax_document(
            SaveFaxDocumentRequest(document_ref="scan", file_name="scan.xyz", file_data=b"?")
        )
    assert ".pdf" in caught.value.user_message


def test_merge_fields_need_a_word_document(client: MonopondClient) -> None:
    merged = FaxDocument(
        file_name="letter.txt",
        file_data=b"Dear <mf:name>",
        doc_merge_data=[DocMergeData(key="name", value="Dr Okafor")],
    )
    with pytest.raises(MergeFieldDoesNotMatchDocumentTypeFault):
        client.send_fax(_send(documents=[merged]))


def test_a_word_document_cannot_be_previewed_by_the_sandbox(client: MonopondClient) -> None:
    client.save_fax_document(
        SaveFaxDocumentRequest(document_ref="word", file_name="a.docx", file_data=b"PK\x03\x04")
    )
    with pytest.raises(UnsupportedDocumentContentTypeFault) as caught:
        client.fax_document_preview(FaxDocumentPreviewRequest(document_ref="word"))
    assert "PDF" in caught.value.user_message


class _BrokenEngine(SandboxEngine):
    """An engine whose status lookups crash, as a service's database might."""

    def fax_status(self, account: str, req: FaxStatusRequest) -> FaxStatusResponse:
        raise RuntimeError("status store unavailable")


@pytest.fixture
def broken_client() -> Iterator[MonopondClient]:
    server = SandboxServer("127.0.0.1", 0, engine=_BrokenEngine(speed=1000.0))
    server.start()
    with MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD) as client:
        yield client
    server.stop()


def test_a_crash_inside_the_service_is_an_internal_server_fault(
    broken_client: MonopondClient,
) -> None:
    with pytest.raises(InternalServerFault) as caught:
        broken_client.fax_status(FaxStatusRequest(send_ref="any"))
    assert "Try again in a few minutes" in caught.value.user_message
    # The same server still serves the operations that work.
    broken_client.send_fax(_send())


class _FlakyRendererEngine(SandboxEngine):
    """An engine whose renderer fails the way the service's can: a lost host, an interruption."""

    def __init__(self, fault: ServiceFault) -> None:
        super().__init__(speed=1000.0)
        self.fault = fault

    def fax_document_preview(
        self, account: str, req: FaxDocumentPreviewRequest
    ) -> FaxDocumentPreviewResponse:
        raise self.fault


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (UnknownHostFault("renderer-3.internal"), UnknownHostFault),
        (InterruptedFault("render cancelled"), InterruptedFault),
    ],
    ids=["unknown-host", "interrupted"],
)
def test_the_element_only_preview_faults_arrive_typed(
    fault: ServiceFault, expected: type[ServiceFault]
) -> None:
    # These two faults have no <message> in their schema type, so only the faultstring
    # carries the server's words; the client must still name the fault correctly.
    server = SandboxServer("127.0.0.1", 0, engine=_FlakyRendererEngine(fault))
    server.start()
    try:
        with (
            MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD) as client,
            pytest.raises(expected) as caught,
        ):
            client.fax_document_preview(FaxDocumentPreviewRequest(document_ref="any"))
    finally:
        server.stop()
    assert caught.value.server_message == fault.server_message
    assert "Try again" in caught.value.user_message
